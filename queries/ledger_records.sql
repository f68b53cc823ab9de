-- name: ListConsumptionByAccount :many
SELECT * FROM ledger_entries
WHERE account_sid = @account_sid AND kind = 'charge'
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(app_id)::text IS NULL OR app_id = sqlc.narg(app_id))
  AND (sqlc.narg(from_time)::timestamptz IS NULL OR created_at >= sqlc.narg(from_time))
  AND (sqlc.narg(to_time)::timestamptz IS NULL OR created_at < sqlc.narg(to_time))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::bigint))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: ListRechargesByAccount :many
SELECT * FROM ledger_entries
WHERE account_sid = @account_sid AND kind = 'credit' AND category = 'recharge'
  AND (sqlc.narg(from_time)::timestamptz IS NULL OR created_at >= sqlc.narg(from_time))
  AND (sqlc.narg(to_time)::timestamptz IS NULL OR created_at < sqlc.narg(to_time))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::bigint))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: CountIVRAppRentCharges :one
SELECT count(*) FROM ledger_entries WHERE category = 'ivr_app_rent' AND reference = @month;
