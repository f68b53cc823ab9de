package phone

// mobileLength is the length of a Chinese mobile number without country code.
const mobileLength = 11

// ParseMobile parses a Chinese mobile number, 11 digits starting with 13 to
// 19, written with or without a +86, 0086 or 86 country code and with any
// spaces or dashes between digits. It returns the 11 digits, or an *Error
// matching ErrFormat, ErrLength or ErrPrefix.
func ParseMobile(s string) (string, error) {
	c, err := clean(s)
	if err != nil {
		return "", err
	}
	if len(c.digits) != mobileLength {
		return "", refuse(ReasonLength, "a mobile number has 11 digits")
	}
	if !isMobile(c.digits) {
		return "", refuse(ReasonPrefix, "a mobile number starts with 13 to 19")
	}
	return c.digits, nil
}

// isMobile reports whether digits, already known to be digits, are a mobile
// number.
func isMobile(digits string) bool {
	return len(digits) == mobileLength && digits[0] == '1' && digits[1] >= '3'
}
