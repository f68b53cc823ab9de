package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// jpegStart is the SOI marker followed by the first byte of the next marker.
var jpegStart = []byte{0xff, 0xd8, 0xff}

// JPEG markers that matter while looking for the frame header.
const (
	markerSOI = 0xd8
	markerEOI = 0xd9
	markerSOS = 0xda
	markerTEM = 0x01
	markerDHT = 0xc4
	markerJPG = 0xc8
	markerDAC = 0xcc
)

// readJPEG walks the marker segments after SOI up to the first SOF (start of
// frame) segment, which holds the image size.
func readJPEG(br *bufio.Reader) (ImageInfo, error) {
	if _, err := br.Discard(2); err != nil {
		return ImageInfo{}, cutOff(err, "JPEG")
	}

	for {
		marker, err := nextJPEGMarker(br)
		if err != nil {
			return ImageInfo{}, err
		}

		// Markers without a length field carry nothing to skip.
		if marker == markerTEM || marker >= 0xd0 && marker <= 0xd7 {
			continue
		}
		switch marker {
		case markerSOI:
			return ImageInfo{}, corruptImage("JPEG", "a second start-of-image marker")
		case markerEOI, markerSOS:
			return ImageInfo{}, corruptImage("JPEG", "no frame header before the image data")
		}

		var lenBytes [2]byte
		if _, err := io.ReadFull(br, lenBytes[:]); err != nil {
			return ImageInfo{}, cutOff(err, "JPEG")
		}
		segLen := int(binary.BigEndian.Uint16(lenBytes[:]))
		if segLen < 2 {
			return ImageInfo{}, corruptImage("JPEG", "a segment with an impossible length")
		}
		if isSOF(marker) {
			return readJPEGFrame(br, marker, segLen-2)
		}
		if _, err := br.Discard(segLen - 2); err != nil {
			return ImageInfo{}, cutOff(err, "JPEG")
		}
	}
}

// nextJPEGMarker reads a marker: 0xFF, optional 0xFF fill bytes, the code.
func nextJPEGMarker(br *bufio.Reader) (byte, error) {
	c, err := br.ReadByte()
	if err != nil {
		return 0, cutOff(err, "JPEG")
	}
	if c != 0xff {
		return 0, corruptImage("JPEG", "a marker was expected between segments")
	}
	for c == 0xff {
		if c, err = br.ReadByte(); err != nil {
			return 0, cutOff(err, "JPEG")
		}
	}
	if c == 0 {
		return 0, corruptImage("JPEG", "a stuffed zero byte outside the image data")
	}
	return c, nil
}

// isSOF reports whether marker starts a frame: 0xC0 to 0xCF except DHT, JPG
// and DAC, which share the range.
func isSOF(marker byte) bool {
	return marker >= 0xc0 && marker <= 0xcf &&
		marker != markerDHT && marker != markerJPG && marker != markerDAC
}

// readJPEGFrame reads the SOF payload: precision, height, width and the
// component table. Only baseline, extended sequential and progressive Huffman
// JPEGs (SOF0 to SOF2) are accepted, because browsers show nothing else.
func readJPEGFrame(br *bufio.Reader, marker byte, payloadLen int) (ImageInfo, error) {
	if payloadLen < 6 {
		return ImageInfo{}, corruptImage("JPEG", "the frame header is too short")
	}
	payload := make([]byte, payloadLen)
	if _, err := io.ReadFull(br, payload); err != nil {
		return ImageInfo{}, cutOff(err, "JPEG")
	}

	height := int(binary.BigEndian.Uint16(payload[1:3]))
	width := int(binary.BigEndian.Uint16(payload[3:5]))
	components := int(payload[5])
	if components < 1 || components > 4 || payloadLen != 6+3*components {
		return ImageInfo{}, corruptImage("JPEG",
			fmt.Sprintf("a frame header for %d colour components", components))
	}
	if width == 0 || height == 0 {
		return ImageInfo{}, impossibleSize("JPEG", width, height)
	}
	if marker > 0xc2 {
		return ImageInfo{}, &Error{
			Reason: ErrUnsupportedImage,
			Kind:   "JPEG (lossless, hierarchical or arithmetic-coded)",
			Message: "lossless, hierarchical and arithmetic-coded JPEG images are not " +
				"accepted; save the image as a baseline JPEG or as PNG",
		}
	}
	return ImageInfo{Format: ImageJPEG, Width: width, Height: height}, nil
}
