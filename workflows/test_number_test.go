package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/workflows"
)

// testNumberEnv runs a test number's workflow whose code is 123456.
func testNumberEnv(t *testing.T, wantStatus string, wantAttempts int) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.SendTestNumberCode, mock.Anything, "tn1").
		Return(activities.TestCodeHash("tn1", "123456"), nil).Once()
	env.OnActivity(acts.FinishTestNumber, mock.Anything, "tn1", wantStatus, wantAttempts).
		Return(nil).Once()
	return env
}

// sendCode sends code as an Update after delay and records the answer or refusal.
func sendCode(env *testsuite.TestWorkflowEnvironment, delay time.Duration, code string,
	answers *[]string) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.TestNumberVerifyUpdate, fmt.Sprint("u", len(*answers), code,
			delay), &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { *answers = append(*answers, "refused") },
			OnComplete: func(v any, err error) {
				r, _ := v.(workflows.TestNumberResult)
				*answers = append(*answers, fmt.Sprintf("%s/%d", r.Status, r.TriesLeft))
			},
		}, code)
	}, delay)
}

func TestTestNumberCodeExpires(t *testing.T) {
	env := testNumberEnv(t, "expired", 0)
	start := env.Now()
	var answers []string
	sendCode(env, 6*time.Minute, "123456", &answers)
	env.ExecuteWorkflow(workflows.TestNumberWorkflow, workflows.TestNumberInput{TestNumberID: "tn1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res workflows.TestNumberResult
	env.GetWorkflowResult(&res)
	if res.Status != "expired" {
		t.Fatalf("result %+v", res)
	}
	if d := env.Now().Sub(start); d != 5*time.Minute {
		t.Errorf("expired after %s, want 5m", d)
	}
	if len(answers) != 0 {
		t.Errorf("a code after expiry was answered: %v", answers)
	}
	env.AssertExpectations(t)
}

func TestTestNumberVerifiedWithinTime(t *testing.T) {
	env := testNumberEnv(t, "verified", 2)
	var answers []string
	sendCode(env, time.Minute, "000000", &answers)
	sendCode(env, 4*time.Minute+59*time.Second, "123456", &answers)
	env.ExecuteWorkflow(workflows.TestNumberWorkflow, workflows.TestNumberInput{TestNumberID: "tn1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(answers) != "[pending/4 verified/0]" {
		t.Errorf("answers: %v", answers)
	}
	env.AssertExpectations(t)
}

func TestTestNumberEndsAfterFiveWrongCodes(t *testing.T) {
	env := testNumberEnv(t, "expired", 5)
	start := env.Now()
	var answers []string
	for i := 1; i <= 5; i++ {
		sendCode(env, time.Duration(i)*10*time.Second, "999999", &answers)
	}
	env.ExecuteWorkflow(workflows.TestNumberWorkflow, workflows.TestNumberInput{TestNumberID: "tn1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(answers) != "[pending/4 pending/3 pending/2 pending/1 expired/0]" {
		t.Errorf("answers: %v", answers)
	}
	if d := env.Now().Sub(start); d >= 5*time.Minute {
		t.Errorf("ended after %s; the fifth wrong code should end it at once", d)
	}
	env.AssertExpectations(t)
}
