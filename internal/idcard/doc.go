// Package idcard checks and masks the identity numbers that real-name
// verification collects: the 18-character PRC resident ID number (GB 11643)
// and the 18-character unified social credit code of an organisation
// (GB 32100).
//
// Validation is pure: no lookups, no network. A refused value yields an *Error
// whose Reason is a stable, machine-friendly word ("length", "format",
// "region", "birth_date", "checksum", "authority") that the API can put next
// to the field name; errors.Is matches the package's sentinel errors
// (ErrLength, ErrFormat, ...) by that reason. Error texts never repeat the
// number itself, so that they are safe to log.
//
// Mask hides all but the first and last four characters of a number, for the
// places where ID numbers and credit codes are shown to anyone but the
// reviewer handling a submission.
package idcard
