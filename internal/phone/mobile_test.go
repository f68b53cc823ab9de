package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMobile(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{"13800138000", "13800138000", nil},
		{"19912345678", "19912345678", nil},
		{"+8613800138000", "13800138000", nil},
		{"+86 138 0013 8000", "13800138000", nil},
		{"+86-138-0013-8000", "13800138000", nil},
		{"8613800138000", "13800138000", nil},
		{"0086 13800138000", "13800138000", nil},
		{" 138-0013-8000 ", "13800138000", nil},
		{"138 0013  8000", "13800138000", nil},

		{"", "", ErrFormat},
		{"   ", "", ErrFormat},
		{"+86", "", ErrFormat},
		{"-", "", ErrFormat},
		{"138.0013.8000", "", ErrFormat},
		{"(138)00138000", "", ErrFormat},
		{"1380013800O", "", ErrFormat},
		{"１３８００１３８０００", "", ErrFormat},
		{"138\t0013\t8000", "", ErrFormat},
		{"+ 86 13800138000", "", ErrPrefix},
		{"+1 4155550100", "", ErrPrefix},
		{"1380013800", "", ErrLength},
		{"138001380000", "", ErrLength},
		{"+86 1380013800", "", ErrLength},
		{"013800138000", "", ErrLength},
		{"12800138000", "", ErrPrefix},
		{"10086100861", "", ErrPrefix},
		{"23800138000", "", ErrPrefix},
		{"01088889999", "", ErrPrefix},
	}
	for _, tt := range tests {
		got, err := ParseMobile(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseMobile(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "0013") {
			t.Errorf("ParseMobile(%q) error %q repeats the number", tt.in, err)
		}
	}
}
