-- name: GetAppByID :one
SELECT * FROM apps WHERE id = @id;

-- name: GetAppForAccount :one
SELECT * FROM apps WHERE id = @id AND account_sid = @account_sid;
