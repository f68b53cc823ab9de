package media

import (
	"bytes"
	"fmt"
	"time"
)

// MaxAudioBytes is the largest IVR prompt accepted: 5 MiB.
const MaxAudioBytes = 5 << 20

// AudioFormat names an accepted container and encoding.
type AudioFormat string

// The accepted audio formats.
const (
	AudioWAVPCM16 AudioFormat = "wav/pcm_s16le" // 16-bit signed little-endian PCM
	AudioWAVPCM8  AudioFormat = "wav/pcm_u8"    // 8-bit unsigned PCM
	AudioWAVALaw  AudioFormat = "wav/alaw"      // G.711 A-law
	AudioWAVMuLaw AudioFormat = "wav/mulaw"     // G.711 µ-law
	AudioMP3      AudioFormat = "mp3"           // MPEG-1, 2 or 2.5 layer III
)

// ContentType returns the MIME type of files in format f.
func (f AudioFormat) ContentType() string {
	if f == AudioMP3 {
		return "audio/mpeg"
	}
	return "audio/wav"
}

// AudioInfo describes an accepted prompt.
type AudioInfo struct {
	Format     AudioFormat
	SampleRate int // samples per second
	Channels   int // always 1 for an accepted prompt
	// BitsPerSample is the stored sample size of a WAV; 0 for MP3.
	BitsPerSample int
	// BitRate is in bits per second; for a variable-rate MP3 it is the average.
	BitRate  int
	Duration time.Duration
}

// ParseAudio checks that b is a prompt the media library accepts (see the
// package documentation for the rules) and describes it. It returns an *Error
// wrapping ErrNotAudio, ErrUnsupportedEncoding, ErrStereo, ErrSampleRate,
// ErrTruncated or ErrCorruptAudio. The size limit is the caller's.
func ParseAudio(b []byte) (AudioInfo, error) {
	switch {
	case len(b) == 0:
		return AudioInfo{}, refuse(ErrNotAudio, "the file is empty; use WAV or MP3 audio")
	case bytes.HasPrefix(b, []byte("RIFF")):
		return parseRIFF(b)
	case bytes.HasPrefix(b, []byte("ID3")) || hasMPEGSync(b):
		return parseMP3(b)
	}
	return AudioInfo{}, unrecognisedAudio(b)
}

// parseRIFF tells WAVE files from the other RIFF formats (AVI, WebP...).
func parseRIFF(b []byte) (AudioInfo, error) {
	if len(b) < 12 {
		return AudioInfo{}, refuse(ErrTruncated, "the WAV file is cut off in its header")
	}
	if string(b[8:12]) != "WAVE" {
		return AudioInfo{}, refuse(ErrNotAudio,
			fmt.Sprintf("the file is a RIFF %q file, not WAV audio; use WAV or MP3", b[8:12]))
	}
	return parseWAV(b)
}

// unsupportedAudio is ErrUnsupportedEncoding for a recognised kind of audio.
func unsupportedAudio(kind string) *Error {
	return &Error{
		Reason: ErrUnsupportedEncoding,
		Kind:   kind,
		Message: fmt.Sprintf("%s audio is not accepted; use WAV (PCM, A-law or µ-law) or MP3",
			kind),
	}
}

// durationOf converts a count of units (bytes, samples) at perSecond units a
// second into a duration, exactly to the nanosecond below.
func durationOf(units, perSecond int64) time.Duration {
	whole := units / perSecond
	rest := units % perSecond
	return time.Duration(whole)*time.Second +
		time.Duration(rest*int64(time.Second)/perSecond)
}
