package idcard

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// creditCodeLength is the length of a unified social credit code.
const creditCodeLength = 18

// creditCodeChars are the 31 characters of a credit code in the order of their
// values 0 to 30: digits and upper-case letters without I, O, S, V and Z.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the GB 32100 weights of the first 17 characters,
// 3^(i-1) mod 31.
var creditCodeWeights = [creditCodeLength - 1]int{
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
}

// creditCodeFormatDetail describes the characters a credit code holds.
const creditCodeFormatDetail = "must hold only digits and the letters A-Z without I, O, S, V, Z"

// registrationAuthorities are the first characters GB 32100 assigns to the
// authorities that register organisations: 1 to 9 (institutional staffing,
// foreign affairs, justice, culture, civil affairs, tourism, religion, trade
// unions, market regulation), A (military staffing), N (agriculture) and
// Y (others).
const registrationAuthorities = "123456789ANY"

// ValidateCreditCode checks an 18-character unified social credit code per
// GB 32100: characters from the credit code alphabet, a known registration
// authority, a digit 1 to 9 as organisation type, six digits of
// administrative division and a matching check character. Lower case is
// accepted. It returns an *Error matching ErrLength, ErrFormat, ErrAuthority,
// ErrRegion or ErrChecksum.
func ValidateCreditCode(s string) error {
	_, err := NormalizeCreditCode(s)
	return err
}

// NormalizeCreditCode validates s as ValidateCreditCode does and returns it in
// canonical form: surrounding white space removed, letters upper-cased.
func NormalizeCreditCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n != creditCodeLength {
		return "", refuse(ReasonLength,
			fmt.Sprintf("must be %d characters, got %d", creditCodeLength, n))
	}
	if len(s) != creditCodeLength {
		return "", refuse(ReasonFormat, creditCodeFormatDetail)
	}
	s = strings.ToUpper(s)
	if !allCreditCodeChars(s) {
		return "", refuse(ReasonFormat, creditCodeFormatDetail)
	}
	if !strings.ContainsRune(registrationAuthorities, rune(s[0])) || s[1] < '1' || s[1] > '9' {
		return "", refuse(ReasonAuthority,
			"does not start with a known registration authority and type")
	}
	if !allDigits(s[2:8]) {
		return "", refuse(ReasonRegion, "characters 3 to 8 must be an administrative division code")
	}
	if creditCodeCheckChar(s[:creditCodeLength-1]) != s[creditCodeLength-1] {
		return "", refuse(ReasonChecksum, "the check character does not match")
	}
	return s, nil
}

// creditCodeCheckChar computes the GB 32100 check character of 17 characters
// already known to be in creditCodeChars.
func creditCodeCheckChar(body string) byte {
	sum := 0
	for i := range len(body) {
		sum += strings.IndexByte(creditCodeChars, body[i]) * creditCodeWeights[i]
	}
	check := 31 - sum%31
	if check == 31 {
		check = 0
	}
	return creditCodeChars[check]
}

func allCreditCodeChars(s string) bool {
	for i := range len(s) {
		if strings.IndexByte(creditCodeChars, s[i]) < 0 {
			return false
		}
	}
	return true
}

// CompleteCreditCode appends the GB 32100 check character to the first 17
// characters of a unified social credit code.
func CompleteCreditCode(body string) string {
	return body + string(creditCodeCheckChar(body))
}
