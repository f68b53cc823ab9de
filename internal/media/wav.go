package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// WAVE format tags for the accepted encodings.
const (
	wavePCM        = 0x0001
	waveALaw       = 0x0006
	waveMuLaw      = 0x0007
	waveExtensible = 0xfffe
)

// waveTagNames names common refused WAVE format tags in messages.
var waveTagNames = map[uint16]string{
	0x0002: "Microsoft ADPCM",
	0x0003: "32-bit float",
	0x0011: "IMA ADPCM",
	0x0022: "TrueSpeech",
	0x0031: "GSM 06.10",
	0x0040: "G.721 ADPCM",
	0x0045: "G.726 ADPCM",
	0x0050: "MPEG",
	0x0055: "MP3-in-WAV",
	0x0064: "G.726 ADPCM",
	0x0065: "G.722 ADPCM",
	0x0067: "G.722.1",
	0x00ff: "AAC",
	0x1600: "AAC",
}

// subformatSuffix ends every WAVE_FORMAT_EXTENSIBLE subformat GUID that
// carries a plain format tag in its first two bytes.
var subformatSuffix = []byte{
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
}

// wavFmt is the part of a WAV fmt chunk the checks need.
type wavFmt struct {
	tag        uint16 // after resolving WAVE_FORMAT_EXTENSIBLE
	channels   int
	sampleRate int
	byteRate   int
	blockAlign int
	bits       int
}

// wavChunks is what a walk over the chunks of a WAV file found.
type wavChunks struct {
	fmtBody   []byte
	haveData  bool
	dataSize  int64 // as declared
	dataAvail int64 // as present in the file
	cutOff    bool  // a chunk header or the fmt chunk ends past the file
}

// parseWAV checks a RIFF/WAVE file. Format problems are reported before a cut
// off data chunk, so that a truncated stereo file is refused as stereo.
func parseWAV(b []byte) (AudioInfo, error) {
	chunks := walkWAVChunks(b)
	if chunks.fmtBody == nil {
		if chunks.cutOff {
			return AudioInfo{}, refuse(ErrTruncated, "the WAV file is cut off in its header")
		}
		return AudioInfo{}, refuse(ErrCorruptAudio, "the WAV file has no fmt chunk")
	}

	f, err := readWAVFmt(chunks.fmtBody)
	if err != nil {
		return AudioInfo{}, err
	}
	format, err := checkWAVFmt(f)
	if err != nil {
		return AudioInfo{}, err
	}

	switch {
	case !chunks.haveData && chunks.cutOff:
		return AudioInfo{}, refuse(ErrTruncated, "the WAV file is cut off before its audio")
	case !chunks.haveData:
		return AudioInfo{}, refuse(ErrCorruptAudio, "the WAV file has no data chunk")
	case chunks.dataSize > chunks.dataAvail:
		return AudioInfo{}, refuse(ErrTruncated, fmt.Sprintf(
			"the WAV file is cut off: it declares %d bytes of audio but holds only %d",
			chunks.dataSize, chunks.dataAvail))
	case chunks.dataSize < int64(f.blockAlign):
		return AudioInfo{}, refuse(ErrCorruptAudio, "the WAV file holds no audio")
	}

	return AudioInfo{
		Format:        format,
		SampleRate:    f.sampleRate,
		Channels:      f.channels,
		BitsPerSample: f.bits,
		BitRate:       f.byteRate * 8,
		Duration:      durationOf(chunks.dataSize, int64(f.byteRate)),
	}, nil
}

// walkWAVChunks visits the chunks after the RIFF header until both the fmt and
// the data chunk are found or the file ends. The RIFF size is not trusted:
// writers that stream leave it wrong, and the data chunk tells truncation.
func walkWAVChunks(b []byte) wavChunks {
	var c wavChunks
	off := 12
	for off < len(b) && (c.fmtBody == nil || !c.haveData) {
		if len(b)-off < 8 {
			c.cutOff = true
			break
		}
		id := string(b[off : off+4])
		size := int64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := off + 8
		avail := int64(len(b) - body)

		switch id {
		case "fmt ":
			if size > avail {
				c.cutOff = true
				return c
			}
			c.fmtBody = b[body : int64(body)+size]
		case "data":
			c.haveData, c.dataSize, c.dataAvail = true, size, min(size, avail)
		}
		if size > avail {
			// Nothing after a cut off chunk can be read.
			c.cutOff = true
			break
		}
		off = body + int(size) + int(size&1) // chunks are padded to even sizes
	}
	return c
}

// readWAVFmt decodes a fmt chunk, resolving WAVE_FORMAT_EXTENSIBLE to the
// format tag of its subformat.
func readWAVFmt(body []byte) (wavFmt, error) {
	if len(body) < 16 {
		return wavFmt{}, refuse(ErrCorruptAudio, "the WAV fmt chunk is too short")
	}
	le := binary.LittleEndian
	f := wavFmt{
		tag:        le.Uint16(body[0:2]),
		channels:   int(le.Uint16(body[2:4])),
		sampleRate: int(le.Uint32(body[4:8])),
		byteRate:   int(le.Uint32(body[8:12])),
		blockAlign: int(le.Uint16(body[12:14])),
		bits:       int(le.Uint16(body[14:16])),
	}
	if f.tag != waveExtensible {
		return f, nil
	}

	// The extension: cbSize, valid bits, channel mask, subformat GUID.
	if len(body) < 40 || le.Uint16(body[16:18]) < 22 {
		return wavFmt{}, refuse(ErrCorruptAudio, "the WAV extensible fmt chunk is too short")
	}
	guid := body[24:40]
	if !bytes.Equal(guid[2:], subformatSuffix) {
		return wavFmt{}, unsupportedAudio("WAV with an unknown extensible subformat")
	}
	f.tag = le.Uint16(guid[0:2])
	return f, nil
}

// checkWAVFmt applies the prompt rules in order: encoding, channels, sample
// rate, then the consistency of the derived fields.
func checkWAVFmt(f wavFmt) (AudioFormat, error) {
	format, err := wavEncoding(f.tag, f.bits)
	if err != nil {
		return "", err
	}

	switch {
	case f.channels == 0:
		return "", refuse(ErrCorruptAudio, "the WAV file declares zero channels")
	case f.channels == 2:
		return "", refuse(ErrStereo, "stereo audio is not accepted; prompts must be mono")
	case f.channels > 2:
		return "", refuse(ErrStereo, fmt.Sprintf(
			"%d-channel audio is not accepted; prompts must be mono", f.channels))
	}

	if f.sampleRate != 8000 && f.sampleRate != 16000 {
		return "", refuse(ErrSampleRate, fmt.Sprintf(
			"audio at %d Hz is not accepted; WAV prompts must be 8000 or 16000 Hz",
			f.sampleRate))
	}

	if f.blockAlign != f.channels*f.bits/8 || f.byteRate != f.sampleRate*f.blockAlign {
		return "", refuse(ErrCorruptAudio, fmt.Sprintf(
			"the WAV header is inconsistent: %d bytes a second, %d bytes a sample",
			f.byteRate, f.blockAlign))
	}
	return format, nil
}

// wavEncoding maps a format tag and sample size to an accepted format.
func wavEncoding(tag uint16, bits int) (AudioFormat, error) {
	switch {
	case tag == wavePCM && bits == 16:
		return AudioWAVPCM16, nil
	case tag == wavePCM && bits == 8:
		return AudioWAVPCM8, nil
	case tag == wavePCM:
		return "", unsupportedAudio(fmt.Sprintf("%d-bit PCM", bits))
	case (tag == waveALaw || tag == waveMuLaw) && bits != 8:
		return "", refuse(ErrCorruptAudio, fmt.Sprintf(
			"the WAV header declares G.711 audio with %d bits a sample", bits))
	case tag == waveALaw:
		return AudioWAVALaw, nil
	case tag == waveMuLaw:
		return AudioWAVMuLaw, nil
	}
	if name, ok := waveTagNames[tag]; ok {
		return "", unsupportedAudio(name)
	}
	return "", unsupportedAudio(fmt.Sprintf("WAV format 0x%04x", tag))
}
