package idcard

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestNormalizeCreditCode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"company", "91350100M000100Y43", "91350100M000100Y43", nil},
		{"company with letters", "91110108MA01ABCDEN", "91110108MA01ABCDEN", nil},
		{"lower case", "91110108ma01abcden", "91110108MA01ABCDEN", nil},
		{"surrounding space", "  91350100M000100Y43 ", "91350100M000100Y43", nil},
		{"check 31 written as 0", "121000004000003980", "121000004000003980", nil},
		{"social organisation", "51440300MJL012345W", "51440300MJL012345W", nil},
		{"other authority", "Y1440300A1234567BY", "Y1440300A1234567BY", nil},
		{"farmers' cooperative", "93310000MA1FL0001K", "93310000MA1FL0001K", nil},
		{"individual business", "92440300L12345678R", "92440300L12345678R", nil},

		{"empty", "", "", ErrLength},
		{"17 characters", "91350100M000100Y4", "", ErrLength},
		{"19 characters", "91350100M000100Y430", "", ErrLength},
		{"inner space", "91350100 M000100Y43", "", ErrLength},
		{"letter I", "91350100I000100Y43", "", ErrFormat},
		{"letter O", "91350100O000100Y43", "", ErrFormat},
		{"letter S", "91350100S000100Y43", "", ErrFormat},
		{"letter V", "91350100V000100Y43", "", ErrFormat},
		{"letter Z", "91350100Z000100Y43", "", ErrFormat},
		{"lower-case o", "91350100o000100Y43", "", ErrFormat},
		{"dash", "91350100-000100Y43", "", ErrFormat},
		{"full-width letter", "91350100Ｍ000100Y43", "", ErrFormat},
		{"dotless i upper-cases to I", "91350100ı000100Y43", "", ErrFormat},
		{"authority 0", "01350100M000100Y43", "", ErrAuthority},
		{"authority B", "B1350100M000100Y43", "", ErrAuthority},
		{"type 0", "90350100M000100Y43", "", ErrAuthority},
		{"type letter", "9A350100M000100Y43", "", ErrAuthority},
		{"letter in region", "913501A0M000100Y43", "", ErrRegion},
		{"wrong check", "91350100M000100Y44", "", ErrChecksum},
		{"swapped", "91350100M000010Y43", "", ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeCreditCode(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("NormalizeCreditCode(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
			if verr := ValidateCreditCode(tt.in); !errors.Is(verr, tt.err) {
				t.Errorf("ValidateCreditCode(%q) = %v, want %v", tt.in, verr, tt.err)
			}
		})
	}
}

func TestCreditCodeGenerated(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	r := rand.New(rand.NewPCG(32100, 1))
	for range 500 {
		code := randomCreditCode(t, r)
		if err := ValidateCreditCode(code); err != nil {
			t.Fatalf("ValidateCreditCode(%q) = %v, want nil", code, err)
		}

		// Any other check character is refused.
		wrong := []byte(code)
		wrong[17] = alphabet[(indexOf(alphabet, wrong[17])+1+r.IntN(30))%31]
		if err := ValidateCreditCode(string(wrong)); !errors.Is(err, ErrChecksum) {
			t.Errorf("ValidateCreditCode(%q), check changed from %q, = %v, want ErrChecksum",
				wrong, code, err)
		}

		// So is any change of one organisation code character.
		i := 8 + r.IntN(9)
		changed := []byte(code)
		changed[i] = alphabet[(indexOf(alphabet, changed[i])+1+r.IntN(30))%31]
		if err := ValidateCreditCode(string(changed)); !errors.Is(err, ErrChecksum) {
			t.Errorf("ValidateCreditCode(%q), changed from %q, = %v, want ErrChecksum",
				changed, code, err)
		}
	}
}

func indexOf(s string, c byte) int {
	for i := range len(s) {
		if s[i] == c {
			return i
		}
	}
	return -1
}
