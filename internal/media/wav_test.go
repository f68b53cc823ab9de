package media

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// wavSpec describes a WAV file for buildWAV.
type wavSpec struct {
	tag        uint16
	subformat  uint16 // with tag 0xFFFE: the format tag inside the GUID
	oddGUID    bool   // with tag 0xFFFE: a GUID of a non-standard subformat
	channels   int
	rate       int
	bits       int
	byteRate   int // 0: derived
	dataLen    int // bytes of audio written
	dataDecl   int // bytes of audio declared; 0: dataLen
	noData     bool
	listChunk  int // bytes of an odd-sized LIST chunk before fmt; 0: none
	fmtPadding bool
}

// buildWAV writes a RIFF/WAVE file as described, chunk by chunk.
func buildWAV(s wavSpec) []byte {
	le := binary.LittleEndian
	chunk := func(id string, body []byte, declared int) []byte {
		c := append([]byte(id), le.AppendUint32(nil, uint32(declared))...)
		c = append(c, body...)
		if len(body)%2 == 1 && declared == len(body) {
			c = append(c, 0)
		}
		return c
	}

	blockAlign := s.channels * s.bits / 8
	byteRate := s.byteRate
	if byteRate == 0 {
		byteRate = s.rate * blockAlign
	}
	f := le.AppendUint16(nil, s.tag)
	f = le.AppendUint16(f, uint16(s.channels))
	f = le.AppendUint32(f, uint32(s.rate))
	f = le.AppendUint32(f, uint32(byteRate))
	f = le.AppendUint16(f, uint16(blockAlign))
	f = le.AppendUint16(f, uint16(s.bits))
	if s.tag == waveExtensible {
		f = le.AppendUint16(f, 22)
		f = le.AppendUint16(f, uint16(s.bits))
		f = le.AppendUint32(f, 0x4) // front centre
		f = le.AppendUint16(f, s.subformat)
		suffix := append([]byte{}, subformatSuffix...)
		if s.oddGUID {
			suffix[13] ^= 0xff
		}
		f = append(f, suffix...)
	}

	body := []byte("WAVE")
	if s.listChunk > 0 {
		body = append(body, chunk("LIST", make([]byte, s.listChunk), s.listChunk)...)
	}
	body = append(body, chunk("fmt ", f, len(f))...)
	if !s.noData {
		declared := s.dataDecl
		if declared == 0 {
			declared = s.dataLen
		}
		body = append(body, chunk("data", make([]byte, s.dataLen), declared)...)
	}
	return append(append([]byte("RIFF"), le.AppendUint32(nil, uint32(len(body)))...), body...)
}

func TestParseAudioWAVAccepts(t *testing.T) {
	tests := []struct {
		name string
		spec wavSpec
		want AudioFormat
		dur  time.Duration
	}{
		{"mulaw 8k", wavSpec{tag: waveMuLaw, channels: 1, rate: 8000, bits: 8, dataLen: 4000},
			AudioWAVMuLaw, 500 * time.Millisecond},
		{"pcm 8-bit", wavSpec{tag: wavePCM, channels: 1, rate: 8000, bits: 8, dataLen: 8000},
			AudioWAVPCM8, time.Second},
		{"extensible pcm 16k", wavSpec{tag: waveExtensible, subformat: wavePCM, channels: 1,
			rate: 16000, bits: 16, dataLen: 3200}, AudioWAVPCM16, 100 * time.Millisecond},
		{"extensible alaw", wavSpec{tag: waveExtensible, subformat: waveALaw, channels: 1,
			rate: 8000, bits: 8, dataLen: 800}, AudioWAVALaw, 100 * time.Millisecond},
		{"odd LIST chunk first", wavSpec{tag: wavePCM, channels: 1, rate: 8000, bits: 16,
			dataLen: 16000, listChunk: 7}, AudioWAVPCM16, time.Second},
		{"odd-sized data", wavSpec{tag: waveALaw, channels: 1, rate: 8000, bits: 8,
			dataLen: 3}, AudioWAVALaw, 375 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseAudio(buildWAV(tt.spec))
			if err != nil {
				t.Fatalf("ParseAudio: %v", err)
			}
			if info.Format != tt.want || info.Duration != tt.dur || info.Channels != 1 ||
				info.SampleRate != tt.spec.rate {
				t.Errorf("got %+v, want %s lasting %v", info, tt.want, tt.dur)
			}
		})
	}
}

func TestParseAudioWAVRefuses(t *testing.T) {
	pcm := func(channels, rate, bits int) wavSpec {
		return wavSpec{tag: wavePCM, channels: channels, rate: rate, bits: bits, dataLen: 64}
	}
	stereoCut := pcm(2, 8000, 16)
	stereoCut.dataDecl = 6400
	withGSM := wavSpec{tag: 0x0031, channels: 1, rate: 8000, bits: 0, dataLen: 65}
	badRate := pcm(1, 8000, 16)
	badRate.byteRate = 8000
	noData := pcm(1, 8000, 16)
	noData.noData = true
	empty := pcm(1, 8000, 16)
	empty.dataLen = 0
	oddGUID := wavSpec{tag: waveExtensible, subformat: wavePCM, oddGUID: true, channels: 1,
		rate: 8000, bits: 16, dataLen: 64}
	floatExt := wavSpec{tag: waveExtensible, subformat: 0x0003, channels: 1, rate: 8000,
		bits: 32, dataLen: 64}

	tests := []struct {
		name   string
		data   []byte
		reason error
		kind   string
	}{
		{"44.1 kHz", buildWAV(pcm(1, 44100, 16)), ErrSampleRate, ""},
		{"11025 Hz", buildWAV(pcm(1, 11025, 8)), ErrSampleRate, ""},
		{"24-bit", buildWAV(pcm(1, 8000, 24)), ErrUnsupportedEncoding, "24-bit PCM"},
		{"5.1 channels", buildWAV(pcm(6, 8000, 16)), ErrStereo, ""},
		{"stereo and cut off", buildWAV(stereoCut), ErrStereo, ""},
		{"gsm in wav", buildWAV(withGSM), ErrUnsupportedEncoding, "GSM 06.10"},
		{"float in extensible", buildWAV(floatExt), ErrUnsupportedEncoding, "32-bit float"},
		{"unknown subformat", buildWAV(oddGUID), ErrUnsupportedEncoding,
			"WAV with an unknown extensible subformat"},
		{"wrong byte rate", buildWAV(badRate), ErrCorruptAudio, ""},
		{"no data chunk", buildWAV(noData), ErrCorruptAudio, ""},
		{"empty data chunk", buildWAV(empty), ErrCorruptAudio, ""},
		{"cut in fmt", buildWAV(pcm(1, 8000, 16))[:30], ErrTruncated, ""},
		{"cut before data", buildWAV(pcm(1, 8000, 16))[:40], ErrTruncated, ""},
		{"no fmt chunk", []byte("RIFF\x0c\x00\x00\x00WAVEdata\x00\x00\x00\x00"),
			ErrCorruptAudio, ""},
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
