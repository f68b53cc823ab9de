package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/password"
)

// Response is an answer of the API, with its body decoded when it is JSON.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// ErrorCode returns the envelope's error code, or "".
func (r Response) ErrorCode() string {
	e, _ := r.JSON["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// Str returns a top-level string field of the JSON body.
func (r Response) Str(field string) string {
	s, _ := r.JSON[field].(string)
	return s
}

// Request is one API call.
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    any // encoded as JSON unless it is []byte
	Header  map[string]string
	Content string // Content-Type when Body is []byte
}

// Do sends req to the Env's API.
func (e *Env) Do(t testing.TB, req Request) Response {
	t.Helper()
	var body io.Reader
	ctype := req.Content
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = bytes.NewReader([]byte(b))
		if ctype == "" {
			ctype = "application/json"
		}
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encoding body: %v", err)
		}
		body = bytes.NewReader(raw)
		ctype = "application/json"
	}
	hr, err := http.NewRequestWithContext(context.Background(), req.Method, e.URL+req.Path, body)
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading answer of %s %s: %v", req.Method, req.Path, err)
	}
	out := Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	_ = json.Unmarshal(raw, &out.JSON)
	return out
}

// Must sends req and fails the test unless the answer has status want.
func (e *Env) Must(t testing.TB, want int, req Request) Response {
	t.Helper()
	r := e.Do(t, req)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", req.Method, req.Path, r.Status, want,
			r.Body)
	}
	return r
}

// User is a signed-in account.
type User struct {
	SID      string
	Email    string
	Password string
	Token    string
}

var userSeq = 0

// Developer registers a developer account and signs it in.
func (e *Env) Developer(t testing.TB) User {
	t.Helper()
	e.mu.Lock()
	userSeq++
	n := userSeq
	e.mu.Unlock()
	u := User{
		Email:    fmt.Sprintf("dev%d-%s@example.com", n, ids.New()[:8]),
		Password: "correct horse battery",
	}
	r := e.Must(t, http.StatusCreated, Request{Method: "POST", Path: "/v1/accounts", Body: map[string]any{
		"email": u.Email, "password": u.Password, "mobile": "13800138000",
		"contact_name": "Test Developer",
	}})
	u.SID = r.Str("account_sid")
	u.Token = e.Login(t, u.Email, u.Password)
	return u
}

// Staff creates a reviewer or operator as the command line does, and signs it in.
func (e *Env) Staff(t testing.TB, role string) User {
	t.Helper()
	u := User{Email: role + "-" + ids.New()[:8] + "@example.com", Password: "staff password 1"}
	acct, err := e.Store().CreateAccount(context.Background(), db.CreateAccountParams{
		Sid: ids.New(), Role: role, Email: u.Email, PasswordHash: password.Hash(u.Password),
		ContactName: role,
	})
	if err != nil {
		t.Fatalf("creating %s: %v", role, err)
	}
	u.SID = acct.Sid
	u.Token = e.Login(t, u.Email, u.Password)
	return u
}

// Login signs in and returns the session token.
func (e *Env) Login(t testing.TB, email, pw string) string {
	t.Helper()
	r := e.Must(t, http.StatusCreated, Request{Method: "POST", Path: "/v1/sessions",
		Body: map[string]any{"email": email, "password": pw}})
	return r.Str("token")
}
