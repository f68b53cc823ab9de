package workflows

import (
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/ledger"
)

func init() {
	all = append(all, GoLiveWorkflow)
}

// The Updates a go-live workflow accepts.
const (
	// GoLiveDecisionUpdate carries the reviewer's GoLiveDecision.
	GoLiveDecisionUpdate = "decision"
	// GoLiveWithdrawUpdate withdraws the request before the decision.
	GoLiveWithdrawUpdate = "withdraw"
)

// GoLiveID is the workflow ID of a go-live request.
func GoLiveID(requestID string) string { return "go-live/" + requestID }

// GoLiveInput starts a go-live workflow.
type GoLiveInput struct {
	RequestID   string `json:"request_id"`
	AppID       string `json:"app_id"`
	AccountSID  string `json:"account_sid"`
	AppType     string `json:"app_type"`
	CallbackURL string `json:"callback_url"`
}

// GoLiveDecision is a reviewer's decision; a rejection needs a reason.
type GoLiveDecision struct {
	Approve     bool   `json:"approve"`
	Reason      string `json:"reason"`
	ReviewerSID string `json:"reviewer_sid"`
}

// GoLiveResult is how a request ended: live, rejected, withdrawn or failed.
type GoLiveResult struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Number string `json:"number,omitempty"`
}

// goLive is the state of one go-live workflow.
type goLive struct {
	phase     string // checking, reviewing (from the moment it enters the queue), decided
	decision  *GoLiveDecision
	withdrawn bool
	recorded  bool // the decision or the withdrawal is in the database
}

// GoLiveWorkflow takes an app live: it checks the preconditions and probes the
// callback URL, waits for the reviewer's decision (or the developer's withdrawal),
// and on approval binds an IVR app a number, posts its first charges and makes the
// app live. Whatever the outcome, the developer is told.
func GoLiveWorkflow(ctx workflow.Context, in GoLiveInput) (GoLiveResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second,
			BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	st := &goLive{phase: "checking"}
	if err := st.register(ctx); err != nil {
		return GoLiveResult{}, err
	}
	appsBizStatus(ctx, "checking")

	result, err := st.run(ctx, a, in)
	if err != nil {
		return result, err
	}
	// Let the update handlers answer before the workflow ends.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return result, err
	}
	appsBizStatus(ctx, result.Status)
	return result, nil
}

func (st *goLive) register(ctx workflow.Context) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, GoLiveDecisionUpdate,
		func(ctx workflow.Context, d GoLiveDecision) (string, error) {
			st.decision = &d
			st.phase = "decided"
			if err := workflow.Await(ctx, func() bool { return st.recorded }); err != nil {
				return "", err
			}
			if d.Approve {
				return "approved", nil
			}
			return "rejected", nil
		},
		workflow.UpdateHandlerOptions{Validator: func(d GoLiveDecision) error {
			switch {
			case st.withdrawn:
				return errors.New("the request was withdrawn")
			case st.phase == "checking":
				return errors.New("the request is still being checked")
			case st.phase != "reviewing":
				return errors.New("the request has already been decided")
			case !d.Approve && d.Reason == "":
				return errors.New("a rejection needs a reason")
			}
			return nil
		}})
	if err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, GoLiveWithdrawUpdate,
		func(ctx workflow.Context) (string, error) {
			st.withdrawn = true
			if err := workflow.Await(ctx, func() bool { return st.recorded }); err != nil {
				return "", err
			}
			return "withdrawn", nil
		},
		workflow.UpdateHandlerOptions{Validator: func() error {
			if st.withdrawn || st.phase == "decided" {
				return errors.New("the request has already been decided or withdrawn")
			}
			return nil
		}})
}

func (st *goLive) run(ctx workflow.Context, a *activities.Activities, in GoLiveInput) (
	GoLiveResult, error) {
	// The preconditions, then the callback probe.
	var chk activities.Check
	if err := workflow.ExecuteActivity(ctx, a.CheckGoLive, in.RequestID).Get(ctx, &chk); err != nil {
		return GoLiveResult{}, err
	}
	if chk.OK && !st.withdrawn {
		probe := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 15 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
		})
		if err := workflow.ExecuteActivity(probe, a.ProbeCallback, in.CallbackURL).
			Get(ctx, &chk); err != nil {
			return GoLiveResult{}, err
		}
	}
	if st.withdrawn {
		return st.finish(ctx, a, in, activities.GoLiveOutcome{Status: "withdrawn"})
	}
	if !chk.OK {
		return st.finish(ctx, a, in, activities.GoLiveOutcome{Status: "failed",
			Reason: chk.Reason})
	}

	// The review. The request enters the queue in the database during the
	// activity, so decisions are accepted from its start on.
	st.phase = "reviewing"
	if err := workflow.ExecuteActivity(ctx, a.MarkGoLiveReviewing, in.RequestID).
		Get(ctx, nil); err != nil {
		return GoLiveResult{}, err
	}
	appsBizStatus(ctx, "reviewing")
	if err := workflow.Await(ctx, func() bool { return st.decision != nil || st.withdrawn }); err != nil {
		return GoLiveResult{}, err
	}
	if st.withdrawn {
		return st.finish(ctx, a, in, activities.GoLiveOutcome{Status: "withdrawn"})
	}
	d := st.decision
	if !d.Approve {
		return st.finish(ctx, a, in, activities.GoLiveOutcome{Status: "rejected",
			Reason: d.Reason, ReviewerSID: d.ReviewerSID})
	}
	if err := workflow.ExecuteActivity(ctx, a.RecordGoLiveApproval, in.RequestID,
		d.ReviewerSID).Get(ctx, nil); err != nil {
		return GoLiveResult{}, err
	}
	st.recorded = true
	appsBizStatus(ctx, "approved")
	return st.activate(ctx, a, in)
}

// activate binds an IVR app's number and makes the app live.
func (st *goLive) activate(ctx workflow.Context, a *activities.Activities, in GoLiveInput) (
	GoLiveResult, error) {
	binding := activities.NumberBinding{BindingID: in.RequestID, AppID: in.AppID,
		AccountSID: in.AccountSID}
	var number activities.BoundNumber
	if in.AppType == "ivr" {
		child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        NumberBindingID(in.AppID, in.RequestID),
			ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
		})
		err := workflow.ExecuteChildWorkflow(child, NumberBindingWorkflow, binding).
			Get(ctx, &number)
		if err != nil {
			reason := "no inbound number could be bound; try again later"
			var appErr *temporal.ApplicationError
			if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeNoFreeNumber {
				reason = "no inbound number is free; try again later"
			}
			return st.finish(ctx, a, in, activities.GoLiveOutcome{Status: "failed",
				Reason: reason})
		}
	}

	act := activities.Activation{RequestID: in.RequestID, Number: number,
		Month: ledger.Month(workflow.Now(ctx))}
	err := workflow.ExecuteActivity(ctx, a.ActivateApp, act).Get(ctx, nil)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeInsufficientBalance {
		if in.AppType == "ivr" {
			if err := workflow.ExecuteActivity(carrierOptions(ctx), a.ReturnNumber, binding,
				number).Get(ctx, nil); err != nil {
				return GoLiveResult{}, err
			}
		}
		return st.finish(ctx, a, in, activities.GoLiveOutcome{Status: "failed",
			Reason: "the balance no longer covers the first charges"})
	}
	if err != nil {
		return GoLiveResult{}, err
	}
	return GoLiveResult{Status: "live", Number: number.Number}, nil
}

// finish records an outcome other than live.
func (st *goLive) finish(ctx workflow.Context, a *activities.Activities, in GoLiveInput,
	o activities.GoLiveOutcome) (GoLiveResult, error) {
	o.RequestID = in.RequestID
	if err := workflow.ExecuteActivity(ctx, a.FinishGoLive, o).Get(ctx, nil); err != nil {
		return GoLiveResult{}, err
	}
	st.recorded = true
	return GoLiveResult{Status: o.Status, Reason: o.Reason}, nil
}
