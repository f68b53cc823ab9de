package workflows

import (
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/wfstart"
)

func init() { all = append(all, BillingRun, BillingSchedule) }

// BillingRunType is the registered name of BillingRun.
const BillingRunType = "BillingRun"

// BillingRunWorkflowID is the workflow ID of a Beijing month's IVR fee run: a month
// has one run however often it is started. Like the schedule's ID it names the task
// queue, so that consoles sharing a Temporal namespace (the tests do) keep their
// runs apart.
func BillingRunWorkflowID(taskQueue, month string) string {
	return "billing-run/" + taskQueue + "/" + month
}

// Billing run sizes.
const (
	rentBatchSize = 500
	// rentBatchesPerRun bounds the history: the run continues as new after this many
	// pages.
	rentBatchesPerRun = 200
)

// BillingRunInput is the input of BillingRun; a run that continues as new carries its
// cursor and totals.
type BillingRunInput struct {
	Month      string
	StartedBy  string
	AfterAppID string
	Totals     billing.RentTally
}

// BillingRunResult is what the run did.
type BillingRunResult struct {
	Month       string
	Totals      billing.RentTally
	BillsMonth  string
	BillsIssued int64
}

// BillingRun charges every live IVR app its rent for the month once, page by page,
// then issues the bills of the month before (which has closed) and marks the run
// completed. Apps whose accounts cannot pay are followed by IVRRentArrears.
func BillingRun(ctx workflow.Context, in BillingRunInput) (BillingRunResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	if in.AfterAppID == "" {
		if err := workflow.ExecuteActivity(actx, a.EnsureBillingRun, in.Month, in.StartedBy).
			Get(ctx, nil); err != nil {
			return BillingRunResult{}, err
		}
	}

	for page := 0; ; page++ {
		if page == rentBatchesPerRun {
			return BillingRunResult{}, workflow.NewContinueAsNewError(ctx, BillingRun, in)
		}
		var r activities.ChargeRentBatchResult
		err := workflow.ExecuteActivity(actx, a.ChargeRentBatch, activities.ChargeRentBatchInput{
			Month: in.Month, AfterAppID: in.AfterAppID, Limit: rentBatchSize,
		}).Get(ctx, &r)
		if err != nil {
			return BillingRunResult{}, err
		}
		in.Totals.Add(r.RentTally)
		in.AfterAppID = r.LastAppID
		if r.Done {
			break
		}
	}

	out := BillingRunResult{Month: in.Month, Totals: in.Totals}
	prev, err := billing.PreviousMonth(in.Month)
	if err != nil {
		return out, temporal.NewNonRetryableApplicationError(err.Error(), "bad_month", err)
	}
	out.BillsMonth = prev
	if err := workflow.ExecuteActivity(actx, a.IssueBills, prev).Get(ctx, &out.BillsIssued); err != nil {
		return out, err
	}
	err = workflow.ExecuteActivity(actx, a.CompleteBillingRun, in.Month, out.BillsIssued).
		Get(ctx, nil)
	if err != nil {
		return out, err
	}
	err = workflow.UpsertTypedSearchAttributes(ctx, wfstart.BizStatusKey.ValueSet("completed"))
	return out, err
}

// BillingSchedule is what the monthly Temporal Schedule starts at 00:00 Beijing time
// on the 1st: it starts the run of the month that has just begun, unless that run
// was started already.
func BillingSchedule(ctx workflow.Context) (string, error) {
	month := ledger.Month(workflow.Now(ctx))
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            BillingRunWorkflowID(workflow.GetInfo(ctx).TaskQueueName, month),
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			wfstart.BizStatusKey.ValueSet("running")),
	})
	child := workflow.ExecuteChildWorkflow(cctx, BillingRun, BillingRunInput{
		Month: month, StartedBy: "schedule",
	})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var already *temporal.ChildWorkflowExecutionAlreadyStartedError
	if err != nil && !errors.As(err, &already) {
		return "", err
	}
	return month, nil
}
