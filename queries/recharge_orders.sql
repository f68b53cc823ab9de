-- name: CreateRechargeOrder :one
INSERT INTO recharge_orders (id, account_sid, amount_li, channel, expires_at)
VALUES (@id, @account_sid, @amount_li, @channel, @expires_at)
RETURNING *;

-- name: GetRechargeOrderByID :one
SELECT * FROM recharge_orders WHERE id = @id;

-- name: GetRechargeOrderForAccount :one
SELECT * FROM recharge_orders WHERE id = @id AND account_sid = @account_sid;

-- name: GetRechargeOrderForUpdate :one
SELECT * FROM recharge_orders WHERE id = @id FOR UPDATE;

-- name: ListRechargeOrdersByAccount :many
SELECT * FROM recharge_orders
WHERE account_sid = @account_sid
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(channel)::text IS NULL OR channel = sqlc.narg(channel))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: MarkRechargeOrderPaid :one
-- Settles a locked order: paid, or paid_after_expiry when it had expired.
UPDATE recharge_orders
SET status = CASE WHEN status = 'expired' THEN 'paid_after_expiry' ELSE 'paid' END,
    channel_txn = @channel_txn, confirmed_by = @confirmed_by, paid_at = @paid_at,
    updated_at = now()
WHERE id = @id AND status IN ('pending', 'expired')
RETURNING *;

-- name: ExpireRechargeOrder :execrows
UPDATE recharge_orders SET status = 'expired', updated_at = now()
WHERE id = @id AND status = 'pending';
