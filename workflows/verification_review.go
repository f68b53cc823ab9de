package workflows

import (
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/wfstart"
)

func init() {
	all = append(all, VerificationReview)
}

// The Updates that VerificationReview accepts.
const (
	// VerificationDecisionUpdate carries a reviewer's VerificationDecision.
	VerificationDecisionUpdate = "decision"
	// VerificationWithdrawUpdate is the developer's withdrawal; it takes no argument.
	VerificationWithdrawUpdate = "withdraw"
)

// The BizStatus values of a verification review besides its final states.
const (
	VerificationPendingReview = "pending_review"
	VerificationOverdue       = "overdue"
)

// defaultReviewDeadline applies when the input carries no deadline.
const defaultReviewDeadline = 48 * time.Hour

// VerificationReviewID is the workflow ID of the review of one submission.
func VerificationReviewID(verificationID string) string {
	return "verification-review/" + verificationID
}

// VerificationReviewInput is the submission to review; it holds no personal data.
type VerificationReviewInput struct {
	VerificationID string
	AccountSID     string
	Kind           string        // personal or company
	ReviewDeadline time.Duration // escalate when no decision came by then
}

// VerificationDecision is a reviewer's decision.
type VerificationDecision struct {
	Approve     bool
	Reason      string // required for a rejection
	ReviewerSID string
}

// VerificationReviewResult is how the review ended.
type VerificationReviewResult struct {
	Status      string // approved, rejected or withdrawn
	Reason      string
	ReviewerSID string
	Escalated   bool
}

// ErrAlreadyFinished is the validators' refusal of a second decision or withdrawal.
var ErrAlreadyFinished = errors.New("this submission already has a decision or was withdrawn")

// VerificationReview waits for a reviewer's decision on one verification submission,
// or its withdrawal, each delivered as an Update. Past the review deadline it tells
// the operators, shows as overdue and keeps waiting. The outcome is written by the
// FinishVerification activity before the Update answers.
func VerificationReview(ctx workflow.Context, in VerificationReviewInput) (
	VerificationReviewResult, error) {
	var acts *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, MaximumInterval: time.Minute,
		},
	})
	deadline := in.ReviewDeadline
	if deadline <= 0 {
		deadline = defaultReviewDeadline
	}

	var result VerificationReviewResult
	chosen, finished := false, false
	finish := func(hctx workflow.Context, o activities.VerificationOutcome) (
		VerificationReviewResult, error) {
		hctx = workflow.WithActivityOptions(hctx, workflow.GetActivityOptions(ctx))
		if err := workflow.ExecuteActivity(hctx, acts.FinishVerification, o).
			Get(hctx, nil); err != nil {
			return VerificationReviewResult{}, err
		}
		result.Status, result.Reason, result.ReviewerSID = o.Status, o.Reason, o.ReviewerSID
		finished = true
		markBizStatus(hctx, o.Status)
		return result, nil
	}
	outcome := func(status string) activities.VerificationOutcome {
		return activities.VerificationOutcome{VerificationID: in.VerificationID,
			AccountSID: in.AccountSID, Kind: in.Kind, Status: status}
	}

	err := workflow.SetUpdateHandlerWithOptions(ctx, VerificationDecisionUpdate,
		func(hctx workflow.Context, d VerificationDecision) (VerificationReviewResult, error) {
			chosen = true
			o := outcome(activities.VerificationApproved)
			if !d.Approve {
				o = outcome(activities.VerificationRejected)
				o.Reason = strings.TrimSpace(d.Reason)
			}
			o.ReviewerSID = d.ReviewerSID
			return finish(hctx, o)
		},
		workflow.UpdateHandlerOptions{Validator: func(d VerificationDecision) error {
			if chosen {
				return ErrAlreadyFinished
			}
			if !d.Approve && strings.TrimSpace(d.Reason) == "" {
				return errors.New("a rejection needs a reason")
			}
			return nil
		}})
	if err != nil {
		return result, err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, VerificationWithdrawUpdate,
		func(hctx workflow.Context) (VerificationReviewResult, error) {
			chosen = true
			return finish(hctx, outcome(activities.VerificationWithdrawn))
		},
		workflow.UpdateHandlerOptions{Validator: func() error {
			if chosen {
				return ErrAlreadyFinished
			}
			return nil
		}})
	if err != nil {
		return result, err
	}

	// Wait for the decision; past the deadline, escalate once and keep waiting.
	ok, err := workflow.AwaitWithTimeout(ctx, deadline, func() bool { return chosen })
	if err != nil {
		return result, err
	}
	if !ok {
		result.Escalated = true
		esc := activities.VerificationEscalation{VerificationID: in.VerificationID,
			AccountSID: in.AccountSID, Kind: in.Kind, Deadline: deadline}
		if err := workflow.ExecuteActivity(ctx, acts.EscalateVerification, esc).
			Get(ctx, nil); err != nil {
			return result, err
		}
		if !chosen {
			markBizStatus(ctx, VerificationOverdue)
		}
	}
	if err := workflow.Await(ctx, func() bool { return finished }); err != nil {
		return result, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return result, err
	}
	return result, nil
}

// markBizStatus shows a workflow's business state in the Temporal UI.
func markBizStatus(ctx workflow.Context, status string) {
	err := workflow.UpsertTypedSearchAttributes(ctx, wfstart.BizStatusKey.ValueSet(status))
	if err != nil {
		workflow.GetLogger(ctx).Warn("setting biz status failed", "err", err)
	}
}
