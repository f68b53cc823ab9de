package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
)

// reviewTest runs VerificationReview in the SDK's test environment with time
// skipping and records the activities it calls.
type reviewTest struct {
	env       *testsuite.TestWorkflowEnvironment
	outcomes  []activities.VerificationOutcome
	escalated []time.Time
	start     time.Time
}

func newReviewTest(t *testing.T) *reviewTest {
	var s testsuite.WorkflowTestSuite
	rt := &reviewTest{env: s.NewTestWorkflowEnvironment()}
	rt.start = rt.env.Now()
	rt.env.RegisterActivity(&activities.Activities{})
	rt.env.OnActivity("FinishVerification", mock.Anything, mock.Anything).
		Return(func(_ context.Context, o activities.VerificationOutcome) error {
			rt.outcomes = append(rt.outcomes, o)
			return nil
		}).After(time.Minute)
	rt.env.OnActivity("EscalateVerification", mock.Anything, mock.Anything).
		Return(func(_ context.Context, e activities.VerificationEscalation) error {
			rt.escalated = append(rt.escalated, rt.env.Now())
			return nil
		})
	return rt
}

// updateAt sends an Update after d of workflow time and records its fate.
func (rt *reviewTest) updateAt(d time.Duration, name string, args ...any) *updateFate {
	f := &updateFate{}
	rt.env.RegisterDelayedCallback(func() {
		rt.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() { f.accepted = true },
			OnReject: func(err error) { f.rejected = err },
			OnComplete: func(v any, err error) {
				f.completed = true
				f.value, _ = v.(VerificationReviewResult)
			},
		}, args...)
	}, d)
	return f
}

type updateFate struct {
	accepted, completed bool
	rejected            error
	value               VerificationReviewResult
}

var reviewInput = VerificationReviewInput{VerificationID: "v1", AccountSID: "a1",
	Kind: "personal", ReviewDeadline: 48 * time.Hour}

func (rt *reviewTest) run(t *testing.T) VerificationReviewResult {
	t.Helper()
	rt.env.ExecuteWorkflow(VerificationReview, reviewInput)
	if !rt.env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	if err := rt.env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var res VerificationReviewResult
	if err := rt.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestVerificationReviewApprove(t *testing.T) {
	rt := newReviewTest(t)
	f := rt.updateAt(time.Hour, VerificationDecisionUpdate,
		VerificationDecision{Approve: true, ReviewerSID: "r1"})
	res := rt.run(t)

	want := VerificationReviewResult{Status: "approved", ReviewerSID: "r1"}
	if res != want || !f.completed || f.value != want {
		t.Errorf("result %+v, update %+v; want %+v", res, f, want)
	}
	if len(rt.outcomes) != 1 || rt.outcomes[0] != (activities.VerificationOutcome{
		VerificationID: "v1", AccountSID: "a1", Kind: "personal", Status: "approved",
		ReviewerSID: "r1"}) {
		t.Errorf("outcomes %+v", rt.outcomes)
	}
	if len(rt.escalated) != 0 {
		t.Errorf("escalated at %v before the deadline", rt.escalated)
	}
}

func TestVerificationReviewRefusesBadAndSecondDecisions(t *testing.T) {
	rt := newReviewTest(t)
	noReason := rt.updateAt(time.Hour, VerificationDecisionUpdate,
		VerificationDecision{Approve: false, Reason: "  "})
	reject := rt.updateAt(2*time.Hour, VerificationDecisionUpdate,
		VerificationDecision{Reason: "the photo is blurred", ReviewerSID: "r1"})
	// The second decision arrives while the first is being written.
	second := rt.updateAt(2*time.Hour+time.Second, VerificationDecisionUpdate,
		VerificationDecision{Approve: true, ReviewerSID: "r2"})
	withdraw := rt.updateAt(2*time.Hour+2*time.Second, VerificationWithdrawUpdate)
	res := rt.run(t)

	if noReason.rejected == nil || noReason.accepted {
		t.Errorf("a rejection without a reason was not refused: %+v", noReason)
	}
	if !reject.completed || reject.value.Status != "rejected" {
		t.Errorf("rejection: %+v", reject)
	}
	if !errors.Is(second.rejected, ErrAlreadyFinished) &&
		(second.rejected == nil || second.rejected.Error() != ErrAlreadyFinished.Error()) {
		t.Errorf("second decision: %+v", second)
	}
	if withdraw.rejected == nil {
		t.Errorf("withdrawal after the decision: %+v", withdraw)
	}
	if res.Status != "rejected" || res.Reason != "the photo is blurred" ||
		len(rt.outcomes) != 1 {
		t.Errorf("result %+v, outcomes %+v", res, rt.outcomes)
	}
}

func TestVerificationReviewEscalatesAndKeepsWaiting(t *testing.T) {
	rt := newReviewTest(t)
	f := rt.updateAt(60*time.Hour, VerificationDecisionUpdate,
		VerificationDecision{Approve: true, ReviewerSID: "r1"})
	res := rt.run(t)

	if len(rt.escalated) != 1 || rt.escalated[0].Sub(rt.start) != 48*time.Hour {
		t.Errorf("escalated at %v, want once at start+48h (%v)", rt.escalated, rt.start)
	}
	if !f.completed || res.Status != "approved" || !res.Escalated {
		t.Errorf("result %+v, update %+v", res, f)
	}
}

func TestVerificationReviewWithdrawal(t *testing.T) {
	rt := newReviewTest(t)
	w := rt.updateAt(3*time.Hour, VerificationWithdrawUpdate)
	late := rt.updateAt(3*time.Hour+time.Second, VerificationDecisionUpdate,
		VerificationDecision{Approve: true})
	res := rt.run(t)

	if !w.completed || res.Status != "withdrawn" || late.rejected == nil {
		t.Errorf("result %+v, withdrawal %+v, late decision %+v", res, w, late)
	}
	if len(rt.escalated) != 0 || len(rt.outcomes) != 1 ||
		rt.outcomes[0].Status != "withdrawn" {
		t.Errorf("escalated %v, outcomes %+v", rt.escalated, rt.outcomes)
	}
}
