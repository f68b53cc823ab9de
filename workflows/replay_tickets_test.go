package workflows_test

import (
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/yiyun-console/console/workflows"
)

// TestReplayCommittedHistories replays histories recorded on a real server against
// today's code, so that a change that would break running workflows fails here.
// testdata holds one auto-close process that closed its ticket at the first check
// and one that went to sleep until the next.
func TestReplayCommittedHistories(t *testing.T) {
	for _, file := range []string{
		"testdata/ticket_autoclose_closes.json",
		"testdata/ticket_autoclose_waits.json",
	} {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(workflows.TicketAutoClose)
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
