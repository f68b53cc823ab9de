-- name: CreateWorkflowStart :exec
INSERT INTO workflow_starts (workflow_id, workflow_type, task_queue, input, account_sid, app_id,
    biz_status, summary)
VALUES (@workflow_id, @workflow_type, @task_queue, @input, @account_sid, @app_id, @biz_status,
    @summary)
ON CONFLICT (workflow_id) DO NOTHING;

-- name: ListPendingWorkflowStarts :many
SELECT * FROM workflow_starts
WHERE started_at IS NULL AND next_attempt_at <= now() AND task_queue = @task_queue
ORDER BY next_attempt_at
LIMIT @max_rows
FOR UPDATE SKIP LOCKED;

-- name: GetWorkflowStart :one
SELECT * FROM workflow_starts WHERE workflow_id = @workflow_id;

-- name: MarkWorkflowStarted :exec
UPDATE workflow_starts SET started_at = now(), attempts = attempts + 1, last_error = ''
WHERE workflow_id = @workflow_id AND started_at IS NULL;

-- name: MarkWorkflowStartFailed :exec
UPDATE workflow_starts
SET attempts = attempts + 1, last_error = @last_error, next_attempt_at = @next_attempt_at
WHERE workflow_id = @workflow_id AND started_at IS NULL;

-- name: CountPendingWorkflowStarts :one
SELECT count(*) FROM workflow_starts WHERE started_at IS NULL;
