-- name: CreateBillingRun :exec
-- A month has one run; starting it again keeps the first.
INSERT INTO billing_runs (month, started_by) VALUES (@month, @started_by)
ON CONFLICT (month) DO NOTHING;

-- name: GetBillingRun :one
SELECT * FROM billing_runs WHERE month = @month;

-- name: CompleteBillingRun :exec
UPDATE billing_runs
SET status = 'completed', bills_issued = @bills_issued, completed_at = coalesce(completed_at, now())
WHERE month = @month;
