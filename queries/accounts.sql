-- name: CreateAccount :one
INSERT INTO accounts (sid, role, email, password_hash, contact_name, mobile, auth_token_hash,
    auth_token_rotated_at)
VALUES (@sid, @role, @email, @password_hash, @contact_name, @mobile, @auth_token_hash, now())
RETURNING *;

-- name: GetAccountBySID :one
SELECT * FROM accounts WHERE sid = @sid;

-- name: GetAccountByEmail :one
SELECT * FROM accounts WHERE lower(email) = lower(@email);

-- name: GetAccountBySIDForUpdate :one
SELECT * FROM accounts WHERE sid = @sid FOR UPDATE;

-- name: UpdateAccountProfile :one
UPDATE accounts
SET contact_name = coalesce(sqlc.narg(contact_name), contact_name),
    mobile = coalesce(sqlc.narg(mobile), mobile),
    low_balance_threshold_li = coalesce(sqlc.narg(low_balance_threshold_li), low_balance_threshold_li),
    updated_at = now()
WHERE sid = @sid
RETURNING *;

-- name: UpdateAccountAuthToken :execrows
UPDATE accounts SET auth_token_hash = @auth_token_hash, auth_token_rotated_at = now(),
    updated_at = now()
WHERE sid = @sid;

-- name: UpdateAccountVerificationLevel :execrows
UPDATE accounts SET verification_level = @verification_level, updated_at = now()
WHERE sid = @sid;

-- name: UpdateAccountLowBalanceNotified :exec
UPDATE accounts SET low_balance_notified = @low_balance_notified WHERE sid = @sid;

-- name: ListStaff :many
SELECT sid, role FROM accounts WHERE role IN ('reviewer', 'operator') ORDER BY created_at, sid;
