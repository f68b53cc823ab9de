package media

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// testImage is a small picture for the standard encoders to write.
func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: 200, A: 255})
	}
	return img
}

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withAPP1 inserts an APP1 segment of n payload bytes and some fill bytes
// right after the SOI marker, as cameras do with EXIF data.
func withAPP1(jpg []byte, n int) []byte {
	seg := []byte{0xff, 0xff, 0xff, 0xe1, byte((n + 2) >> 8), byte(n + 2)}
	seg = append(seg, bytes.Repeat([]byte{0xab}, n)...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// replaceSOF changes the SOF0 marker the Go encoder writes into another one.
func replaceSOF(t *testing.T, jpg []byte, marker byte) []byte {
	t.Helper()
	i := bytes.Index(jpg, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0 marker in encoded JPEG")
	}
	out := append([]byte{}, jpg...)
	out[i+1] = marker
	return out
}

func TestSniffImageAccepts(t *testing.T) {
	pngBytes := encodePNG(t, 3, 2)
	jpgBytes := encodeJPEG(t, 5, 7)
	tests := []struct {
		name string
		data []byte
		want ImageInfo
	}{
		{"png", pngBytes, ImageInfo{ImagePNG, 3, 2}},
		{"jpeg", jpgBytes, ImageInfo{ImageJPEG, 5, 7}},
		{"jpeg with exif-sized APP1", withAPP1(jpgBytes, 60000), ImageInfo{ImageJPEG, 5, 7}},
		{"progressive jpeg", replaceSOF(t, jpgBytes, 0xc2), ImageInfo{ImageJPEG, 5, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SniffImage(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatalf("SniffImage: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := ImagePNG.ContentType(); got != "image/png" {
		t.Errorf("ContentType = %q", got)
	}
}

func TestSniffImageRefuses(t *testing.T) {
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, testImage(4, 4), nil); err != nil {
		t.Fatal(err)
	}
	pngBytes := encodePNG(t, 3, 2)
	badCRC := append([]byte{}, pngBytes...)
	badCRC[30] ^= 0xff
	jpgBytes := encodeJPEG(t, 5, 7)
	sos := bytes.Index(jpgBytes, []byte{0xff, 0xda})
	sof := bytes.Index(jpgBytes, []byte{0xff, 0xc0})
	// A JPEG whose frame header was removed: the scan comes first.
	noFrame := append(append([]byte{}, jpgBytes[:sof]...), jpgBytes[sos:]...)
	bmp := append([]byte("BM"), make([]byte, 16)...)
	bmp[14] = 40

	tests := []struct {
		name     string
		data     []byte
		reason   error
		kind     string
		contains string
	}{
		{"gif", gifBuf.Bytes(), ErrUnsupportedImage, "GIF",
			"GIF images are not accepted; use JPEG or PNG"},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), ErrUnsupportedImage, "WebP",
			"WebP images"},
		{"bmp", bmp, ErrUnsupportedImage, "BMP", "BMP images"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), ErrUnsupportedImage, "TIFF", "TIFF"},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), ErrUnsupportedImage,
			"HEIC", "HEIC"},
		{"pdf", []byte("%PDF-1.7\n"), ErrUnsupportedImage, "PDF", "PDF files are not images"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="x"/>`), ErrUnsupportedImage, "SVG",
			"SVG images"},
		{"text", []byte("just a note, 你好\n"), ErrUnsupportedImage, "text", "text files"},
		{"empty", nil, ErrUnsupportedImage, "", "empty"},
		{"binary junk", []byte{0x00, 0x9f, 0x13, 0x80, 0x01}, ErrUnsupportedImage, "",
			"not a JPEG or PNG"},
		{"png cut in IHDR", pngBytes[:20], ErrCorruptImage, "", "cut off"},
		{"png bad checksum", badCRC, ErrCorruptImage, "", "checksum"},
		{"png signature only", pngBytes[:8], ErrCorruptImage, "", "cut off"},
		{"jpeg cut before frame", jpgBytes[:sof+3], ErrCorruptImage, "", "cut off"},
		{"jpeg scan before frame", noFrame, ErrCorruptImage, "", "no frame header"},
		{"lossless jpeg", replaceSOF(t, jpgBytes, 0xc3), ErrUnsupportedImage, "", "lossless"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SniffImage(bytes.NewReader(tt.data))
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("got %v, want a *media.Error", err)
			}
			if !errors.Is(err, tt.reason) {
				t.Errorf("reason %v, want %v", me.Reason, tt.reason)
			}
			if tt.kind != "" && me.Kind != tt.kind {
				t.Errorf("kind %q, want %q", me.Kind, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("message %q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestSniffImageReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(jpegStart), iotest.ErrReader(boom))
	_, err := SniffImage(r)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error wrapped", err)
	}
	var me *Error
	if errors.As(err, &me) {
		t.Errorf("a read error must not look like a refusal: %v", err)
	}
}

func TestSniffImageReadsOnlyTheHeader(t *testing.T) {
	// The pixels after the frame header are never read: a reader that fails
	// after the header must not matter.
	jpg := encodeJPEG(t, 5, 7)
	sos := bytes.Index(jpg, []byte{0xff, 0xda})
	r := io.MultiReader(bytes.NewReader(jpg[:sos]), iotest.ErrReader(errors.New("too far")))
	got, err := SniffImage(r)
	if err != nil || got.Width != 5 || got.Height != 7 {
		t.Fatalf("got %+v, %v", got, err)
	}
}
