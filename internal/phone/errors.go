package phone

// Reason is a stable, machine-friendly word naming why a number was refused.
type Reason string

// The reasons a number is refused for.
const (
	ReasonFormat   Reason = "format"
	ReasonLength   Reason = "length"
	ReasonPrefix   Reason = "prefix"
	ReasonAreaCode Reason = "area_code"
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
// errors.Is(err, ErrLength) holds for every length failure.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

// Sentinel errors, one per Reason, for use with errors.Is.
var (
	ErrFormat   = &Error{Reason: ReasonFormat}
	ErrLength   = &Error{Reason: ReasonLength}
	ErrPrefix   = &Error{Reason: ReasonPrefix}
	ErrAreaCode = &Error{Reason: ReasonAreaCode}
)

func refuse(reason Reason, detail string) *Error {
	return &Error{Reason: reason, Detail: detail}
}
