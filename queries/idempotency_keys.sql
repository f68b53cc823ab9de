-- name: ClaimIdempotencyKey :execrows
INSERT INTO idempotency_keys (account_sid, key, route, request_hash, status_code, response_body)
VALUES (@account_sid, @key, @route, @request_hash, 0, '')
ON CONFLICT DO NOTHING;

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE account_sid = @account_sid AND key = @key;

-- name: SaveIdempotentResponse :exec
UPDATE idempotency_keys SET status_code = @status_code, response_body = @response_body
WHERE account_sid = @account_sid AND key = @key;

-- name: PurgeIdempotencyKeys :execrows
-- Deletes up to max_rows keys older than before; the retention job calls it until it
-- deletes fewer.
DELETE FROM idempotency_keys
WHERE (account_sid, key) IN (
    SELECT k.account_sid, k.key FROM idempotency_keys k
    WHERE k.created_at < @before
    LIMIT @max_rows
);
