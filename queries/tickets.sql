-- name: CreateTicket :one
INSERT INTO tickets (id, account_sid, category, title, content, contact)
VALUES (@id, @account_sid, @category, @title, @content, @contact)
RETURNING *;

-- name: GetTicketByAccount :one
SELECT * FROM tickets WHERE id = @id AND account_sid = @account_sid;

-- name: GetTicket :one
SELECT * FROM tickets WHERE id = @id;

-- name: ListTicketsByAccount :many
SELECT * FROM tickets
WHERE account_sid = @account_sid
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: ListTickets :many
-- Every account's tickets, for staff, newest first.
SELECT * FROM tickets
WHERE (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: CreateTicketReply :one
INSERT INTO ticket_replies (id, ticket_id, author_sid, from_staff, body)
VALUES (@id, @ticket_id, @author_sid, @from_staff, @body)
RETURNING *;

-- name: ListTicketReplies :many
SELECT * FROM ticket_replies WHERE ticket_id = @ticket_id ORDER BY created_at, id;

-- name: UpdateTicketAfterReply :one
-- A reply moves an open ticket to 'answered' (staff) or 'open' (developer); a closed
-- ticket takes no replies and returns nothing.
UPDATE tickets SET status = @status, last_activity_at = now(), updated_at = now()
WHERE id = @id AND status <> 'closed'
RETURNING *;

-- name: CloseTicketByDeveloper :one
-- The developer closes and rates a ticket, or rates one that closed by itself.
UPDATE tickets SET
    status = 'closed',
    rating = @rating,
    closed_by = CASE WHEN status = 'closed' THEN closed_by ELSE 'developer' END,
    closed_at = coalesce(closed_at, now()),
    updated_at = now()
WHERE id = @id AND account_sid = @account_sid AND rating IS NULL
RETURNING *;

-- name: AutoCloseTicket :one
-- Closes a ticket whose last activity was a staff reply before idle_before.
UPDATE tickets SET status = 'closed', closed_by = 'auto', closed_at = @now::timestamptz,
    updated_at = now()
WHERE id = @id AND status = 'answered' AND last_activity_at <= @idle_before
RETURNING *;
