package wfstart_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/internal/wfstart"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type echoInput struct {
	Word string `json:"word"`
}

// Echo is a workflow that only answers its input, to prove that the relay starts
// what was enqueued with the input it was enqueued with.
func Echo(ctx workflow.Context, in echoInput) (string, error) {
	return "echo " + in.Word, nil
}

// TestLostStartIsRelayed commits a business row and its workflow start, then "crashes"
// before starting the workflow. The relay starts it afterwards, exactly once.
func TestLostStartIsRelayed(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	ctx := context.Background()
	id := "echo/" + ids.New()

	// The commit: an announcement row (any business row) and the start intent.
	err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		op := env.Staff(t, "operator")
		if _, err := q.CreateAnnouncement(ctx, db.CreateAnnouncementParams{
			ID: ids.New(), Title: "t", Body: "b", CreatedBy: op.SID,
		}); err != nil {
			return err
		}
		return wfstart.Enqueue(ctx, q, wfstart.Request{
			WorkflowID: id, WorkflowType: "Echo", TaskQueue: env.Config.TaskQueue,
			Input: echoInput{Word: "hello"}, AccountSID: op.SID, BizStatus: "pending",
			Summary: "echo test",
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// The crash: nothing started the workflow.
	_, err = env.App.Temporal.DescribeWorkflowExecution(ctx, id, "")
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("the workflow exists before the relay ran: %v", err)
	}

	// A worker comes up, with its relay.
	w := worker.New(env.App.Temporal, env.Config.TaskQueue, worker.Options{})
	w.RegisterWorkflow(Echo)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	relay := env.App.Relay()
	n, err := relay.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("relay started %d, %v; want 1", n, err)
	}

	var out string
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := env.App.Temporal.GetWorkflow(wctx, id, "").Get(wctx, &out); err != nil {
		t.Fatal(err)
	}
	if out != "echo hello" {
		t.Fatalf("workflow answered %q", out)
	}

	// Nothing is pending any more; a second sweep and a late inline start are no-ops.
	if n, err := relay.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep started %d, %v", n, err)
	}
	if err := relay.Start(ctx, id); err != nil {
		t.Fatalf("a late start of a started workflow: %v", err)
	}
	pending, err := env.Store().CountPendingWorkflowStarts(ctx)
	if err != nil || pending != 0 {
		t.Fatalf("pending starts: %d, %v", pending, err)
	}

	// The search attributes reached Temporal.
	desc, err := env.App.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if sa := desc.WorkflowExecutionInfo.GetSearchAttributes().GetIndexedFields(); sa["AccountId"] == nil ||
		sa["BizStatus"] == nil {
		t.Errorf("search attributes missing: %v", sa)
	}
}

// TestEnqueueTwiceKeepsFirst shows that a retried request cannot replace the start
// that the first one committed.
func TestEnqueueTwiceKeepsFirst(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	ctx := context.Background()
	id := "echo/" + ids.New()
	for _, word := range []string{"first", "second"} {
		err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
			return wfstart.Enqueue(ctx, q, wfstart.Request{WorkflowID: id, WorkflowType: "Echo",
				TaskQueue: env.Config.TaskQueue, Input: echoInput{Word: word}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	row, err := env.Store().GetWorkflowStart(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if string(row.Input) != `{"word": "first"}` && string(row.Input) != `{"word":"first"}` {
		t.Fatalf("input after two enqueues: %s", row.Input)
	}
}
