package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

// startRun starts a month's billing run: through the API while the month is within
// the 12 months it accepts, else as the API would, for the scenarios of past years.
func startRun(t *testing.T, env *testenv.Env, ops testenv.User, month string) {
	t.Helper()
	first, _ := billing.ParseMonth("month", ledger.Month(time.Now()))
	if month >= ledger.Month(first.AddDate(0, -12, 0)) {
		env.Must(t, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs",
			Token: ops.Token, Body: map[string]any{"month": month}})
		return
	}
	ctx := context.Background()
	id := workflows.BillingRunWorkflowID(env.Config.TaskQueue, month)
	err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.CreateBillingRun(ctx, db.CreateBillingRunParams{
			Month: month, StartedBy: ops.SID,
		}); err != nil {
			return err
		}
		return wfstart.Enqueue(ctx, q, wfstart.Request{
			WorkflowID: id, WorkflowType: workflows.BillingRunType,
			TaskQueue: env.Config.TaskQueue, BizStatus: "running",
			Input:   workflows.BillingRunInput{Month: month, StartedBy: ops.SID},
			Summary: "IVR fee run " + month,
		})
	})
	if err == nil {
		starter := env.App.Relay().Starter
		err = starter.Start(ctx, id)
	}
	if err != nil {
		t.Fatalf("starting the run of %s: %v", month, err)
	}
}

// Apps that went live at the edges of Beijing months pay their go-live month at
// go-live, and the monthly runs charge every later month once and no earlier one.
func TestGoLiveAtMonthEdgesThenMonthlyRuns(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := env.Staff(t, "operator")
	ctx := context.Background()

	type golive struct {
		name  string
		at    time.Time
		owes  []string // the months charged once, go-live month first
		spare []string // months run that must not be charged
	}
	cases := []golive{
		{"31 January, 23:30 Beijing", time.Date(2026, 1, 31, 15, 30, 0, 0, time.UTC),
			[]string{"2026-01", "2026-02", "2026-11", "2026-12"}, []string{"2024-02", "2024-03"}},
		{"29 February, noon Beijing", time.Date(2024, 2, 29, 12, 0, 0, 0, ledger.Beijing),
			[]string{"2024-02", "2024-03", "2026-01", "2026-02", "2026-11", "2026-12"}, nil},
		{"00:30 Beijing on 1 December (16:30 UTC on 30 November)",
			time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC),
			[]string{"2026-12"}, []string{"2024-02", "2024-03", "2026-01", "2026-02", "2026-11"}},
		{"23:59 Beijing on 30 November", time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC),
			[]string{"2026-11", "2026-12"}, []string{"2024-02", "2024-03", "2026-01", "2026-02"}},
	}
	type appCase struct {
		golive
		dev   testenv.User
		appID string
	}
	var apps []appCase
	for _, c := range cases {
		dev := env.Developer(t)
		fund(t, env, dev.SID, 1000*money.Yuan, time.Time{})
		id := liveApp(t, env, dev.SID, "ivr", "live", c.at)
		// Go-live charges the go-live month with the same code as the runs.
		err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
			_, err := billing.ChargeGoLive(ctx, q, dev.SID, id, nil, c.at)
			return err
		})
		if err != nil {
			t.Fatalf("%s: go-live charge: %v", c.name, err)
		}
		if ledger.Month(c.at) != c.owes[0] {
			t.Fatalf("%s: go-live month %s, want %s", c.name, ledger.Month(c.at), c.owes[0])
		}
		apps = append(apps, appCase{c, dev, id})
	}

	for _, month := range []string{"2024-02", "2024-03", "2026-01", "2026-02", "2026-11",
		"2026-12"} {
		startRun(t, env, ops, month)
		runDone(t, env, ops, month)
	}

	for _, a := range apps {
		for _, m := range a.owes {
			if n := countRows(t, env, `SELECT count(*) FROM ledger_entries
				WHERE idempotency_key = $1`, ledger.IVRAppRentKey(a.appID, m)); n != 1 {
				t.Errorf("%s: %d charges for %s, want 1", a.name, n, m)
			}
		}
		for _, m := range a.spare {
			if n := countRows(t, env, `SELECT count(*) FROM ledger_entries
				WHERE idempotency_key = $1`, ledger.IVRAppRentKey(a.appID, m)); n != 0 {
				t.Errorf("%s: charged for %s, before it went live", a.name, m)
			}
		}
		if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE app_id = $1
			AND category = 'ivr_app_rent'`, a.appID); n != len(a.owes) {
			t.Errorf("%s: %d rent charges, want %d", a.name, n, len(a.owes))
		}
		want := (1000*money.Yuan - money.Li(len(a.owes))*ledger.IVRMonthlyRent).String()
		if b := balance(t, env, a.dev); b != want {
			t.Errorf("%s: balance %s, want %s", a.name, b, want)
		}
	}
	ledgerOK(t, env)
}

// Go-live charges 1,000 CNY per bound number, once per binding, and the go-live
// month's rent, all or nothing; a retried go-live charges nothing twice.
func TestGoLiveChargesNumbersAndMonthOnce(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := env.Staff(t, "operator")
	ctx := context.Background()
	now := time.Now()
	month := ledger.Month(now)
	numbers := []billing.NumberBinding{{ID: "b1", Number: "02150001111"},
		{ID: "b2", Number: "02150002222"}}
	goLive := func(sid, app string, numbers []billing.NumberBinding) (money.Li, error) {
		var charged money.Li
		err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
			var err error
			charged, err = billing.ChargeGoLive(ctx, q, sid, app, numbers, now)
			return err
		})
		return charged, err
	}

	// Short by 0.001 CNY: nothing is charged.
	short := env.Developer(t)
	fund(t, env, short.SID, 2100*money.Yuan-1, time.Time{})
	shortApp := liveApp(t, env, short.SID, "ivr", "offline", now) // not live yet
	if _, err := goLive(short.SID, shortApp, numbers); apperr.CodeOf(err) !=
		apperr.InsufficientBalance {
		t.Fatalf("go-live without the funds: %v", err)
	}
	if b := balance(t, env, short); b != "2099.999" {
		t.Errorf("balance after a refused go-live %s, want 2099.999", b)
	}
	if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE app_id = $1`,
		shortApp); n != 0 {
		t.Errorf("%d entries after a refused go-live", n)
	}

	// Enough: two numbers and the month, once however often it is retried.
	dev := env.Developer(t)
	fund(t, env, dev.SID, 2100*money.Yuan, time.Time{})
	app := liveApp(t, env, dev.SID, "ivr", "live", now)
	if charged, err := goLive(dev.SID, app, numbers); err != nil || charged != 2100*money.Yuan {
		t.Fatalf("go-live charged %s, %v; want 2100.000", charged, err)
	}
	if charged, err := goLive(dev.SID, app, numbers); err != nil || charged != 0 {
		t.Fatalf("retried go-live charged %s, %v; want nothing", charged, err)
	}
	// A third number bound later pays its own rent only.
	fund(t, env, dev.SID, 1000*money.Yuan, time.Time{})
	more := append(numbers, billing.NumberBinding{ID: "b3", Number: "02150003333"})
	if charged, err := goLive(dev.SID, app, more); err != nil || charged != 1000*money.Yuan {
		t.Fatalf("third number charged %s, %v; want 1000.000", charged, err)
	}
	if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE app_id = $1
		AND category = 'ivr_number_rent'`, app); n != 3 {
		t.Errorf("%d number rents, want 3", n)
	}

	// The month's run charges the app nothing more.
	env.Must(t, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs",
		Token: ops.Token, Body: map[string]any{"month": month}})
	runDone(t, env, ops, month)
	if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE app_id = $1
		AND category = 'ivr_app_rent'`, app); n != 1 {
		t.Errorf("%d month rents, want 1", n)
	}
	if b := balance(t, env, dev); b != "0.000" {
		t.Errorf("balance %s, want 0.000", b)
	}
	ledgerOK(t, env)
}
