-- name: GetLoginThrottle :one
SELECT failures, window_start FROM login_throttle WHERE key = @key;

-- name: RecordLoginFailure :one
INSERT INTO login_throttle (key, failures, window_start)
VALUES (@key, 1, now())
ON CONFLICT (key) DO UPDATE
SET failures = CASE WHEN login_throttle.window_start < now() - make_interval(secs => @window_seconds::int)
                    THEN 1 ELSE login_throttle.failures + 1 END,
    window_start = CASE WHEN login_throttle.window_start < now() - make_interval(secs => @window_seconds::int)
                        THEN now() ELSE login_throttle.window_start END
RETURNING failures, window_start;

-- name: DeleteLoginThrottle :exec
DELETE FROM login_throttle WHERE key = @key;
