package api

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/yiyun-console/console/internal/apperr"
)

// checkJSONText refuses a JSON document (already known to be valid JSON) whose
// strings, names included, hold invalid UTF-8, a NUL character or an unpaired
// UTF-16 surrogate escape, naming the field where the bad string is.
func checkJSONText(body []byte) error {
	sc := jsonScanner{b: body}
	sc.value("")
	if sc.err != nil {
		return sc.err
	}
	return nil
}

// jsonScanner walks valid JSON, keeping the path of the value it is in.
type jsonScanner struct {
	b   []byte
	i   int
	err error
}

func (sc *jsonScanner) ws() {
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case ' ', '\t', '\r', '\n':
			sc.i++
		default:
			return
		}
	}
}

func (sc *jsonScanner) value(path string) {
	sc.ws()
	if sc.err != nil || sc.i >= len(sc.b) {
		return
	}
	switch sc.b[sc.i] {
	case '{':
		sc.i++
		for sc.err == nil {
			sc.ws()
			if sc.i >= len(sc.b) || sc.b[sc.i] == '}' {
				sc.i++
				return
			}
			if sc.b[sc.i] == ',' {
				sc.i++
				continue
			}
			start := sc.i
			reason := sc.str()
			key := decodeKey(sc.b[start:sc.i])
			field := joinPath(path, key)
			if reason != "" {
				sc.err = textError(field, "the field name "+reason)
				return
			}
			sc.ws()
			if sc.i < len(sc.b) && sc.b[sc.i] == ':' {
				sc.i++
			}
			sc.value(field)
		}
	case '[':
		sc.i++
		for n := 0; sc.err == nil; {
			sc.ws()
			if sc.i >= len(sc.b) || sc.b[sc.i] == ']' {
				sc.i++
				return
			}
			if sc.b[sc.i] == ',' {
				sc.i++
				continue
			}
			sc.value(path + "[" + strconv.Itoa(n) + "]")
			n++
		}
	case '"':
		if reason := sc.str(); reason != "" {
			if path == "" {
				sc.err = apperr.New(apperr.Invalid, "the body %s", reason)
				return
			}
			sc.err = textError(path, reason)
		}
	default:
		// A number, true, false or null.
		for sc.i < len(sc.b) {
			switch sc.b[sc.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return
			}
			sc.i++
		}
	}
}

// str reads the string at sc.i and returns why it is refused, or "".
func (sc *jsonScanner) str() string {
	sc.i++ // the opening quote
	reason := ""
	refuse := func(r string) {
		if reason == "" {
			reason = r
		}
	}
	const lone = "holds an unpaired UTF-16 surrogate escape"
	high := false // the previous escape was a high surrogate
	for sc.i < len(sc.b) {
		c := sc.b[sc.i]
		switch {
		case c == '"':
			sc.i++
			if high {
				refuse(lone)
			}
			return reason
		case c == '\\' && sc.i+1 < len(sc.b) && sc.b[sc.i+1] == 'u' && sc.i+6 <= len(sc.b):
			code, _ := strconv.ParseUint(string(sc.b[sc.i+2:sc.i+6]), 16, 32)
			sc.i += 6
			switch {
			case code == 0:
				refuse("holds a NUL character (\\u0000)")
			case code >= 0xd800 && code <= 0xdbff:
				if high {
					refuse(lone)
				}
				high = true
				continue
			case code >= 0xdc00 && code <= 0xdfff:
				if !high {
					refuse(lone)
				}
				high = false
				continue
			}
			if high {
				refuse(lone)
			}
			high = false
		case c == '\\':
			sc.i += 2
			if high {
				refuse(lone)
			}
			high = false
		case c < utf8.RuneSelf:
			sc.i++
			if high {
				refuse(lone)
			}
			high = false
		default:
			r, size := utf8.DecodeRune(sc.b[sc.i:])
			if r == utf8.RuneError && size <= 1 {
				refuse("is not valid UTF-8")
			}
			sc.i += max(size, 1)
			if high {
				refuse(lone)
			}
			high = false
		}
	}
	return reason
}

func textError(field, reason string) error {
	return apperr.Field(field, reason)
}

// decodeKey returns the text of a quoted JSON name, made printable when it is one
// of the refused ones.
func decodeKey(raw []byte) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == 0 {
			r = utf8.RuneError
		}
		out = append(out, r)
	}
	return string(out)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
