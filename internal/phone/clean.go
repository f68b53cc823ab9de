package phone

import "strings"

// cleaned is a number as typed, split into what parsing needs.
type cleaned struct {
	// digits are the digits after the country code, separators removed.
	digits string
	// international is set when the number carried a country code, and so
	// may be written without the trunk prefix 0.
	international bool
	// firstGroup is the digits before the first separator, or "" when
	// the digits were written without separators.
	firstGroup string
}

// clean strips white space around s, an optional country code (+86, 0086 or
// 86) and the spaces and dashes between digit groups. It returns ErrFormat
// when anything else than digits remains and ErrPrefix for another country.
func clean(s string) (cleaned, error) {
	var c cleaned
	s = strings.TrimSpace(s)
	if s == "" {
		return c, refuse(ReasonFormat, "is empty")
	}

	// No Chinese number starts with 86 or 00, so these prefixes can only be
	// the country code.
	switch {
	case strings.HasPrefix(s, "+"):
		if !strings.HasPrefix(s, "+86") {
			return c, refuse(ReasonPrefix, "only Chinese numbers (+86) are accepted")
		}
		s, c.international = s[len("+86"):], true
	case strings.HasPrefix(s, "0086"):
		s, c.international = s[len("0086"):], true
	case strings.HasPrefix(s, "86"):
		s, c.international = s[len("86"):], true
	}

	groups := strings.FieldsFunc(s, isSeparator)
	if len(groups) == 0 {
		return c, refuse(ReasonFormat, "holds no digits")
	}
	for _, g := range groups {
		if !allDigits(g) {
			return c, refuse(ReasonFormat, "may hold only digits, spaces, dashes and a leading +86")
		}
	}
	if len(groups) > 1 {
		c.firstGroup = groups[0]
	}
	c.digits = strings.Join(groups, "")
	return c, nil
}

func isSeparator(r rune) bool {
	return r == ' ' || r == '-'
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
