-- name: CreateTestNumber :one
INSERT INTO test_numbers (id, account_sid, mobile, expires_at)
VALUES (@id, @account_sid, @mobile, @expires_at)
RETURNING *;

-- name: CountLiveTestNumbers :one
SELECT count(*) FROM test_numbers WHERE account_sid = @account_sid AND status <> 'expired';

-- name: GetTestNumber :one
SELECT * FROM test_numbers WHERE id = @id AND account_sid = @account_sid;

-- name: GetTestNumberByID :one
SELECT * FROM test_numbers WHERE id = @id;

-- name: ListTestNumbers :many
SELECT * FROM test_numbers
WHERE account_sid = @account_sid
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (created_at, id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY created_at, id
LIMIT @max_rows;

-- name: DeleteTestNumber :execrows
DELETE FROM test_numbers WHERE id = @id AND account_sid = @account_sid;

-- name: SetTestNumberCode :exec
UPDATE test_numbers SET code_hash = @code_hash, updated_at = now() WHERE id = @id;

-- name: SetTestNumberStatus :execrows
UPDATE test_numbers SET status = @status, attempts = @attempts, updated_at = now(),
    verified_at = CASE WHEN @status = 'verified' THEN now() ELSE verified_at END
WHERE id = @id AND status = 'pending';
