package cdrcsv

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// threeColumns is a stand-in dialect: a record is any row of three columns,
// its fields joined into LegID.
func threeColumns(f []string) (Record, error) {
	if len(f) != 3 {
		return Record{}, fmt.Errorf("expected 3 columns, found %d", len(f))
	}
	return Record{LegID: strings.Join(f, "|")}, nil
}

func newTestReader(r io.Reader) *Reader {
	return &Reader{lines: newLineSource(r), parse: threeColumns}
}

// outcome is a record's line and LegID, or a line error, as one string.
func outcomes(t *testing.T, r *Reader) []string {
	t.Helper()
	recs, bad := readAll(t, r)
	var out []string
	for _, rec := range recs {
		out = append(out, fmt.Sprintf("%d:%s", rec.Line, rec.LegID))
	}
	for _, le := range bad {
		out = append(out, fmt.Sprintf("%d:error", le.Line))
	}
	return out
}

func TestReaderLines(t *testing.T) {
	long := strings.Repeat("x", maxLineBytes+10)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"crlf and bom", "\uFEFFa,b,c\r\nd,e,f\r\n", "1:a|b|c 2:d|e|f"},
		{"blank lines counted", "a,b,c\n\n  \nd,e,f", "1:a|b|c 4:d|e|f"},
		{"no final newline", "a,b,c", "1:a|b|c"},
		{"quoted newline", "\"a\nb\",c,d\ne,f,g\n", "1:a\nb|c|d 3:e|f|g"},
		{"quote never closed", "a,b,c\n\"x,y,z\n" + strings.Repeat("d,e,f\n", 9),
			"1:a|b|c 3:d|e|f 4:d|e|f 5:d|e|f 6:d|e|f 7:d|e|f 8:d|e|f 9:d|e|f 10:d|e|f " +
				"11:d|e|f 2:error"},
		{"quote open at the end", "a,b,c\n\"x,y", "1:a|b|c 2:error"},
		{"joined record refused", "\"a,b,c\nx,y,\"z\"\nh,i,j\n", "2:x|y|z 3:h|i|j 1:error"},
		{"line too long", "a,b,c\n" + long + "\nd,e,f\n", "1:a|b|c 3:d|e|f 2:error"},
		{"bad bytes", "a\xff,b,c\n", "1:a\uFFFD|b|c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(outcomes(t, newTestReader(strings.NewReader(tt.in))), " ")
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReaderReadErrorIsSticky(t *testing.T) {
	boom := errors.New("disk on fire")
	r := newTestReader(io.MultiReader(strings.NewReader("a,b,c\n"), iotest.ErrReader(boom)))
	if _, err := r.Next(); err != nil {
		t.Fatalf("first record: %v", err)
	}
	for range 2 {
		_, err := r.Next()
		var le *LineError
		if !errors.Is(err, boom) || errors.As(err, &le) {
			t.Fatalf("got %v, want the read error", err)
		}
	}
}

func TestLineErrorMessage(t *testing.T) {
	err := &LineError{Line: 7, Reason: "end time is before start time"}
	if got := err.Error(); got != "line 7: end time is before start time" {
		t.Errorf("Error() = %q", got)
	}
}
