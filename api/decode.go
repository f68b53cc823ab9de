package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/yiyun-console/console/internal/apperr"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 1 << 20

// decode reads a JSON request body into v, refusing unknown fields, wrong types,
// trailing data and bodies over maxJSONBody, each with an error naming the field.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apperr.New(apperr.UnsupportedMedia,
				"the body must be JSON, sent with Content-Type: application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return apperr.New(apperr.Invalid, "the body could not be read")
	}
	if len(body) > maxJSONBody {
		return apperr.New(apperr.TooLarge, "the body is larger than %d bytes", maxJSONBody)
	}
	return decodeBytes(body, v)
}

// decodeBytes is decode over a body already read.
func decodeBytes(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return apperr.New(apperr.Invalid, "the body is empty; send a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if !isFieldError(err) {
			// An error of a field's own UnmarshalJSON, such as money, carries no
			// field name: find the field it came from.
			if name := failingField(body, reflect.TypeOf(v), err); name != "" {
				return apperr.Field(name, err.Error())
			}
		}
		return jsonError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "the body holds more than one JSON value")
	}
	// The decoder turns invalid UTF-8 and unpaired surrogate escapes into U+FFFD
	// and keeps \u0000 as a NUL: refuse them rather than store what was not sent,
	// or reach Postgres, which refuses NUL in text.
	return checkJSONText(body)
}

// isFieldError reports whether err is a decoding error that jsonError maps by
// itself, as opposed to an error returned by a field's own UnmarshalJSON.
func isFieldError(err error) bool {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	if errors.As(err, &typeErr) || errors.As(err, &syntaxErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || strings.HasPrefix(err.Error(), "json: ") {
		return true
	}
	_, ok := apperr.As(err)
	return ok
}

// failingField returns the JSON name of the field of t (a struct, a slice of them
// or a pointer to either, searched into nested objects and arrays) whose value in
// body fails to decode with the same error as err, such as "amounts[1].value", or
// "" when none does.
func failingField(body []byte, t reflect.Type, err error) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		var items []json.RawMessage
		if json.Unmarshal(body, &items) != nil {
			return ""
		}
		for i, raw := range items {
			if name := failingField(raw, t.Elem(), err); name != "" {
				return joinField(fmt.Sprintf("[%d]", i), name)
			}
			if failsWith(raw, t.Elem(), err) {
				return fmt.Sprintf("[%d]", i)
			}
		}
		return ""
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return ""
	}
	keys := make([]string, 0, len(members))
	for key := range members {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		raw := members[key]
		f, ok := jsonField(t, key)
		if !ok {
			continue
		}
		if name := failingField(raw, f.Type, err); name != "" {
			return joinField(key, name)
		}
		if failsWith(raw, f.Type, err) {
			return key
		}
	}
	return ""
}

// failsWith reports whether raw fails to decode into a t with err's message.
func failsWith(raw []byte, t reflect.Type, err error) bool {
	e := json.Unmarshal(raw, reflect.New(t).Interface())
	return e != nil && e.Error() == err.Error()
}

// joinField names a member of a field: "a.b", or "a[1]" for an array's item.
func joinField(outer, inner string) string {
	if strings.HasPrefix(inner, "[") {
		return outer + inner
	}
	return outer + "." + inner
}

// jsonField finds the field of struct type t that encoding/json fills from key,
// including fields of embedded structs.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonError turns a decoding error into an envelope error that names the field.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "the body must be a JSON object")
		}
		if isIntKind(typeErr.Type.Kind()) && strings.HasPrefix(typeErr.Value, "number") {
			return apperr.Field(field, wholeNumberReason(typeErr))
		}
		return apperr.Field(field, fmt.Sprintf("must be %s", jsonKind(typeErr.Type.Kind().String())))
	case errors.As(err, &syntaxErr):
		return apperr.New(apperr.Invalid, "the body is not valid JSON (at byte %d)",
			syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "the body is truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Field(name, "is not a known field")
	}
	if e, ok := apperr.As(err); ok {
		return e
	}
	// Errors from a field's own UnmarshalJSON, such as money, carry no field name.
	return apperr.New(apperr.Invalid, "the body has an invalid value: %s", err.Error())
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// wholeNumberReason explains a JSON number that does not fit an integer field: a
// fraction, or a whole number out of the field's range.
func wholeNumberReason(e *json.UnmarshalTypeError) string {
	n := strings.TrimSpace(strings.TrimPrefix(e.Value, "number"))
	if n == "" || strings.ContainsAny(n, ".eE") {
		return "must be a whole number"
	}
	t := e.Type
	bits := t.Bits()
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
		return fmt.Sprintf("must be a whole number from 0 to %d", uint64(1)<<bits-1)
	}
	return fmt.Sprintf("must be a whole number from %d to %d", -(int64(1) << (bits - 1)),
		int64(1)<<(bits-1)-1)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "ptr":
		return "a value of the documented type"
	}
	return "a number"
}
