package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
)

func init() {
	all = append(all, InvoiceFulfilment)
}

// The Updates that InvoiceFulfilment accepts, each allowed in one state.
const (
	InvoiceReviewUpdate          = "review"           // InvoiceDecision, while pending
	InvoiceCancelUpdate          = "cancel"           // no argument, while pending
	InvoiceIssueUpdate           = "issue"            // InvoiceIssue, once approved
	InvoiceMailUpdate            = "mail"             // InvoiceMail, once issued
	InvoiceConfirmDeliveryUpdate = "confirm-delivery" // no argument, once mailed
)

// DefaultAutoDelivery is how long after mailing an invoice counts as delivered when
// the developer has not confirmed it.
const DefaultAutoDelivery = 15 * 24 * time.Hour

// InvoiceWorkflowID is the workflow ID of the fulfilment of one invoice application.
func InvoiceWorkflowID(invoiceID string) string { return "invoice/" + invoiceID }

// InvoiceInput is the application to fulfil.
type InvoiceInput struct {
	InvoiceID    string
	AccountSID   string
	AutoDelivery time.Duration // zero means DefaultAutoDelivery
}

// InvoiceDecision is a reviewer's decision on an application.
type InvoiceDecision struct {
	Approve     bool
	Reason      string // required for a rejection
	ReviewerSID string
}

// InvoiceIssue records the issued invoice's number.
type InvoiceIssue struct{ InvoiceNumber string }

// InvoiceMail records how the invoice was sent.
type InvoiceMail struct{ Courier, TrackingNumber string }

// InvoiceResult is the state an invoice reached.
type InvoiceResult struct{ Status string }

// InvoiceFulfilment takes one invoice application through review, issue, mailing and
// delivery, each step an Update that its validator admits only in the right state.
// Delivery is confirmed by the developer or happens by itself AutoDelivery after
// mailing. Every step is written, and the developer messaged, by AdvanceInvoice.
func InvoiceFulfilment(ctx workflow.Context, in InvoiceInput) (InvoiceResult, error) {
	var acts *activities.Activities
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, MaximumInterval: time.Minute,
		},
	}
	ctx = workflow.WithActivityOptions(ctx, opts)
	autoDelivery := in.AutoDelivery
	if autoDelivery <= 0 {
		autoDelivery = DefaultAutoDelivery
	}

	state, busy := activities.InvoicePending, false
	advance := func(hctx workflow.Context, s activities.InvoiceStep) (InvoiceResult, error) {
		busy = true
		defer func() { busy = false }()
		s.InvoiceID, s.AccountSID, s.From = in.InvoiceID, in.AccountSID, state
		hctx = workflow.WithActivityOptions(hctx, opts)
		if err := workflow.ExecuteActivity(hctx, acts.AdvanceInvoice, s).Get(hctx, nil); err != nil {
			return InvoiceResult{}, err
		}
		state = s.To
		markBizStatus(hctx, state)
		return InvoiceResult{Status: state}, nil
	}
	requireState := func(want string) error {
		if busy {
			return errors.New("another step of this invoice is under way; " +
				"look at the invoice again in a moment")
		}
		if state != want {
			return fmt.Errorf("the invoice is %s; this step needs it %s", state, want)
		}
		return nil
	}

	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{InvoiceReviewUpdate,
			func(hctx workflow.Context, d InvoiceDecision) (InvoiceResult, error) {
				s := activities.InvoiceStep{To: activities.InvoiceApproved, ReviewerSID: d.ReviewerSID}
				if !d.Approve {
					s.To, s.Reason = activities.InvoiceRejected, strings.TrimSpace(d.Reason)
				}
				return advance(hctx, s)
			},
			func(d InvoiceDecision) error {
				if !d.Approve && strings.TrimSpace(d.Reason) == "" {
					return errors.New("a rejection needs a reason")
				}
				return requireState(activities.InvoicePending)
			}},
		{InvoiceCancelUpdate,
			func(hctx workflow.Context) (InvoiceResult, error) {
				return advance(hctx, activities.InvoiceStep{To: activities.InvoiceCancelled})
			},
			func() error { return requireState(activities.InvoicePending) }},
		{InvoiceIssueUpdate,
			func(hctx workflow.Context, is InvoiceIssue) (InvoiceResult, error) {
				return advance(hctx, activities.InvoiceStep{To: activities.InvoiceIssued,
					InvoiceNumber: is.InvoiceNumber})
			},
			func(is InvoiceIssue) error {
				if is.InvoiceNumber == "" {
					return errors.New("the invoice number is required")
				}
				return requireState(activities.InvoiceApproved)
			}},
		{InvoiceMailUpdate,
			func(hctx workflow.Context, m InvoiceMail) (InvoiceResult, error) {
				return advance(hctx, activities.InvoiceStep{To: activities.InvoiceMailed,
					Courier: m.Courier, TrackingNumber: m.TrackingNumber})
			},
			func(m InvoiceMail) error {
				if m.Courier == "" || m.TrackingNumber == "" {
					return errors.New("the courier and tracking number are required")
				}
				return requireState(activities.InvoiceIssued)
			}},
		{InvoiceConfirmDeliveryUpdate,
			func(hctx workflow.Context) (InvoiceResult, error) {
				return advance(hctx, activities.InvoiceStep{To: activities.InvoiceDelivered,
					DeliveredBy: "developer"})
			},
			func() error { return requireState(activities.InvoiceMailed) }},
	}
	for _, h := range handlers {
		err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler,
			workflow.UpdateHandlerOptions{Validator: h.validator})
		if err != nil {
			return InvoiceResult{}, err
		}
	}

	// Wait for the review and the steps up to mailing, or the end of the application.
	err := workflow.Await(ctx, func() bool {
		return !busy && (state == activities.InvoiceRejected ||
			state == activities.InvoiceCancelled || state == activities.InvoiceMailed)
	})
	if err != nil {
		return InvoiceResult{}, err
	}
	if state == activities.InvoiceMailed {
		confirmed, err := workflow.AwaitWithTimeout(ctx, autoDelivery, func() bool {
			return busy || state == activities.InvoiceDelivered
		})
		if err != nil {
			return InvoiceResult{}, err
		}
		if !confirmed {
			if _, err := advance(ctx, activities.InvoiceStep{To: activities.InvoiceDelivered,
				DeliveredBy: "automatic"}); err != nil {
				return InvoiceResult{}, err
			}
		}
		if err := workflow.Await(ctx, func() bool {
			return state == activities.InvoiceDelivered
		}); err != nil {
			return InvoiceResult{}, err
		}
	}
	err = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return InvoiceResult{Status: state}, err
}
