package cdrcsv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLineBytes bounds one physical line; a longer line is reported, not read.
const maxLineBytes = 64 << 10

// physLine is one line of the file, without its line ending.
type physLine struct {
	num     int // from 1
	text    string
	tooLong bool
}

// lineSource hands out the lines of a file one by one and takes back lines
// that were read ahead, so that a record that does not work out when joined
// with the lines after it costs only its first line.
type lineSource struct {
	br      *bufio.Reader
	lastNum int        // number of the last line read from br
	back    []physLine // lines handed back, to be read again first
	eof     bool
}

func newLineSource(r io.Reader) *lineSource {
	return &lineSource{br: bufio.NewReaderSize(r, maxLineBytes)}
}

// read returns the next line, or io.EOF after the last one. Bytes that are not
// UTF-8 are replaced by U+FFFD; a UTF-8 byte order mark on line 1 is dropped.
func (s *lineSource) read() (physLine, error) {
	if len(s.back) > 0 {
		l := s.back[0]
		s.back = s.back[1:]
		return l, nil
	}
	if s.eof {
		return physLine{}, io.EOF
	}

	var buf []byte
	tooLong := false
	for {
		chunk, err := s.br.ReadSlice('\n')
		if len(buf)+len(chunk) <= maxLineBytes {
			buf = append(buf, chunk...)
		} else {
			tooLong = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			s.eof = true
			if len(buf) == 0 && !tooLong {
				return physLine{}, io.EOF
			}
			break
		}
		if err != nil {
			return physLine{}, fmt.Errorf("reading CDR file: %w", err)
		}
		break
	}

	s.lastNum++
	text := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
	if s.lastNum == 1 {
		text = strings.TrimPrefix(text, "\uFEFF")
	}
	if tooLong {
		text = ""
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	return physLine{num: s.lastNum, text: text, tooLong: tooLong}, nil
}

// unread hands lines back; they are read again, in order, before any other.
func (s *lineSource) unread(lines []physLine) {
	s.back = append(append([]physLine{}, lines...), s.back...)
}
