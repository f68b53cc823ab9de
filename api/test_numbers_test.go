package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

var smsCode = regexp.MustCompile(`验证码为 ([0-9]{6})`)

// latestCode reads the newest code texted to mobile from the SMS outbox.
func latestCode(t testing.TB, env *testenv.Env, op testenv.User, mobile string) string {
	t.Helper()
	var code string
	eventually(t, "the code in the outbox", func() bool {
		r := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
			Path: "/v1/ops/sms-outbox?mobile=" + mobile, Token: op.Token})
		m := smsCode.FindStringSubmatch(string(r.Body))
		if m == nil {
			return false
		}
		code = m[1]
		return true
	})
	return code
}

func verify(t testing.TB, env *testenv.Env, u testenv.User, id, code string) testenv.Response {
	t.Helper()
	var r testenv.Response
	// The first try may come before the workflow has sent the code.
	eventually(t, "the verification to accept codes", func() bool {
		r = env.Do(t, testenv.Request{Method: "POST", Path: "/v1/test-numbers/" + id + "/verify",
			Token: u.Token, Body: map[string]any{"code": code}})
		return !strings.Contains(string(r.Body), "still being sent")
	})
	return r
}

func TestTestNumbers(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	op := env.Staff(t, "operator")
	dev := env.Developer(t)

	add := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers", Token: dev.Token, Body: map[string]any{"mobile": "+86 139-1234-5678"}})
	id := add.Str("id")
	if add.Str("mobile") != "13912345678" || add.Str("status") != "pending" {
		t.Fatalf("added: %s", add.Body)
	}
	env.Must(t, http.StatusConflict, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
		Token: dev.Token, Body: map[string]any{"mobile": "13912345678"}})
	code := latestCode(t, env, op, "13912345678")

	// A wrong code counts a try; the right one verifies.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r := verify(t, env, dev, id, wrong)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4 tries left") {
		t.Fatalf("wrong code: %d %s", r.Status, r.Body)
	}
	stranger := env.Developer(t)
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers/" + id + "/verify", Token: stranger.Token,
		Body: map[string]any{"code": code}})
	r = verify(t, env, dev, id, code)
	if r.Status != http.StatusOK || r.Str("status") != "verified" {
		t.Fatalf("right code: %d %s", r.Status, r.Body)
	}
	env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers/" + id + "/verify", Token: dev.Token,
		Body: map[string]any{"code": code}})

	// Five wrong codes end the verification unverified.
	add2 := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers", Token: dev.Token, Body: map[string]any{"mobile": "13700000001"}})
	code2 := latestCode(t, env, op, "13700000001")
	bad := "123456"
	if code2 == bad {
		bad = "654321"
	}
	for i := 1; i <= 5; i++ {
		r := verify(t, env, dev, add2.Str("id"), bad)
		want := http.StatusBadRequest
		if i == 5 {
			want = http.StatusConflict
		}
		if r.Status != want {
			t.Fatalf("wrong code #%d: %d %s", i, r.Status, r.Body)
		}
	}
	l := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/test-numbers",
		Token: dev.Token})
	if !strings.Contains(string(l.Body), `"status":"expired"`) ||
		!strings.Contains(string(l.Body), `"status":"verified"`) {
		t.Errorf("list: %s", l.Body)
	}

	// At most five live test numbers; an expired one does not count.
	for _, m := range []string{"13700000002", "13700000003", "13700000004", "13700000005"} {
		env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
			Token: dev.Token, Body: map[string]any{"mobile": m}})
	}
	full := env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers", Token: dev.Token, Body: map[string]any{"mobile": "13700000006"}})
	if !strings.Contains(string(full.Body), "at most 5") {
		t.Errorf("sixth: %s", full.Body)
	}
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "DELETE",
		Path: "/v1/test-numbers/" + id, Token: stranger.Token})
	env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
		Path: "/v1/test-numbers/" + id, Token: dev.Token})
	env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
		Token: dev.Token, Body: map[string]any{"mobile": "13700000006"}})

	// Bad input.
	for _, m := range []any{"12345", "23800138000", "", 13800138000} {
		env.Must(t, http.StatusBadRequest, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
			Token: dev.Token, Body: map[string]any{"mobile": m}})
	}
	for _, c := range []string{"12345", "1234567", "12a456", ""} {
		env.Must(t, http.StatusBadRequest, testenv.Request{Method: "POST",
			Path: "/v1/test-numbers/" + add2.Str("id") + "/verify", Token: dev.Token,
			Body: map[string]any{"code": c}})
	}
	env.Must(t, http.StatusForbidden, testenv.Request{Method: "GET", Path: "/v1/ops/sms-outbox",
		Token: dev.Token})
}
