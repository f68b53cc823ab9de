-- name: CreateVerification :one
INSERT INTO verifications (id, account_sid, kind, real_name, id_number_cipher, id_front_file,
    id_back_file, company_name, credit_code_cipher, legal_representative, licence_file,
    contact_phone)
VALUES (@id, @account_sid, @kind, @real_name, @id_number_cipher, @id_front_file,
    @id_back_file, @company_name, @credit_code_cipher, @legal_representative, @licence_file,
    @contact_phone)
RETURNING *;

-- name: GetVerificationByAccount :one
SELECT * FROM verifications WHERE id = @id AND account_sid = @account_sid;

-- name: GetVerificationByID :one
SELECT * FROM verifications WHERE id = @id;

-- name: ListVerificationsByAccount :many
SELECT * FROM verifications
WHERE account_sid = @account_sid
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: ListPendingVerifications :many
-- The review queue, oldest first.
SELECT * FROM verifications
WHERE status = 'pending'
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (created_at, id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY created_at, id
LIMIT @max_rows;

-- name: DecideVerification :execrows
-- Records the outcome of a pending submission; zero rows means it was not pending.
UPDATE verifications
SET status = @status, reject_reason = @reject_reason, reviewer_sid = @reviewer_sid,
    decided_at = now()
WHERE id = @id AND status = 'pending';

-- name: MarkVerificationOverdue :exec
UPDATE verifications SET overdue = true WHERE id = @id;

-- name: RaiseAccountVerificationLevel :execrows
-- Sets the level to kind unless the account already holds a company verification.
UPDATE accounts
SET verification_level = @kind, updated_at = now()
WHERE sid = @sid AND (verification_level = 'none' OR @kind::text = 'company');

-- name: GetLatestApprovedVerification :one
SELECT * FROM verifications
WHERE account_sid = @account_sid AND kind = @kind AND status = 'approved'
ORDER BY decided_at DESC, id DESC
LIMIT 1;
