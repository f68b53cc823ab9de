package api_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/testenv"
)

// refusedFields returns the field names of an error envelope.
func refusedFields(r testenv.Response) []string {
	e, _ := r.JSON["error"].(map[string]any)
	fs, _ := e["fields"].([]any)
	var out []string
	for _, f := range fs {
		m, _ := f.(map[string]any)
		name, _ := m["field"].(string)
		out = append(out, name)
	}
	return out
}

// refusedReason returns the reason given for field in an error envelope.
func refusedReason(r testenv.Response, field string) string {
	e, _ := r.JSON["error"].(map[string]any)
	fs, _ := e["fields"].([]any)
	for _, f := range fs {
		m, _ := f.(map[string]any)
		if m["field"] == field {
			s, _ := m["reason"].(string)
			return s
		}
	}
	return ""
}

// wantRefused fails unless r is a 400 envelope naming exactly field.
func wantRefused(t *testing.T, what string, r testenv.Response, field string) {
	t.Helper()
	if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
		t.Errorf("%s: %d %s, want 400 invalid_request", what, r.Status, r.Body)
		return
	}
	if fs := refusedFields(r); len(fs) != 1 || fs[0] != field {
		t.Errorf("%s: fields %q, want [%s]: %s", what, fs, field, r.Body)
	}
}

// TestQueryParametersMustBeText checks that NUL and invalid UTF-8 in query
// parameters are refused with a 400 naming the parameter on every route, where
// Postgres used to answer them with a 500.
func TestQueryParametersMustBeText(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	op := env.Staff(t, "operator")
	cases := []struct{ token, path, field string }{
		{dev.Token, "/v1/cdrs?caller=%00", "caller"},
		{dev.Token, "/v1/cdrs?callee=%ff", "callee"},
		{dev.Token, "/v1/cdrs?caller=%c0%80", "caller"},
		{dev.Token, "/v1/cdrs/export?caller=a%00b", "caller"},
		{dev.Token, "/v1/consumption?app_id=%00", "app_id"},
		{op.Token, "/v1/ops/numbers?app_id=%ff", "app_id"},
		{op.Token, "/v1/ops/numbers?region=%c0%80", "region"},
		{dev.Token, "/v1/apps?x%00=1", "x\x00"},
	}
	for _, c := range cases {
		r := env.Do(t, req{Method: "GET", Path: c.path, Token: c.token})
		if c.field == "x\x00" {
			// The name itself is refused; the envelope shows it made printable.
			if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" ||
				len(refusedFields(r)) != 1 {
				t.Errorf("%s: %d %s", c.path, r.Status, r.Body)
			}
			continue
		}
		wantRefused(t, c.path, r, c.field)
	}
	// Unicode text that is valid still reaches the handler.
	env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/cdrs?caller=%E4%B8%AD", Token: dev.Token})
}

// TestJSONStringsMustBeText checks that JSON bodies with NUL, unpaired surrogate
// escapes or invalid UTF-8 in their strings are refused naming the field, and that
// nothing is stored.
func TestJSONStringsMustBeText(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	raw := func(s string) []byte { return []byte(s) }
	cases := []struct {
		name, method, path, token string
		body                      []byte
		field                     string
	}{
		{"NUL in a login email", "POST", "/v1/sessions", "",
			raw(`{"email":"a\u0000@example.com","password":"x"}`), "email"},
		{"unpaired high surrogate", "POST", "/v1/sessions", "",
			raw(`{"email":"a\ud800@example.com","password":"0123456789"}`), "email"},
		{"unpaired low surrogate", "POST", "/v1/sessions", "",
			raw(`{"email":"a@example.com","password":"0123456789\udc00"}`), "password"},
		{"high surrogate then a letter", "POST", "/v1/apps", dev.Token,
			raw(`{"name":"x\ud83dA","type":"voice_notification"}`), "name"},
		{"invalid UTF-8", "POST", "/v1/apps", dev.Token,
			raw("{\"name\":\"x\xff\xc0\x80\",\"type\":\"voice_notification\"}"), "name"},
		{"NUL in registration", "POST", "/v1/accounts", "",
			raw(`{"email":"n` + ids.New()[:6] + `@example.com","password":"0123456789",` +
				`"mobile":"13800138000","contact_name":"Li\u0000Lei"}`), "contact_name"},
	}
	for _, c := range cases {
		r := env.Do(t, req{Method: c.method, Path: c.path, Token: c.token, Body: c.body,
			Content: "application/json"})
		wantRefused(t, c.name, r, c.field)
	}
	if n := countRows(t, env, "SELECT count(*) FROM apps"); n != 0 {
		t.Errorf("%d apps stored from refused bodies", n)
	}
	// A surrogate pair is a character, not an error.
	env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/apps", Token: dev.Token,
		Body:    raw(`{"name":"smile \ud83d\ude00","type":"voice_notification"}`),
		Content: "application/json"})
}

// TestWrongMethodIs405 checks a known route with the wrong method.
func TestWrongMethodIs405(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	r := env.Do(t, req{Method: "PUT", Path: "/v1/account", Token: dev.Token})
	if r.Status != http.StatusMethodNotAllowed || r.ErrorCode() != "method_not_allowed" {
		t.Errorf("PUT /v1/account: %d %s", r.Status, r.Body)
	}
}

// TestDecodeErrorsNameTheField checks that money with too many decimals and
// numbers that do not fit an integer field name the field in the envelope.
func TestDecodeErrorsNameTheField(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	r := env.Do(t, req{Method: "PATCH", Path: "/v1/account", Token: dev.Token,
		Body: map[string]any{"low_balance_threshold": "1.2345"}})
	wantRefused(t, "threshold with four decimals", r, "low_balance_threshold")
	if !strings.Contains(refusedReason(r, "low_balance_threshold"), "decimal places") {
		t.Errorf("threshold reason: %s", r.Body)
	}
	r = env.Do(t, req{Method: "POST", Path: "/v1/recharge-orders", Token: dev.Token,
		Body: map[string]any{"amount": "10.0001", "channel": "sandbox"}})
	wantRefused(t, "recharge with four decimals", r, "amount")

	// A ticket rating that is a fraction or out of any range gets the rating's rule.
	tk := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/tickets",
		Token: dev.Token, Body: map[string]any{"category": "billing", "title": "t",
			"content": "c"}})
	for _, bad := range []string{`{"rating":3.5}`, `{"rating":99999999999}`, `{"rating":-1e3}`} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/tickets/" + tk.Str("id") + "/close",
			Token: dev.Token, Body: []byte(bad), Content: "application/json"})
		wantRefused(t, bad, r, "rating")
		if got := refusedReason(r, "rating"); got != "must be a whole number from 1 to 5" {
			t.Errorf("%s: reason %q", bad, got)
		}
	}
}

// TestInvisibleCharactersRefused checks that Unicode format characters, which look
// like nothing, cannot make a second account with the same-looking email or hide in
// an app's name.
func TestInvisibleCharactersRefused(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	email := "zw" + ids.New()[:6] + "@example.com"
	body := func(email string) map[string]any {
		return map[string]any{"email": email, "password": "0123456789",
			"mobile": "13800138000", "contact_name": "Li"}
	}
	env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/accounts", Body: body(email)})
	for _, e := range []string{email + "\u200b", "\u200d" + email, "zw\u202e" + email[2:]} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/accounts", Body: body(e)})
		wantRefused(t, "email "+e, r, "email")
	}
	if n := countRows(t, env, "SELECT count(*) FROM accounts WHERE email ILIKE 'zw%'"); n != 1 {
		t.Errorf("%d accounts for one email", n)
	}

	dev := env.Developer(t)
	for _, name := range []string{"pay\u202egnp.exe", "a\u200bb", "\ufeffapp", "x\u0085y",
		"samename\u034f", "samename\ufe0f", "samename\u3164", "\u115f", "a\u2028b", "\uffa0"} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/apps", Token: dev.Token,
			Body: map[string]any{"name": name, "type": "voice_notification"}})
		wantRefused(t, "app name "+name, r, "name")
	}
	r := env.Do(t, req{Method: "POST", Path: "/v1/tickets", Token: dev.Token,
		Body: map[string]any{"category": "billing", "title": "a\u2066b", "content": "c"}})
	wantRefused(t, "ticket title with an isolate", r, "title")
}

// pngWithSize returns a valid PNG whose header claims w×h pixels, its checksum
// kept right, and with a broken checksum when broken.
func pngWithSize(t *testing.T, w, h uint32, broken bool) []byte {
	t.Helper()
	b := bytes.Clone(pngBytes(t))
	// Signature (8), length (4), "IHDR" (4), then width and height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	sum := crc32.ChecksumIEEE(b[12:29])
	if broken {
		sum++
	}
	binary.BigEndian.PutUint32(b[29:], sum)
	return b
}

// TestUploadChecksImageConfig checks that an image is read by its decoded
// configuration: a PNG claiming 60000×60000 pixels, or whose header does not
// decode, is refused and not stored.
func TestUploadChecksImageConfig(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	r := upload(t, env, dev.Token, "huge.png", pngWithSize(t, 60000, 60000, false))
	wantRefused(t, "60000×60000 PNG", r, "file")
	if !strings.Contains(refusedReason(r, "file"), "10000") {
		t.Errorf("huge PNG reason: %s", r.Body)
	}
	r = upload(t, env, dev.Token, "wide.png", pngWithSize(t, 10001, 10, false))
	wantRefused(t, "10001 wide PNG", r, "file")
	r = upload(t, env, dev.Token, "bad.png", pngWithSize(t, 40, 30, true))
	wantRefused(t, "PNG with a broken header checksum", r, "file")
	// A paletted PNG without its palette passes a look at its header but does
	// not decode.
	noPalette := bytes.Clone(pngBytes(t)[:33])
	noPalette[24], noPalette[25] = 8, 3
	binary.BigEndian.PutUint32(noPalette[29:], crc32.ChecksumIEEE(noPalette[12:29]))
	noPalette = append(noPalette, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82)
	r = upload(t, env, dev.Token, "nopalette.png", noPalette)
	wantRefused(t, "paletted PNG without a palette", r, "file")
	if n := countRows(t, env, "SELECT count(*) FROM files"); n != 0 {
		t.Errorf("%d refused files stored", n)
	}
	// The same image with its true size is accepted.
	if r := upload(t, env, dev.Token, "ok.png", pngWithSize(t, 40, 30,
		false)); r.Status != http.StatusCreated {
		t.Errorf("a true 40×30 PNG: %d %s", r.Status, r.Body)
	}
}

// TestIdempotencyKeyIgnoresWhitespace checks that the same JSON request sent again
// with another layout replays the first answer, while a different request under
// the same key is still refused.
func TestIdempotencyKeyIgnoresWhitespace(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	send := func(body string) testenv.Response {
		return env.Do(t, req{Method: "POST", Path: "/v1/recharge-orders", Token: dev.Token,
			Header: map[string]string{"Idempotency-Key": "ws-1"}, Body: []byte(body),
			Content: "application/json"})
	}
	first := send(`{"amount":"100.50","channel":"sandbox"}`)
	again := send("{\n  \"amount\": \"100.50\",\n  \"channel\": \"sandbox\"\n}\n")
	if first.Status != http.StatusCreated || again.Status != http.StatusCreated ||
		!bytes.Equal(first.Body, again.Body) {
		t.Fatalf("first %d %s, reformatted %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	other := send(`{"amount":"100.51","channel":"sandbox"}`)
	if other.Status != http.StatusUnprocessableEntity {
		t.Errorf("another amount under the key: %d %s", other.Status, other.Body)
	}
	if n := countRows(t, env, "SELECT count(*) FROM recharge_orders"); n != 1 {
		t.Errorf("%d recharge orders, want 1", n)
	}
}

// TestHeadIsGetWithoutBody: HEAD on a GET route answers as GET would, without the
// body; on a route without GET it is 405.
func TestHeadIsGetWithoutBody(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	r := env.Do(t, req{Method: "HEAD", Path: "/v1/apps", Token: dev.Token})
	if r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Errorf("HEAD /v1/apps: %d, %d bytes", r.Status, len(r.Body))
	}
	if r := env.Do(t, req{Method: "HEAD", Path: "/v1/apps"}); r.Status != http.StatusUnauthorized {
		t.Errorf("HEAD /v1/apps signed out: %d", r.Status)
	}
	if r := env.Do(t, req{Method: "HEAD", Path: "/v1/sessions"}); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("HEAD /v1/sessions: %d", r.Status)
	}
}
