package idcard

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// testNow is 00:30 on 1 January 2024 in Beijing, still 31 December 2023 in UTC.
var testNow = time.Date(2023, 12, 31, 16, 30, 0, 0, time.UTC)

func TestNormalizeResidentID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"standard example", "11010519491231002X", "11010519491231002X", nil},
		{"lower-case x", "11010519491231002x", "11010519491231002X", nil},
		{"surrounding space", " 44030419900307123X\t", "44030419900307123X", nil},
		{"digit check", "310115200002295674", "310115200002295674", nil},
		{"born 1 January 1900", "110101190001010006", "110101190001010006", nil},
		{"born today in Beijing", "650102202401011232", "650102202401011232", nil},
		{"hong kong", "810000199001010019", "810000199001010019", nil},

		{"empty", "", "", ErrLength},
		{"17 characters", "11010519491231002", "", ErrLength},
		{"19 characters", "11010519491231002X0", "", ErrLength},
		{"15-digit first generation", "110105491231002", "", ErrLength},
		{"inner space", "110105 19491231002X", "", ErrLength},
		{"letter inside", "1101051949123100AX", "", ErrFormat},
		{"Y as check", "11010519491231002Y", "", ErrFormat},
		{"X inside", "1101051949123100X2", "", ErrFormat},
		{"full-width digit", "１1010519491231002X", "", ErrFormat},
		{"full-width X", "11010519491231002Ｘ", "", ErrFormat},
		{"minus sign", "-1010519491231002X", "", ErrFormat},
		{"first digit 0", "010105194912310024", "", ErrRegion},
		{"first digit 9", "910105194912310024", "", ErrRegion},
		{"no province 19", "190105194912310024", "", ErrRegion},
		{"no province 99", "990105194912310024", "", ErrRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeResidentID(tt.in, testNow)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("NormalizeResidentID(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestResidentIDBirthDate(t *testing.T) {
	tests := []struct {
		birth string
		err   error
	}{
		{"19000101", nil},
		{"18991231", ErrBirthDate},
		{"00000000", ErrBirthDate},
		{"20000229", nil},          // divisible by 400: a leap year
		{"19000229", ErrBirthDate}, // divisible by 100 only: not a leap year
		{"20230229", ErrBirthDate},
		{"20240229", ErrBirthDate}, // a leap day, but after testNow
		{"19960229", nil},
		{"19900431", ErrBirthDate},
		{"19900430", nil},
		{"19901301", ErrBirthDate},
		{"19900001", ErrBirthDate},
		{"19900100", ErrBirthDate},
		{"19900132", ErrBirthDate},
		{"20231231", nil},
		{"20240101", nil}, // today in Beijing, though still yesterday in UTC
		{"20240102", ErrBirthDate},
		{"29991231", ErrBirthDate},
	}
	for _, tt := range tests {
		id := withResidentCheck(t, "110105"+tt.birth+"123")
		err := ValidateResidentID(id, testNow)
		if !errors.Is(err, tt.err) {
			t.Errorf("ValidateResidentID with birth date %s = %v, want %v", tt.birth, err, tt.err)
		}
	}
}

func TestResidentIDChecksum(t *testing.T) {
	valid := "11010519491231002X"
	for _, c := range "0123456789" {
		id := valid[:17] + string(c)
		if err := ValidateResidentID(id, testNow); !errors.Is(err, ErrChecksum) {
			t.Errorf("ValidateResidentID(%q) = %v, want ErrChecksum", id, err)
		}
	}
}

func TestResidentIDGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(11643, 1))
	for range 500 {
		id := randomResidentID(t, r)
		if err := ValidateResidentID(id, testNow); err != nil {
			t.Fatalf("ValidateResidentID(%q) = %v, want nil", id, err)
		}

		// MOD 11-2 catches every change of a single digit and every swap of
		// two different neighbouring digits, whatever else the change breaks.
		i := r.IntN(17)
		changed := []byte(id)
		changed[i] = byte('0' + (int(changed[i]-'0')+1+r.IntN(9))%10)
		if err := ValidateResidentID(string(changed), testNow); err == nil {
			t.Errorf("ValidateResidentID(%q), one digit off %q, = nil", changed, id)
		}
		swapped := []byte(id)
		swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
		if swapped[i] != swapped[i+1] {
			if err := ValidateResidentID(string(swapped), testNow); err == nil {
				t.Errorf("ValidateResidentID(%q), swapped from %q, = nil", swapped, id)
			}
		}
	}
}

func TestResidentIDErrorShape(t *testing.T) {
	id := "11010519491231002"
	for _, in := range []string{id + "1", "110105194902300025", id} {
		err := ValidateResidentID(in, testNow)
		var e *Error
		if !errors.As(err, &e) || e.Reason == "" {
			t.Fatalf("ValidateResidentID(%q) = %v, want an *Error with a reason", in, err)
		}
		if strings.Contains(err.Error(), in) || strings.Contains(err.Error(), id[6:14]) {
			t.Errorf("error %q repeats the number", err)
		}
		if !strings.HasPrefix(err.Error(), string(e.Reason)) {
			t.Errorf("error %q does not start with its reason %q", err, e.Reason)
		}
	}
	if errors.Is(ErrChecksum, ErrFormat) {
		t.Error("ErrChecksum matches ErrFormat")
	}
}
