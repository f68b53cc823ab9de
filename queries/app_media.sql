-- name: CreateMediaBlob :exec
-- A blob is stored once per content key; a repeated upload locks the existing row.
INSERT INTO media_blobs (content_key, size_bytes) VALUES (@content_key, @size_bytes)
ON CONFLICT (content_key) DO UPDATE SET size_bytes = excluded.size_bytes;

-- name: CreateAppMedia :one
INSERT INTO app_media (id, app_id, account_sid, name, content_key, format, content_type,
    sample_rate, duration_ms, size_bytes)
VALUES (@id, @app_id, @account_sid, @name, @content_key, @format, @content_type,
    @sample_rate, @duration_ms, @size_bytes)
RETURNING *;

-- name: GetAppMedia :one
SELECT * FROM app_media WHERE id = @id AND app_id = @app_id AND account_sid = @account_sid;

-- name: ListAppMedia :many
SELECT * FROM app_media
WHERE app_id = @app_id AND account_sid = @account_sid
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: DeleteAppMedia :one
DELETE FROM app_media WHERE id = @id AND app_id = @app_id AND account_sid = @account_sid
RETURNING content_key;

-- name: DeleteMediaBlobIfUnused :execrows
-- Removes a blob no prompt refers to any more; the caller then deletes its file.
DELETE FROM media_blobs b WHERE b.content_key = @content_key
  AND NOT EXISTS (SELECT 1 FROM app_media m WHERE m.content_key = b.content_key);

-- name: CountMediaBlobs :one
SELECT count(*) FROM media_blobs;
