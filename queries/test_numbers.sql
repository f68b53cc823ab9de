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
UPDATE test_numbers SET code_hash = @code_hash, code_salt = @code_salt, updated_at = now()
WHERE id = @id;

-- name: SetTestNumberStatus :execrows
UPDATE test_numbers SET status = @status, attempts = @attempts, updated_at = now(),
    verified_at = CASE WHEN @status = 'verified' THEN now() ELSE verified_at END
WHERE id = @id AND status = 'pending';

-- name: NthRecentTestNumberCode :one
-- The time of the nth newest code (n counted from 0) texted since @since for an
-- account when account_sid is given, to one mobile when mobile is given; no row
-- means fewer were sent.
SELECT created_at FROM test_number_codes
WHERE (sqlc.narg(account_sid)::text IS NULL OR account_sid = sqlc.narg(account_sid))
  AND (sqlc.narg(mobile)::text IS NULL OR mobile = sqlc.narg(mobile))
  AND created_at > @since
ORDER BY created_at DESC
OFFSET @nth LIMIT 1;

-- name: RecordTestNumberCode :exec
INSERT INTO test_number_codes (account_sid, mobile, created_at)
VALUES (@account_sid, @mobile, @created_at);

-- name: PurgeTestNumberCodes :exec
DELETE FROM test_number_codes WHERE account_sid = @account_sid AND created_at < @before;

-- name: LockTestNumberMobile :exec
-- Serialises, until the transaction ends, the additions of one mobile across
-- accounts, so that its limits are counted one addition after another.
SELECT pg_advisory_xact_lock(hashtextextended('test-number-mobile:' || @mobile::text, 0));
