package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// BenchmarkBillingRun10k runs a month's IVR fee run over 10,000 live IVR apps (1,000
// accounts of 10) and, in the same database, a raw-SQL baseline: one statement that
// writes the same rent entries for another month and changes the balances. The
// baseline checks no funds, locks no app against going offline and posts no message,
// so it is the floor of what a set-based charge costs, not a rival implementation.
// The run's time includes starting its workflow and issuing the closed month's bills.
//
// Run it with
//
//	go test -run '^$' -bench BenchmarkBillingRun10k -benchtime 1x ./api/
//
// On 2 shared cores (4 December 2026), two runs: 10,000 apps in 6.4 s and 6.3 s =
// 1,562 and 1,587 apps/s; the baseline 535 and 575 ms = 18,707 and 17,395 apps/s.
func BenchmarkBillingRun10k(b *testing.B) {
	for range b.N {
		env := testenv.New(b, testenv.Options{})
		ops := env.Staff(b, "operator")
		apps := seedLiveIVRApps(b, env, 1000, 10, 2000*money.Yuan)
		month := ledger.Month(time.Now())
		ctx := context.Background()

		b.ResetTimer()
		started := time.Now()
		env.Must(b, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs",
			Token: ops.Token, Body: map[string]any{"month": month}})
		eventually(b, "the run", func() bool {
			return countRows(b, env, `SELECT count(*) FROM billing_runs
				WHERE month = $1 AND status = 'completed'`, month) == 1
		})
		runTime := time.Since(started)
		b.StopTimer()

		charged := countRows(b, env, `SELECT count(DISTINCT app_id) FROM ledger_entries
			WHERE category = 'ivr_app_rent' AND reference = $1`, month)
		entries := countRows(b, env, `SELECT count(*) FROM ledger_entries
			WHERE category = 'ivr_app_rent' AND reference = $1`, month)
		if charged != apps || entries != apps {
			b.Fatalf("%d apps charged in %d entries, want %d once each", charged, entries, apps)
		}

		prev, _ := billing.PreviousMonth(month)
		started = time.Now()
		tag, err := env.Store().Pool.Exec(ctx, `
			WITH charges AS (
				INSERT INTO ledger_entries (account_sid, idempotency_key, kind, category, app_id,
					amount_li, balance_after_li, reference, description)
				SELECT p.account_sid, 'ivr-app-rent:' || p.id || ':' || $1::text, 'charge',
					'ivr_app_rent', p.id, $2::bigint,
					a.balance_li + $2::bigint * row_number() OVER (PARTITION BY p.account_sid
						ORDER BY p.id), $1::text, 'IVR app rent for ' || $1::text
				FROM apps p JOIN accounts a ON a.sid = p.account_sid
				WHERE p.type = 'ivr' AND p.status = 'live'
				ORDER BY p.account_sid, p.id
				ON CONFLICT (idempotency_key) DO NOTHING
				RETURNING account_sid, amount_li)
			UPDATE accounts a SET balance_li = a.balance_li + s.total
			FROM (SELECT account_sid, sum(amount_li) AS total FROM charges GROUP BY account_sid) s
			WHERE a.sid = s.account_sid`, prev, -int64(ledger.IVRMonthlyRent))
		baseTime := time.Since(started)
		if err != nil || tag.RowsAffected() != 1000 {
			b.Fatalf("baseline: %v, %d accounts", err, tag.RowsAffected())
		}
		ledgerOK(b, env)
		// Both wrote running balances: each account's last entry shows its balance.
		if n := countRows(b, env, `SELECT count(*) FROM accounts a
			WHERE a.balance_li <> (SELECT balance_after_li FROM ledger_entries e
				WHERE e.account_sid = a.sid ORDER BY id DESC LIMIT 1)`); n != 0 {
			b.Fatalf("%d accounts whose last entry does not show the balance", n)
		}

		perSec := float64(apps) / runTime.Seconds()
		basePerSec := float64(apps) / baseTime.Seconds()
		b.ReportMetric(perSec, "apps/s")
		b.ReportMetric(basePerSec, "baseline_apps/s")
		b.Logf("run: %d apps in %s = %.0f apps/s; raw-SQL baseline: %s = %.0f apps/s",
			apps, runTime.Round(time.Millisecond), perSec, baseTime.Round(time.Millisecond),
			basePerSec)
	}
}

// BenchmarkConcurrentNotices sends 200 signed notices for 50 orders (four copies of
// each) at once: exactly 50 credits. On 2 shared cores (4 December 2026): 391 ms
// and 829 ms in two runs.
func BenchmarkConcurrentNotices(b *testing.B) {
	for range b.N {
		env := testenv.New(b, testenv.Options{})
		dev := env.Developer(b)
		notices := make([]api.PaymentNotice, 0, 200)
		for range 50 {
			id := order(b, env, dev, "10.00", "sandbox")
			for range 4 {
				notices = append(notices, api.PaymentNotice{OrderID: id, Amount: 10 * money.Yuan,
					ChannelTxn: "txn-" + id, PaidAt: time.Now()})
			}
		}

		b.ResetTimer()
		started := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		credited, failed := 0, 0
		for _, n := range notices {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := notice(b, env, env.Config.PaymentSecret, time.Now(), n)
				mu.Lock()
				defer mu.Unlock()
				if r.Status != http.StatusOK {
					failed++
				} else if r.JSON["credited"] == true {
					credited++
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(started)
		b.StopTimer()

		if credited != 50 || failed != 0 || balance(b, env, dev) != "500.000" {
			b.Fatalf("%d credits, %d failures, balance %s", credited, failed, balance(b, env, dev))
		}
		ledgerOK(b, env)
		b.ReportMetric(float64(elapsed.Milliseconds()), "ms/200notices")
		b.Logf("200 notices for 50 orders: 50 credits in %s", elapsed.Round(time.Millisecond))
	}
}
