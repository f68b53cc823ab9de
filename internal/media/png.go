package media

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngHeaderLen covers the signature and the IHDR chunk: length, type, 13 bytes
// of data and the CRC.
const pngHeaderLen = 8 + 4 + 4 + 13 + 4

// readPNG checks the signature and the IHDR chunk that must follow it.
func readPNG(r io.Reader) (ImageInfo, error) {
	var b [pngHeaderLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return ImageInfo{}, cutOff(err, "PNG")
	}

	chunkLen := binary.BigEndian.Uint32(b[8:12])
	if chunkLen != 13 || string(b[12:16]) != "IHDR" {
		return ImageInfo{}, corruptImage("PNG", "the IHDR chunk does not follow the signature")
	}
	if crc32.ChecksumIEEE(b[12:29]) != binary.BigEndian.Uint32(b[29:33]) {
		return ImageInfo{}, corruptImage("PNG", "the IHDR chunk fails its checksum")
	}

	ihdr := b[16:29]
	width := binary.BigEndian.Uint32(ihdr[0:4])
	height := binary.BigEndian.Uint32(ihdr[4:8])
	if width == 0 || height == 0 || width > 1<<31-1 || height > 1<<31-1 {
		return ImageInfo{}, impossibleSize("PNG", int(width), int(height))
	}
	if !pngDepthValid(ihdr[9], ihdr[8]) {
		return ImageInfo{}, corruptImage("PNG",
			fmt.Sprintf("colour type %d with bit depth %d", ihdr[9], ihdr[8]))
	}
	if ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1 {
		return ImageInfo{}, corruptImage("PNG", "unknown compression, filter or interlace method")
	}
	return ImageInfo{Format: ImagePNG, Width: int(width), Height: int(height)}, nil
}

// pngDepthValid reports whether the PNG specification allows the bit depth for
// the colour type.
func pngDepthValid(colourType, depth byte) bool {
	switch colourType {
	case 0: // greyscale
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16
	case 3: // palette
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case 2, 4, 6: // truecolour, greyscale with alpha, truecolour with alpha
		return depth == 8 || depth == 16
	}
	return false
}
