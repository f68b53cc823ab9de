package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/wfstart"
)

// ChargeRentBatchInput is one page of a month's IVR fee run.
type ChargeRentBatchInput struct {
	Month      string
	AfterAppID string // the page starts after this app ID
	Limit      int32
}

// ChargeRentBatchResult is what one page did.
type ChargeRentBatchResult struct {
	billing.RentTally
	LastAppID string
	Done      bool // the page was the last one
}

// EnsureBillingRun records the month's run, once.
func (a *Activities) EnsureBillingRun(ctx context.Context, month, startedBy string) error {
	return a.Store.CreateBillingRun(ctx, db.CreateBillingRunParams{
		Month: month, StartedBy: startedBy,
	})
}

// ChargeRentBatch charges the next page of live IVR apps their rent for the month.
// It is idempotent: every charge has the app's ledger key for the month, so a retry
// after a crash only finds the charges made before it.
func (a *Activities) ChargeRentBatch(ctx context.Context, in ChargeRentBatchInput) (
	ChargeRentBatchResult, error) {
	_, monthEnd, err := billing.MonthBounds(in.Month)
	if err != nil {
		return ChargeRentBatchResult{}, err
	}
	rows, err := a.Store.ListLiveIVRAppsAfter(ctx, db.ListLiveIVRAppsAfterParams{
		AfterID: in.AfterAppID, MonthEnd: &monthEnd, MaxRows: in.Limit,
	})
	if err != nil {
		return ChargeRentBatchResult{}, fmt.Errorf("listing live IVR apps: %w", err)
	}
	out := ChargeRentBatchResult{Done: int32(len(rows)) < in.Limit, LastAppID: in.AfterAppID}
	if len(rows) == 0 {
		return out, nil
	}
	apps := make([]billing.AppRef, len(rows))
	for i, r := range rows {
		apps[i] = billing.AppRef{AppID: r.ID, AccountSID: r.AccountSid}
	}
	activity.RecordHeartbeat(ctx, in.AfterAppID)

	started := time.Now()
	charger := billing.RentCharger{Store: a.Store, TaskQueue: a.Config.TaskQueue}
	tally, arrears, err := charger.ChargeApps(ctx, in.Month, apps)
	if err != nil {
		return ChargeRentBatchResult{}, err
	}
	out.RentTally, out.LastAppID = tally, rows[len(rows)-1].ID
	activity.RecordHeartbeat(ctx, out.LastAppID)

	a.startWorkflows(ctx, arrears)
	a.Log.Debug("ivr rent batch charged", "month", in.Month, "apps", len(rows),
		"charged", tally.Charged, "already", tally.Already, "unpaid", tally.Unpaid,
		"skipped", tally.Skipped, "duration", time.Since(started))
	return out, nil
}

// startWorkflows starts enqueued workflows now; the relay starts any that fail.
func (a *Activities) startWorkflows(ctx context.Context, ids []string) {
	starter := wfstart.Starter{Store: a.Store, Temporal: a.Temporal, Log: a.Log}
	for _, id := range ids {
		if err := starter.Start(ctx, id); err != nil {
			a.Log.Warn("workflow start failed; the relay will retry", "workflow_id", id,
				"err", err)
		}
	}
}

// IssueBills issues the bills of a closed Beijing month from the ledger, once per
// account, and returns how many were issued now.
func (a *Activities) IssueBills(ctx context.Context, month string) (int64, error) {
	start, end, err := billing.MonthBounds(month)
	if err != nil {
		return 0, err
	}
	if time.Now().Before(end) {
		return 0, fmt.Errorf("month %s has not closed", month)
	}
	n, err := a.Store.IssueBills(ctx, db.IssueBillsParams{
		Month: month, MonthStart: start, MonthEnd: end,
	})
	if err != nil {
		return 0, fmt.Errorf("issuing bills of %s: %w", month, err)
	}
	a.Log.Info("bills issued", "month", month, "count", n)
	return n, nil
}

// CompleteBillingRun marks the month's run completed.
func (a *Activities) CompleteBillingRun(ctx context.Context, month string, bills int64) error {
	return a.Store.CompleteBillingRun(ctx, db.CompleteBillingRunParams{
		Month: month, BillsIssued: int32(bills),
	})
}
