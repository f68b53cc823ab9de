package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ivrDir holds copies of the shared IVR prompts (CC-BY-SA 3.0, see NOTICE).
const ivrDir = "testdata/ivr"

func readIVR(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ivrDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// canonicalWAVDuration works the duration out of a file the plain way: the
// byte rate at offset 28 of the fmt chunk, and every byte after the "data"
// chunk header counted as audio.
func canonicalWAVDuration(t *testing.T, b []byte) time.Duration {
	t.Helper()
	byteRate := binary.LittleEndian.Uint32(b[28:32])
	i := bytes.Index(b, []byte("data"))
	if i < 0 {
		t.Fatal("no data chunk")
	}
	audioBytes := len(b) - (i + 8)
	return time.Duration(float64(audioBytes) / float64(byteRate) * float64(time.Second))
}

// vmGoodbyeMP3Duration works out the duration of vm-goodbye.mp3 from its size:
// its first header says MPEG-2.5 layer III, 8 kbit/s, 8000 Hz, no padding,
// mono, so every frame is 72 bytes and holds 576 samples.
func vmGoodbyeMP3Duration(t *testing.T, b []byte) time.Duration {
	t.Helper()
	if !bytes.HasPrefix(b, []byte{0xff, 0xe3, 0x18, 0xc4}) {
		t.Fatalf("unexpected first header % x", b[:4])
	}
	if len(b)%72 != 0 {
		t.Fatalf("size %d is not whole 72-byte frames", len(b))
	}
	frames := len(b) / 72
	return time.Duration(float64(frames*576) / 8000 * float64(time.Second))
}

func TestParseAudioSharedFiles(t *testing.T) {
	type accept struct {
		format   AudioFormat
		rate     int
		bits     int
		duration func(*testing.T, []byte) time.Duration
	}
	tests := map[string]struct {
		ok     *accept
		reason error
		text   string
	}{
		"hello-world.wav":        {ok: &accept{AudioWAVPCM16, 8000, 16, canonicalWAVDuration}},
		"hello-world-16k.wav":    {ok: &accept{AudioWAVPCM16, 16000, 16, canonicalWAVDuration}},
		"hello-world-alaw.wav":   {ok: &accept{AudioWAVALaw, 8000, 8, canonicalWAVDuration}},
		"pls-hold-while-try.wav": {ok: &accept{AudioWAVPCM16, 8000, 16, canonicalWAVDuration}},
		"queue-thankyou.wav":     {ok: &accept{AudioWAVPCM16, 8000, 16, canonicalWAVDuration}},
		"vm-goodbye.wav":         {ok: &accept{AudioWAVPCM16, 8000, 16, canonicalWAVDuration}},
		"vm-goodbye.mp3":         {ok: &accept{AudioMP3, 8000, 0, vmGoodbyeMP3Duration}},
		"hello-world-stereo.wav": {reason: ErrStereo,
			text: "stereo audio is not accepted; prompts must be mono"},
		"hello-world.gsm": {reason: ErrUnsupportedEncoding, text: "GSM 06.10"},
		// The header is whole but the data chunk declares 22468 bytes and only
		// 256 follow: a prompt that would stop after 16 ms is refused.
		"truncated-header-ok.wav": {reason: ErrTruncated, text: "holds only 256"},
		"truncated.wav":           {reason: ErrTruncated, text: "cut off in its header"},
		"NOTICE":                  {reason: ErrNotAudio, text: "text"},
	}

	entries, err := os.ReadDir(ivrDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := tests[e.Name()]; !ok {
			t.Errorf("%s has no expected outcome in this test", e.Name())
		}
	}

	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			b := readIVR(t, name)
			info, err := ParseAudio(b)
			if tt.ok == nil {
				if !errors.Is(err, tt.reason) || !strings.Contains(err.Error(), tt.text) {
					t.Fatalf("got %+v, %v; want %v containing %q", info, err, tt.reason, tt.text)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAudio: %v", err)
			}
			if info.Format != tt.ok.format || info.SampleRate != tt.ok.rate ||
				info.Channels != 1 || info.BitsPerSample != tt.ok.bits {
				t.Errorf("got %+v", info)
			}
			want := tt.ok.duration(t, b)
			if diff := info.Duration - want; diff.Abs() > time.Microsecond {
				t.Errorf("duration %v, want %v", info.Duration, want)
			}
		})
	}
}

func TestParseAudioHelloWorldFacts(t *testing.T) {
	// hello-world.wav: 22512 bytes, a 44-byte header, 16000 bytes a second.
	info, err := ParseAudio(readIVR(t, "hello-world.wav"))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Duration(math.Round((22512 - 44) / 16000.0 * 1e9))
	if info.Duration != want || info.BitRate != 128000 {
		t.Errorf("got %+v, want duration %v at 128 kbit/s", info, want)
	}
	if info.Format.ContentType() != "audio/wav" || AudioMP3.ContentType() != "audio/mpeg" {
		t.Errorf("content types wrong")
	}
}

func TestParseAudioOtherKinds(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		reason error
		kind   string
	}{
		{"empty", nil, ErrNotAudio, ""},
		{"ogg", []byte("OggS\x00\x02" + strings.Repeat("\x00", 30)), ErrUnsupportedEncoding,
			"Ogg (Vorbis or Opus)"},
		{"flac", []byte("fLaC\x00\x00\x00\x22"), ErrUnsupportedEncoding, "FLAC"},
		{"amr", []byte("#!AMR\n\x3c\x00"), ErrUnsupportedEncoding, "AMR"},
		{"wechat silk", []byte("\x02#!SILK_V3\x00"), ErrUnsupportedEncoding, "SILK"},
		{"aac adts", []byte{0xff, 0xf1, 0x50, 0x80, 0x00, 0x1f, 0xfc}, ErrUnsupportedEncoding,
			"AAC (ADTS)"},
		{"avi", []byte("RIFF\x00\x01\x00\x00AVI LIST"), ErrNotAudio, ""},
		{"riff cut", []byte("RIFF\x00\x01"), ErrTruncated, ""},
		{"binary junk", []byte{0x13, 0x37, 0x00, 0x42, 0x99}, ErrNotAudio, ""},
		{"a png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), ErrNotAudio, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAudio(tt.data)
			var me *Error
			if !errors.As(err, &me) || !errors.Is(err, tt.reason) {
				t.Fatalf("got %v, want %v", err, tt.reason)
			}
			if me.Kind != tt.kind {
				t.Errorf("kind %q, want %q", me.Kind, tt.kind)
			}
		})
	}
}
