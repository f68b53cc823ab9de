package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/money"
)

// TestUnstorableTextIsInvalid checks the safety net behind the text checks:
// Postgres refusing a value the caller sent is a 400, not a 500.
func TestUnstorableTextIsInvalid(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for code, want := range map[string]int{
		"22021": http.StatusBadRequest, "22P05": http.StatusBadRequest,
		"54000": http.StatusBadRequest, "23502": http.StatusInternalServerError,
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/v1/cdrs", nil)
		s.writeError(w, r, fmt.Errorf("listing: %w", &pgconn.PgError{Code: code}))
		var env envelope
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		if w.Code != want || (want == http.StatusBadRequest && env.Error.Code != apperr.Invalid) {
			t.Errorf("SQLSTATE %s: %d %s, want %d", code, w.Code, w.Body, want)
		}
	}
}

// TestCheckJSONText checks the scan of JSON strings, names included.
func TestCheckJSONText(t *testing.T) {
	for body, field := range map[string]string{
		`{"a":"x"}`:                         "",
		`{"a":"\ud83d\ude00","b":[1,"\n"]}`: "",
		`{"a":"\u00e9\uFFFD"}`:              "",
		`{"a":"x\u0000"}`:                   "a",
		`{"a":{"b":["ok","\ud800"]}}`:       "a.b[1]",
		`{"a":"\udc00\ud800"}`:              "a",
		`{"a":"\ud800\ud800\udc00"}`:        "a",
		`{"a":"\ud800\n"}`:                  "a",
		"{\"a\":1,\"b\":\"\xff\"}":          "b",
		`{"x\u0000":1}`:                     "x\uFFFD",
		`{"a":[{"b":"c"},{"d":"\u0000"}]}`:  "a[1].d",
	} {
		err := checkJSONText([]byte(body))
		got := ""
		if e, ok := apperr.As(err); ok && len(e.Fields) == 1 {
			got = e.Fields[0].Field
		} else if err != nil {
			t.Errorf("%s: %v, want an error naming one field", body, err)
		}
		if got != field {
			t.Errorf("%s: field %q (%v), want %q", body, got, err, field)
		}
	}
}

// TestWholeNumberReason checks the reasons for numbers that do not fit an
// integer field.
func TestWholeNumberReason(t *testing.T) {
	var v struct {
		N int32 `json:"n"`
		U uint8 `json:"u"`
	}
	for body, want := range map[string]string{
		`{"n":3.5}`:         "must be a whole number",
		`{"n":1e3}`:         "must be a whole number",
		`{"n":99999999999}`: "must be a whole number from -2147483648 to 2147483647",
		`{"u":-1}`:          "must be a whole number from 0 to 255",
		`{"n":"3"}`:         "must be a whole number",
	} {
		err := decodeBytes([]byte(body), &v)
		e, ok := apperr.As(err)
		if !ok || len(e.Fields) != 1 || e.Fields[0].Reason != want {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// BenchmarkCheckJSONText measures the scan of JSON strings that every decoded
// body now goes through, on a 64 KB body of mixed text.
func BenchmarkCheckJSONText(b *testing.B) {
	body := []byte(`{"title":"` + strings.Repeat(`Recharge 充值 \"ok\" \ud83d\ude00 `, 2000) + `"}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := checkJSONText(body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFailingFieldNamesArrayItems: a money value that fails to decode is named by
// its path, into nested objects and arrays of them.
func TestFailingFieldNamesArrayItems(t *testing.T) {
	type line struct {
		Note   string   `json:"note"`
		Amount money.Li `json:"amount"`
	}
	type order struct {
		Total money.Li `json:"total"`
		Lines []line   `json:"lines"`
		Extra *struct {
			Fees []money.Li `json:"fees"`
		} `json:"extra"`
	}
	for body, want := range map[string]string{
		`{"total":"1.00","lines":[{"amount":"2.00"},{"amount":"1.0001"}]}`: "lines[1].amount",
		`{"total":"1.0001","lines":[]}`:                                    "total",
		`{"total":"1","extra":{"fees":["1","2.00001"]}}`:                   "extra.fees[1]",
	} {
		var v order
		err := json.Unmarshal([]byte(body), &v)
		if err == nil {
			t.Fatalf("%s decoded", body)
		}
		if got := failingField([]byte(body), reflect.TypeOf(&v), err); got != want {
			t.Errorf("%s: failing field %q, want %q", body, got, want)
		}
	}
}
