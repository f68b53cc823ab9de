package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// imageKind is a file format that is recognised but not accepted as an image.
type imageKind struct {
	name    string
	isImage bool
	matches func(head []byte) bool
}

// refusedImageKinds are the formats named in refusals, most specific first.
var refusedImageKinds = []imageKind{
	{"GIF", true, prefix("GIF87a", "GIF89a")},
	{"WebP", true, func(h []byte) bool {
		return len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP"
	}},
	{"BMP", true, isBMP},
	{"TIFF", true, prefix("II*\x00", "MM\x00*")},
	{"ICO", true, prefix("\x00\x00\x01\x00")},
	{"HEIC", true, ftypBrand("heic", "heix", "hevc", "heim", "heis", "mif1", "msf1")},
	{"AVIF", true, ftypBrand("avif", "avis")},
	{"JPEG XL", true, prefix("\xff\x0a", "\x00\x00\x00\x0cJXL \r\n\x87\n")},
	{"Photoshop", true, prefix("8BPS")},
	{"SVG", true, func(h []byte) bool {
		return bytes.Contains(h, []byte("<svg")) && looksLikeText(h)
	}},
	{"PDF", false, prefix("%PDF-")},
	{"ZIP", false, prefix("PK\x03\x04")},
	{"text", false, looksLikeText},
}

// unsupportedImage names the kind of a file that is neither JPEG nor PNG.
func unsupportedImage(head []byte) *Error {
	if len(head) == 0 {
		return refuse(ErrUnsupportedImage, "the file is empty; use a JPEG or PNG image")
	}
	for _, k := range refusedImageKinds {
		if !k.matches(head) {
			continue
		}
		msg := fmt.Sprintf("%s images are not accepted; use JPEG or PNG", k.name)
		if !k.isImage {
			msg = fmt.Sprintf("%s files are not images; use JPEG or PNG", k.name)
		}
		return &Error{Reason: ErrUnsupportedImage, Kind: k.name, Message: msg}
	}
	return refuse(ErrUnsupportedImage, "the file is not a JPEG or PNG image")
}

// prefix matches files that start with any of the magic strings.
func prefix(magic ...string) func([]byte) bool {
	return func(h []byte) bool {
		for _, m := range magic {
			if bytes.HasPrefix(h, []byte(m)) {
				return true
			}
		}
		return false
	}
}

// isBMP matches Windows bitmaps: "BM" and a known DIB header size at byte 14.
func isBMP(h []byte) bool {
	if len(h) < 18 || string(h[:2]) != "BM" {
		return false
	}
	switch binary.LittleEndian.Uint32(h[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// ftypBrand matches ISO base media files (HEIF, AVIF, MP4) by major brand.
func ftypBrand(brands ...string) func([]byte) bool {
	return func(h []byte) bool {
		if len(h) < 12 || string(h[4:8]) != "ftyp" {
			return false
		}
		for _, b := range brands {
			if string(h[8:12]) == b {
				return true
			}
		}
		return false
	}
}

// looksLikeText reports whether head is UTF-8 text without control characters
// other than tab, newline, carriage return and form feed. The last few bytes
// may be a character cut in two by the sniffing window.
func looksLikeText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size <= 1 {
			return len(head) < utf8.UTFMax && !utf8.FullRune(head)
		}
		control := r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f'
		if control || r == 0x7f {
			return false
		}
		head = head[size:]
	}
	return true
}
