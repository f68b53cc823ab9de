package idcard

import "strings"

// maskKeep is how many characters Mask leaves visible at each end.
const maskKeep = 4

// Mask hides an ID number or credit code for display: it keeps the first and
// last four characters and stars the rest, as in "1101**********1234". A
// value of eight characters or fewer is starred entirely. Characters are
// counted as runes, so the result has as many characters as s.
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 2*maskKeep {
		return strings.Repeat("*", len(r))
	}
	stars := strings.Repeat("*", len(r)-2*maskKeep)
	return string(r[:maskKeep]) + stars + string(r[len(r)-maskKeep:])
}
