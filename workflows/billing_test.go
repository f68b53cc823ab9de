package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/workflows"
)

func TestArrearsRetryDailyThenSuspendThenResumeOnTopUp(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	env.RegisterActivity(a)
	start := env.Now()

	// Unpaid until the account is topped up on day 9.
	var attempts []time.Duration
	toppedUp := false
	env.OnActivity(a.RetryIVRRent, mock.Anything, "app1", "2026-12").Return(
		func(_ context.Context, _, _ string) (string, error) {
			attempts = append(attempts, env.Now().Sub(start))
			if toppedUp {
				return billing.ArrearsPaid, nil
			}
			return billing.ArrearsUnpaid, nil
		})
	var suspendedAt time.Duration = -1
	env.OnActivity(a.SuspendIVRApp, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in billing.ArrearsInput) error {
			suspendedAt = env.Now().Sub(start)
			return nil
		})
	env.RegisterDelayedCallback(func() {
		toppedUp = true
		env.SignalWorkflow(workflows.TopUpSignal, nil)
	}, 9*24*time.Hour+time.Hour)

	env.ExecuteWorkflow(workflows.IVRRentArrears, billing.ArrearsInput{
		AppID: "app1", AccountSID: "acct", Month: "2026-12"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var outcome string
	_ = env.GetWorkflowResult(&outcome)
	if outcome != billing.ArrearsPaid {
		t.Errorf("outcome %q", outcome)
	}
	if suspendedAt != 7*24*time.Hour {
		t.Errorf("suspended after %s, want 168h", suspendedAt)
	}
	// Attempts: at once, then daily (days 1..9), then at the top-up.
	if len(attempts) != 11 || attempts[1] != 24*time.Hour || attempts[7] != 7*24*time.Hour ||
		attempts[10] != 9*24*time.Hour+time.Hour {
		t.Errorf("attempts at %v", attempts)
	}
}

func TestArrearsEndWhenTheAppIsGone(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	env.RegisterActivity(a)
	calls := 0
	env.OnActivity(a.RetryIVRRent, mock.Anything, "app1", "2026-12").Return(
		func(_ context.Context, _, _ string) (string, error) {
			calls++
			if calls == 3 {
				return billing.ArrearsGone, nil // taken offline on day 2
			}
			return billing.ArrearsUnpaid, nil
		})
	env.ExecuteWorkflow(workflows.IVRRentArrears, billing.ArrearsInput{AppID: "app1", Month: "2026-12"})
	var outcome string
	if err := env.GetWorkflowResult(&outcome); err != nil || outcome != billing.ArrearsGone {
		t.Fatalf("outcome %q, err %v", outcome, err)
	}
	env.AssertNotCalled(t, "SuspendIVRApp", mock.Anything, mock.Anything)
}

func TestRechargeOrderExpiresAfterThirtyMinutes(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	env.RegisterActivity(a)
	var expiredAfter time.Duration
	start := env.Now()
	env.OnActivity(a.ExpireRechargeOrder, mock.Anything, "o1").Return(
		func(_ context.Context, _ string) (string, error) {
			expiredAfter = env.Now().Sub(start)
			return billing.OrderExpired, nil
		})
	env.ExecuteWorkflow(workflows.RechargeOrder, workflows.RechargeOrderInput{
		OrderID: "o1", ExpiresAt: start.Add(billing.OrderTTL)})
	var res workflows.RechargeOrderResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != billing.OrderExpired {
		t.Fatalf("result %+v, err %v", res, err)
	}
	if expiredAfter != 30*time.Minute {
		t.Errorf("expired after %s", expiredAfter)
	}
}

func TestRechargeOrderPaidBeforeDeadline(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	env.RegisterActivity(a)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.RechargePaidSignal, nil)
	}, 10*time.Minute)
	env.ExecuteWorkflow(workflows.RechargeOrder, workflows.RechargeOrderInput{
		OrderID: "o1", ExpiresAt: env.Now().Add(billing.OrderTTL)})
	var res workflows.RechargeOrderResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Status != billing.OrderPaid {
		t.Fatalf("result %+v, err %v", res, err)
	}
	env.AssertNotCalled(t, "ExpireRechargeOrder", mock.Anything, mock.Anything)
}
