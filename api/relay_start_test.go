package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/testenv"
)

// TestReviewAndInvoiceStartedByTheRelay drops the inline workflow start, as a crash
// between the commit and the start would: the submission and the application are
// kept, steps sent meanwhile get a 503 and change nothing, and once the relay runs
// their workflows start and the same steps go through once.
func TestReviewAndInvoiceStartedByTheRelay(t *testing.T) {
	env := testenv.New(t, testenv.Options{API: api.Deps{SkipInlineStart: true},
		NoWorker: true})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")

	vid := submit(t, env, dev, personalBody(t, env, dev))
	notStarted(t, env, "verification-review/"+vid)
	start := time.Now()
	r := decide(t, env, reviewer, vid, http.StatusServiceUnavailable, "approve", "")
	if took := time.Since(start); took > 8*time.Second || r.ErrorCode() != "unavailable" {
		t.Errorf("before the start: %s after %v", r.Body, took)
	}
	if err := env.StartWorker(); err != nil {
		t.Fatal(err)
	}
	bizStatus(t, env, dev.SID, "verification-review/"+vid, "pending_review")
	decide(t, env, reviewer, vid, http.StatusOK, "approve", "")
	if got := level(t, env, dev); got != "personal" {
		t.Fatalf("level %q", got)
	}

	// An application made while no worker runs waits in the outbox.
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "personal"}})
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})
	topUp(t, env, dev.SID, 100, "relay")
	env.StopWorker()
	a := apply(t, env, dev, "70", "relay-1")
	if a.Status != http.StatusCreated || a.Str("status") != "pending" {
		t.Fatalf("application: %d %s", a.Status, a.Body)
	}
	inv := a.Str("id")
	notStarted(t, env, "invoice/"+inv)
	step(t, env, dev, "/v1/invoices/"+inv+"/cancel", http.StatusServiceUnavailable, nil)
	if got := invoiceable(t, env, dev); got != "30.000" {
		t.Errorf("invoiceable %s with the application waiting", got)
	}

	if err := env.StartWorker(); err != nil {
		t.Fatal(err)
	}
	bizStatus(t, env, dev.SID, "invoice/"+inv, "pending")
	for range 2 {
		c := step(t, env, dev, "/v1/invoices/"+inv+"/cancel", http.StatusOK, nil)
		if c.Str("status") != "cancelled" {
			t.Errorf("cancelled: %s", c.Body)
		}
	}
	if got := invoiceable(t, env, dev); got != "100.000" {
		t.Errorf("invoiceable %s after the cancellation", got)
	}
	if titles := messageTitles(t, env, dev, "?type=invoice"); len(titles) != 1 ||
		titles[0] != "Invoice application cancelled" {
		t.Errorf("invoice messages %v", titles)
	}
}

// notStarted checks that Temporal knows no workflow of that ID.
func notStarted(t *testing.T, env *testenv.Env, workflowID string) {
	t.Helper()
	_, err := env.App.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("workflow %s before the relay ran: %v", workflowID, err)
	}
}
