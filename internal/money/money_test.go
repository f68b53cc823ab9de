package money

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		dec  int
		want Li
		err  error
	}{
		{"100", 2, 100000, nil},
		{"100.00", 2, 100000, nil},
		{"0.01", 2, 10, nil},
		{"0.125", 3, 125, nil},
		{"0.125", 2, 0, ErrPrecision},
		{"2000.000", 2, 2000000, nil},
		{"2000.0000", 3, 2000000, nil},
		{"1.0010", 3, 1001, nil},
		{"1.0001", 3, 0, ErrPrecision},
		{"0.120", 2, 120, nil},
		{"1000000", 2, 1000000000, nil},
		{"007.5", 2, 7500, nil},
		{"-3.5", 3, -3500, nil},
		{"", 2, 0, ErrFormat},
		{".5", 2, 0, ErrFormat},
		{"5.", 2, 0, ErrFormat},
		{"1e3", 2, 0, ErrFormat},
		{"1,000", 2, 0, ErrFormat},
		{" 1", 2, 0, ErrFormat},
		{"9999999999999999", 2, 0, ErrRange},
		{"999999999999999.999", 3, 999999999999999999, nil},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.dec)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("Parse(%q, %d) = %d, %v; want %d, %v", tt.in, tt.dec, got, err, tt.want, tt.err)
		}
	}
}

func TestStringAndJSON(t *testing.T) {
	for v, want := range map[Li]string{0: "0.000", 1: "0.001", 100000: "100.000", -1500: "-1.500"} {
		if got := v.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(v), got, want)
		}
		b, _ := json.Marshal(v)
		var back Li
		if err := json.Unmarshal(b, &back); err != nil || back != v {
			t.Errorf("round trip of %d: %s -> %d, %v", int64(v), b, back, err)
		}
	}
	var l Li
	if err := json.Unmarshal([]byte(`100.5`), &l); err == nil {
		t.Error("a JSON number was accepted as money")
	}
}
