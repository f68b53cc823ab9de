package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxImageBytes is the largest identity or licence image accepted: 5 MiB.
const MaxImageBytes = 5 << 20

// ImageFormat names an accepted image format.
type ImageFormat string

// The accepted image formats.
const (
	ImageJPEG ImageFormat = "jpeg"
	ImagePNG  ImageFormat = "png"
)

// ContentType returns the MIME type of images in format f.
func (f ImageFormat) ContentType() string {
	return "image/" + string(f)
}

// ImageInfo describes an accepted image.
type ImageInfo struct {
	Format ImageFormat
	Width  int
	Height int
}

// sniffLen is how much of the start of a file is looked at to name its kind.
const sniffLen = 512

// SniffImage reads the start of an image from r and tells whether it is a
// JPEG or PNG, and its size in pixels. It reads up to the JPEG frame header or
// the PNG IHDR chunk, and at most a 512-byte buffer beyond; the caller bounds r
// to MaxImageBytes. It returns an *Error wrapping ErrUnsupportedImage (naming
// the detected kind when known) or ErrCorruptImage, or a wrapped error when
// reading r fails.
func SniffImage(r io.Reader) (ImageInfo, error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return ImageInfo{}, fmt.Errorf("reading image: %w", err)
	}

	switch {
	case bytes.HasPrefix(head, pngSignature):
		return readPNG(br)
	case bytes.HasPrefix(head, jpegStart):
		return readJPEG(br)
	}
	return ImageInfo{}, unsupportedImage(head)
}

// cutOff turns the end of input inside a header into ErrCorruptImage and
// wraps any other read error.
func cutOff(err error, format string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return refuse(ErrCorruptImage, fmt.Sprintf("the %s image is cut off in its header", format))
	}
	return fmt.Errorf("reading %s image: %w", format, err)
}

// corruptImage is ErrCorruptImage with a message naming the format.
func corruptImage(format, problem string) *Error {
	return refuse(ErrCorruptImage, fmt.Sprintf("the %s image is damaged: %s", format, problem))
}

// impossibleSize is ErrCorruptImage for a zero or overlarge width or height.
func impossibleSize(format string, width, height int) *Error {
	return corruptImage(format, fmt.Sprintf("impossible size %d×%d", width, height))
}
