-- name: CreateMessage :one
-- A message is posted once per idempotency key; a repeated post returns nothing.
INSERT INTO messages (account_sid, type, title, body, reference, idempotency_key)
VALUES (@account_sid, @type, @title, @body, @reference, @idempotency_key)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING *;

-- name: ListMessages :many
SELECT * FROM messages
WHERE account_sid = @account_sid
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type))
  AND (sqlc.narg(unread)::boolean IS NULL OR (read_at IS NULL) = sqlc.narg(unread))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: CountUnreadMessages :one
SELECT count(*) FROM messages WHERE account_sid = @account_sid AND read_at IS NULL;

-- name: MarkMessageRead :execrows
UPDATE messages SET read_at = coalesce(read_at, now())
WHERE account_sid = @account_sid AND id = @id;

-- name: MarkAllMessagesRead :execrows
UPDATE messages SET read_at = now() WHERE account_sid = @account_sid AND read_at IS NULL;

-- name: CreateAnnouncement :one
INSERT INTO announcements (id, title, body, created_by)
VALUES (@id, @title, @body, @created_by)
RETURNING *;

-- name: FanOutAnnouncement :execrows
INSERT INTO messages (account_sid, type, title, body, reference, idempotency_key)
SELECT a.sid, 'announcement', @title, @body, @announcement_id,
       'announcement:' || @announcement_id::text || ':' || a.sid
FROM accounts a
WHERE a.role = 'developer' AND a.created_at <= @posted_at
ON CONFLICT (idempotency_key) DO NOTHING;
