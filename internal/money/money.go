// Package money holds the console's one money type: an int64 count of li (0.001 CNY),
// written outside as a decimal string in yuan.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Li is an amount of money in li, a thousandth of a yuan.
type Li int64

// Yuan is one yuan in li.
const Yuan Li = 1000

// Errors returned by Parse.
var (
	ErrFormat    = errors.New("not a decimal amount in yuan")
	ErrPrecision = errors.New("too many decimal places")
	ErrRange     = errors.New("amount out of range")
)

// maxYuanDigits bounds the integer part so that the amount fits an int64 of li.
const maxYuanDigits = 15

// Parse reads a decimal yuan amount such as "100", "99.5" or "0.125" into li without
// floating point. It accepts at most maxDecimals decimal places (0 to 3) that are
// not trailing zeros, and an optional leading minus sign. It returns ErrFormat, ErrPrecision or ErrRange.
func Parse(s string, maxDecimals int) (Li, error) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || !digits(whole) || !digits(frac) {
		return 0, ErrFormat
	}
	if len(frac) > maxDecimals {
		// Trailing zeros are not precision: "300.000", as amounts are written
		// out, reads back as "300.00".
		if strings.Trim(frac[maxDecimals:], "0") != "" {
			return 0, ErrPrecision
		}
		frac = frac[:maxDecimals]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxYuanDigits {
		return 0, ErrRange
	}

	var v int64
	if whole != "" {
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, ErrRange
		}
		v = n * int64(Yuan)
	}
	frac += strings.Repeat("0", 3-len(frac))
	f, _ := strconv.ParseInt(frac, 10, 64)
	v += f
	if neg {
		v = -v
	}
	return Li(v), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String writes the amount in yuan with exactly three decimals, as "100.000".
func (l Li) String() string {
	v := int64(l)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%03d", sign, v/1000, v%1000)
}

// MarshalJSON writes the amount as a JSON string in yuan.
func (l Li) MarshalJSON() ([]byte, error) {
	return []byte(`"` + l.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string in yuan with up to three decimals. Numbers are
// refused so that no client sends money through a float.
func (l *Li) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("money must be a string such as \"100.00\": %w", ErrFormat)
	}
	v, err := Parse(s, 3)
	if err != nil {
		return err
	}
	*l = v
	return nil
}
