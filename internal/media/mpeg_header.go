package media

// MPEG audio versions as numbered in the header; 25 stands for MPEG-2.5.
const (
	mpeg1  = 1
	mpeg2  = 2
	mpeg25 = 25
)

// Layer III bit rates in kbit/s by bitrate index; index 0 (free format) and
// 15 (forbidden) are refused.
var (
	layer3BitratesMPEG1 = [16]int{
		0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0,
	}
	layer3BitratesMPEG2 = [16]int{
		0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0,
	}
)

// Sample rates in Hz by sample-rate index; index 3 is reserved.
var sampleRatesByVersion = map[int][3]int{
	mpeg1:  {44100, 48000, 32000},
	mpeg2:  {22050, 24000, 16000},
	mpeg25: {11025, 12000, 8000},
}

// mpegHeader is a decoded 4-byte MPEG audio frame header. For layers I and II
// only version and layer are filled in: they are recognised, not walked.
type mpegHeader struct {
	version         int
	layer           int
	crc             bool // a 16-bit CRC follows the header
	bitrate         int  // bits per second
	sampleRate      int
	padding         bool
	channels        int
	frameLen        int // bytes, header included
	samplesPerFrame int
}

// hasMPEGSync reports whether b starts with an MPEG audio sync word and a
// layer other than the reserved one (which ADTS AAC uses).
func hasMPEGSync(b []byte) bool {
	return len(b) >= 2 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]&0x06 != 0
}

// parseMPEGHeader decodes the frame header at the start of b.
func parseMPEGHeader(b []byte) (mpegHeader, bool) {
	if len(b) < 4 || !hasMPEGSync(b) {
		return mpegHeader{}, false
	}
	var h mpegHeader
	switch (b[1] >> 3) & 0x03 {
	case 0:
		h.version = mpeg25
	case 2:
		h.version = mpeg2
	case 3:
		h.version = mpeg1
	default:
		return mpegHeader{}, false
	}
	h.layer = 4 - int((b[1]>>1)&0x03)
	h.crc = b[1]&0x01 == 0
	if h.layer != 3 {
		return h, true
	}

	bitrateIndex := b[2] >> 4
	rateIndex := (b[2] >> 2) & 0x03
	emphasis := b[3] & 0x03
	if bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3 || emphasis == 2 {
		return mpegHeader{}, false
	}
	h.sampleRate = sampleRatesByVersion[h.version][rateIndex]
	h.padding = b[2]&0x02 != 0
	h.channels = 2
	if b[3]>>6 == 3 {
		h.channels = 1
	}

	// A layer III frame holds 1152 samples in MPEG-1 and 576 otherwise; its
	// length is samples/8 bytes per bit/s of rate, plus one padding byte.
	if h.version == mpeg1 {
		h.bitrate = layer3BitratesMPEG1[bitrateIndex] * 1000
		h.samplesPerFrame = 1152
	} else {
		h.bitrate = layer3BitratesMPEG2[bitrateIndex] * 1000
		h.samplesPerFrame = 576
	}
	h.frameLen = h.samplesPerFrame / 8 * h.bitrate / h.sampleRate
	if h.padding {
		h.frameLen++
	}
	return h, true
}

// sideInfoLen is the size of the layer III side information after the header.
func (h mpegHeader) sideInfoLen() int {
	switch {
	case h.version == mpeg1 && h.channels == 1:
		return 17
	case h.version == mpeg1:
		return 32
	case h.channels == 1:
		return 9
	}
	return 17
}
