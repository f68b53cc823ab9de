package phone

import "github.com/yiyun-console/console/internal/refusal"

// Reason is a stable, machine-friendly word naming why a number was refused.
type Reason = refusal.Reason

// The reasons a number is refused for.
const (
	ReasonFormat   Reason = "format"
	ReasonLength   Reason = "length"
	ReasonPrefix   Reason = "prefix"
	ReasonAreaCode Reason = "area_code"
)

// Error is a refused number; its Detail never contains the number itself.
type Error = refusal.Error

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
