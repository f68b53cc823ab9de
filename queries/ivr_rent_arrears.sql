-- name: CreateIVRRentArrears :exec
INSERT INTO ivr_rent_arrears (app_id, month, account_sid) VALUES (@app_id, @month, @account_sid)
ON CONFLICT (app_id, month) DO NOTHING;

-- name: ResolveIVRRentArrears :exec
UPDATE ivr_rent_arrears SET status = @status, resolved_at = now()
WHERE app_id = @app_id AND month = @month AND status = 'open';

-- name: ListOpenIVRRentArrearsByAccount :many
SELECT * FROM ivr_rent_arrears WHERE account_sid = @account_sid AND status = 'open'
ORDER BY created_at, app_id;

-- name: CountOpenIVRRentArrears :one
SELECT count(*) FROM ivr_rent_arrears WHERE month = @month AND status = 'open';
