package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/wfstart"
)

func init() { all = append(all, RechargeOrder) }

// RechargeOrderType is the registered name of RechargeOrder.
const RechargeOrderType = "RechargeOrder"

// RechargePaidSignal tells a recharge order's workflow that the order was credited.
const RechargePaidSignal = "paid"

// RechargeOrderWorkflowID is the workflow ID of a recharge order.
func RechargeOrderWorkflowID(orderID string) string { return "recharge-order/" + orderID }

// RechargeOrderInput is the input of RechargeOrder.
type RechargeOrderInput struct {
	OrderID   string
	ExpiresAt time.Time
}

// RechargeOrderResult is the order's final status.
type RechargeOrderResult struct {
	Status string
}

// RechargeOrder waits for an order's payment until its deadline, then expires it if it
// is still unpaid. The payment itself is credited where the notice is verified (the
// notice route or the operator's confirmation), exactly once by the order's ledger
// key; the signal only ends the wait early.
func RechargeOrder(ctx workflow.Context, in RechargeOrderInput) (RechargeOrderResult, error) {
	paid := workflow.GetSignalChannel(ctx, RechargePaidSignal)
	wait := in.ExpiresAt.Sub(workflow.Now(ctx))
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(timerCtx, max(wait, 0))

	status := ""
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(paid, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		status = billing.OrderPaid
		cancelTimer()
	})
	sel.AddFuture(timer, func(workflow.Future) {})
	sel.Select(ctx)

	if status == "" {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 30 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
		})
		var a *activities.Activities
		err := workflow.ExecuteActivity(actx, a.ExpireRechargeOrder, in.OrderID).Get(ctx, &status)
		if err != nil {
			return RechargeOrderResult{}, err
		}
	}
	err := workflow.UpsertTypedSearchAttributes(ctx, wfstart.BizStatusKey.ValueSet(status))
	return RechargeOrderResult{Status: status}, err
}
