-- name: CreateGoLiveRequest :one
INSERT INTO go_live_requests (id, app_id, account_sid, app_type)
VALUES (@id, @app_id, @account_sid, @app_type)
RETURNING *;

-- name: GetGoLiveRequest :one
SELECT * FROM go_live_requests WHERE id = @id;

-- name: GetOpenGoLiveRequestForApp :one
SELECT * FROM go_live_requests
WHERE app_id = @app_id AND status IN ('checking', 'reviewing', 'approved');

-- name: ListGoLiveRequestsForReview :many
-- The review queue, oldest first.
SELECT r.*, a.name AS app_name, a.callback_url
FROM go_live_requests r JOIN apps a ON a.id = r.app_id
WHERE (sqlc.narg(status)::text IS NULL OR r.status = sqlc.narg(status))
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (r.created_at, r.id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY r.created_at, r.id
LIMIT @max_rows;

-- name: UpdateGoLiveRequestStatus :execrows
-- Moves a request to status when it is in one of from.
UPDATE go_live_requests SET status = @status, reason = @reason, updated_at = now(),
    reviewer_sid = CASE WHEN @reviewer_sid::text <> '' THEN @reviewer_sid ELSE reviewer_sid END,
    decided_at = CASE WHEN @decided::boolean THEN coalesce(decided_at, now()) ELSE decided_at END
WHERE id = @id AND status = ANY(@from_statuses::text[]);

-- name: SetGoLiveRequestNumber :exec
UPDATE go_live_requests SET number_id = @number_id, updated_at = now() WHERE id = @id;
