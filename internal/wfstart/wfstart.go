// Package wfstart makes "a request the API accepted is never lost" true for every
// workflow the console starts. The business row and the intent to start its
// workflow are committed in one transaction (Enqueue); right after the commit the API
// tries the start itself (Starter.Start), and a relay in every worker starts whatever
// is still pending (Relay). Starting is idempotent by workflow ID, so the API and the
// relay may both try.
package wfstart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
)

// The search attributes every console workflow carries. None holds personal data.
var (
	AccountIDKey = temporal.NewSearchAttributeKeyKeyword("AccountId")
	AppIDKey     = temporal.NewSearchAttributeKeyKeyword("AppId")
	BizStatusKey = temporal.NewSearchAttributeKeyKeyword("BizStatus")
)

// SearchAttributes maps the names of the console's search attributes to their
// Temporal types, for registering them on a server.
var SearchAttributes = map[string]string{
	"AccountId": "Keyword",
	"AppId":     "Keyword",
	"BizStatus": "Keyword",
}

// Request is a workflow to start.
type Request struct {
	WorkflowID   string
	WorkflowType string
	TaskQueue    string
	Input        any
	AccountSID   string
	AppID        string
	BizStatus    string
	Summary      string // one line shown in the Temporal UI; no personal data
}

// Enqueue records r in the caller's transaction (q must be bound to it). Enqueueing
// the same workflow ID twice keeps the first.
func Enqueue(ctx context.Context, q *db.Queries, r Request) error {
	input, err := json.Marshal(r.Input)
	if err != nil {
		return fmt.Errorf("encoding input of %s: %w", r.WorkflowID, err)
	}
	return q.CreateWorkflowStart(ctx, db.CreateWorkflowStartParams{
		WorkflowID:   r.WorkflowID,
		WorkflowType: r.WorkflowType,
		TaskQueue:    r.TaskQueue,
		Input:        input,
		AccountSid:   r.AccountSID,
		AppID:        r.AppID,
		BizStatus:    r.BizStatus,
		Summary:      r.Summary,
	})
}

// Starter starts enqueued workflows.
type Starter struct {
	Store    *db.Store
	Temporal client.Client
	Log      *slog.Logger
}

// Start starts the pending workflow with this ID, if it is still pending, and marks
// it started. A workflow that already runs or ran counts as started.
func (s *Starter) Start(ctx context.Context, workflowID string) error {
	row, err := s.Store.GetWorkflowStart(ctx, workflowID)
	if err != nil {
		return fmt.Errorf("reading workflow start %s: %w", workflowID, err)
	}
	if row.StartedAt != nil {
		return nil
	}
	return s.start(ctx, s.Store.Queries, row)
}

func (s *Starter) start(ctx context.Context, q *db.Queries, row db.WorkflowStart) error {
	sa := []temporal.SearchAttributeUpdate{}
	if row.AccountSid != "" {
		sa = append(sa, AccountIDKey.ValueSet(row.AccountSid))
	}
	if row.AppID != "" {
		sa = append(sa, AppIDKey.ValueSet(row.AppID))
	}
	if row.BizStatus != "" {
		sa = append(sa, BizStatusKey.ValueSet(row.BizStatus))
	}
	opts := client.StartWorkflowOptions{
		ID:                       row.WorkflowID,
		TaskQueue:                row.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes:    temporal.NewSearchAttributes(sa...),
		StaticSummary:            row.Summary,
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, opts, row.WorkflowType, json.RawMessage(row.Input))
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &already) {
		backoff := time.Duration(min(row.Attempts+1, 30)) * time.Second
		_ = q.MarkWorkflowStartFailed(context.WithoutCancel(ctx), db.MarkWorkflowStartFailedParams{
			WorkflowID:    row.WorkflowID,
			LastError:     err.Error(),
			NextAttemptAt: time.Now().Add(backoff),
		})
		return fmt.Errorf("starting workflow %s: %w", row.WorkflowID, err)
	}
	if err := q.MarkWorkflowStarted(ctx, row.WorkflowID); err != nil {
		return fmt.Errorf("marking workflow %s started: %w", row.WorkflowID, err)
	}
	return nil
}

// Relay starts pending workflows of one task queue until its context ends.
type Relay struct {
	Starter
	TaskQueue string
	Interval  time.Duration // between sweeps; one second by default
}

// Run sweeps the outbox every Interval until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	interval := r.Interval
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("workflow relay sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep starts the workflows pending now and returns how many it started. Rows are
// locked while they are started so that several relays share the work.
func (r *Relay) Sweep(ctx context.Context) (int, error) {
	started := 0
	for {
		n, err := r.sweepBatch(ctx)
		started += n
		if err != nil || n < relayBatch {
			return started, err
		}
	}
}

const relayBatch = 50

func (r *Relay) sweepBatch(ctx context.Context) (int, error) {
	started := 0
	err := r.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		rows, err := q.ListPendingWorkflowStarts(ctx, db.ListPendingWorkflowStartsParams{
			TaskQueue: r.TaskQueue, MaxRows: relayBatch,
		})
		if err != nil {
			return fmt.Errorf("listing pending starts: %w", err)
		}
		for _, row := range rows {
			if err := r.start(ctx, q, row); err != nil {
				r.Log.Warn("workflow start failed", "workflow_id", row.WorkflowID, "err", err)
				continue
			}
			started++
		}
		return nil
	})
	if started > 0 {
		r.Log.Info("workflow relay started pending workflows", "count", started)
	}
	return started, err
}
