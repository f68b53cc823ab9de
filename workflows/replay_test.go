package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayVerificationReview replays committed histories of the review workflow,
// recorded on the dev server, against today's code: a change that would break
// running reviews fails here.
func TestReplayVerificationReview(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "verification_review_*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("histories: %v %v", files, err)
	}
	for _, f := range files {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(VerificationReview)
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("replaying %s: %v", f, err)
		}
	}
}

// TestReplayInvoiceFulfilment replays a committed history of an invoice taken from
// application to confirmed delivery.
func TestReplayInvoiceFulfilment(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflow(InvoiceFulfilment)
	f := filepath.Join("testdata", "invoice_delivered.json")
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
		t.Errorf("replaying %s: %v", f, err)
	}
}
