-- name: CreateSession :exec
INSERT INTO sessions (token_hash, account_sid, expires_at)
VALUES (@token_hash, @account_sid, @expires_at);

-- name: GetSessionAccount :one
SELECT sqlc.embed(a)
FROM sessions s JOIN accounts a ON a.sid = s.account_sid
WHERE s.token_hash = @token_hash AND s.expires_at > now();

-- name: DeleteSession :execrows
DELETE FROM sessions WHERE token_hash = @token_hash;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at <= now();
