package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// insertApp stores an app for sid directly, as the app feature would, and returns
// its ID.
func insertApp(t testing.TB, env *testenv.Env, sid, appType, status string) string {
	t.Helper()
	id := ids.New()
	_, err := env.Store().Pool.Exec(context.Background(), `INSERT INTO apps
		(id, account_sid, name, type, status, app_token_hash) VALUES ($1, $2, $3, $4, $5, '\x00')`,
		id, sid, "app "+id[:6], appType, status)
	if err != nil {
		t.Fatalf("inserting app: %v", err)
	}
	return id
}

// credit tops sid up by amount through the ledger.
func credit(t testing.TB, env *testenv.Env, sid string, amount money.Li) {
	t.Helper()
	err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.Post(context.Background(), q, ledger.Entry{AccountSID: sid,
			Key: "test-credit:" + ids.New(), Category: ledger.CategoryRecharge, Amount: amount},
			ledger.RequireFunds)
		return err
	})
	if err != nil {
		t.Fatalf("crediting: %v", err)
	}
}

// balanceOf reads sid's balance in li.
func balanceOf(t testing.TB, env *testenv.Env, sid string) int64 {
	t.Helper()
	acct, err := env.Store().GetAccountBySID(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return acct.BalanceLi
}

// checkLedger fails the test unless every balance equals the sum of its entries.
func checkLedger(t testing.TB, env *testenv.Env) {
	t.Helper()
	_, bad, err := ledger.Check(context.Background(), env.Store().Queries)
	if err != nil || len(bad) > 0 {
		t.Fatalf("ledger check: %v %+v", err, bad)
	}
}

// call is a call record as the platform posts it: answered when billed > 0 or
// outcome is answered.
func call(callID, appID string, start time.Time, billed int, outcome string) map[string]any {
	m := map[string]any{"call_id": callID, "app_id": appID, "caller": "13800000001",
		"callee": "13900000002", "start_time": start.Format(time.RFC3339),
		"end_time":       start.Add(time.Duration(billed+10) * time.Second).Format(time.RFC3339),
		"billed_seconds": billed, "outcome": outcome}
	if outcome == "answered" {
		m["answer_time"] = start.Add(10 * time.Second).Format(time.RFC3339)
	} else {
		m["hangup_cause"] = "NO_USER_RESPONSE"
	}
	return m
}

// recentStart is 10:00 UTC two days ago: a start time the intake accepts, which
// refuses records more than a year old.
func recentStart() time.Time {
	return time.Now().UTC().AddDate(0, 0, -2).Truncate(24 * time.Hour).Add(10 * time.Hour)
}

func postBatch(t testing.TB, env *testenv.Env, records ...map[string]any) testenv.Response {
	t.Helper()
	return env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/platform/cdrs",
		Token: env.Config.PlatformToken, Body: map[string]any{"records": records}})
}

// counts returns the accepted, duplicate and rejected counts of an intake answer.
func counts(r testenv.Response) string {
	return fmt.Sprintf("%v/%v/%v", r.JSON["accepted"], r.JSON["duplicate"], r.JSON["rejected"])
}

func TestCDRIntakeRatesOnceAndCharges(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	app := insertApp(t, env, dev.SID, "voice_notification", "live") // 0.060 a minute
	credit(t, env, dev.SID, 10*money.Yuan)
	start := recentStart()

	// Rating by started minute: 0 s is 0, 59 and 60 s are 1, 61 s is 2.
	batch := []map[string]any{
		call("c-0", app, start, 0, "answered"),
		call("c-59", app, start, 59, "answered"),
		call("c-60", app, start, 60, "answered"),
		call("c-61", app, start, 61, "answered"),
		call("c-na", app, start, 0, "no_answer"),
	}
	r := postBatch(t, env, batch...)
	if counts(r) != "5/0/0" || r.Str("charged") != "0.240" {
		t.Fatalf("first batch: %s", r.Body)
	}
	if b := balanceOf(t, env, dev.SID); b != 10_000-240 {
		t.Fatalf("balance %d after the first batch", b)
	}
	list := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/cdrs?limit=100",
		Token: dev.Token})
	minutes := map[string]float64{}
	for _, it := range list.JSON["items"].([]any) {
		c := it.(map[string]any)
		minutes[c["call_id"].(string)] = c["billed_minutes"].(float64)
	}
	want := map[string]float64{"c-0": 0, "c-59": 1, "c-60": 1, "c-61": 2, "c-na": 0}
	if fmt.Sprint(minutes) != fmt.Sprint(want) {
		t.Errorf("billed minutes %v, want %v", minutes, want)
	}

	// The same batch again stores and charges nothing.
	r = postBatch(t, env, batch...)
	if counts(r) != "0/5/0" || r.Str("charged") != "0.000" {
		t.Fatalf("repeated batch: %s", r.Body)
	}

	// An overlapping batch stores only its new records; a repeat inside it counts
	// as a duplicate too.
	r = postBatch(t, env, batch[1], call("c-120", app, start, 120, "answered"), batch[3],
		call("c-1", app, start, 1, "answered"), call("c-1", app, start, 1, "answered"))
	if counts(r) != "2/3/0" || r.Str("charged") != "0.180" {
		t.Fatalf("overlapping batch: %s", r.Body)
	}
	if b := balanceOf(t, env, dev.SID); b != 10_000-240-180 {
		t.Fatalf("balance %d after the overlapping batch", b)
	}

	// One ledger entry per app and batch, with its counts.
	cons := env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/stats/consumption?from=2020-01-01&by=app", Token: dev.Token})
	if cons.Str("total") != "0.420" {
		t.Errorf("consumption: %s", cons.Body)
	}
	var descs []string
	rows, _ := env.Store().Pool.Query(context.Background(),
		`SELECT description FROM ledger_entries WHERE category = 'call_usage' ORDER BY id`)
	for rows.Next() {
		var d string
		_ = rows.Scan(&d)
		descs = append(descs, d)
	}
	if strings.Join(descs, "|") != "Call usage: 5 calls, 4 billed minutes|"+
		"Call usage: 2 calls, 3 billed minutes" {
		t.Errorf("ledger entries: %q", descs)
	}
	checkLedger(t, env)
}

func TestCDRIntakeArrearsAndAccountPrice(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	app := insertApp(t, env, dev.SID, "ivr", "live")
	err := env.Store().UpsertAccountCallPrice(context.Background(), db.UpsertAccountCallPriceParams{
		AccountSid: dev.SID, CallType: "ivr", PricePerMinuteLi: 250})
	if err != nil {
		t.Fatal(err)
	}
	start := recentStart()
	// A click-to-call record of an IVR app is rated at the default click-to-call price.
	c2c := call("x-2", app, start, 61, "answered")
	c2c["call_type"] = "click_to_call"
	r := postBatch(t, env, call("x-1", app, start, 125, "answered"), c2c)
	if counts(r) != "2/0/0" || r.Str("charged") != "0.990" {
		t.Fatalf("batch: %s", r.Body)
	}
	// Call usage is posted whatever the balance, and the account is told it is in
	// arrears.
	if b := balanceOf(t, env, dev.SID); b != -990 {
		t.Errorf("balance %d", b)
	}
	msgs := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages?type=billing",
		Token: dev.Token})
	if !strings.Contains(string(msgs.Body), "arrears") {
		t.Errorf("no arrears message: %s", msgs.Body)
	}
	checkLedger(t, env)
}

func TestCDRIntakeBadRecords(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	app := insertApp(t, env, dev.SID, "voice_code", "live")
	start := recentStart()

	noID := call("", app, start, 30, "answered")
	badType := call("b-2", app, start, 30, "answered")
	badType["billed_seconds"] = "thirty"
	unknownApp := call("b-3", ids.New(), start, 30, "answered")
	backwards := call("b-4", app, start, 30, "answered")
	backwards["end_time"] = start.Add(-time.Minute).Format(time.RFC3339)
	unanswered := call("b-5", app, start, 30, "busy")
	r := postBatch(t, env, call("b-0", app, start, 30, "answered"), noID, badType, unknownApp,
		backwards, unanswered, call("b-6", app, start, 90, "answered"))
	if counts(r) != "2/0/5" || r.Str("charged") != "0.180" {
		t.Fatalf("batch: %s", r.Body)
	}
	var got []string
	for _, e := range r.JSON["errors"].([]any) {
		m := e.(map[string]any)
		got = append(got, fmt.Sprintf("%v:%v", m["index"], m["field"]))
	}
	want := "1:call_id 2:billed_seconds 3:app_id 4:end_time 5:billed_seconds"
	if strings.Join(got, " ") != want {
		t.Errorf("errors %v, want %s; %s", got, want, r.Body)
	}

	// The whole request is refused when it is not a batch, or not from the platform.
	for _, c := range []struct {
		token, body string
		status      int
	}{
		{env.Config.PlatformToken, `{"records": []}`, http.StatusBadRequest},
		{env.Config.PlatformToken, `{"records": 5}`, http.StatusBadRequest},
		{env.Config.PlatformToken, `[`, http.StatusBadRequest},
		{dev.Token, `{"records": [{}]}`, http.StatusUnauthorized},
		{"", `{"records": [{}]}`, http.StatusUnauthorized},
	} {
		got := env.Do(t, req{Method: "POST", Path: "/v1/platform/cdrs", Token: c.token,
			Body: c.body})
		if got.Status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.body, got.Status, c.status, got.Body)
		}
	}
	many := make([]map[string]any, 1001)
	for i := range many {
		many[i] = call(fmt.Sprint("m-", i), app, start, 1, "answered")
	}
	tooMany := env.Do(t, req{Method: "POST", Path: "/v1/platform/cdrs",
		Token: env.Config.PlatformToken, Body: map[string]any{"records": many}})
	if tooMany.Status != http.StatusBadRequest {
		t.Errorf("1,001 records: %d", tooMany.Status)
	}
	checkLedger(t, env)
}

// TestCDRIntakeChargesInOneGo posts a batch that charges two apps of one account
// and an app of another together: each app gets its entry with the balance after
// it, as posting them one by one would give, and the low-balance and arrears
// messages are posted once each, when the balance crosses.
func TestCDRIntakeChargesInOneGo(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev, other := env.Developer(t), env.Developer(t)
	appA := insertApp(t, env, dev.SID, "voice_notification", "live") // 0.060 a minute
	appB := insertApp(t, env, dev.SID, "voice_notification", "live")
	appC := insertApp(t, env, other.SID, "voice_notification", "live")
	credit(t, env, dev.SID, 1*money.Yuan)
	credit(t, env, other.SID, 1*money.Yuan)
	env.Must(t, http.StatusOK, req{Method: "PATCH", Path: "/v1/account", Token: dev.Token,
		Body: map[string]any{"low_balance_threshold": "0.90"}})
	start := recentStart()

	// A: 2 calls of 5 minutes (0.600); B: 1 call of 10 minutes (0.600); C: 1 minute.
	r := postBatch(t, env, call("g-1", appA, start, 300, "answered"),
		call("g-2", appB, start, 600, "answered"), call("g-3", appA, start, 300, "answered"),
		call("g-4", appC, start, 60, "answered"))
	if counts(r) != "4/0/0" || r.Str("charged") != "1.260" {
		t.Fatalf("batch: %s", r.Body)
	}
	if b := balanceOf(t, env, dev.SID); b != 1000-1200 {
		t.Errorf("balance %d", b)
	}
	if b := balanceOf(t, env, other.SID); b != 1000-60 {
		t.Errorf("other balance %d", b)
	}
	checkLedger(t, env)

	// The two entries of dev chain their balances: 1.000 - 0.600 - 0.600.
	rows, err := env.Store().Pool.Query(context.Background(), `SELECT app_id, amount_li,
		balance_after_li FROM ledger_entries WHERE account_sid = $1 AND kind = 'charge'
		ORDER BY balance_after_li DESC`, dev.SID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var app string
		var amount, after int64
		_ = rows.Scan(&app, &amount, &after)
		got = append(got, fmt.Sprintf("%t:%d:%d", app == appA || app == appB, amount, after))
	}
	if strings.Join(got, " ") != "true:-600:400 true:-600:-200" {
		t.Errorf("entries %v", got)
	}

	msgs := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages?type=billing",
		Token: dev.Token})
	var titles []string
	for _, m := range items(msgs) {
		titles = append(titles, m["title"].(string))
	}
	slices.Sort(titles)
	if strings.Join(titles, "|") != "Account in arrears|Low balance" {
		t.Errorf("billing messages %q", titles)
	}
	if o := items(env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/messages?type=billing", Token: other.Token})); len(o) != 0 {
		t.Errorf("the other account, still in funds, was told %v", o)
	}
}

// TestCDRIntakeRefusesImplausibleRecords posts billed seconds far beyond the call's
// own times (large enough to overflow a duration or an int4) and start times in the
// future or more than a year ago: each is refused by its index, nothing of it is
// charged or stored, and the good records around it are.
func TestCDRIntakeRefusesImplausibleRecords(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	app := insertApp(t, env, dev.SID, "voice_notification", "live") // 0.060 a minute
	credit(t, env, dev.SID, 10*money.Yuan)
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)

	// billed sets billed_seconds on a 120-second answered call.
	billed := func(id string, v any) map[string]any {
		c := call(id, app, start, 120, "answered")
		c["billed_seconds"] = v
		return c
	}
	r := postBatch(t, env,
		call("i-0", app, start, 120, "answered"),
		billed("i-1", 9300000000),
		billed("i-2", int64(9223372036854775807)),
		billed("i-3", 122), // 120 s of talk and 1 s of slack
		billed("i-4", 121),
		call("i-5", app, time.Now().Add(time.Hour), 30, "answered"),
		call("i-6", app, time.Now().AddDate(-1, 0, -2), 30, "answered"),
		call("i-7", app, time.Now().Add(time.Minute), 0, "no_answer"),
	)
	if counts(r) != "3/0/5" || r.Str("charged") != "0.300" {
		t.Fatalf("batch: %s", r.Body)
	}
	var got []string
	for _, e := range r.JSON["errors"].([]any) {
		m := e.(map[string]any)
		got = append(got, fmt.Sprintf("%v:%v:%v", m["index"], m["call_id"], m["field"]))
	}
	want := "1:i-1:billed_seconds 2:i-2:billed_seconds 3:i-3:billed_seconds " +
		"5:i-5:start_time 6:i-6:start_time"
	if strings.Join(got, " ") != want {
		t.Errorf("errors %v, want %s; %s", got, want, r.Body)
	}
	if b := balanceOf(t, env, dev.SID); b != 10_000-300 {
		t.Errorf("balance %d, want %d", b, 10_000-300)
	}
	var n, sec int64
	err := env.Store().Pool.QueryRow(context.Background(),
		`SELECT count(*), coalesce(sum(billed_seconds), 0) FROM cdrs`).Scan(&n, &sec)
	if err != nil || n != 3 || sec != 120+121 {
		t.Errorf("stored %d records of %d billed seconds (%v), want 3 of 241", n, sec, err)
	}
	checkLedger(t, env)
}
