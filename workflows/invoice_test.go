package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
)

// invoiceTest runs InvoiceFulfilment with time skipping and records its steps.
type invoiceTest struct {
	env   *testsuite.TestWorkflowEnvironment
	steps []activities.InvoiceStep
	at    []time.Duration
	start time.Time
}

func newInvoiceTest() *invoiceTest {
	var s testsuite.WorkflowTestSuite
	it := &invoiceTest{env: s.NewTestWorkflowEnvironment()}
	it.start = it.env.Now()
	it.env.RegisterActivity(&activities.Activities{})
	it.env.OnActivity("AdvanceInvoice", mock.Anything, mock.Anything).
		Return(func(_ context.Context, s activities.InvoiceStep) error {
			it.steps = append(it.steps, s)
			it.at = append(it.at, it.env.Now().Sub(it.start))
			return nil
		})
	return it
}

func (it *invoiceTest) updateAt(d time.Duration, name string, args ...any) *invoiceFate {
	f := &invoiceFate{}
	it.env.RegisterDelayedCallback(func() {
		it.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { f.rejected = err },
			OnComplete: func(v any, err error) {
				f.err = err
				if r, ok := v.(InvoiceResult); ok {
					f.status = r.Status
				}
			},
		}, args...)
	}, d)
	return f
}

type invoiceFate struct {
	status   string
	rejected error
	err      error
}

func (it *invoiceTest) run(t *testing.T) InvoiceResult {
	t.Helper()
	it.env.ExecuteWorkflow(InvoiceFulfilment, InvoiceInput{InvoiceID: "i1", AccountSID: "a1"})
	if !it.env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	var res InvoiceResult
	if err := it.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func (it *invoiceTest) path() string {
	s := ""
	for _, st := range it.steps {
		s += st.From + ">" + st.To + " "
	}
	return s
}

func TestInvoiceDeliveredAutomatically(t *testing.T) {
	it := newInvoiceTest()
	early := it.updateAt(time.Hour, InvoiceMailUpdate, InvoiceMail{"SF", "SF100"})
	review := it.updateAt(2*time.Hour, InvoiceReviewUpdate, InvoiceDecision{Approve: true,
		ReviewerSID: "r1"})
	cancel := it.updateAt(3*time.Hour, InvoiceCancelUpdate)
	issue := it.updateAt(4*time.Hour, InvoiceIssueUpdate, InvoiceIssue{"No.0001"})
	mail := it.updateAt(5*time.Hour, InvoiceMailUpdate, InvoiceMail{"SF", "SF100"})
	res := it.run(t)

	if early.rejected == nil || cancel.rejected == nil {
		t.Errorf("mail before issue: %+v; cancel after approval: %+v", early, cancel)
	}
	if review.status != "approved" || issue.status != "issued" || mail.status != "mailed" {
		t.Errorf("steps answered %+v %+v %+v", review, issue, mail)
	}
	want := "pending>approved approved>issued issued>mailed mailed>delivered "
	if it.path() != want || res.Status != "delivered" {
		t.Fatalf("path %q, result %+v; want %q", it.path(), res, want)
	}
	last := it.steps[3]
	if last.DeliveredBy != "automatic" || it.at[3] != 5*time.Hour+15*24*time.Hour {
		t.Errorf("delivered by %q after %v, want automatic after 15 days past mailing",
			last.DeliveredBy, it.at[3])
	}
	if it.steps[1].InvoiceNumber != "No.0001" || it.steps[2].TrackingNumber != "SF100" {
		t.Errorf("steps %+v", it.steps)
	}
}

func TestInvoiceConfirmedByDeveloper(t *testing.T) {
	it := newInvoiceTest()
	it.updateAt(time.Hour, InvoiceReviewUpdate, InvoiceDecision{Approve: true})
	it.updateAt(2*time.Hour, InvoiceIssueUpdate, InvoiceIssue{"No.0002"})
	it.updateAt(3*time.Hour, InvoiceMailUpdate, InvoiceMail{"EMS", "E1"})
	confirm := it.updateAt(4*24*time.Hour, InvoiceConfirmDeliveryUpdate)
	res := it.run(t)
	if confirm.status != "delivered" || res.Status != "delivered" ||
		it.steps[len(it.steps)-1].DeliveredBy != "developer" || len(it.steps) != 4 {
		t.Errorf("confirm %+v, result %+v, steps %+v", confirm, res, it.steps)
	}
}

func TestInvoiceRejectedAndCancelled(t *testing.T) {
	it := newInvoiceTest()
	noReason := it.updateAt(time.Hour, InvoiceReviewUpdate, InvoiceDecision{})
	reject := it.updateAt(2*time.Hour, InvoiceReviewUpdate, InvoiceDecision{Reason: "wrong title"})
	res := it.run(t)
	if noReason.rejected == nil || reject.status != "rejected" || res.Status != "rejected" ||
		it.steps[0].Reason != "wrong title" {
		t.Errorf("no reason %+v, reject %+v, result %+v", noReason, reject, res)
	}

	it = newInvoiceTest()
	cancel := it.updateAt(time.Hour, InvoiceCancelUpdate)
	res = it.run(t)
	if cancel.status != "cancelled" || res.Status != "cancelled" || it.path() != "pending>cancelled " {
		t.Errorf("cancel %+v, result %+v, path %q", cancel, res, it.path())
	}
}
