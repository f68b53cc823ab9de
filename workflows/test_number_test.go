package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/workflows"
)

// testSalt is the salt stored with the test number tn1.
var testSalt = []byte("0123456789abcdef0123456789abcdef")

// testNumberEnv runs a test number's workflow whose code is 123456.
func testNumberEnv(t *testing.T, wantStatus string, wantAttempts int) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.SendTestNumberCode, mock.Anything, "tn1").
		Return(activities.TestCodeHMAC(testSalt, "tn1", "123456"), nil).Once()
	env.OnActivity(acts.FinishTestNumber, mock.Anything, "tn1", wantStatus, wantAttempts).
		Return(nil).Once()
	return env
}

// sendCode sends the HMAC of code as an Update after delay, as the API does, and
// records the answer or refusal.
func sendCode(env *testsuite.TestWorkflowEnvironment, delay time.Duration, code string,
	answers *[]string) {
	sendProof(env, delay, code, activities.TestCodeHMAC(testSalt, "tn1", code), answers)
}

// sendProof sends proof as the verify Update after delay.
func sendProof(env *testsuite.TestWorkflowEnvironment, delay time.Duration, code, proof string,
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
		}, proof)
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

// The code itself, or its unsalted hash, is not what the workflow accepts: only the
// HMAC keyed with the stored salt verifies.
func TestTestNumberTakesOnlyTheCodeHMAC(t *testing.T) {
	env := testNumberEnv(t, "verified", 4)
	var answers []string
	sendProof(env, 10*time.Second, "123456", "123456", &answers)
	sendProof(env, 20*time.Second, "123456", activities.TestCodeHash("tn1", "123456"), &answers)
	sendProof(env, 30*time.Second, "123456",
		activities.TestCodeHMAC([]byte("another salt"), "tn1", "123456"), &answers)
	sendCode(env, 40*time.Second, "123456", &answers)
	env.ExecuteWorkflow(workflows.TestNumberWorkflow, workflows.TestNumberInput{TestNumberID: "tn1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(answers) != "[pending/4 pending/3 pending/2 verified/0]" {
		t.Errorf("answers: %v", answers)
	}
	env.AssertExpectations(t)
}

// A verification started before the HMAC change keeps taking the code it was
// built for, so its history replays.
func TestTestNumberBeforeHMACTakesTheCode(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnGetVersion("test-code-hmac", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnActivity(acts.SendTestNumberCode, mock.Anything, "tn1").
		Return(activities.TestCodeHash("tn1", "123456"), nil).Once()
	env.OnActivity(acts.FinishTestNumber, mock.Anything, "tn1", "verified", 2).Return(nil).Once()
	var answers []string
	sendProof(env, 10*time.Second, "000000", "000000", &answers)
	sendProof(env, 20*time.Second, "123456", "123456", &answers)
	env.ExecuteWorkflow(workflows.TestNumberWorkflow, workflows.TestNumberInput{TestNumberID: "tn1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(answers) != "[pending/4 verified/0]" {
		t.Errorf("answers: %v", answers)
	}
	env.AssertExpectations(t)
}
