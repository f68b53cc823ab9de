-- name: GetAppByID :one
SELECT * FROM apps WHERE id = @id;

-- name: GetAppForAccount :one
SELECT * FROM apps WHERE id = @id AND account_sid = @account_sid;

-- name: GetAppForAccountForUpdate :one
SELECT * FROM apps WHERE id = @id AND account_sid = @account_sid FOR UPDATE;

-- name: CreateApp :one
INSERT INTO apps (id, account_sid, name, type, callback_url, call_auth, whitelist, services,
    app_token_hash)
VALUES (@id, @account_sid, @name, @type, @callback_url, @call_auth, @whitelist, @services,
    @app_token_hash)
RETURNING *;

-- name: ListAppsByAccount :many
SELECT * FROM apps
WHERE account_sid = @account_sid
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type))
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: UpdateApp :one
-- Changes the fields given; NULL leaves a field as it is.
UPDATE apps SET
    name = coalesce(sqlc.narg(name), name),
    callback_url = coalesce(sqlc.narg(callback_url), callback_url),
    call_auth = coalesce(sqlc.narg(call_auth), call_auth),
    whitelist = coalesce(sqlc.narg(whitelist), whitelist),
    services = coalesce(sqlc.narg(services)::text[], services),
    updated_at = now()
WHERE id = @id AND account_sid = @account_sid
RETURNING *;

-- name: UpdateAppStatus :execrows
-- Moves an app to status when it is in one of from.
UPDATE apps SET status = @status, status_reason = @status_reason, updated_at = now(),
    live_since = CASE WHEN @status = 'live' THEN coalesce(live_since, now()) ELSE live_since END
WHERE id = @id AND status = ANY(@from_statuses::text[]);
