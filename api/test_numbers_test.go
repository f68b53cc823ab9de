package api_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/sms"
	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/workflows"
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

// outboxCodes counts the codes texted to mobile.
func outboxCodes(t testing.TB, env *testenv.Env, op testenv.User, mobile string) int {
	t.Helper()
	r := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/ops/sms-outbox?limit=100&mobile=" + mobile, Token: op.Token})
	return len(smsCode.FindAllString(string(r.Body), -1))
}

// Deleting and adding a number again texts at most 3 codes in 10 minutes, 10 a day
// per mobile and 20 a day per account; beyond that nothing is created or sent.
func TestTestNumberResendLimits(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	op := env.Staff(t, "operator")
	dev := env.Developer(t)
	const mobile = "13800000011"
	add := func(m string) testenv.Response {
		return env.Do(t, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
			Token: dev.Token, Body: map[string]any{"mobile": m}})
	}
	for i := 1; i <= 3; i++ {
		r := add(mobile)
		if r.Status != http.StatusCreated {
			t.Fatalf("addition #%d: %d %s", i, r.Status, r.Body)
		}
		eventually(t, "code #"+r.Str("id"), func() bool {
			return outboxCodes(t, env, op, mobile) == i
		})
		env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
			Path: "/v1/test-numbers/" + r.Str("id"), Token: dev.Token})
	}
	r := add(mobile)
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "rate_limited" ||
		!strings.Contains(string(r.Body), "try again after") {
		t.Fatalf("fourth addition within 10 minutes: %d %s", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 540 || s > 600 {
		t.Errorf("Retry-After %q, want about 600 seconds", r.Header.Get("Retry-After"))
	}
	time.Sleep(time.Second)
	if n := outboxCodes(t, env, op, mobile); n != 3 {
		t.Errorf("%d codes sent, want 3", n)
	}
	if n := countRows(t, env, `SELECT count(*) FROM test_numbers WHERE mobile = $1`, mobile); n != 0 {
		t.Errorf("%d test numbers after the refusal, want 0", n)
	}
	// Another mobile is not limited by this one's codes.
	if r := add("13800000012"); r.Status != http.StatusCreated {
		t.Errorf("another mobile: %d %s", r.Status, r.Body)
	}

	// The counts are kept in Postgres: codes sent by any process, earlier today.
	backdate := func(m string, n int, ago time.Duration) {
		t.Helper()
		for i := 0; i < n; i++ {
			if _, err := env.Store().Pool.Exec(context.Background(), `INSERT INTO test_number_codes
				(account_sid, mobile, created_at) VALUES ($1, $2, $3)`, dev.SID, m,
				time.Now().Add(-ago)); err != nil {
				t.Fatal(err)
			}
		}
	}
	backdate("13800000013", 10, 2*time.Hour)
	if r := add("13800000013"); r.Status != http.StatusTooManyRequests {
		t.Errorf("an eleventh code in a day: %d %s", r.Status, r.Body)
	}
	// 4 codes so far today plus 10 above plus 6 more make 20 across mobiles.
	backdate("13800000014", 6, time.Hour)
	r = add("13800000015")
	if r.Status != http.StatusTooManyRequests || !strings.Contains(string(r.Body), "try again") {
		t.Errorf("a twenty-first code in a day: %d %s", r.Status, r.Body)
	}
	if s, _ := strconv.Atoi(r.Header.Get("Retry-After")); s < 22*3600 || s > 22*3600+10 {
		t.Errorf("Retry-After %q, want 22 hours", r.Header.Get("Retry-After"))
	}
	// Codes older than a day count no more.
	if _, err := env.Store().Pool.Exec(context.Background(), `UPDATE test_number_codes
		SET created_at = created_at - interval '1 day' WHERE mobile <> $1`, mobile); err != nil {
		t.Fatal(err)
	}
	if r := add("13800000015"); r.Status != http.StatusCreated {
		t.Errorf("after a day: %d %s", r.Status, r.Body)
	}
}

// The code never enters the workflow's history: the verify Update carries a salted
// HMAC, and neither the code nor its unsalted hash appear.
func TestTestNumberCodeNotInHistory(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	op := env.Staff(t, "operator")
	dev := env.Developer(t)
	add := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers", Token: dev.Token, Body: map[string]any{"mobile": "13800000021"}})
	id := add.Str("id")
	code := latestCode(t, env, op, "13800000021")
	if r := verify(t, env, dev, id, code); r.Status != http.StatusOK || r.Str("status") != "verified" {
		t.Fatalf("verify: %d %s", r.Status, r.Body)
	}
	ctx := context.Background()
	unsalted := activities.TestCodeHash(id, code)
	updates := 0
	iter := env.App.Temporal.GetWorkflowHistory(ctx, workflows.TestNumberID(id), "", false, 0)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		var payloads []*commonpb.Payload
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			updates++
			payloads = a.GetAcceptedRequest().GetInput().GetArgs().GetPayloads()
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil {
			payloads = a.GetResult().GetPayloads()
		}
		for _, p := range payloads {
			if s := string(p.GetData()); strings.Contains(s, code) || strings.Contains(s, unsalted) {
				t.Errorf("event %d %s holds the code: %s", ev.GetEventId(), ev.GetEventType(), s)
			}
		}
	}
	if updates != 1 {
		t.Errorf("%d verify Updates in the history, want 1", updates)
	}
}

// failingOnce is an SMS sender whose gateway fails the first message, then passes
// the rest to the outbox.
type failingOnce struct {
	next   sms.Sender
	failed atomic.Bool
}

func (f *failingOnce) Send(ctx context.Context, m sms.Message) error {
	if f.failed.CompareAndSwap(false, true) {
		return errors.New("the SMS gateway timed out")
	}
	return f.next.Send(ctx, m)
}

// TestTestNumberResentCodeCounts: a code texted again by a retry after the gateway
// failed counts against the resend limits like the first.
func TestTestNumberResentCodeCounts(t *testing.T) {
	env := testenv.New(t, testenv.Options{Activities: func(a *activities.Activities) {
		a.Outside.SMS = &failingOnce{next: a.Outside.SMS}
	}})
	op := env.Staff(t, "operator")
	dev := env.Developer(t)
	const mobile = "13800000021"
	r := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
		Token: dev.Token, Body: map[string]any{"mobile": mobile}})
	latestCode(t, env, op, mobile) // sent by the retry
	if n := countRows(t, env, `SELECT count(*) FROM test_number_codes
		WHERE account_sid = $1 AND mobile = $2`, dev.SID, mobile); n != 2 {
		t.Errorf("%d codes recorded for one addition whose first send failed, want 2", n)
	}
	env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
		Path: "/v1/test-numbers/" + r.Str("id"), Token: dev.Token})
	second := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers", Token: dev.Token, Body: map[string]any{"mobile": mobile}})
	eventually(t, "the second code", func() bool { return outboxCodes(t, env, op, mobile) == 2 })
	env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
		Path: "/v1/test-numbers/" + second.Str("id"), Token: dev.Token})
	// Two additions, three codes: the limit of three in ten minutes is reached.
	if r := env.Do(t, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
		Token: dev.Token, Body: map[string]any{"mobile": mobile}}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("third addition: %d %s, want 429", r.Status, r.Body)
	}
}

// TestTestNumberLimitPerMobileAcrossAccounts: new accounts cannot flood one
// stranger's phone: the mobile gets at most five codes an hour whoever asks.
func TestTestNumberLimitPerMobileAcrossAccounts(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	const mobile = "13800000031"
	addAndDelete := func(dev testenv.User) int {
		r := env.Do(t, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
			Token: dev.Token, Body: map[string]any{"mobile": mobile}})
		if r.Status == http.StatusCreated {
			env.Must(t, http.StatusNoContent, testenv.Request{Method: "DELETE",
				Path: "/v1/test-numbers/" + r.Str("id"), Token: dev.Token})
		}
		return r.Status
	}
	first, second, third := env.Developer(t), env.Developer(t), env.Developer(t)
	for i := range 3 {
		if got := addAndDelete(first); got != http.StatusCreated {
			t.Fatalf("first account, addition %d: %d", i+1, got)
		}
	}
	for i := range 2 {
		if got := addAndDelete(second); got != http.StatusCreated {
			t.Fatalf("second account, addition %d: %d", i+1, got)
		}
	}
	if got := addAndDelete(second); got != http.StatusTooManyRequests {
		t.Errorf("sixth code for the mobile: %d, want 429", got)
	}
	if got := addAndDelete(third); got != http.StatusTooManyRequests {
		t.Errorf("a new account's first code for the mobile: %d, want 429", got)
	}
	if got := env.Do(t, testenv.Request{Method: "POST", Path: "/v1/test-numbers",
		Token: third.Token,
		Body:  map[string]any{"mobile": "13800000032"}}); got.Status != http.StatusCreated {
		t.Errorf("another mobile: %d %s", got.Status, got.Body)
	}
	if n := countRows(t, env, "SELECT count(*) FROM test_number_codes WHERE mobile = $1",
		mobile); n != 5 {
		t.Errorf("%d codes recorded for the mobile, want 5", n)
	}
}
