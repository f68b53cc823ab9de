-- name: CreateFile :one
INSERT INTO files (id, account_sid, storage_key, content_type, size_bytes, width, height)
VALUES (@id, @account_sid, @storage_key, @content_type, @size_bytes, @width, @height)
RETURNING *;

-- name: GetFileByAccount :one
SELECT * FROM files WHERE id = @id AND account_sid = @account_sid;

-- name: GetFileByID :one
SELECT * FROM files WHERE id = @id;
