package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/journey"
	"github.com/yiyun-console/console/internal/testenv"
)

// stepCounter collects one journey's output and counts its finished steps into a
// shared total.
type stepCounter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	total *atomic.Int64
}

func (w *stepCounter) Write(p []byte) (int, error) {
	w.total.Add(int64(bytes.Count(p, []byte("✓ done"))))
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestCrashJourneys runs fifty journeys at once while the worker is killed with
// SIGKILL three times and Postgres is restarted once. Every journey must finish,
// and afterwards nothing was charged, credited or invoiced twice and every balance
// equals its ledger.
func TestCrashJourneys(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes minutes")
	}
	const journeys = 50
	c := startCluster(t)
	cfg := journeyConfig(c)
	cfg.Patience = 4 * time.Minute
	stats := &journey.Stats{}
	cfg.Stats = stats

	var done atomic.Int64
	const allSteps = journeys * 15
	results := make([]journey.Result, journeys)
	errs := make([]error, journeys)
	outs := make([]*stepCounter, journeys)
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	started := time.Now()
	for i := range journeys {
		outs[i] = &stepCounter{total: &done}
		jc := cfg
		jc.Out = outs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = journey.Run(ctx, jc)
		}()
	}

	// The crashes come at fixed shares of all steps done, so that each hits
	// journeys in the middle of their processes.
	crashes := []struct {
		at   float64
		what string
		do   func()
	}{
		{0.10, "worker killed", c.KillWorker},
		{0.30, "postgres restarted", c.RestartPostgres},
		{0.50, "worker killed", c.KillWorker},
		{0.70, "worker killed", c.KillWorker},
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	var log []string
	for _, cr := range crashes {
		for float64(done.Load()) < cr.at*allSteps {
			select {
			case <-finished:
				t.Fatalf("the journeys finished before the %q crash at %.0f%%", cr.what, cr.at*100)
			case <-time.After(20 * time.Millisecond):
			}
		}
		cr.do()
		log = append(log, fmt.Sprintf("%s at %d/%d steps (%s)", cr.what, done.Load(), allSteps,
			time.Since(started).Round(time.Millisecond)))
		if cr.what == "worker killed" {
			// A worker comes back as a supervisor would restart it.
			time.Sleep(2 * time.Second)
			c.StartWorker()
		}
	}
	<-finished
	elapsed := time.Since(started)

	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 3 {
				t.Errorf("journey %d: %v\n%s", i, err, outs[i].buf.String())
			}
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d journeys failed", failed, journeys)
	}

	// Every accepted request reached its end state, once.
	pool := c.pool(t)
	bg := context.Background()
	sids := make([]string, journeys)
	for i, r := range results {
		sids[i] = r.AccountSID
	}
	var counts struct {
		accounts, company, liveApps, deliveredInvoices, invoices, paidOrders, orders      int
		rechargeCredits, appRents, numberRents, callCharges, wrongBalances, pendingStarts int
		approvedVerifications, calls                                                      int
	}
	err := pool.QueryRow(bg, `
		SELECT
		  (SELECT count(*) FROM accounts WHERE sid = ANY($1)),
		  (SELECT count(*) FROM accounts WHERE sid = ANY($1) AND verification_level = 'company'),
		  (SELECT count(*) FROM apps WHERE account_sid = ANY($1) AND status = 'live'),
		  (SELECT count(*) FROM invoices WHERE account_sid = ANY($1) AND status = 'delivered'),
		  (SELECT count(*) FROM invoices WHERE account_sid = ANY($1)),
		  (SELECT count(*) FROM recharge_orders WHERE account_sid = ANY($1) AND status = 'paid'),
		  (SELECT count(*) FROM recharge_orders WHERE account_sid = ANY($1)),
		  (SELECT count(*) FROM ledger_entries WHERE account_sid = ANY($1) AND category = 'recharge'),
		  (SELECT count(*) FROM ledger_entries WHERE account_sid = ANY($1) AND category = 'ivr_app_rent'),
		  (SELECT count(*) FROM ledger_entries WHERE account_sid = ANY($1) AND category = 'ivr_number_rent'),
		  (SELECT count(*) FROM ledger_entries WHERE account_sid = ANY($1) AND category = 'call_usage'),
		  (SELECT count(*) FROM accounts a WHERE sid = ANY($1) AND balance_li <>
		      (SELECT coalesce(sum(amount_li), 0) FROM ledger_entries WHERE account_sid = a.sid)),
		  (SELECT count(*) FROM workflow_starts WHERE started_at IS NULL),
		  (SELECT count(*) FROM verifications WHERE account_sid = ANY($1) AND status = 'approved'),
		  (SELECT count(*) FROM cdrs WHERE account_sid = ANY($1))`, sids).Scan(
		&counts.accounts, &counts.company, &counts.liveApps, &counts.deliveredInvoices,
		&counts.invoices, &counts.paidOrders, &counts.orders, &counts.rechargeCredits,
		&counts.appRents, &counts.numberRents, &counts.callCharges, &counts.wrongBalances,
		&counts.pendingStarts, &counts.approvedVerifications, &counts.calls)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{
		"accounts":                {counts.accounts, journeys},
		"company verified":        {counts.company, journeys},
		"verifications approved":  {counts.approvedVerifications, 2 * journeys},
		"live apps":               {counts.liveApps, journeys},
		"recharge orders":         {counts.orders, journeys},
		"recharge orders paid":    {counts.paidOrders, journeys},
		"recharge credits":        {counts.rechargeCredits, journeys},
		"IVR app rents":           {counts.appRents, journeys},
		"IVR number rents":        {counts.numberRents, journeys},
		"call charges":            {counts.callCharges, journeys},
		"calls stored":            {counts.calls, 84 * journeys},
		"invoices":                {counts.invoices, journeys},
		"invoices delivered":      {counts.deliveredInvoices, journeys},
		"balances off the ledger": {counts.wrongBalances, 0},
		"workflow starts pending": {counts.pendingStarts, 0},
	}
	for what, got := range want {
		if got[0] != got[1] {
			t.Errorf("%s: %d, want %d", what, got[0], got[1])
		}
	}
	for i, r := range results {
		if r.Balance != "896.700" {
			t.Errorf("journey %d ends with balance %s, want 896.700", i, r.Balance)
		}
	}
	check := c.ledgerCheck(t)

	testenv.Report(t, "%d journeys, %d steps, in %s; %d requests, %d retried through the crashes",
		journeys, done.Load(), elapsed.Round(time.Millisecond), stats.Requests.Load(),
		stats.Retries.Load())
	for _, l := range log {
		testenv.Report(t, "  %s", l)
	}
	testenv.Report(t, "afterwards: %d accounts company-verified, %d recharge credits for %d paid "+
		"orders, %d IVR app rents, %d number rents, %d call charges over %d calls, "+
		"%d invoices delivered, 0 balances off the ledger, 0 workflow starts pending",
		counts.company, counts.rechargeCredits, counts.paidOrders, counts.appRents,
		counts.numberRents, counts.callCharges, counts.calls, counts.deliveredInvoices)
	testenv.Report(t, "ledger-check: %s", strings.TrimSpace(check))
}
