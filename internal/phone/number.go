package phone

import "strings"

// Kind is the kind of a number in the inbound number pool.
type Kind string

// The kinds of pool numbers.
const (
	KindLandline Kind = "landline"
	Kind400      Kind = "400"
	Kind95       Kind = "95"
	KindMobile   Kind = "mobile"
)

// Lengths of the number kinds, in digits.
const (
	number400Length = 10
	number95Min     = 5
	number95Max     = 8
	localMinLength  = 7
	localMaxLength  = 8
)

// Number is a parsed pool number.
type Number struct {
	// Kind says which kind of number it is.
	Kind Kind
	// Digits is the number as dialled within China, digits only: landlines
	// with their trunk 0 and area code ("01088889999"), 400 numbers
	// ("4008001234"), 95 numbers ("95588") and mobiles ("13800138000"). It
	// is the number's key: two ways of writing one number give equal Digits.
	Digits string
	// AreaCode is a landline's area code with its trunk 0 ("010", "0755"),
	// or "" for other kinds.
	AreaCode string
}

// E164 returns the number in international form, +86 followed by the number
// without trunk 0, or "" for a 95 number, which cannot be dialled from abroad.
func (n Number) E164() string {
	switch n.Kind {
	case KindLandline:
		return "+86" + strings.TrimPrefix(n.Digits, "0")
	case KindMobile, Kind400:
		return "+86" + n.Digits
	}
	return ""
}

// String returns the number as people write it: "010-88889999",
// "400-800-1234", "95588" or "13800138000".
func (n Number) String() string {
	switch n.Kind {
	case KindLandline:
		local, ok := strings.CutPrefix(n.Digits, n.AreaCode)
		if ok && n.AreaCode != "" && local != "" {
			return n.AreaCode + "-" + local
		}
	case Kind400:
		if len(n.Digits) == number400Length {
			return n.Digits[:3] + "-" + n.Digits[3:6] + "-" + n.Digits[6:]
		}
	}
	return n.Digits
}

// Region returns the region of a landline's area code, or "" when it is not a
// landline or the code is not in the table of RegionForAreaCode.
func (n Number) Region() string {
	if n.Kind != KindLandline {
		return ""
	}
	return RegionForAreaCode(n.AreaCode)
}

// ParseNumber parses a pool number: a landline with its area code (010, 02X,
// or four digits starting 03 to 09) and a local number of 7 or 8 digits, a 400
// number (400 and 7 digits), a 95 number (95 and 3 to 6 digits) or a mobile
// number. Spaces, dashes and a +86, 0086 or 86 country code are allowed; with
// a country code a landline may omit its trunk 0. It returns an *Error
// matching ErrFormat, ErrLength, ErrPrefix or ErrAreaCode.
func ParseNumber(s string) (Number, error) {
	c, err := clean(s)
	if err != nil {
		return Number{}, err
	}
	d := c.digits

	switch {
	case isMobile(d):
		return Number{Kind: KindMobile, Digits: d}, nil
	case strings.HasPrefix(d, "400"):
		if len(d) != number400Length {
			return Number{}, refuse(ReasonLength, "a 400 number has 10 digits")
		}
		return Number{Kind: Kind400, Digits: d}, nil
	case strings.HasPrefix(d, "95") && !c.international:
		if len(d) < number95Min || len(d) > number95Max {
			return Number{}, refuse(ReasonLength, "a 95 number has 5 to 8 digits")
		}
		return Number{Kind: Kind95, Digits: d}, nil
	case strings.HasPrefix(d, "0"):
		return parseLandline(d, c.firstGroup)
	case c.international:
		// After +86 a landline is written without its trunk 0.
		firstGroup := c.firstGroup
		if firstGroup != "" {
			firstGroup = "0" + firstGroup
		}
		return parseLandline("0"+d, firstGroup)
	}
	return Number{}, refuse(ReasonPrefix,
		"not a landline with area code, 400, 95 or mobile number")
}

// parseLandline parses digits that start with the trunk 0. When the number
// was written in groups, firstGroup must be the area code, so that a
// misplaced dash is not silently read another way.
func parseLandline(digits, firstGroup string) (Number, error) {
	area := areaCodeOf(digits)
	if area == "" {
		return Number{}, refuse(ReasonAreaCode,
			"area codes are 010, 02X or four digits from 03 to 09")
	}
	if firstGroup != "" && firstGroup != area {
		return Number{}, refuse(ReasonAreaCode,
			"the digits before the first dash or space must be the area code")
	}

	local := digits[len(area):]
	if len(local) < localMinLength || len(local) > localMaxLength {
		return Number{}, refuse(ReasonLength,
			"a local number has 7 or 8 digits after the area code")
	}
	if local[0] == '0' {
		return Number{}, refuse(ReasonFormat, "a local number cannot start with 0")
	}
	return Number{Kind: KindLandline, Digits: digits, AreaCode: area}, nil
}

// areaCodeOf returns the area code that digits starting with 0 begin with:
// 010 and 02X have three digits, codes starting 03 to 09 four. It returns ""
// when digits cannot start with an area code.
func areaCodeOf(digits string) string {
	if len(digits) < 4 {
		return ""
	}
	switch c := digits[1]; {
	case c == '1' && digits[2] == '0':
		return digits[:3]
	case c == '2':
		return digits[:3]
	case c >= '3':
		return digits[:4]
	}
	return ""
}
