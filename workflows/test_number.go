package workflows

import (
	"crypto/hmac"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
)

func init() {
	all = append(all, TestNumberWorkflow)
}

// The rules of a test number's code.
const (
	TestCodeValidity = 5 * time.Minute
	TestCodeTries    = 5
)

// TestNumberVerifyUpdate carries activities.TestCodeHMAC of the code the developer
// typed, computed by the API with the salt stored with the number: the code itself
// never enters the workflow's history.
const TestNumberVerifyUpdate = "verify"

// testCodeHMACChange versions the switch from codes to their HMACs in the Update.
const testCodeHMACChange = "test-code-hmac"

// TestNumberID is the workflow ID of a test number's verification.
func TestNumberID(testNumberID string) string { return "test-number/" + testNumberID }

// TestNumberInput starts a test number's verification. It holds no phone number.
type TestNumberInput struct {
	TestNumberID string `json:"test_number_id"`
}

// TestNumberResult is a verification's state: pending (with TriesLeft), verified
// or expired.
type TestNumberResult struct {
	Status    string `json:"status"`
	TriesLeft int    `json:"tries_left"`
}

// TestNumberWorkflow sends a 6-digit code to a test number and waits for it: the
// number is verified by the right code within TestCodeValidity and TestCodeTries
// tries, else it ends unverified.
func TestNumberWorkflow(ctx workflow.Context, in TestNumberInput) (TestNumberResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second,
			MaximumInterval: 30 * time.Second},
	})
	var a *activities.Activities
	var hash string
	attempts, verified, recorded := 0, false, false
	over := func() bool { return verified || attempts >= TestCodeTries }

	// Verifications started before this version were sent the code itself and held
	// its unsalted hash; later ones are sent the code's TestCodeHMAC.
	version := workflow.GetVersion(ctx, testCodeHMACChange, workflow.DefaultVersion, 1)
	err := workflow.SetUpdateHandlerWithOptions(ctx, TestNumberVerifyUpdate,
		func(ctx workflow.Context, proof string) (TestNumberResult, error) {
			attempts++
			if version == workflow.DefaultVersion {
				proof = activities.TestCodeHash(in.TestNumberID, proof)
			}
			if hash != "" && hmac.Equal([]byte(proof), []byte(hash)) {
				verified = true
			}
			if !over() {
				return TestNumberResult{Status: "pending",
					TriesLeft: TestCodeTries - attempts}, nil
			}
			if err := workflow.Await(ctx, func() bool { return recorded }); err != nil {
				return TestNumberResult{}, err
			}
			if verified {
				return TestNumberResult{Status: "verified"}, nil
			}
			return TestNumberResult{Status: "expired"}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(proof string) error {
			switch {
			case hash == "":
				return errors.New("the code is still being sent")
			case recorded || over():
				return errors.New("the verification has ended; add the number again")
			}
			return nil
		}})
	if err != nil {
		return TestNumberResult{}, err
	}

	if err := workflow.ExecuteActivity(ctx, a.SendTestNumberCode, in.TestNumberID).
		Get(ctx, &hash); err != nil {
		return TestNumberResult{}, err
	}
	appsBizStatus(ctx, "code_sent")
	if _, err := workflow.AwaitWithTimeout(ctx, TestCodeValidity, over); err != nil {
		return TestNumberResult{}, err
	}

	status := "expired"
	if verified {
		status = "verified"
	}
	if err := workflow.ExecuteActivity(ctx, a.FinishTestNumber, in.TestNumberID, status,
		attempts).Get(ctx, nil); err != nil {
		return TestNumberResult{}, err
	}
	recorded = true
	appsBizStatus(ctx, status)
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return TestNumberResult{}, err
	}
	return TestNumberResult{Status: status}, nil
}
