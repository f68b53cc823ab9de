// Package apperr is the console's one error type. Every layer returns an *Error for
// what a caller did wrong or for a state that forbids the request; the API maps its
// Code to an HTTP status in one place, and anything else is an internal fault.
package apperr

import (
	"errors"
	"fmt"
)

// Code is a stable machine-readable error code.
type Code string

// The codes the console answers with.
const (
	Invalid             Code = "invalid_request"
	Unauthenticated     Code = "unauthenticated"
	Forbidden           Code = "forbidden"
	NotFound            Code = "not_found"
	MethodNotAllowed    Code = "method_not_allowed"
	Conflict            Code = "conflict"
	IdempotencyMismatch Code = "idempotency_key_reused"
	InsufficientBalance Code = "insufficient_balance"
	TooLarge            Code = "payload_too_large"
	UnsupportedMedia    Code = "unsupported_media_type"
	RateLimited         Code = "rate_limited"
	Unavailable         Code = "unavailable"
	Internal            Code = "internal"
)

// FieldError names one offending request field and why it was refused.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is an error meant for the caller: a code, a human message and, for
// validation, the offending fields.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns a validation Error naming one field.
func Field(field, reason string) *Error {
	return &Error{
		Code:    Invalid,
		Message: fmt.Sprintf("%s: %s", field, reason),
		Fields:  []FieldError{{Field: field, Reason: reason}},
	}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns the Code of err, Internal when err carries none.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// Validation collects field errors and returns them as one Error.
type Validation struct {
	fields []FieldError
}

// Add records a refused field.
func (v *Validation) Add(field, reason string) {
	v.fields = append(v.fields, FieldError{Field: field, Reason: reason})
}

// Addf records a refused field with a formatted reason.
func (v *Validation) Addf(field, format string, args ...any) {
	v.Add(field, fmt.Sprintf(format, args...))
}

// Has reports whether field was already refused.
func (v *Validation) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when no field was refused, else an Invalid Error naming them all.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := "the request has invalid fields"
	if len(v.fields) == 1 {
		msg = fmt.Sprintf("%s: %s", v.fields[0].Field, v.fields[0].Reason)
	}
	return &Error{Code: Invalid, Message: msg, Fields: v.fields}
}
