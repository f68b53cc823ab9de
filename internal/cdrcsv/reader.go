package cdrcsv

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// maxRecordLines bounds how many lines one record may span through newlines
// inside quoted fields. Switches write one line a record; the bound keeps a
// stray quote from swallowing the lines after it.
const maxRecordLines = 8

// parseFunc turns the fields of one record into a Record; its error is the
// reason the line is refused.
type parseFunc func(fields []string) (Record, error)

// Reader reads the records of one CDR file in order.
type Reader struct {
	lines *lineSource
	parse parseFunc
	err   error // sticky: io.EOF or a read error
}

// NewAsteriskReader returns a Reader of Asterisk cdr_csv records whose times
// are in loc, or in Asia/Shanghai when loc is nil.
func NewAsteriskReader(r io.Reader, loc *time.Location) *Reader {
	return &Reader{lines: newLineSource(r), parse: asteriskParser{loc: orBeijing(loc)}.parse}
}

// NewFreeSwitchReader returns a Reader of FreeSWITCH mod_cdr_csv records
// written with the default template, whose times are in loc, or in
// Asia/Shanghai when loc is nil.
func NewFreeSwitchReader(r io.Reader, loc *time.Location) *Reader {
	return &Reader{lines: newLineSource(r), parse: freeSwitchParser{loc: orBeijing(loc)}.parse}
}

// Next returns the next record. It returns a *LineError for a line that is
// not a valid record, after which Next may be called again; io.EOF after the
// last record; or a wrapped read error, which ends the file like io.EOF.
// Blank lines are skipped.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	for {
		first, err := r.lines.read()
		if err != nil {
			r.err = err
			return Record{}, err
		}
		if first.tooLong {
			return Record{}, lineError(first.num, "the line is longer than %d bytes", maxLineBytes)
		}
		if strings.TrimSpace(first.text) == "" {
			continue
		}
		return r.record(first)
	}
}

// record reads the record that starts with line first, joining the lines
// after it while a quoted field is open. If the joined record is refused,
// only its first line is reported and the lines after it are read again.
func (r *Reader) record(first physLine) (Record, error) {
	text := first.text
	var more []physLine
	fields, open := splitFields(text)
	for open && len(more) < maxRecordLines-1 {
		next, err := r.lines.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.err = err
			return Record{}, err
		}
		more = append(more, next)
		if next.tooLong {
			break
		}
		text += "\n" + next.text
		fields, open = splitFields(text)
	}
	if open {
		r.lines.unread(more)
		return Record{}, lineError(first.num, "a quoted field is not closed")
	}

	rec, err := r.parse(fields)
	if err != nil {
		r.lines.unread(more)
		return Record{}, lineError(first.num, "%s", err)
	}
	rec.Line = first.num
	return rec, nil
}

// lineError builds a *LineError with a formatted reason.
func lineError(line int, format string, args ...any) *LineError {
	return &LineError{Line: line, Reason: fmt.Sprintf(format, args...)}
}
