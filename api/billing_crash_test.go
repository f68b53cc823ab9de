package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/yiyun-console/console/internal/app"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

func TestBillingRunSurvivesWorkerCrash(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := env.Staff(t, "operator")
	month := ledger.Month(time.Now())
	apps := seedLiveIVRApps(t, env, 300, 10, 1050*money.Yuan)

	env.Must(t, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs",
		Token: ops.Token, Body: map[string]any{"month": month}})
	rent := `SELECT count(*) FROM ledger_entries WHERE category = 'ivr_app_rent'`
	eventually(t, "the run to be under way", func() bool { return countRows(t, env, rent) > 0 })

	// The worker dies in the middle of the run, and comes back.
	env.StopWorker()
	mid := countRows(t, env, rent)
	if err := env.StartWorker(); err != nil {
		t.Fatal(err)
	}
	runDone(t, env, ops, month)
	t.Logf("%d of %d apps charged when the worker stopped", mid, apps)
	if mid >= apps {
		t.Logf("the run had finished before the worker stopped (%d of %d)", mid, apps)
	}

	// Every app charged exactly once, and each account's balance went down by 100 once.
	if n := countRows(t, env, rent); n != apps {
		t.Fatalf("%d rent charges for %d apps", n, apps)
	}
	if n := countRows(t, env, `SELECT count(*) FROM (SELECT app_id FROM ledger_entries
		WHERE category = 'ivr_app_rent' GROUP BY app_id HAVING count(*) > 1) d`); n != 0 {
		t.Fatalf("%d apps charged more than once", n)
	}
	if n := countRows(t, env, `SELECT count(*) FROM accounts WHERE email LIKE 'seed%'
		AND balance_li <> 50000`); n != 0 {
		t.Fatalf("%d accounts with a balance other than 50.000", n)
	}
	ledgerOK(t, env)
}

func TestBillingScheduleStartsTheMonthsRun(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := env.Staff(t, "operator")
	ctx := context.Background()
	for range 2 {
		if err := app.EnsureBillingSchedule(ctx, env.App.Temporal, env.Config.TaskQueue); err != nil {
			t.Fatalf("ensuring schedule: %v", err)
		}
	}
	h := env.App.Temporal.ScheduleClient().GetHandle(ctx, app.BillingScheduleID(env.Config.TaskQueue))
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := desc.Info.NextActionTimes
	if len(next) == 0 {
		t.Fatal("the schedule has no next action")
	}
	first := next[0].In(ledger.Beijing)
	if first.Day() != 1 || first.Hour() != 0 || first.Minute() != 0 || first.Second() != 0 {
		t.Errorf("next action at %s Beijing time, want 00:00 on the 1st", first)
	}

	// Fired now, it starts this month's run.
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	run := runDone(t, env, ops, ledger.Month(time.Now()))
	if run.Str("started_by") != "schedule" {
		t.Errorf("run: %s", run.Body)
	}
	ledgerOK(t, env)
}
