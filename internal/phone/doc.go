// Package phone parses the Chinese telephone numbers the console handles:
// developers' mobile numbers (test numbers, contact phones) and the numbers of
// the inbound number pool, which are landlines, 400 numbers, 95 service
// numbers and mobiles.
//
// Parsing is pure: it strips an optional +86, 0086 or 86 country code and the
// spaces and dashes people type, classifies the number and returns it in one
// normal form, so that the same number written two ways is stored once. A
// refused number yields an *Error whose Reason is a stable word ("format",
// "length", "prefix", "area_code"); errors.Is matches the package's sentinel
// errors by that reason. Error texts never repeat the number, which is
// personal data.
package phone
