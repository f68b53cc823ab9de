package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

// createApp creates an app of type for u and returns its app_id.
func createApp(t testing.TB, env *testenv.Env, u testenv.User, name, typ, callback string) string {
	t.Helper()
	r := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: u.Token, Body: map[string]any{"name": name, "type": typ, "callback_url": callback}})
	return r.Str("app_id")
}

func TestAppsCreateReadUpdate(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)

	r := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: dev.Token, Body: map[string]any{
			"name": "  语音通知应用Alpha  ", "type": "voice_notification",
			"callback_url": "HTTPS://App.Example.com:8880/cb", "call_auth": true,
			"whitelist": " 203.0.113.7 ; 2001:db8::/32;API.example.com;203.0.113.7",
		}})
	id := r.Str("app_id")
	if len(id) != 32 || len(r.Str("app_token")) < 40 {
		t.Fatalf("app_id %q, token %q", id, r.Str("app_token"))
	}
	if r.Str("name") != "语音通知应用Alpha" || r.Str("status") != "test" ||
		r.Str("callback_url") != "https://app.example.com:8880/cb" ||
		r.Str("whitelist") != "203.0.113.7;2001:db8::/32;api.example.com" {
		t.Fatalf("created app: %s", r.Body)
	}
	if svc, _ := r.JSON["services"].([]any); len(svc) != 1 || svc[0] != "voice_notification" {
		t.Fatalf("services default: %v", r.JSON["services"])
	}

	// The token is shown once: reading the app does not show it.
	got := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/apps/" + id,
		Token: dev.Token})
	if _, ok := got.JSON["app_token"]; ok || got.Str("name") != "语音通知应用Alpha" {
		t.Fatalf("read app: %s", got.Body)
	}

	// Twenty Chinese characters are a valid name; 21 are not.
	twenty := strings.Repeat("应", 20)
	env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: dev.Token, Body: map[string]any{"name": twenty, "type": "ivr"}})
	bad := env.Must(t, http.StatusBadRequest, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: dev.Token, Body: map[string]any{"name": twenty + "用", "type": "ivr"}})
	if !strings.Contains(string(bad.Body), "at most 20 characters (it has 21)") {
		t.Errorf("21 characters: %s", bad.Body)
	}

	// The same name in another letter case is taken: 409 naming the field.
	dup := env.Must(t, http.StatusConflict, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: dev.Token, Body: map[string]any{"name": "语音通知应用ALPHA", "type": "ivr"}})
	if dup.ErrorCode() != "conflict" || !strings.Contains(string(dup.Body), `"field":"name"`) {
		t.Errorf("duplicate name: %s", dup.Body)
	}
	// Another account may use it.
	other := env.Developer(t)
	createApp(t, env, other, "语音通知应用alpha", "ivr", "")

	// PATCH changes what is given.
	p := env.Must(t, http.StatusOK, testenv.Request{Method: "PATCH", Path: "/v1/apps/" + id,
		Token: dev.Token, Body: map[string]any{"name": "Beta", "services": []string{
			"voice_notification", "voice_code", "voice_code"}}})
	if p.Str("name") != "Beta" || p.Str("callback_url") != "https://app.example.com:8880/cb" {
		t.Fatalf("patched: %s", p.Body)
	}
	if svc, _ := p.JSON["services"].([]any); len(svc) != 2 {
		t.Errorf("services: %v", p.JSON["services"])
	}
	env.Must(t, http.StatusConflict, testenv.Request{Method: "PATCH", Path: "/v1/apps/" + id,
		Token: dev.Token, Body: map[string]any{"name": twenty}})

	// Lists: mine only, newest first, paged.
	l := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/apps?limit=1",
		Token: dev.Token})
	items, _ := l.JSON["items"].([]any)
	if len(items) != 1 || l.Str("next_cursor") == "" {
		t.Fatalf("first page: %s", l.Body)
	}
	l2 := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/apps?limit=5&cursor=" + l.Str("next_cursor"), Token: dev.Token})
	items2, _ := l2.JSON["items"].([]any)
	if len(items2) != 1 || items2[0].(map[string]any)["app_id"] != id {
		t.Fatalf("second page: %s", l2.Body)
	}

	// Another account's app is not found, to read or to change.
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "GET", Path: "/v1/apps/" + id,
		Token: other.Token})
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "PATCH", Path: "/v1/apps/" + id,
		Token: other.Token, Body: map[string]any{"name": "mine"}})
}

func TestAppsBadInput(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	cases := []struct {
		name  string
		body  map[string]any
		field string
		says  string
	}{
		{"empty name", map[string]any{"name": "   ", "type": "ivr"}, "name", "is required"},
		{"bad type", map[string]any{"name": "a", "type": "sms"}, "type", "must be one of"},
		{"ftp callback", map[string]any{"name": "a", "type": "ivr", "callback_url": "ftp://x.cn"},
			"callback_url", "http:// or https://"},
		{"user info", map[string]any{"name": "a", "type": "ivr",
			"callback_url": "http://u:p@x.cn/"}, "callback_url", "user name"},
		{"bad port", map[string]any{"name": "a", "type": "ivr",
			"callback_url": "http://x.cn:70000/"}, "callback_url", ""},
		{"full-width semicolon", map[string]any{"name": "a", "type": "ivr",
			"whitelist": "8.8.8.8；8.8.4.4"}, "whitelist", "full-width semicolon ；"},
		{"bad entry", map[string]any{"name": "a", "type": "ivr",
			"whitelist": "8.8.8.8;300.1.1.1"}, "whitelist", "entry \\\"300.1.1.1\\\": not a valid IP"},
		{"bad service", map[string]any{"name": "a", "type": "ivr",
			"services": []string{"fax"}}, "services", "must be one of"},
		{"call auth without callback", map[string]any{"name": "a", "type": "ivr",
			"call_auth": true}, "call_auth", "needs a callback_url"},
	}
	for _, c := range cases {
		r := env.Do(t, testenv.Request{Method: "POST", Path: "/v1/apps", Token: dev.Token,
			Body: c.body})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body),
			`"field":"`+c.field+`"`) || !strings.Contains(string(r.Body), c.says) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	var n int
	if err := env.Store().Pool.QueryRow(t.Context(),
		"SELECT count(*) FROM apps").Scan(&n); err != nil || n != 0 {
		t.Fatalf("apps after bad input: %d, %v", n, err)
	}
	for _, q := range []string{"?status=gone", "?type=fax", "?limit=0", "?cursor=zz"} {
		env.Must(t, http.StatusBadRequest, testenv.Request{Method: "GET", Path: "/v1/apps" + q,
			Token: dev.Token})
	}
	staff := env.Staff(t, "operator")
	env.Must(t, http.StatusForbidden, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: staff.Token, Body: map[string]any{"name": "a", "type": "ivr"}})
}
