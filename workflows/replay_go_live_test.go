package workflows_test

import (
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/yiyun-console/console/workflows"
)

// TestHistoriesReplay replays committed histories of an approved IVR go-live and
// of its number binding against today's workflow code: a change that would break
// running workflows fails here. The histories are recorded by TestWriteGoLiveHistory
// in the api package.
func TestHistoriesReplay(t *testing.T) {
	for _, file := range []string{"testdata/go_live_ivr.json",
		"testdata/number_binding_ivr.json"} {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(workflows.GoLiveWorkflow)
		r.RegisterWorkflow(workflows.NumberBindingWorkflow)
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
