package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

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
			_, err := ledger.ChargeIVRAppRent(ctx, q, dev.SID, id, ledger.Month(c.at))
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
		env.Must(t, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs",
			Token: ops.Token, Body: map[string]any{"month": month}})
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
