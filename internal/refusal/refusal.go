// Package refusal is the error of a validator that refuses a value (a phone number,
// an ID number): a stable reason for programs and a detail for people, never the
// refused value itself, which may be personal data.
package refusal

// Reason is a stable, machine-friendly word naming why a value was refused.
type Reason string

// Error is a refused value: a stable Reason and a human Detail that never contains
// the value itself.
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

// Is reports whether target is an *Error with the same Reason, so that errors.Is
// with a package's sentinel holds for every refusal of that reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}
