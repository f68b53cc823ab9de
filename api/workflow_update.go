package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/internal/apperr"
)

// workflowUpdateTimeout bounds the wait for a workflow's answer to an Update, so that
// a missing worker answers 503 within seconds.
const workflowUpdateTimeout = 5 * time.Second

// runWorkflowUpdate sends the Update name to a workflow, waits until its handler has
// finished and decodes the answer into res. The Update ID is the Update's name, so
// that the same step sent again after a timeout is applied once. A refusal by the
// workflow's validator is a conflict; no answer in time is unavailable.
func (s *Server) runWorkflowUpdate(ctx context.Context, workflowID, name string, res any,
	args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, workflowUpdateTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     name,
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, res)
	}
	if err == nil {
		return nil
	}

	var refused *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &refused):
		return apperr.New(apperr.Conflict, "%s", refused.Message())
	case errors.As(err, &notFound):
		return apperr.New(apperr.Unavailable,
			"the process of this request has not started yet; try again in a few seconds")
	case ctx.Err() != nil || isTemporalUnavailable(err):
		return apperr.New(apperr.Unavailable, "the workflow service did not answer in "+
			"time; send the same request again in a moment, it is applied once")
	}
	return fmt.Errorf("updating workflow %s: %w", workflowID, err)
}

func isTemporalUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	return errors.As(err, &unavailable) || errors.As(err, &deadline) ||
		errors.As(err, &canceled) || errors.Is(err, context.DeadlineExceeded)
}
