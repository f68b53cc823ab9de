package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// seedLiveIVRApps creates accounts, each funded through the ledger with balance and
// holding appsEach live IVR apps, in a few set-based statements. It returns the
// number of apps.
func seedLiveIVRApps(t testing.TB, env *testenv.Env, accounts, appsEach int,
	balance money.Li) int {
	t.Helper()
	ctx := context.Background()
	tag := ids.New()[:8]
	_, err := env.Store().Pool.Exec(ctx, `
		WITH a AS (
			INSERT INTO accounts (sid, email, password_hash, balance_li)
			SELECT md5($1 || g), 'seed' || g || '-' || $1 || '@example.com', 'x', $2
			FROM generate_series(1, $3::int) g
			RETURNING sid)
		INSERT INTO ledger_entries (account_sid, idempotency_key, kind, category, amount_li,
			balance_after_li, description)
		SELECT sid, 'seed:' || sid, 'credit', 'adjustment', $2, $2, 'seed' FROM a`,
		tag, int64(balance), accounts)
	if err != nil {
		t.Fatalf("seeding accounts: %v", err)
	}
	tag2 := tag
	var n int
	err = env.Store().Pool.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO apps (id, account_sid, name, type, status, app_token_hash, live_since)
			SELECT md5(a.sid || g), a.sid, 'app-' || g, 'ivr', 'live', '\x00'::bytea, $3::timestamptz
			FROM accounts a, generate_series(1, $1::int) g
			WHERE a.email LIKE 'seed%-' || $2 || '@example.com'
			RETURNING 1)
		SELECT count(*) FROM ins`, appsEach, tag2, time.Now().AddDate(0, -2, 0)).Scan(&n)
	if err != nil {
		t.Fatalf("seeding apps: %v", err)
	}
	return n
}
