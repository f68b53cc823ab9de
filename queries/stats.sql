-- name: ListConsumptionStats :many
-- An account's charges summed per Beijing day or month (period_format 'YYYY-MM-DD' or
-- 'YYYY-MM') and per category or app, in a time range.
SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', @period_format::text)::text AS period,
       (CASE WHEN @by_app::boolean THEN app_id ELSE category END)::text AS group_key,
       count(*) AS entries,
       (-sum(amount_li))::bigint AS amount_li
FROM ledger_entries
WHERE account_sid = @account_sid AND kind = 'charge'
  AND created_at >= @from_time AND created_at < @to_time
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: ListTopCostApps :many
-- The apps an account spent most on since a time.
SELECT l.app_id, coalesce(a.name, '')::text AS name, (-sum(l.amount_li))::bigint AS amount_li
FROM ledger_entries l LEFT JOIN apps a ON a.id = l.app_id
WHERE l.account_sid = @account_sid AND l.kind = 'charge' AND l.app_id <> ''
  AND l.created_at >= @since
GROUP BY l.app_id, a.name
ORDER BY 3 DESC, 1
LIMIT @max_rows;

-- name: CountAppsByStatus :many
SELECT status, count(*) AS apps FROM apps WHERE account_sid = @account_sid
GROUP BY status ORDER BY status;
