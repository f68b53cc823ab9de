package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/netguard"
	"github.com/yiyun-console/console/internal/testenv"
)

// ledgerOK fails the test unless every balance equals the sum of its entries.
func ledgerOK(t testing.TB, env *testenv.Env) {
	t.Helper()
	n, bad, err := ledger.Check(context.Background(), env.Store().Queries)
	if err != nil || len(bad) != 0 || n == 0 {
		t.Fatalf("ledger check: %d accounts, mismatches %+v, err %v", n, bad, err)
	}
}

// fund posts an adjustment to an account, at a given time when at is not zero.
func fund(t testing.TB, env *testenv.Env, sid string, amount money.Li, at time.Time) {
	t.Helper()
	err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.Post(context.Background(), q, ledger.Entry{AccountSID: sid,
			Key: "test-fund:" + ids.New(), Category: ledger.CategoryAdjustment, Amount: amount,
			Description: "test", At: at}, ledger.AllowArrears)
		return err
	})
	if err != nil {
		t.Fatalf("funding %s: %v", sid, err)
	}
}

// liveApp inserts an app of the type and status directly, as go-live would leave it.
func liveApp(t testing.TB, env *testenv.Env, sid, typ, status string, since time.Time) string {
	t.Helper()
	id := ids.New()
	_, err := env.Store().Pool.Exec(context.Background(), `INSERT INTO apps
		(id, account_sid, name, type, status, app_token_hash, live_since)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, sid, "app-"+id[:8], typ, status, ids.Hash(id), since)
	if err != nil {
		t.Fatalf("inserting app: %v", err)
	}
	return id
}

// order creates a recharge order and returns its ID.
func order(t testing.TB, env *testenv.Env, u testenv.User, amount, channel string) string {
	t.Helper()
	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/recharge-orders",
		Token: u.Token, Body: map[string]any{"amount": amount, "channel": channel}})
	return r.Str("id")
}

// notice sends a payment notice signed with secret at time ts.
func notice(t testing.TB, env *testenv.Env, secret string, ts time.Time,
	n api.PaymentNotice) testenv.Response {
	t.Helper()
	body, _ := json.Marshal(n)
	sig := netguard.Sign([]byte(secret), ts.Unix(), body)
	return env.Do(t, req{Method: "POST", Path: "/v1/payments/sandbox/notify", Body: body,
		Content: "application/json", Header: map[string]string{
			netguard.TimestampHeader: strconv.FormatInt(ts.Unix(), 10),
			netguard.SignatureHeader: sig,
		}})
}

// balance returns the caller's balance as the API shows it.
func balance(t testing.TB, env *testenv.Env, u testenv.User) string {
	t.Helper()
	return env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/balance", Token: u.Token}).
		Str("balance")
}

// countRows runs a count query.
func countRows(t testing.TB, env *testenv.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := env.Store().Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("counting %q: %v", sql, err)
	}
	return n
}
