package media

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// mpegFrame returns one layer III frame: the 4 header bytes given, then
// filler up to size bytes. The filler never forms a sync word.
func mpegFrame(header [4]byte, size int) []byte {
	return append(header[:], bytes.Repeat([]byte{0x55}, size-4)...)
}

// mpeg1Frames returns n MPEG-1 layer III frames at 128 kbit/s, 44100 Hz, mono,
// with the padding bit set on every other frame as encoders do at 44.1 kHz.
// An unpadded frame is 144*128000/44100 = 417 bytes.
func mpeg1Frames(n int) []byte {
	var out []byte
	for i := range n {
		if i%2 == 1 {
			out = append(out, mpegFrame([4]byte{0xff, 0xfb, 0x92, 0xc0}, 418)...)
		} else {
			out = append(out, mpegFrame([4]byte{0xff, 0xfb, 0x90, 0xc0}, 417)...)
		}
	}
	return out
}

// id3v2 returns an ID3v2.4 tag with a body of n bytes, and a footer if asked.
func id3v2(n int, footer bool) []byte {
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	size := []byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
	tag := append([]byte{'I', 'D', '3', 4, 0, flags}, size...)
	tag = append(tag, bytes.Repeat([]byte{'x'}, n)...)
	if footer {
		tag = append(tag, append([]byte{'3', 'D', 'I', 4, 0, flags}, size...)...)
	}
	return tag
}

// mp1Duration is the length of n MPEG-1 layer III frames at 44100 Hz.
func mp1Duration(n int) time.Duration {
	return time.Duration(float64(n*1152) / 44100 * float64(time.Second))
}

func TestParseAudioMP3Accepts(t *testing.T) {
	goodbye := readIVR(t, "vm-goodbye.mp3")
	goodbyeDur := vmGoodbyeMP3Duration(t, goodbye)
	id3v1 := append([]byte("TAG"), make([]byte, 125)...)
	xing := mpeg1Frames(6)
	copy(xing[4+17:], "Xing") // after the header and 17 bytes of mono side info

	tests := []struct {
		name string
		data []byte
		rate int
		dur  time.Duration
	}{
		{"id3v2 before", append(id3v2(300, false), goodbye...), 8000, goodbyeDur},
		{"id3v2 with footer and padding", append(append(id3v2(50, true), 0, 0, 0), goodbye...),
			8000, goodbyeDur},
		{"id3v1 after", append(append([]byte{}, goodbye...), id3v1...), 8000, goodbyeDur},
		{"mpeg-1 with padding", mpeg1Frames(10), 44100, mp1Duration(10)},
		{"xing frame not counted", xing, 44100, mp1Duration(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseAudio(tt.data)
			if err != nil {
				t.Fatalf("ParseAudio: %v", err)
			}
			if info.Format != AudioMP3 || info.SampleRate != tt.rate || info.Channels != 1 {
				t.Errorf("got %+v", info)
			}
			if diff := info.Duration - tt.dur; diff.Abs() > time.Microsecond {
				t.Errorf("duration %v, want %v", info.Duration, tt.dur)
			}
		})
	}
}

func TestParseAudioMP3BitRate(t *testing.T) {
	info, err := ParseAudio(readIVR(t, "vm-goodbye.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	if info.BitRate != 8000 {
		t.Errorf("bit rate %d, want 8000", info.BitRate)
	}
}

func TestParseAudioMP3Refuses(t *testing.T) {
	goodbye := readIVR(t, "vm-goodbye.mp3")
	stereo := mpeg1Frames(8)
	for i := 0; i < len(stereo); {
		size := 417
		if stereo[i+2]&0x02 != 0 {
			size = 418
		}
		stereo[i+3] = 0x00 // channel mode 00: stereo
		i += size
	}
	junk := append(append([]byte{}, goodbye...), bytes.Repeat([]byte{0x55}, 50)...)
	layer2 := append([]byte{0xff, 0xfd, 0x90, 0xc0}, make([]byte, 400)...)

	tests := []struct {
		name   string
		data   []byte
		reason error
	}{
		{"last frame cut", goodbye[:len(goodbye)-10], ErrTruncated},
		{"three frames only", goodbye[:3*72], ErrNotAudio},
		{"a single sync word", []byte{0xff, 0xe3, 0x18, 0xc4, 0x01}, ErrNotAudio},
		{"stereo", stereo, ErrStereo},
		{"junk after frames", junk, ErrCorruptAudio},
		{"layer II", layer2, ErrUnsupportedEncoding},
		{"id3 cut off", id3v2(500, false)[:100], ErrTruncated},
		{"id3 and nothing else", id3v2(20, false), ErrNotAudio},
		{"id3 with bad size", []byte("ID3\x04\x00\x00\x00\x00\x80\x00"), ErrCorruptAudio},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseAudio(tt.data)
			if !errors.Is(err, tt.reason) {
				t.Fatalf("got %+v, %v; want %v", info, err, tt.reason)
			}
		})
	}
}
