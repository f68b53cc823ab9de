package api_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/yiyun-console/console/internal/testenv"
)

// saveHistory waits for a workflow to finish and, when SAVE_HISTORY is set, writes
// its history to workflows/testdata/<name>, for the replay tests of package
// workflows: SAVE_HISTORY=1 go test ./api/ -run TestVerification.
func saveHistory(t testing.TB, env *testenv.Env, workflowID, name string) {
	t.Helper()
	ctx := context.Background()
	if err := env.App.Temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, nil); err != nil {
		t.Fatalf("workflow %s: %v", workflowID, err)
	}
	if os.Getenv("SAVE_HISTORY") == "" {
		return
	}
	var h history.History
	iter := env.App.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d events)", path, len(h.Events))
}
