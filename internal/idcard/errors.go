package idcard

// Reason is a stable, machine-friendly word naming why a number was refused.
type Reason string

// The reasons a number is refused for.
const (
	ReasonLength    Reason = "length"
	ReasonFormat    Reason = "format"
	ReasonRegion    Reason = "region"
	ReasonBirthDate Reason = "birth_date"
	ReasonChecksum  Reason = "checksum"
	ReasonAuthority Reason = "authority"
)

// Error is a refused number: a stable Reason and a human Detail that never
// contains the number itself.
type Error struct {
	Reason Reason
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return string(e.Reason)
	}
	return string(e.Reason) + ": " + e.Detail
}

// Is reports whether target is an *Error with the same Reason, so that
// errors.Is(err, ErrChecksum) holds for every checksum failure.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

// Sentinel errors, one per Reason, for use with errors.Is.
var (
	ErrLength    = &Error{Reason: ReasonLength}
	ErrFormat    = &Error{Reason: ReasonFormat}
	ErrRegion    = &Error{Reason: ReasonRegion}
	ErrBirthDate = &Error{Reason: ReasonBirthDate}
	ErrChecksum  = &Error{Reason: ReasonChecksum}
	ErrAuthority = &Error{Reason: ReasonAuthority}
)

func refuse(reason Reason, detail string) *Error {
	return &Error{Reason: reason, Detail: detail}
}
