package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/workflows"
)

// goLiveInput is the request of an IVR app whose callback is never really probed:
// the tests mock the probe.
var goLiveInput = workflows.GoLiveInput{RequestID: "r1", AppID: "app1",
	AccountSID: "acct1", AppType: "ivr", CallbackURL: "http://127.0.0.1:9/cb"}

// goLiveEnv runs a go-live workflow whose checks pass after checkTime.
func goLiveEnv(checkTime time.Duration) (*testsuite.TestWorkflowEnvironment,
	*activities.Activities) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.NumberBindingWorkflow)
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.CheckGoLive, mock.Anything, "r1").After(checkTime).
		Return(activities.Check{OK: true}, nil).Once()
	return env, acts
}

// sendUpdate sends an Update after delay and records its answer or refusal.
func sendUpdate(env *testsuite.TestWorkflowEnvironment, delay time.Duration, name string,
	answers *[]string, args ...any) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, fmt.Sprint(name, delay), &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { *answers = append(*answers, "refused: "+err.Error()) },
			OnComplete: func(v any, err error) {
				*answers = append(*answers, fmt.Sprintf("%v %v", v, err))
			},
		}, args...)
	}, delay)
}

// TestGoLiveWithdrawnWhileChecking withdraws a request before its checks end: the
// callback is not probed, the request never reaches the reviewers, and it ends
// withdrawn.
func TestGoLiveWithdrawnWhileChecking(t *testing.T) {
	env, acts := goLiveEnv(10 * time.Second)
	var probed, queued bool
	env.OnActivity(acts.ProbeCallback, mock.Anything, mock.Anything).Return(
		func(context.Context, string) (activities.Check, error) {
			probed = true
			return activities.Check{OK: true}, nil
		}).Maybe()
	env.OnActivity(acts.MarkGoLiveReviewing, mock.Anything, "r1").Return(
		func(context.Context, string) error { queued = true; return nil }).Maybe()
	env.OnActivity(acts.FinishGoLive, mock.Anything,
		activities.GoLiveOutcome{RequestID: "r1", Status: "withdrawn"}).Return(nil).Once()

	var answers []string
	sendUpdate(env, time.Second, workflows.GoLiveWithdrawUpdate, &answers)
	env.ExecuteWorkflow(workflows.GoLiveWorkflow, goLiveInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res workflows.GoLiveResult
	env.GetWorkflowResult(&res)
	if res.Status != "withdrawn" || fmt.Sprint(answers) != "[withdrawn <nil>]" {
		t.Errorf("result %+v, answers %v", res, answers)
	}
	if probed || queued {
		t.Errorf("after the withdrawal: probed %v, queued for review %v", probed, queued)
	}
	env.AssertExpectations(t)
}

// TestGoLiveApprovalBindsAndActivates refuses a decision while the request is
// being checked, then approves it in review: the number is bound through the
// binding workflow (the carrier failing once), the app activated with it, and a
// second decision while it binds is refused.
func TestGoLiveApprovalBindsAndActivates(t *testing.T) {
	env, acts := goLiveEnv(10 * time.Second)
	acts.Outside.Carrier = &flakyCarrier{failures: 1}
	env.OnActivity(acts.ProbeCallback, mock.Anything, goLiveInput.CallbackURL).
		Return(activities.Check{OK: true}, nil).Once()
	env.OnActivity(acts.MarkGoLiveReviewing, mock.Anything, "r1").Return(nil).Once()
	env.OnActivity(acts.RecordGoLiveApproval, mock.Anything, "r1", "rev1").Return(nil).Once()
	b := activities.NumberBinding{BindingID: "r1", AppID: "app1", AccountSID: "acct1"}
	env.OnActivity(acts.ReserveNumber, mock.Anything, b).Return(number, nil).Once()
	env.OnActivity(acts.BindNumber, mock.Anything, b).Return(nil).Once()
	var activated activities.Activation
	env.OnActivity(acts.ActivateApp, mock.Anything, mock.Anything).Return(
		func(_ context.Context, a activities.Activation) error { activated = a; return nil }).
		Once()

	var answers []string
	approve := workflows.GoLiveDecision{Approve: true, ReviewerSID: "rev1"}
	sendUpdate(env, time.Second, workflows.GoLiveDecisionUpdate, &answers, approve)
	sendUpdate(env, time.Hour, workflows.GoLiveDecisionUpdate, &answers, approve)
	// While the carrier's failure is retried, a second decision comes too late.
	sendUpdate(env, time.Hour+500*time.Millisecond, workflows.GoLiveDecisionUpdate, &answers,
		workflows.GoLiveDecision{Reason: "too late", ReviewerSID: "rev2"})
	env.ExecuteWorkflow(workflows.GoLiveWorkflow, goLiveInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}

	var res workflows.GoLiveResult
	env.GetWorkflowResult(&res)
	if res.Status != "live" || res.Number != number.Number {
		t.Errorf("result %+v", res)
	}
	want := "[refused: the request is still being checked|approved <nil>|" +
		"refused: the request has already been decided]"
	if got := "[" + strings.Join(answers, "|") + "]"; got != want {
		t.Errorf("answers %s, want %s", got, want)
	}
	if activated.RequestID != "r1" || activated.Number != number || activated.Month == "" {
		t.Errorf("activated %+v", activated)
	}
	env.AssertExpectations(t)
}
