-- name: CreateSMS :exec
INSERT INTO sms_outbox (id, mobile, body, idempotency_key)
VALUES (@id, @mobile, @body, @idempotency_key)
ON CONFLICT (idempotency_key) DO NOTHING;

-- name: ListSMS :many
SELECT * FROM sms_outbox
WHERE (sqlc.narg(mobile)::text IS NULL OR mobile = sqlc.narg(mobile))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;
