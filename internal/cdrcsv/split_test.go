package cdrcsv

import (
	"slices"
	"testing"
)

func TestSplitFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		open bool
	}{
		{`a,b,c`, []string{"a", "b", "c"}, false},
		{`"a","b"`, []string{"a", "b"}, false},
		{`"",,x,`, []string{"", "", "x", ""}, false},
		{``, []string{""}, false},
		{`"""13800130001"" <13800130001>",2`, []string{`"13800130001" <13800130001>`, "2"}, false},
		{`"SIP/301&SIP/200@pbx2,60,t",9`, []string{"SIP/301&SIP/200@pbx2,60,t", "9"}, false},
		{`ab"c,d`, []string{`ab"c`, "d"}, false},                   // quote in an unquoted field
		{`"say "hi" now",1`, []string{`say "hi" now`, "1"}, false}, // lone quotes kept
		{`"line one`, nil, true},
		{`"ends with quote""`, nil, true},
		{"\"two\nlines\",3", []string{"two\nlines", "3"}, false},
	}
	for _, tt := range tests {
		got, open := splitFields(tt.in)
		if open != tt.open || !slices.Equal(got, tt.want) {
			t.Errorf("splitFields(%q) = %q, %v; want %q, %v", tt.in, got, open, tt.want, tt.open)
		}
	}
}
