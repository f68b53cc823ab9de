package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/carrier"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// goLiveEnv is a console whose callback probes may reach loopback, as `dev` allows,
// with a quick carrier that fails transiently now and then.
func goLiveEnv(t testing.TB, allowPrivate bool) *testenv.Env {
	return testenv.New(t, testenv.Options{
		Configure: func(c *config.Config) { c.AllowPrivateCallbacks = allowPrivate },
		Activities: func(a *activities.Activities) {
			a.Outside.Carrier = &carrier.Simulated{Latency: 10 * time.Millisecond,
				FailureRate: 0.2}
		},
	})
}

// callbackServer is a developer's server on loopback that counts the requests it gets.
func callbackServer(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// verifiedDeveloper is a developer with an approved company verification and a
// balance of yuan.
func verifiedDeveloper(t testing.TB, env *testenv.Env, yuan int64) testenv.User {
	t.Helper()
	dev := env.Developer(t)
	ctx := context.Background()
	_, err := env.Store().Pool.Exec(ctx,
		"UPDATE accounts SET verification_level = 'company' WHERE sid = $1", dev.SID)
	if err != nil {
		t.Fatal(err)
	}
	if yuan > 0 {
		err = env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
			_, err := ledger.Post(ctx, q, ledger.Entry{AccountSID: dev.SID,
				Key: "test-topup:" + dev.SID, Category: ledger.CategoryRecharge,
				Amount: money.Li(yuan) * money.Yuan}, ledger.AllowArrears)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dev
}

// importNumbers adds numbers to the pool as an operator.
func importNumbers(t testing.TB, env *testenv.Env, op testenv.User, numbers ...string) {
	t.Helper()
	items := make([]map[string]string, len(numbers))
	for i, n := range numbers {
		items[i] = map[string]string{"number": n}
	}
	env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/ops/numbers",
		Token: op.Token, Body: map[string]any{"numbers": items}})
}

// eventually polls check every 50 ms until it holds or 30 seconds pass.
func eventually(t testing.TB, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// appStatus reads an app's status over the API.
func appStatus(t testing.TB, env *testenv.Env, u testenv.User, appID string) testenv.Response {
	return env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/apps/" + appID,
		Token: u.Token})
}

// waitReviewing waits until the go-live request is in the review queue.
func waitReviewing(t testing.TB, env *testenv.Env, reviewer testenv.User, requestID string) {
	t.Helper()
	eventually(t, "the request in the review queue", func() bool {
		r := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
			Path: "/v1/review/go-lives?limit=100", Token: reviewer.Token})
		return strings.Contains(string(r.Body), requestID)
	})
}

func decideGoLiveRequest(t testing.TB, env *testenv.Env, reviewer testenv.User, requestID string,
	want int, body map[string]any) testenv.Response {
	t.Helper()
	return env.Must(t, want, testenv.Request{Method: "POST",
		Path: "/v1/review/go-lives/" + requestID + "/decision", Token: reviewer.Token, Body: body})
}

func TestGoLiveOfAnIVRApp(t *testing.T) {
	env := goLiveEnv(t, true)
	cb, hits := callbackServer(t)
	op := env.Staff(t, "operator")
	reviewer := env.Staff(t, "reviewer")
	dev := verifiedDeveloper(t, env, 1500)
	importNumbers(t, env, op, "010-88889999", "0755-86013388")

	app := createApp(t, env, dev, "客服热线", "ivr", cb.URL+"/yiyun/callback")
	for _, f := range []string{"hello-world.wav", "vm-goodbye.mp3"} {
		if r := uploadMedia(t, env, dev, app, f, ivrFile(t, f)); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: %s", f, r.Body)
		}
	}

	// A test number, proved with the code from the SMS outbox.
	tn := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/test-numbers", Token: dev.Token, Body: map[string]any{"mobile": "13912345678"}})
	code := latestCode(t, env, op, "13912345678")
	if v := verify(t, env, dev, tn.Str("id"), code); v.Str("status") != "verified" {
		t.Fatalf("test number: %s", v.Body)
	}

	gl := env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token})
	reqID := gl.Str("id")
	if s := appStatus(t, env, dev, app).Str("status"); s != "reviewing" {
		t.Fatalf("app status after asking: %s", s)
	}
	// A second request while one is open is refused.
	env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token})
	waitReviewing(t, env, reviewer, reqID)
	if hits.Load() != 1 {
		t.Errorf("callback probed %d times, want 1", hits.Load())
	}

	// A rejection needs a reason; a developer may not decide.
	decideGoLiveRequest(t, env, reviewer, reqID, http.StatusBadRequest, map[string]any{"decision": "reject"})
	env.Must(t, http.StatusForbidden, testenv.Request{Method: "POST",
		Path: "/v1/review/go-lives/" + reqID + "/decision", Token: dev.Token,
		Body: map[string]any{"decision": "approve"}})

	d := decideGoLiveRequest(t, env, reviewer, reqID, http.StatusOK, map[string]any{"decision": "approve"})
	if d.Str("status") != "approved" && d.Str("status") != "live" {
		t.Fatalf("decision answer: %s", d.Body)
	}
	// A second, different decision is refused.
	decideGoLiveRequest(t, env, reviewer, reqID, http.StatusConflict,
		map[string]any{"decision": "reject", "reason": "changed my mind"})

	eventually(t, "the app live", func() bool {
		return appStatus(t, env, dev, app).Str("status") == "live"
	})
	month := ledger.Month(time.Now())

	// The app holds exactly one number of the pool.
	nums := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/numbers",
		Token: dev.Token})
	items, _ := nums.JSON["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("my numbers: %s", nums.Body)
	}
	bound := items[0].(map[string]any)
	number, _ := bound["number"].(string)
	if bound["app_id"] != app || bound["status"] != "bound" ||
		(number != "01088889999" && number != "075586013388") {
		t.Errorf("bound number: %v", bound)
	}

	// The first charges: 1000 number rent and 100 for the go-live month.
	rows, err := env.Store().Pool.Query(context.Background(), `SELECT idempotency_key,
		category, amount_li, app_id FROM ledger_entries WHERE account_sid = $1 AND kind = 'charge'
		ORDER BY amount_li`, dev.SID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var key, cat, appID string
		var amount int64
		rows.Scan(&key, &cat, &amount, &appID)
		got = append(got, strings.Join([]string{key, cat, money.Li(amount).String(), appID}, " "))
	}
	rows.Close()
	want := []string{
		"ivr-number-rent:" + app + ":" + reqID + " ivr_number_rent -1000.000 " + app,
		"ivr-app-rent:" + app + ":" + month + " ivr_app_rent -100.000 " + app,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("charges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	acct := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/account",
		Token: dev.Token})
	if acct.Str("balance") != "400.000" {
		t.Errorf("balance after first charges: %s", acct.Str("balance"))
	}
	msgs := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/messages?type=app", Token: dev.Token})
	if !strings.Contains(string(msgs.Body), "Go-live approved") ||
		!strings.Contains(string(msgs.Body), number) {
		t.Errorf("messages: %s", msgs.Body)
	}

	// Offline releases the number, which cools for 30 days.
	off := env.Must(t, http.StatusOK, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/offline", Token: dev.Token})
	if off.Str("status") != "offline" {
		t.Fatalf("offline: %s", off.Body)
	}
	env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/offline", Token: dev.Token})
	eventually(t, "the number cooling", func() bool {
		r := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
			Path: "/v1/ops/numbers?status=cooling", Token: op.Token})
		items, _ := r.JSON["items"].([]any)
		if len(items) != 1 {
			return false
		}
		until, _ := time.Parse(time.RFC3339, items[0].(map[string]any)["cooling_until"].(string))
		left := time.Until(until)
		return left > 30*24*time.Hour-time.Minute && left <= 30*24*time.Hour
	})
	if r := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/numbers",
		Token: dev.Token}); strings.Contains(string(r.Body), number) {
		t.Errorf("released number still listed: %s", r.Body)
	}
}

func TestGoLiveOfAVoiceNotificationApp(t *testing.T) {
	env := goLiveEnv(t, true)
	cb, _ := callbackServer(t)
	reviewer := env.Staff(t, "reviewer")
	dev := verifiedDeveloper(t, env, 0)

	app := createApp(t, env, dev, "通知", "voice_notification", cb.URL)
	gl := env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token})
	waitReviewing(t, env, reviewer, gl.Str("id"))

	// Rejected with a reason: the app is back in test as rejected.
	decideGoLiveRequest(t, env, reviewer, gl.Str("id"), http.StatusOK,
		map[string]any{"decision": "reject", "reason": "回调地址不是贵司的服务器"})
	a := appStatus(t, env, dev, app)
	if a.Str("status") != "rejected" || a.Str("status_reason") != "回调地址不是贵司的服务器" {
		t.Fatalf("after rejection: %s", a.Body)
	}

	// Asked again and withdrawn: back to test.
	gl = env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token})
	waitReviewing(t, env, reviewer, gl.Str("id"))
	w := env.Must(t, http.StatusOK, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live/withdraw", Token: dev.Token})
	if w.Str("status") != "withdrawn" || appStatus(t, env, dev, app).Str("status") != "test" {
		t.Fatalf("withdrawn: %s", w.Body)
	}
	decideGoLiveRequest(t, env, reviewer, gl.Str("id"), http.StatusConflict,
		map[string]any{"decision": "approve"})
	env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live/withdraw", Token: dev.Token})

	// Asked a third time and approved: live, with no charge and no number.
	gl = env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token})
	waitReviewing(t, env, reviewer, gl.Str("id"))
	decideGoLiveRequest(t, env, reviewer, gl.Str("id"), http.StatusOK, map[string]any{"decision": "approve"})
	eventually(t, "the app live", func() bool {
		return appStatus(t, env, dev, app).Str("status") == "live"
	})
	var charges int
	env.Store().Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM ledger_entries WHERE account_sid = $1", dev.SID).Scan(&charges)
	if charges != 0 {
		t.Errorf("ledger entries of a voice-notification go-live: %d", charges)
	}
	msgs := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/messages?type=app", Token: dev.Token})
	for _, title := range []string{"Go-live rejected", "Go-live withdrawn", "Go-live approved"} {
		if !strings.Contains(string(msgs.Body), title) {
			t.Errorf("message %q missing: %s", title, msgs.Body)
		}
	}
}

func TestGoLivePreconditions(t *testing.T) {
	env := goLiveEnv(t, false)
	cb, hits := callbackServer(t)
	reviewer := env.Staff(t, "reviewer")

	// No verification, no callback URL, too little balance for an IVR app.
	plain := env.Developer(t)
	app := createApp(t, env, plain, "a", "voice_code", cb.URL)
	r := env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: plain.Token})
	if !strings.Contains(r.Str("error"), "") || !strings.Contains(string(r.Body), "verification") {
		t.Errorf("unverified: %s", r.Body)
	}
	dev := verifiedDeveloper(t, env, 1099)
	noCallback := createApp(t, env, dev, "b", "voice_code", "")
	r = env.Must(t, http.StatusConflict, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + noCallback + "/go-live", Token: dev.Token})
	if !strings.Contains(string(r.Body), "callback URL") {
		t.Errorf("no callback: %s", r.Body)
	}
	ivr := createApp(t, env, dev, "c", "ivr", cb.URL)
	r = env.Must(t, http.StatusPaymentRequired, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + ivr + "/go-live", Token: dev.Token})
	if !strings.Contains(string(r.Body), "1100.000") {
		t.Errorf("balance: %s", r.Body)
	}
	stranger := env.Developer(t)
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + noCallback + "/go-live", Token: stranger.Token})
	env.Must(t, http.StatusNotFound, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + noCallback + "/offline", Token: stranger.Token})

	// A callback on loopback is refused by the probe when private addresses are not
	// allowed: the request fails with the reason and the server sees nothing.
	loop := createApp(t, env, dev, "d", "voice_code", cb.URL)
	gl := env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + loop + "/go-live", Token: dev.Token})
	eventually(t, "the app back in test", func() bool {
		return appStatus(t, env, dev, loop).Str("status") == "test"
	})
	a := appStatus(t, env, dev, loop)
	if !strings.Contains(a.Str("status_reason"), "does not call") || hits.Load() != 0 {
		t.Errorf("loopback probe: %s, %d hits", a.Body, hits.Load())
	}
	all := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/review/go-lives?status=failed", Token: reviewer.Token})
	if !strings.Contains(string(all.Body), gl.Str("id")) {
		t.Errorf("failed request not listed: %s", all.Body)
	}
	env.Must(t, http.StatusBadRequest, testenv.Request{Method: "GET",
		Path: "/v1/review/go-lives?status=nope", Token: reviewer.Token})
	decideGoLiveRequest(t, env, reviewer, gl.Str("id"), http.StatusConflict,
		map[string]any{"decision": "approve"})
	decideGoLiveRequest(t, env, reviewer, "0123456789abcdef0123456789abcdef", http.StatusNotFound,
		map[string]any{"decision": "approve"})
	decideGoLiveRequest(t, env, reviewer, gl.Str("id"), http.StatusBadRequest,
		map[string]any{"decision": "maybe"})
}

// TestGoLiveWithAnEmptyPool approves an IVR app when the pool has no free number:
// the request fails with the reason, the app is back in test, nothing is charged
// and the developer is told.
func TestGoLiveWithAnEmptyPool(t *testing.T) {
	env := goLiveEnv(t, true)
	cb, _ := callbackServer(t)
	reviewer := env.Staff(t, "reviewer")
	dev := verifiedDeveloper(t, env, 1100)

	app := createApp(t, env, dev, "IVR", "ivr", cb.URL)
	gl := env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token})
	waitReviewing(t, env, reviewer, gl.Str("id"))
	decideGoLiveRequest(t, env, reviewer, gl.Str("id"), http.StatusOK, map[string]any{"decision": "approve"})
	eventually(t, "the app back in test", func() bool {
		return appStatus(t, env, dev, app).Str("status") == "test"
	})

	if a := appStatus(t, env, dev, app); a.Str("status_reason") !=
		"no inbound number is free; try again later" {
		t.Errorf("app after an empty pool: %s", a.Body)
	}
	failed := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/review/go-lives?status=failed", Token: reviewer.Token})
	if !strings.Contains(string(failed.Body), gl.Str("id")) {
		t.Errorf("failed requests: %s", failed.Body)
	}
	var charges int
	env.Store().Pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger_entries
		WHERE account_sid = $1 AND kind = 'charge'`, dev.SID).Scan(&charges)
	acct := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/account",
		Token: dev.Token})
	if charges != 0 || acct.Str("balance") != "1100.000" {
		t.Errorf("%d charges, balance %s; want none and 1100.000", charges, acct.Str("balance"))
	}
	msgs := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/messages?type=app", Token: dev.Token})
	if !strings.Contains(string(msgs.Body), "Go-live failed") ||
		!strings.Contains(string(msgs.Body), "no inbound number is free") {
		t.Errorf("messages: %s", msgs.Body)
	}
}
