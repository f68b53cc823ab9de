-- name: ClaimIdempotencyKey :execrows
INSERT INTO idempotency_keys (account_sid, key, route, request_hash, status_code, response_body)
VALUES (@account_sid, @key, @route, @request_hash, 0, '')
ON CONFLICT DO NOTHING;

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE account_sid = @account_sid AND key = @key;

-- name: SaveIdempotentResponse :exec
UPDATE idempotency_keys SET status_code = @status_code, response_body = @response_body
WHERE account_sid = @account_sid AND key = @key;
