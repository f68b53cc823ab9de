package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yiyun-console/console/internal/journey"
	"github.com/yiyun-console/console/internal/testenv"
)

// journeyConfig points the journey at c with fresh staff.
func journeyConfig(c *cluster) journey.Config {
	rev, revPW := c.CreateStaff("reviewer")
	ops, opsPW := c.CreateStaff("operator")
	return journey.Config{
		BaseURL: c.URL, PlatformToken: c.Platform,
		Reviewer: journey.Staff{Email: rev, Password: revPW},
		Operator: journey.Staff{Email: ops, Password: opsPW},
	}
}

// TestJourney walks the guided journey against the console running as separate
// processes, and checks its end state in the database.
func TestJourney(t *testing.T) {
	c := startCluster(t)
	cfg := journeyConfig(c)
	var out bytes.Buffer
	cfg.Out = &out
	res, err := journey.Run(context.Background(), cfg)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 15 || strings.Count(out.String(), "✓ done") != 15 {
		t.Errorf("%d steps done, want 15", res.Steps)
	}

	pool := c.pool(t)
	var level, appStatus, invoice string
	var balance, ledgerSum, recharged, invoiced int64
	if err := pool.QueryRow(context.Background(), `
		SELECT a.verification_level, a.balance_li,
		  (SELECT sum(amount_li) FROM ledger_entries WHERE account_sid = a.sid),
		  (SELECT status FROM apps WHERE id = $2),
		  (SELECT status FROM invoices WHERE id = $3),
		  (SELECT amount_li FROM invoices WHERE id = $3),
		  (SELECT sum(amount_li) FROM ledger_entries
		    WHERE account_sid = a.sid AND category = 'recharge')
		FROM accounts a WHERE a.sid = $1`, res.AccountSID, res.AppID, res.InvoiceID).Scan(
		&level, &balance, &ledgerSum, &appStatus, &invoice, &invoiced, &recharged); err != nil {
		t.Fatal(err)
	}
	// 2000 recharged; 100 app rent and 1000 number rent at go-live (the fee run
	// finds the month charged); 3.300 for the calls of the Asterisk file.
	if level != "company" || appStatus != "live" || invoice != "delivered" ||
		recharged != 2_000_000 || invoiced != 2_000_000 || balance != 896_700 ||
		balance != ledgerSum {
		t.Errorf("end state: level %s, app %s, invoice %s %d, recharged %d, balance %d, "+
			"ledger %d", level, appStatus, invoice, invoiced, recharged, balance, ledgerSum)
	}
	if res.CallsStored != 84 {
		t.Errorf("%d calls stored, want the file's 84 legs", res.CallsStored)
	}
	c.ledgerCheck(t)
	testenv.Report(t, "guided journey: %d steps green; balance %s CNY equals its ledger; "+
		"%d calls stored; invoice delivered", res.Steps, res.Balance, res.CallsStored)
}

// pool connects to the cluster's Postgres.
func (c *cluster) pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, c.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// ledgerCheck runs `console ledger-check`, which fails unless every balance equals
// the sum of its ledger entries.
func (c *cluster) ledgerCheck(t testing.TB) string {
	t.Helper()
	out, err := c.command("ledger-check").CombinedOutput()
	if err != nil {
		t.Fatalf("ledger-check: %v\n%s", err, out)
	}
	return string(out)
}
