package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/wfstart"
)

func init() { all = append(all, IVRRentArrears) }

// TopUpSignal tells an arrears workflow that its account was topped up, so that it
// retries now instead of at the next daily attempt.
const TopUpSignal = "topped_up"

// Arrears timing.
const (
	arrearsRetryEvery   = 24 * time.Hour
	arrearsSuspendAfter = 7 * 24 * time.Hour
	// arrearsAttemptsPerRun bounds the history: the workflow continues as new after
	// this many attempts.
	arrearsAttemptsPerRun = 60
)

// IVRRentArrears follows an IVR app whose account could not pay a month's rent: it
// retries daily and whenever the account is topped up, suspends the app once the rent
// has been unpaid for 7 days, and when the rent is finally paid the app is live again.
// It ends when the rent is paid or the app is no longer live or suspended. Its ID is
// billing.ArrearsWorkflowID.
func IVRRentArrears(ctx workflow.Context, in billing.ArrearsInput) (string, error) {
	if in.Since.IsZero() {
		in.Since = workflow.Now(ctx)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: 5 * time.Minute},
	})
	var a *activities.Activities
	toppedUp := workflow.GetSignalChannel(ctx, TopUpSignal)
	suspended := false

	for attempt := 0; attempt < arrearsAttemptsPerRun; attempt++ {
		var outcome string
		err := workflow.ExecuteActivity(actx, a.RetryIVRRent, in.AppID, in.Month).
			Get(ctx, &outcome)
		if err != nil {
			return "", err
		}
		if outcome != billing.ArrearsUnpaid {
			err := workflow.UpsertTypedSearchAttributes(ctx, wfstart.BizStatusKey.ValueSet(outcome))
			return outcome, err
		}

		if !suspended && workflow.Now(ctx).Sub(in.Since) >= arrearsSuspendAfter {
			if err := workflow.ExecuteActivity(actx, a.SuspendIVRApp, in).Get(ctx, nil); err != nil {
				return "", err
			}
			suspended = true
			err := workflow.UpsertTypedSearchAttributes(ctx,
				wfstart.BizStatusKey.ValueSet("suspended"))
			if err != nil {
				return "", err
			}
		}

		// Wait a day, or less when the account is topped up.
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(workflow.NewTimer(timerCtx, nextArrearsWait(workflow.Now(ctx), in.Since,
			suspended)), func(workflow.Future) {})
		sel.AddReceive(toppedUp, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
		})
		sel.Select(ctx)
		cancelTimer()
		for toppedUp.ReceiveAsync(nil) {
		}
	}
	return "", workflow.NewContinueAsNewError(ctx, IVRRentArrears, in)
}

// nextArrearsWait is the wait before the next attempt: a day, but never past the
// moment the app is due to be suspended.
func nextArrearsWait(now, since time.Time, suspended bool) time.Duration {
	if suspended {
		return arrearsRetryEvery
	}
	return min(arrearsRetryEvery, max(since.Add(arrearsSuspendAfter).Sub(now), time.Second))
}
