-- name: ListAppsForCDRs :many
-- The apps that a batch of call records names, with what rating needs.
SELECT id, account_sid, type FROM apps WHERE id = ANY(@ids::text[]);

-- name: ListCallPricesForAccounts :many
-- The default price list (account_sid '') and the overrides of the given accounts.
SELECT ''::text AS account_sid, call_type, price_per_minute_li FROM call_prices
UNION ALL
SELECT account_sid, call_type, price_per_minute_li FROM account_call_prices
WHERE account_sid = ANY(@account_sids::text[]);

-- name: UpsertAccountCallPrice :exec
INSERT INTO account_call_prices (account_sid, call_type, price_per_minute_li)
VALUES (@account_sid, @call_type, @price_per_minute_li)
ON CONFLICT (account_sid, call_type) DO UPDATE SET price_per_minute_li = excluded.price_per_minute_li;

-- name: CreateCDRs :many
-- Stores a batch of call records in one statement; a record whose (source, call_id)
-- is already stored is skipped, and only the stored ones are returned.
INSERT INTO cdrs (source, call_id, account_sid, app_id, call_type, caller, callee,
    started_at, answered_at, ended_at, duration_seconds, billed_seconds, billed_minutes,
    outcome, hangup_cause, price_per_minute_li, amount_li)
SELECT @source::text, u.call_id, u.account_sid, u.app_id, u.call_type, u.caller, u.callee,
    u.started_at, CASE WHEN u.answered THEN u.answered_at END, u.ended_at,
    u.duration_seconds, u.billed_seconds, u.billed_minutes, u.outcome, u.hangup_cause,
    u.price_per_minute_li, u.amount_li
FROM (SELECT unnest(@call_ids::text[]) AS call_id, unnest(@account_sids::text[]) AS account_sid,
    unnest(@app_ids::text[]) AS app_id, unnest(@call_types::text[]) AS call_type,
    unnest(@callers::text[]) AS caller, unnest(@callees::text[]) AS callee,
    unnest(@started_ats::timestamptz[]) AS started_at, unnest(@answered::boolean[]) AS answered,
    unnest(@answered_ats::timestamptz[]) AS answered_at,
    unnest(@ended_ats::timestamptz[]) AS ended_at,
    unnest(@duration_seconds::integer[]) AS duration_seconds,
    unnest(@billed_seconds::integer[]) AS billed_seconds,
    unnest(@billed_minutes::integer[]) AS billed_minutes, unnest(@outcomes::text[]) AS outcome,
    unnest(@hangup_causes::text[]) AS hangup_cause,
    unnest(@prices::bigint[]) AS price_per_minute_li, unnest(@amounts::bigint[]) AS amount_li) u
ORDER BY u.call_id
ON CONFLICT (source, call_id) DO NOTHING
RETURNING id, call_id;

-- name: AddCDRDailyStats :exec
-- Adds the sums of newly stored records to their apps' Beijing days.
INSERT INTO cdr_daily_stats (app_id, day, account_sid, calls, answered, billed_seconds,
    billed_minutes, amount_li)
SELECT u.app_id, u.day::date, u.account_sid, u.calls, u.answered, u.billed_seconds,
    u.billed_minutes, u.amount_li
FROM (SELECT unnest(@app_ids::text[]) AS app_id, unnest(@days::text[]) AS day,
    unnest(@account_sids::text[]) AS account_sid, unnest(@calls::bigint[]) AS calls,
    unnest(@answered::bigint[]) AS answered, unnest(@billed_seconds::bigint[]) AS billed_seconds,
    unnest(@billed_minutes::bigint[]) AS billed_minutes,
    unnest(@amounts::bigint[]) AS amount_li) u
ORDER BY u.app_id, u.day
ON CONFLICT (app_id, day) DO UPDATE SET
    calls = cdr_daily_stats.calls + excluded.calls,
    answered = cdr_daily_stats.answered + excluded.answered,
    billed_seconds = cdr_daily_stats.billed_seconds + excluded.billed_seconds,
    billed_minutes = cdr_daily_stats.billed_minutes + excluded.billed_minutes,
    amount_li = cdr_daily_stats.amount_li + excluded.amount_li;

-- name: ListCDRs :many
-- One account's call records, newest first, by the filters that are set. The upper
-- end is one row comparison, (before_time, before_id): the cursor, or the end of
-- the time range with id 0. With a single upper bound and coalesce rather than
-- "IS NULL OR", both ends stay conditions of the index scan, also in the generic plan
-- that Postgres adopts for a prepared statement after a few runs; otherwise a day
-- long ago or a deep page would be found by reading the account's records from the
-- newest down.
SELECT * FROM cdrs
WHERE account_sid = @account_sid
  AND started_at >= coalesce(sqlc.narg(from_time)::timestamptz, '-infinity')
  AND (started_at, id) < (coalesce(sqlc.narg(before_time)::timestamptz, 'infinity'),
                          coalesce(sqlc.narg(before_id)::bigint, 9223372036854775807))
  AND (sqlc.narg(app_id)::text IS NULL OR app_id = sqlc.narg(app_id))
  AND (sqlc.narg(caller)::text IS NULL OR caller = sqlc.narg(caller))
  AND (sqlc.narg(callee)::text IS NULL OR callee = sqlc.narg(callee))
  AND (sqlc.narg(call_type)::text IS NULL OR call_type = sqlc.narg(call_type))
  AND (sqlc.narg(outcome)::text IS NULL OR outcome = sqlc.narg(outcome))
ORDER BY started_at DESC, id DESC
LIMIT @max_rows;

-- name: ListCDRDailyStats :many
-- One account's session statistics per app and Beijing day, in a range of days.
SELECT app_id, day::text AS day, calls, answered, billed_seconds, billed_minutes, amount_li
FROM cdr_daily_stats
WHERE account_sid = @account_sid
  AND day >= (@from_day::text)::date AND day <= (@to_day::text)::date
  AND (sqlc.narg(app_id)::text IS NULL OR app_id = sqlc.narg(app_id))
ORDER BY day, app_id;

-- name: SumCDRDailyStats :one
-- One account's call totals over a range of Beijing days.
SELECT coalesce(sum(calls), 0)::bigint AS calls,
       coalesce(sum(answered), 0)::bigint AS answered,
       coalesce(sum(billed_seconds), 0)::bigint AS billed_seconds
FROM cdr_daily_stats
WHERE account_sid = @account_sid
  AND day >= (@from_day::text)::date AND day <= (@to_day::text)::date;

-- name: ListCDRFailureCauses :many
-- The most frequent reasons an account's calls since a time were not answered.
SELECT (CASE WHEN hangup_cause <> '' THEN hangup_cause ELSE outcome END)::text AS cause,
       count(*) AS calls
FROM cdrs
WHERE account_sid = @account_sid AND started_at >= @since AND outcome <> 'answered'
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT @max_rows;
