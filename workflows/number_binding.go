package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/wfstart"
)

func init() {
	all = append(all, NumberBindingWorkflow, NumberReleaseWorkflow)
}

// NumberCooling is how long a released number rests before it is offered again.
const NumberCooling = 30 * 24 * time.Hour

// NumberBindingID is the workflow ID of the binding of a number to an app.
func NumberBindingID(appID, bindingID string) string {
	return fmt.Sprintf("number-binding/%s/%s", appID, bindingID)
}

// NumberReleaseID is the workflow ID of the release of a binding's number.
func NumberReleaseID(appID, bindingID string) string {
	return fmt.Sprintf("number-release/%s/%s", appID, bindingID)
}

// carrierOptions are the activity options of steps that call the carrier: its
// transient failures are retried with backoff for up to ten minutes.
func carrierOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}

// NumberBindingWorkflow reserves a free number for an app, provisions it with the
// carrier and binds it. When provisioning fails for good, the number goes back to
// the pool. It returns the bound number.
func NumberBindingWorkflow(ctx workflow.Context, in activities.NumberBinding) (
	activities.BoundNumber, error) {
	ctx = carrierOptions(ctx)
	var a *activities.Activities
	appsBizStatus(ctx, "reserving")

	var n activities.BoundNumber
	if err := workflow.ExecuteActivity(ctx, a.ReserveNumber, in).Get(ctx, &n); err != nil {
		return n, err
	}
	appsBizStatus(ctx, "provisioning")
	if err := workflow.ExecuteActivity(ctx, a.ProvisionNumber, in, n).Get(ctx, nil); err != nil {
		// The number was never bound: give it back at once.
		ret := workflow.ExecuteActivity(ctx, a.ReturnNumber, in, n).Get(ctx, nil)
		return n, errors.Join(err, ret)
	}
	if err := workflow.ExecuteActivity(ctx, a.BindNumber, in).Get(ctx, nil); err != nil {
		return n, err
	}
	appsBizStatus(ctx, "bound")
	return n, nil
}

// NumberReleaseWorkflow releases a bound number with the carrier, lets it cool for
// NumberCooling and then offers it to bindings again.
func NumberReleaseWorkflow(ctx workflow.Context, in activities.NumberRelease) error {
	ctx = carrierOptions(ctx)
	var a *activities.Activities
	in.CoolingUntil = workflow.Now(ctx).Add(NumberCooling)
	if err := workflow.ExecuteActivity(ctx, a.ReleaseNumber, in).Get(ctx, nil); err != nil {
		return err
	}
	appsBizStatus(ctx, "cooling")
	if err := workflow.Sleep(ctx, NumberCooling); err != nil {
		return err
	}
	err := workflow.ExecuteActivity(ctx, a.FreeCooledNumber, in.NumberID, in.CoolingUntil).
		Get(ctx, nil)
	if err != nil {
		return err
	}
	appsBizStatus(ctx, "free")
	return nil
}

// appsBizStatus keeps the BizStatus search attribute current.
func appsBizStatus(ctx workflow.Context, status string) {
	err := workflow.UpsertTypedSearchAttributes(ctx, wfstart.BizStatusKey.ValueSet(status))
	if err != nil {
		workflow.GetLogger(ctx).Warn("biz status not updated", "err", err)
	}
}
