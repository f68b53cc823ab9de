-- name: ListLiveIVRAppsAfter :many
-- A page of the IVR apps live before the end of a month, in ID order.
SELECT id, account_sid FROM apps
WHERE type = 'ivr' AND status = 'live' AND id > @after_id AND live_since < @month_end
ORDER BY id
LIMIT @max_rows;

-- name: LockLiveIVRApps :many
-- Locks those of an account's apps that are still live IVR apps, so that an app taken
-- offline meanwhile is not charged.
SELECT id FROM apps
WHERE account_sid = @account_sid AND id = ANY(@ids::text[]) AND type = 'ivr'
  AND status = 'live'
ORDER BY id
FOR UPDATE;

-- name: LockChargeableIVRApp :one
-- Locks an IVR app that still owes rent: live or suspended for rent.
SELECT * FROM apps WHERE id = @id AND type = 'ivr' AND status IN ('live', 'suspended')
FOR UPDATE;

-- name: SuspendAppForRent :execrows
UPDATE apps SET status = 'suspended', status_reason = @status_reason, updated_at = now()
WHERE id = @id AND status = 'live';

-- name: ResumeAppAfterRent :execrows
UPDATE apps SET status = 'live', status_reason = '', updated_at = now()
WHERE id = @id AND status = 'suspended';
