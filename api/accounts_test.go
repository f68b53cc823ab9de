package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/testenv"
)

type req = testenv.Request

func TestRegisterLoginAndAccount(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	email := "Alice-" + ids.New()[:6] + "@Example.com"
	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/accounts", Body: map[string]any{
		"email": email, "password": "0123456789", "mobile": "+86 138-0013-8000",
		"contact_name": "  李雷  ",
	}})
	sid := r.Str("account_sid")
	if !ids.Valid(sid) || len(r.Str("auth_token")) < 32 {
		t.Fatalf("registration answered sid %q, auth token %q", sid, r.Str("auth_token"))
	}
	if r.Str("mobile") != "13800138000" || r.Str("contact_name") != "李雷" ||
		r.Str("balance") != "0.000" || r.Str("verification_level") != "none" {
		t.Errorf("registration normalised badly: %s", r.Body)
	}

	// The email is matched whatever its case, at registration and at login.
	dup := env.Do(t, req{Method: "POST", Path: "/v1/accounts", Body: map[string]any{
		"email": strings.ToLower(email), "password": "0123456789", "mobile": "13800138000",
		"contact_name": "x",
	}})
	if dup.Status != http.StatusBadRequest || !strings.Contains(string(dup.Body), `"email"`) {
		t.Errorf("duplicate email: %d %s", dup.Status, dup.Body)
	}
	token := env.Login(t, strings.ToUpper(email), "0123456789")

	acct := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/account", Token: token})
	if acct.Str("account_sid") != sid || acct.Str("role") != "developer" {
		t.Errorf("account: %s", acct.Body)
	}

	patched := env.Must(t, http.StatusOK, req{Method: "PATCH", Path: "/v1/account", Token: token,
		Body: map[string]any{"low_balance_threshold": "50.50", "contact_name": "Li Lei"}})
	if patched.Str("low_balance_threshold") != "50.500" || patched.Str("contact_name") != "Li Lei" ||
		patched.Str("mobile") != "13800138000" {
		t.Errorf("patch: %s", patched.Body)
	}

	// Logging out ends the session.
	env.Must(t, http.StatusNoContent, req{Method: "DELETE", Path: "/v1/sessions/current", Token: token})
	gone := env.Do(t, req{Method: "GET", Path: "/v1/account", Token: token})
	if gone.Status != http.StatusUnauthorized || gone.ErrorCode() != "unauthenticated" {
		t.Errorf("after logout: %d %s", gone.Status, gone.Body)
	}
}

func TestRegistrationBadInput(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	good := map[string]any{"email": "x@example.com", "password": "0123456789",
		"mobile": "13800138000", "contact_name": "X"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"short password", with("password", "123456789"), "password"},
		{"bad email", with("email", "not-an-email"), "email"},
		{"email with name", with("email", "X <x@example.com>"), "email"},
		{"landline as mobile", with("mobile", "01012345678"), "mobile"},
		{"missing contact", with("contact_name", nil), "contact_name"},
		{"number as email", with("email", 42), "email"},
		{"unknown field", with("admin", true), "admin"},
		{"long name", with("contact_name", strings.Repeat("名", 51)), "contact_name"},
	}
	for _, c := range cases {
		r := env.Do(t, req{Method: "POST", Path: "/v1/accounts", Body: c.body})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			continue
		}
		if !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s: the error does not name %s: %s", c.name, c.field, r.Body)
		}
	}
	for _, raw := range []string{"", "{", "[]", `{"email":"a@b.cn"} {}`, "null"} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/accounts", Body: raw})
		if r.Status != http.StatusBadRequest || r.ErrorCode() == "" {
			t.Errorf("body %q: %d %s", raw, r.Status, r.Body)
		}
	}
	r := env.Do(t, req{Method: "POST", Path: "/v1/accounts", Body: []byte("email=x"),
		Content: "application/x-www-form-urlencoded"})
	if r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("form body: %d %s", r.Status, r.Body)
	}
	big := `{"email":"` + strings.Repeat("a", 2<<20) + `"}`
	if r := env.Do(t, req{Method: "POST", Path: "/v1/accounts", Body: big}); r.Status != 413 {
		t.Errorf("2 MB body: %d", r.Status)
	}

	// Nothing was stored by any of them.
	var n int
	err := env.Store().Pool.QueryRow(context.Background(), "SELECT count(*) FROM accounts").Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("accounts after bad input: %d, %v", n, err)
	}
}

func TestLoginThrottle(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	u := env.Developer(t)
	for i := 0; i < 5; i++ {
		r := env.Do(t, req{Method: "POST", Path: "/v1/sessions",
			Body: map[string]any{"email": u.Email, "password": "wrong password"}})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.Status, r.Body)
		}
	}
	// The right password is refused too while the account is throttled.
	r := env.Do(t, req{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"email": u.Email, "password": u.Password}})
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "rate_limited" {
		t.Fatalf("after 5 failures: %d %s", r.Status, r.Body)
	}
	// Another account from the same address still gets in (the per-client limit is
	// higher), and unknown emails count against the client.
	other := env.Developer(t)
	env.Login(t, other.Email, other.Password)

	// A stranger's wrong guesses from another address do not lock the owner out...
	victim := env.Developer(t)
	h := env.API.Handler()
	loginFrom := func(addr, password string) int {
		body := `{"email":"` + victim.Email + `","password":"` + password + `"}`
		rq := httptest.NewRequest("POST", "/v1/sessions", strings.NewReader(body))
		rq.Header.Set("Content-Type", "application/json")
		rq.RemoteAddr = addr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, rq)
		return rec.Code
	}
	for i := range 6 {
		if got := loginFrom("198.51.100.7:4000", "a wrong guess"); got != http.StatusUnauthorized &&
			!(i == 5 && got == http.StatusTooManyRequests) {
			t.Fatalf("stranger's guess %d: %d", i, got)
		}
	}
	if got := loginFrom("198.51.100.7:4000", victim.Password); got != http.StatusTooManyRequests {
		t.Errorf("the stranger's address after 5 failures: %d, want 429", got)
	}
	env.Login(t, victim.Email, victim.Password)
	// ...while guesses spread over many addresses stop at the account-wide limit.
	for i := range 50 {
		loginFrom(fmt.Sprintf("198.51.100.%d:4000", 10+i), "a wrong guess")
	}
	if got := loginFrom("203.0.113.1:4000", victim.Password); got != http.StatusTooManyRequests {
		t.Errorf("after 50 failures from many addresses: %d, want 429", got)
	}
}

func TestSessionExpiryAndRotation(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	u := env.Developer(t)

	// An expired session is refused.
	_, err := env.Store().Pool.Exec(context.Background(),
		"UPDATE sessions SET expires_at = now() - interval '1 second' WHERE account_sid = $1", u.SID)
	if err != nil {
		t.Fatal(err)
	}
	if r := env.Do(t, req{Method: "GET", Path: "/v1/account", Token: u.Token}); r.Status != 401 {
		t.Fatalf("expired session: %d", r.Status)
	}
	token := env.Login(t, u.Email, u.Password)

	var before []byte
	q := "SELECT auth_token_hash FROM accounts WHERE sid = $1"
	_ = env.Store().Pool.QueryRow(context.Background(), q, u.SID).Scan(&before)
	r := env.Must(t, 200, req{Method: "POST", Path: "/v1/account/auth-token/rotate", Token: token})
	tok := r.Str("auth_token")
	var after []byte
	_ = env.Store().Pool.QueryRow(context.Background(), q, u.SID).Scan(&after)
	if len(tok) < 32 || string(before) == string(after) || string(after) != string(ids.Hash(tok)) {
		t.Errorf("rotation: token %q, stored hash changed %v, matches %v", tok,
			string(before) != string(after), string(after) == string(ids.Hash(tok)))
	}
	// The plain token is stored nowhere.
	var n int
	_ = env.Store().Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM accounts WHERE auth_token_hash = convert_to($1, 'UTF8')", tok).Scan(&n)
	if n != 0 {
		t.Error("the auth token is stored in plain")
	}
	_ = time.Now
}

func TestRoles(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	operator := env.Staff(t, "operator")
	post := func(token string) testenv.Response {
		return env.Do(t, req{Method: "POST", Path: "/v1/ops/announcements", Token: token,
			Body: map[string]any{"title": "Maintenance", "body": "Tonight."}})
	}
	if r := post(""); r.Status != 401 {
		t.Errorf("anonymous on ops: %d", r.Status)
	}
	if r := post(dev.Token); r.Status != 403 || r.ErrorCode() != "forbidden" {
		t.Errorf("developer on ops: %d %s", r.Status, r.Body)
	}
	if r := post(reviewer.Token); r.Status != 403 {
		t.Errorf("reviewer on ops: %d", r.Status)
	}
	if r := post(operator.Token); r.Status != 201 {
		t.Errorf("operator on ops: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, req{Method: "POST", Path: "/v1/account/auth-token/rotate",
		Token: operator.Token}); r.Status != 403 {
		t.Errorf("staff rotating a developer auth token: %d", r.Status)
	}
	if r := env.Do(t, req{Method: "GET", Path: "/v1/no-such-route"}); r.Status != 404 ||
		r.ErrorCode() != "not_found" {
		t.Errorf("unknown route: %d %s", r.Status, r.Body)
	}
}
