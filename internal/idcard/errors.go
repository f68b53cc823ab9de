package idcard

import "github.com/yiyun-console/console/internal/refusal"

// Reason is a stable, machine-friendly word naming why a number was refused.
type Reason = refusal.Reason

// The reasons a number is refused for.
const (
	ReasonLength    Reason = "length"
	ReasonFormat    Reason = "format"
	ReasonRegion    Reason = "region"
	ReasonBirthDate Reason = "birth_date"
	ReasonChecksum  Reason = "checksum"
	ReasonAuthority Reason = "authority"
)

// Error is a refused number; its Detail never contains the number itself.
type Error = refusal.Error

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
