-- name: CreateFile :one
INSERT INTO files (id, account_sid, storage_key, content_type, size_bytes, width, height)
VALUES (@id, @account_sid, @storage_key, @content_type, @size_bytes, @width, @height)
RETURNING *;

-- name: GetFileByAccount :one
SELECT * FROM files WHERE id = @id AND account_sid = @account_sid;

-- name: GetFileByID :one
SELECT * FROM files WHERE id = @id;

-- name: GetFileUnderReview :one
-- A file attached to a submission still waiting for its review: the only files
-- reviewers may see, as the full ID number is shown only then.
SELECT f.* FROM files f
WHERE f.id = @id AND EXISTS (
    SELECT 1 FROM verifications v
    WHERE v.status = 'pending'
      AND f.id IN (v.id_front_file, v.id_back_file, v.licence_file));
