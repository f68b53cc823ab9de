package idcard

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// residentIDLength is the length of a second-generation resident ID number.
const residentIDLength = 18

// residentWeights are the ISO 7064 MOD 11-2 weights of the first 17 digits,
// 2^(18-i) mod 11, as GB 11643 lists them.
var residentWeights = [residentIDLength - 1]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentCheckChars maps the weighted sum mod 11 to the check character.
const residentCheckChars = "10X98765432"

// residentFormatDetail describes the characters a resident ID number holds.
const residentFormatDetail = "must be 17 digits followed by a digit or X"

// earliestBirthYear is the first birth year accepted as plausible.
const earliestBirthYear = 1900

// beijing is Beijing time. China has kept UTC+8 without daylight saving since
// 1991, so a fixed zone avoids depending on a time zone database.
var beijing = time.FixedZone("CST", 8*60*60)

// provinceCodes are the first two digits of the administrative division codes
// that resident ID numbers begin with: the provinces, autonomous regions and
// municipalities, plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83 for residence
// permits of Taiwan residents.
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// ValidateResidentID checks an 18-character resident ID number: 17 digits and
// a check character (a digit or X, lower-case x accepted) per GB 11643, a
// plausible region prefix and a real birth date between 1900 and the Beijing
// date of now. It returns an *Error matching ErrLength, ErrFormat, ErrRegion,
// ErrBirthDate or ErrChecksum.
func ValidateResidentID(s string, now time.Time) error {
	_, err := NormalizeResidentID(s, now)
	return err
}

// NormalizeResidentID validates s as ValidateResidentID does and returns it in
// canonical form: surrounding white space removed and a final x upper-cased.
func NormalizeResidentID(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n != residentIDLength {
		return "", refuse(ReasonLength,
			fmt.Sprintf("must be %d characters, got %d", residentIDLength, n))
	}
	if len(s) != residentIDLength {
		return "", refuse(ReasonFormat, residentFormatDetail)
	}
	if s[residentIDLength-1] == 'x' {
		s = s[:residentIDLength-1] + "X"
	}

	if !allDigits(s[:residentIDLength-1]) || !isResidentCheckChar(s[residentIDLength-1]) {
		return "", refuse(ReasonFormat, residentFormatDetail)
	}
	if !provinceCodes[s[:2]] {
		return "", refuse(ReasonRegion, "does not start with a known region code")
	}
	if err := checkBirthDate(s[6:14], now); err != nil {
		return "", err
	}
	if residentCheckChar(s[:residentIDLength-1]) != s[residentIDLength-1] {
		return "", refuse(ReasonChecksum, "the check character does not match")
	}
	return s, nil
}

// residentCheckChar computes the GB 11643 check character of 17 digits.
func residentCheckChar(body string) byte {
	sum := 0
	for i := range len(body) {
		sum += int(body[i]-'0') * residentWeights[i]
	}
	return residentCheckChars[sum%11]
}

// checkBirthDate checks a YYYYMMDD date: a real calendar day, not before
// earliestBirthYear and not after today in Beijing.
func checkBirthDate(yyyymmdd string, now time.Time) error {
	year := atoi(yyyymmdd[:4])
	month := atoi(yyyymmdd[4:6])
	day := atoi(yyyymmdd[6:8])

	if year < earliestBirthYear {
		return refuse(ReasonBirthDate, fmt.Sprintf("birth year is before %d", earliestBirthYear))
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, time.Month(month)) {
		return refuse(ReasonBirthDate, "birth date is not a calendar date")
	}

	// Compare calendar days, both taken as midnight UTC, against the Beijing date.
	birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	ty, tm, td := now.In(beijing).Date()
	if birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return refuse(ReasonBirthDate, "birth date is in the future")
	}
	return nil
}

// daysIn returns the number of days in a month of the Gregorian calendar.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isResidentCheckChar(c byte) bool {
	return isDigit(c) || c == 'X'
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a string already known to hold only ASCII digits.
func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// CompleteResidentID appends the GB 11643 check character to the first 17 digits
// of a resident ID number; it is how test data and the guided journey make valid
// numbers.
func CompleteResidentID(body string) string {
	return body + string(residentCheckChar(body))
}
