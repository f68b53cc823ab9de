package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/internal/apperr"
)

// workflowUpdateTimeout bounds a request's wait for a workflow's answer to an
// Update, so that a missing worker answers 503 within seconds.
const workflowUpdateTimeout = 5 * time.Second

// runWorkflowUpdate sends the Update name to a workflow that may not have started
// yet (its start is still in the outbox). The Update ID is the Update's name and a
// digest of its arguments, so that the same step sent again after a timeout is
// applied once, while the same step with other arguments (another invoice number
// after a refusal) is a new Update.
func (s *Server) runWorkflowUpdate(ctx context.Context, workflowID, name string, res any,
	args ...any) error {
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	updateID := name + "/" + hex.EncodeToString(sum[:8])
	err = s.sendUpdate(ctx, workflowID, name, updateID, res, args)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return apperr.New(apperr.Unavailable,
			"the process of this request has not started yet; try again in a few seconds")
	}
	return updateError(workflowID, err)
}

// askWorkflow sends an Update to a running workflow; a workflow that is gone is a
// conflict.
func (s *Server) askWorkflow(ctx context.Context, workflowID, name, updateID string,
	out any, args ...any) error {
	err := s.sendUpdate(ctx, workflowID, name, updateID, out, args)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return apperr.New(apperr.Conflict, "the process has already ended")
	}
	return updateError(workflowID, err)
}

// sendUpdate sends an Update and waits until its handler has finished, decoding the
// answer into out.
func (s *Server) sendUpdate(ctx context.Context, workflowID, name, updateID string,
	out any, args []any) error {
	ctx, cancel := context.WithTimeout(ctx, workflowUpdateTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil && ctx.Err() != nil {
		return errors.Join(err, context.DeadlineExceeded)
	}
	return err
}

// updateError maps what an Update answered: a refusal by the workflow's validator or
// handler is a conflict with the workflow's reason; no answer in time is 503.
func updateError(workflowID string, err error) error {
	if err == nil {
		return nil
	}
	var refused *temporal.ApplicationError
	switch {
	case errors.As(err, &refused):
		return apperr.New(apperr.Conflict, "%s", refused.Message())
	case isTemporalUnavailable(err):
		return apperr.New(apperr.Unavailable, "the workflow service did not answer in "+
			"time; send the same request again in a moment, it is applied once")
	}
	return fmt.Errorf("updating workflow %s: %w", workflowID, err)
}

func isTemporalUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	var updateTimeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var busy *serviceerror.ResourceExhausted
	return errors.As(err, &unavailable) || errors.As(err, &deadline) ||
		errors.As(err, &canceled) || errors.As(err, &updateTimeout) ||
		errors.As(err, &busy) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled)
}
