package media

import (
	"bytes"
	"fmt"
)

// minMP3Frames is how many consecutive valid frames make a file an MP3. One
// header can occur by chance in any data; several chained ones cannot.
const minMP3Frames = 4

// parseMP3 skips ID3v2 tags, then walks the MPEG audio frames to the end of
// the file, counting them for the duration.
func parseMP3(b []byte) (AudioInfo, error) {
	start, err := skipID3v2(b)
	if err != nil {
		return AudioInfo{}, err
	}
	first, ok := parseMPEGHeader(b[start:])
	switch {
	case !ok && isADTS(b[start:]):
		return AudioInfo{}, unsupportedAudio("AAC (ADTS)")
	case !ok:
		return AudioInfo{}, refuse(ErrNotAudio, "the file is not WAV or MP3 audio")
	case first.layer != 3:
		return AudioInfo{}, unsupportedAudio(fmt.Sprintf("MPEG layer %d", first.layer))
	}

	walk := walkMPEGFrames(b, start, first)
	if walk.frames < minMP3Frames {
		return AudioInfo{}, refuse(ErrNotAudio, "the file is not WAV or MP3 audio")
	}
	if first.channels != 1 {
		return AudioInfo{}, refuse(ErrStereo, "stereo audio is not accepted; prompts must be mono")
	}
	rest := b[walk.end:]
	switch {
	case walk.lastCutOff:
		return AudioInfo{}, refuse(ErrTruncated, "the MP3 file is cut off in its last frame")
	case !isMP3Trailer(rest):
		return AudioInfo{}, refuse(ErrCorruptAudio, fmt.Sprintf(
			"the MP3 file holds data that is not audio at byte %d", walk.end))
	}

	// A Xing, Info or VBRI frame at the start describes the stream and holds no
	// audio of its own.
	audioFrames, audioBytes := walk.frames, walk.audioBytes
	if hasVBRTag(b[start:], first) {
		audioFrames--
		audioBytes -= int64(first.frameLen)
	}
	samples := int64(audioFrames) * int64(first.samplesPerFrame)
	info := AudioInfo{
		Format:     AudioMP3,
		SampleRate: first.sampleRate,
		Channels:   first.channels,
		Duration:   durationOf(samples, int64(first.sampleRate)),
	}
	if samples > 0 {
		info.BitRate = int(audioBytes * 8 * int64(first.sampleRate) / samples)
	}
	return info, nil
}

// mpegWalk is the result of following frames from the first one.
type mpegWalk struct {
	frames     int
	audioBytes int64 // bytes in the counted frames
	end        int   // offset just past the last whole frame
	lastCutOff bool  // a valid header whose frame runs past the end of the file
}

// walkMPEGFrames follows frames from off as long as each header is valid and
// matches the first frame's version, sample rate and channel count.
func walkMPEGFrames(b []byte, off int, first mpegHeader) mpegWalk {
	w := mpegWalk{end: off}
	for {
		h, ok := parseMPEGHeader(b[off:])
		if !ok || h.layer != 3 || h.version != first.version ||
			h.sampleRate != first.sampleRate || h.channels != first.channels {
			return w
		}
		if off+h.frameLen > len(b) {
			w.lastCutOff = true
			return w
		}
		off += h.frameLen
		w.frames++
		w.audioBytes += int64(h.frameLen)
		w.end = off
	}
}

// isMP3Trailer reports whether the bytes after the last frame are harmless:
// nothing, zero padding, an ID3v1 tag, or an APE or Lyrics3 tag.
func isMP3Trailer(rest []byte) bool {
	switch {
	case len(rest) == 0 || isZero(rest):
		return true
	case len(rest) == 128 && bytes.HasPrefix(rest, []byte("TAG")):
		return true
	case bytes.HasPrefix(rest, []byte("APETAGEX")), bytes.HasPrefix(rest, []byte("LYRICSBEGIN")):
		return true
	}
	return false
}

// hasVBRTag reports whether the first frame is a Xing, Info or VBRI header.
func hasVBRTag(frame []byte, h mpegHeader) bool {
	xing := 4 + h.sideInfoLen()
	if h.crc {
		xing += 2
	}
	at := func(off int, tag string) bool {
		return len(frame) >= off+4 && string(frame[off:off+4]) == tag
	}
	return at(xing, "Xing") || at(xing, "Info") || at(4+32, "VBRI")
}

// skipID3v2 returns the offset after any ID3v2 tags and zero padding.
func skipID3v2(b []byte) (int, error) {
	off := 0
	for bytes.HasPrefix(b[off:], []byte("ID3")) {
		if len(b)-off < 10 {
			return 0, refuse(ErrTruncated, "the MP3 file is cut off in its ID3 tag")
		}
		hdr := b[off : off+10]
		size := 0
		for _, c := range hdr[6:10] {
			if c >= 0x80 { // the size is "synchsafe": 7 bits a byte
				return 0, refuse(ErrCorruptAudio, "the MP3 file has a damaged ID3 tag")
			}
			size = size<<7 | int(c)
		}
		off += 10 + size
		if hdr[5]&0x10 != 0 { // a footer repeats the header at the end
			off += 10
		}
		if off > len(b) {
			return 0, refuse(ErrTruncated, "the MP3 file is cut off in its ID3 tag")
		}
	}
	for off < len(b) && b[off] == 0 {
		off++
	}
	return off, nil
}
