package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// The developer is messaged once each time the balance crosses below the low-balance
// threshold, and once when call usage takes it below zero.
func TestLowBalanceMessageOncePerCrossing(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	env.Must(t, http.StatusOK, req{Method: "PATCH", Path: "/v1/account", Token: dev.Token,
		Body: map[string]any{"low_balance_threshold": "50"}})

	topUp := func(amount string) {
		t.Helper()
		id := order(t, env, dev, amount, "sandbox")
		env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/sandbox/pay/" + id,
			Token: dev.Token})
	}
	usage := func(amount money.Li) {
		t.Helper()
		err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
			_, err := ledger.Post(context.Background(), q, ledger.Entry{AccountSID: dev.SID,
				Key: "test-usage:" + ids.New(), Category: ledger.CategoryCallUsage,
				Amount: -amount, Description: "calls"}, ledger.AllowArrears)
			return err
		})
		if err != nil {
			t.Fatalf("usage: %v", err)
		}
	}
	count := func(title string) int {
		t.Helper()
		return countRows(t, env, `SELECT count(*) FROM messages WHERE account_sid = $1
			AND title = $2`, dev.SID, title)
	}

	topUp("100")
	if n := count("Low balance"); n != 0 {
		t.Fatalf("%d low-balance messages above the threshold", n)
	}
	usage(60 * money.Yuan) // 40: crosses below 50
	usage(10 * money.Yuan) // 30: still below, no new message
	if n := count("Low balance"); n != 1 {
		t.Fatalf("%d low-balance messages after one crossing, want 1", n)
	}
	topUp("100")           // 130: back above
	usage(90 * money.Yuan) // 40: crosses below again
	if n := count("Low balance"); n != 2 {
		t.Fatalf("%d low-balance messages after two crossings, want 2", n)
	}

	// Call usage may take the balance below zero: the account is in arrears, with a
	// message; a rent is refused rather than taking it below zero.
	usage(50 * money.Yuan) // -10
	if b := balance(t, env, dev); b != "-10.000" {
		t.Fatalf("balance %s, want -10.000", b)
	}
	if n := count("Account in arrears"); n != 1 {
		t.Errorf("%d arrears messages, want 1", n)
	}
	if n := count("Low balance"); n != 2 {
		t.Errorf("%d low-balance messages while below, want 2", n)
	}
	app := liveApp(t, env, dev.SID, "ivr", "live", time.Now())
	err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.ChargeIVRAppRent(context.Background(), q, dev.SID, app,
			ledger.Month(time.Now()))
		return err
	})
	if err == nil {
		t.Error("a rent took the balance below zero")
	}
	if b := balance(t, env, dev); b != "-10.000" {
		t.Errorf("balance after a refused rent %s, want -10.000", b)
	}

	// The consumption records list the usage, newest first, filterable by category.
	recs := env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/consumption?category=call_usage", Token: dev.Token})
	items, _ := recs.JSON["items"].([]any)
	if len(items) != 4 {
		t.Errorf("call usage records: %s", recs.Body)
	}
	ledgerOK(t, env)
}
