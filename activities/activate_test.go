package activities_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// post writes a ledger entry for the tests' setup.
func post(t *testing.T, env *testenv.Env, e ledger.Entry) {
	t.Helper()
	ctx := context.Background()
	err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.Post(ctx, q, e, ledger.AllowArrears)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// approvedIVRRequest is a company-verified developer with 1,100 CNY, an IVR app
// and its go-live request, marked approved and holding a reserved number, as the
// workflow leaves them just before activation.
func approvedIVRRequest(t *testing.T, env *testenv.Env) (testenv.User, string, activities.Activation) {
	t.Helper()
	ctx := context.Background()
	dev := env.Developer(t)
	if _, err := env.Store().Pool.Exec(ctx,
		"UPDATE accounts SET verification_level = 'company' WHERE sid = $1", dev.SID); err != nil {
		t.Fatal(err)
	}
	post(t, env, ledger.Entry{AccountSID: dev.SID, Key: "topup:" + dev.SID,
		Category: ledger.CategoryRecharge, Amount: 1100 * money.Yuan})
	app := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/apps",
		Token: dev.Token, Body: map[string]any{"name": "热线", "type": "ivr",
			"callback_url": "http://127.0.0.1:9/ivr"}}).Str("app_id")
	reqID := env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token}).Str("id")
	if _, err := env.Store().Pool.Exec(ctx,
		"UPDATE go_live_requests SET status = 'approved' WHERE id = $1", reqID); err != nil {
		t.Fatal(err)
	}
	n, err := env.Acts.ReserveNumber(ctx, activities.NumberBinding{BindingID: reqID,
		AppID: app, AccountSID: dev.SID})
	if err != nil {
		t.Fatal(err)
	}
	return dev, app, activities.Activation{RequestID: reqID, Number: n,
		Month: ledger.Month(time.Now())}
}

// TestActivateAppRetriedChargesOnce runs the activation twice, as a retry after a
// lost completion would: the first charges, the app and the message are there
// once, and the balance is charged once.
func TestActivateAppRetriedChargesOnce(t *testing.T) {
	env := storeEnv(t)
	importPool(t, env, 1)
	dev, app, act := approvedIVRRequest(t, env)
	ctx := context.Background()

	for attempt := 1; attempt <= 2; attempt++ {
		if err := env.Acts.ActivateApp(ctx, act); err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}

	var charges, chargedLi, balanceLi, approvals int
	var reqStatus, numberID, appStatus string
	pool := env.Store().Pool
	pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(amount_li), 0) FROM ledger_entries
		WHERE account_sid = $1 AND kind = 'charge' AND app_id = $2`, dev.SID, app).
		Scan(&charges, &chargedLi)
	pool.QueryRow(ctx, "SELECT balance_li FROM accounts WHERE sid = $1", dev.SID).Scan(&balanceLi)
	pool.QueryRow(ctx, "SELECT status, number_id FROM go_live_requests WHERE id = $1",
		act.RequestID).Scan(&reqStatus, &numberID)
	pool.QueryRow(ctx, "SELECT status FROM apps WHERE id = $1", app).Scan(&appStatus)
	pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE account_sid = $1
		AND title = 'Go-live approved'`, dev.SID).Scan(&approvals)
	if charges != 2 || money.Li(-chargedLi) != ledger.IVRNumberRent+ledger.IVRMonthlyRent ||
		balanceLi != 0 {
		t.Errorf("%d charges of %s, balance %s; want 2 of %s and 0", charges,
			money.Li(-chargedLi), money.Li(balanceLi), ledger.IVRNumberRent+ledger.IVRMonthlyRent)
	}
	if reqStatus != "live" || numberID != act.Number.NumberID || appStatus != "live" ||
		approvals != 1 {
		t.Errorf("request %s with number %q, app %s, %d approval messages", reqStatus,
			numberID, appStatus, approvals)
	}
}

// TestActivateAppRefusesAShortBalance spends part of the balance between the
// request and the activation: the activation fails for good, without charging,
// and leaves the app in review for the workflow to give the number back.
func TestActivateAppRefusesAShortBalance(t *testing.T) {
	env := storeEnv(t)
	importPool(t, env, 1)
	dev, app, act := approvedIVRRequest(t, env)
	post(t, env, ledger.Entry{AccountSID: dev.SID, Key: "usage:" + dev.SID,
		Category: ledger.CategoryCallUsage, Amount: -money.Yuan})
	ctx := context.Background()

	err := env.Acts.ActivateApp(ctx, act)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeInsufficientBalance ||
		!appErr.NonRetryable() {
		t.Fatalf("activation with 1099 CNY: %v", err)
	}
	var charges, balanceLi int
	var appStatus string
	pool := env.Store().Pool
	pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries WHERE account_sid = $1
		AND app_id = $2`, dev.SID, app).Scan(&charges)
	pool.QueryRow(ctx, "SELECT balance_li FROM accounts WHERE sid = $1", dev.SID).Scan(&balanceLi)
	pool.QueryRow(ctx, "SELECT status FROM apps WHERE id = $1", app).Scan(&appStatus)
	if charges != 0 || money.Li(balanceLi) != 1099*money.Yuan || appStatus != "reviewing" {
		t.Errorf("%d charges, balance %s, app %s; want 0, 1099.000, reviewing", charges,
			money.Li(balanceLi), appStatus)
	}
}
