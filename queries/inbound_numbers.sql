-- name: CreateInboundNumber :one
-- A number already in the pool is left as it is and returns nothing.
INSERT INTO inbound_numbers (id, number, kind, region)
VALUES (@id, @number, @kind, @region)
ON CONFLICT (number) DO NOTHING
RETURNING *;

-- name: ListInboundNumbers :many
SELECT * FROM inbound_numbers
WHERE (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(kind)::text IS NULL OR kind = sqlc.narg(kind))
  AND (sqlc.narg(region)::text IS NULL OR region = sqlc.narg(region))
  AND (sqlc.narg(app_id)::text IS NULL OR app_id = sqlc.narg(app_id))
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (created_at, id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY created_at, id
LIMIT @max_rows;

-- name: ListInboundNumbersByAccount :many
SELECT * FROM inbound_numbers
WHERE account_sid = @account_sid AND status = 'bound'
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (created_at, id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY created_at, id
LIMIT @max_rows;

-- name: GetInboundNumberByBinding :one
SELECT * FROM inbound_numbers WHERE binding_id = @binding_id;

-- name: GetInboundNumber :one
SELECT * FROM inbound_numbers WHERE id = @id;

-- name: ReserveInboundNumber :one
-- Takes one free number (or one whose cooling has ended) for a binding. Concurrent
-- reservations skip each other's locked rows, so two bindings never get one number.
UPDATE inbound_numbers SET status = 'reserved', binding_id = @binding_id, app_id = @app_id,
    account_sid = @account_sid, cooling_until = NULL, updated_at = now()
WHERE id = (
    SELECT id FROM inbound_numbers
    WHERE status = 'free' OR (status = 'cooling' AND cooling_until <= now())
    ORDER BY created_at, id
    FOR UPDATE SKIP LOCKED
    LIMIT 1)
RETURNING *;

-- name: BindInboundNumber :execrows
UPDATE inbound_numbers SET status = 'bound', bound_at = coalesce(bound_at, now()),
    updated_at = now()
WHERE binding_id = @binding_id AND status IN ('reserved', 'bound');

-- name: ReturnInboundNumber :execrows
-- Gives back a number whose binding never went live; it is free at once.
UPDATE inbound_numbers SET status = 'free', binding_id = '', app_id = '', account_sid = '',
    bound_at = NULL, updated_at = now()
WHERE binding_id = @binding_id AND status IN ('reserved', 'bound');

-- name: CoolInboundNumber :execrows
-- Releases a bound number: it cools until cooling_until before it is offered again.
UPDATE inbound_numbers SET status = 'cooling', cooling_until = @cooling_until,
    binding_id = '', app_id = '', account_sid = '', bound_at = NULL, updated_at = now()
WHERE id = @id AND binding_id = @binding_id AND status = 'bound';

-- name: FreeCooledInboundNumber :execrows
UPDATE inbound_numbers SET status = 'free', cooling_until = NULL, updated_at = now()
WHERE id = @id AND status = 'cooling' AND cooling_until <= @now;

-- name: GetBoundNumberForApp :one
SELECT * FROM inbound_numbers WHERE app_id = @app_id AND status = 'bound';
