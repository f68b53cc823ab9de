package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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
			return apperr.New(apperr.UnsupportedMedia, "the body must be JSON, sent with Content-Type: application/json")
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
		return jsonError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "the body holds more than one JSON value")
	}
	return nil
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
	case "ptr":
		return "a value of the documented type"
	}
	return "a number"
}
