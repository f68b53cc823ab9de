package api

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/internal/apperr"
)

// updateTimeout bounds a request's wait for a workflow's Update: without a worker,
// the caller gets 503 instead of waiting.
const updateTimeout = 5 * time.Second

// askWorkflow sends an Update to a running workflow and waits until it completes,
// decoding its answer into out. A refusal by the workflow's validator or handler is
// a conflict with the workflow's reason; a workflow that is gone is a conflict too;
// no answer in time is 503.
func (s *Server) askWorkflow(ctx context.Context, workflowID, name, updateID string,
	out any, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, out)
	}
	return updateError(ctx, err)
}

func updateError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr):
		return apperr.New(apperr.Conflict, "%s", appErr.Message())
	case errors.As(err, &notFound):
		return apperr.New(apperr.Conflict, "the process has already ended")
	case ctx.Err() != nil:
		return apperr.New(apperr.Unavailable,
			"the process did not answer in time; try again shortly")
	}
	return err
}
