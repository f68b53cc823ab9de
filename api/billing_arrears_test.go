package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// The activities of the arrears workflow on the real database: an app whose rent for
// last month stayed unpaid is suspended; topped up, it pays last month and this month
// at once, all or nothing, and is live again.
func TestArrearsSuspendThenPayBackRentAllOrNothing(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	ctx := context.Background()
	now := time.Now()
	month := ledger.Month(now)
	last, err := billing.PreviousMonth(month)
	if err != nil {
		t.Fatal(err)
	}
	dev := env.Developer(t)
	fund(t, env, dev.SID, 50*money.Yuan, time.Time{})
	app := liveApp(t, env, dev.SID, "ivr", "live", now.AddDate(0, -3, 0))
	if err := env.Store().CreateIVRRentArrears(ctx, db.CreateIVRRentArrearsParams{
		AppID: app, Month: last, AccountSid: dev.SID}); err != nil {
		t.Fatal(err)
	}
	appStatus := func() string {
		t.Helper()
		var s string
		err := env.Store().Pool.QueryRow(ctx, `SELECT status FROM apps WHERE id = $1`, app).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rents := func() int {
		t.Helper()
		return countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE app_id = $1
			AND category = 'ivr_app_rent'`, app)
	}

	// Unpaid: nothing charged.
	if out, err := env.Acts.RetryIVRRent(ctx, app, last); err != nil || out != billing.ArrearsUnpaid {
		t.Fatalf("retry: %s, %v", out, err)
	}
	if n := rents(); n != 0 {
		t.Fatalf("%d rents charged without the funds", n)
	}

	// After 7 days the app is suspended, once, with a message.
	in := billing.ArrearsInput{AppID: app, AccountSID: dev.SID, Month: last}
	for range 2 {
		if err := env.Acts.SuspendIVRApp(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if s := appStatus(); s != "suspended" {
		t.Fatalf("app %s, want suspended", s)
	}
	if n := countRows(t, env, `SELECT count(*) FROM messages WHERE account_sid = $1
		AND title = 'IVR app suspended'`, dev.SID); n != 1 {
		t.Errorf("%d suspension messages, want 1", n)
	}

	// 150 CNY covers last month but not this one too: still nothing is charged.
	fund(t, env, dev.SID, 100*money.Yuan, time.Time{})
	if out, err := env.Acts.RetryIVRRent(ctx, app, last); err != nil || out != billing.ArrearsUnpaid {
		t.Fatalf("retry with one month's funds: %s, %v", out, err)
	}
	if n := rents(); n != 0 || appStatus() != "suspended" {
		t.Fatalf("%d rents charged, app %s, after a partial top-up", n, appStatus())
	}

	// 200 CNY pays both months; the app is live again; a retry charges nothing more.
	fund(t, env, dev.SID, 50*money.Yuan, time.Time{})
	for range 2 {
		if out, err := env.Acts.RetryIVRRent(ctx, app, last); err != nil || out != billing.ArrearsPaid {
			t.Fatalf("retry after the top-up: %s, %v", out, err)
		}
	}
	for _, m := range []string{last, month} {
		if n := countRows(t, env, `SELECT count(*) FROM ledger_entries WHERE idempotency_key = $1`,
			ledger.IVRAppRentKey(app, m)); n != 1 {
			t.Errorf("%d rents for %s, want 1", n, m)
		}
	}
	if s := appStatus(); s != "live" {
		t.Errorf("app %s after paying, want live", s)
	}
	if b := balance(t, env, dev); b != "0.000" {
		t.Errorf("balance %s, want 0.000", b)
	}
	if n := countRows(t, env, `SELECT count(*) FROM ivr_rent_arrears WHERE app_id = $1
		AND status = 'paid'`, app); n != 1 {
		t.Errorf("arrears not closed as paid")
	}
	if n := countRows(t, env, `SELECT count(*) FROM messages WHERE account_sid = $1
		AND title = 'IVR app live again'`, dev.SID); n != 1 {
		t.Errorf("%d live-again messages, want 1", n)
	}
	ledgerOK(t, env)
}
