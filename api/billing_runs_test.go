package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// runDone waits for a month's run to complete and returns it.
func runDone(t *testing.T, env *testenv.Env, ops testenv.User, month string) testenv.Response {
	t.Helper()
	var run testenv.Response
	eventually(t, "billing run "+month, func() bool {
		run = env.Do(t, req{Method: "GET", Path: "/v1/ops/billing-runs/" + month, Token: ops.Token})
		return run.Str("status") == "completed"
	})
	return run
}

func TestBillingRunChargesEveryLiveIVRAppOnce(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := env.Staff(t, "operator")
	month := ledger.Month(time.Now())
	since := time.Now().AddDate(0, -2, 0)

	payer := env.Developer(t)
	fund(t, env, payer.SID, 300*money.Yuan, time.Time{})
	paid1 := liveApp(t, env, payer.SID, "ivr", "live", since)
	paid2 := liveApp(t, env, payer.SID, "ivr", "live", since)
	liveApp(t, env, payer.SID, "ivr", "offline", since)
	liveApp(t, env, payer.SID, "voice_notification", "live", since)

	short := env.Developer(t)
	fund(t, env, short.SID, 50*money.Yuan, time.Time{})
	unpaid := liveApp(t, env, short.SID, "ivr", "live", since)

	// An app that went live this month paid the month at go-live.
	goLive := env.Developer(t)
	fund(t, env, goLive.SID, 100*money.Yuan, time.Time{})
	fresh := liveApp(t, env, goLive.SID, "ivr", "live", time.Now())
	err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.ChargeIVRAppRent(context.Background(), q, goLive.SID, fresh, month)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Two operators start the month's run at once: one run.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := env.Do(t, req{Method: "POST", Path: "/v1/ops/billing-runs", Token: ops.Token,
				Body: map[string]any{"month": month}})
			wantID := "billing-run/" + env.Config.TaskQueue + "/" + month
			if r.Status != http.StatusAccepted || r.Str("workflow_id") != wantID {
				t.Errorf("start run: %d %s", r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	run := runDone(t, env, ops, month)
	if run.JSON["apps_charged"] != float64(3) || run.JSON["apps_unpaid"] != float64(1) {
		t.Fatalf("run: %s", run.Body)
	}
	if b := balance(t, env, payer); b != "100.000" {
		t.Errorf("payer balance %s, want 100.000", b)
	}
	if b := balance(t, env, short); b != "50.000" {
		t.Errorf("short balance %s, want 50.000", b)
	}
	if b := balance(t, env, goLive); b != "0.000" {
		t.Errorf("go-live balance %s, want 0.000", b)
	}
	for _, app := range []string{paid1, paid2, fresh} {
		if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE idempotency_key = $1`,
			ledger.IVRAppRentKey(app, month)); n != 1 {
			t.Errorf("app %s charged %d times", app, n)
		}
	}
	if n := countRows(t, env, `SELECT count(*) FROM messages WHERE account_sid = $1
		AND title = 'IVR rent unpaid'`, short.SID); n != 1 {
		t.Errorf("%d unpaid messages, want 1", n)
	}

	// Starting the month again changes nothing.
	env.Must(t, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs", Token: ops.Token,
		Body: map[string]any{"month": month}})
	time.Sleep(500 * time.Millisecond)
	if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE category = 'ivr_app_rent'`); n != 3 {
		t.Errorf("%d rent charges after a second start, want 3", n)
	}
	// Thirteen months before this Beijing month is too far back.
	first, _ := billing.ParseMonth("month", month)
	past := ledger.Month(first.AddDate(0, -13, 0))
	for _, bad := range []any{"2026-13", "26-01", "9999-01", "", 202612, nil, "1970-01", past,
		map[string]any{"y": 2026}} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/ops/billing-runs", Token: ops.Token,
			Body: map[string]any{"month": bad}})
		_, isText := bad.(string)
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" ||
			(isText && !strings.Contains(string(r.Body), `"field":"month"`)) {
			t.Errorf("month %v: %d %s", bad, r.Status, r.Body)
		}
	}
	for _, body := range []string{`{"month": "2026-01"`, `[]`, `{"month": "2026-01", "x": 1}`} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/ops/billing-runs", Token: ops.Token,
			Body: []byte(body), Content: "application/json"})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
			t.Errorf("body %s: %d %s", body, r.Status, r.Body)
		}
	}
	if n := countRows(t, env, `SELECT count(*) FROM billing_runs`); n != 1 {
		t.Errorf("%d billing runs after refused starts, want 1", n)
	}
	env.Must(t, http.StatusForbidden, req{Method: "POST", Path: "/v1/ops/billing-runs",
		Token: payer.Token, Body: map[string]any{"month": month}})

	// Topping up lets the arrears workflow charge the unpaid app at once.
	id := order(t, env, short, "60", "sandbox")
	env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/sandbox/pay/" + id, Token: short.Token})
	eventually(t, "arrears paid after top-up", func() bool {
		return countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE idempotency_key = $1`,
			ledger.IVRAppRentKey(unpaid, month)) == 1
	})
	if b := balance(t, env, short); b != "10.000" {
		t.Errorf("short balance after top-up %s, want 10.000", b)
	}
	eventually(t, "no app unpaid", func() bool {
		r := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/ops/billing-runs/" + month,
			Token: ops.Token})
		return r.JSON["apps_unpaid"] == float64(0) && r.JSON["apps_charged"] == float64(4)
	})
	ledgerOK(t, env)
}

func TestRentChargeSkipsAppTakenOffline(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	fund(t, env, dev.SID, 500*money.Yuan, time.Time{})
	since := time.Now().AddDate(0, -1, 0)
	stays := liveApp(t, env, dev.SID, "ivr", "live", since)
	leaves := liveApp(t, env, dev.SID, "ivr", "live", since)
	month := ledger.Month(time.Now())

	// The run has listed both apps when the developer takes one offline.
	apps := []billing.AppRef{{AppID: stays, AccountSID: dev.SID}, {AppID: leaves, AccountSID: dev.SID}}
	if _, err := env.Store().Pool.Exec(context.Background(),
		`UPDATE apps SET status = 'offline' WHERE id = $1`, leaves); err != nil {
		t.Fatal(err)
	}
	charger := billing.RentCharger{Store: env.Store(), TaskQueue: env.Config.TaskQueue}
	tally, arrears, err := charger.ChargeApps(context.Background(), month, apps)
	if err != nil || tally != (billing.RentTally{Charged: 1, Skipped: 1}) || len(arrears) != 0 {
		t.Fatalf("tally %+v, arrears %v, err %v", tally, arrears, err)
	}
	// A retry of the same page charges nothing more.
	tally, _, err = charger.ChargeApps(context.Background(), month, apps)
	if err != nil || tally != (billing.RentTally{Already: 1, Skipped: 1}) {
		t.Fatalf("retry tally %+v, err %v", tally, err)
	}
	if b := balance(t, env, dev); b != "400.000" {
		t.Errorf("balance %s, want 400.000", b)
	}
	ledgerOK(t, env)
}
