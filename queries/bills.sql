-- name: IssueBills :execrows
-- Issues the bill of every account with ledger activity in [month_start, month_end),
-- from the ledger; a bill issued before is kept as it is.
INSERT INTO bills (account_sid, month, opening_li, recharges_li, other_credits_li,
    consumption_li, closing_li, by_category, by_app)
SELECT s.account_sid, @month::text, s.opening, s.recharges, s.other_credits, s.consumption,
    s.opening + s.recharges + s.other_credits - s.consumption,
    (SELECT coalesce(jsonb_object_agg(c.category, c.li), '{}'::jsonb) FROM (
        SELECT e.category, -sum(e.amount_li) AS li FROM ledger_entries e
        WHERE e.account_sid = s.account_sid AND e.kind = 'charge'
          AND e.created_at >= @month_start AND e.created_at < @month_end
        GROUP BY e.category) c),
    (SELECT coalesce(jsonb_object_agg(p.app_id, p.li), '{}'::jsonb) FROM (
        SELECT e.app_id, -sum(e.amount_li) AS li FROM ledger_entries e
        WHERE e.account_sid = s.account_sid AND e.kind = 'charge' AND e.app_id <> ''
          AND e.created_at >= @month_start AND e.created_at < @month_end
        GROUP BY e.app_id) p)
FROM (
    SELECT m.account_sid,
        coalesce((SELECT sum(o.amount_li) FROM ledger_entries o
            WHERE o.account_sid = m.account_sid AND o.created_at < @month_start), 0)::bigint
            AS opening,
        coalesce(sum(m.amount_li) FILTER (WHERE m.category = 'recharge'), 0)::bigint AS recharges,
        coalesce(sum(m.amount_li) FILTER (WHERE m.kind = 'credit' AND m.category <> 'recharge'),
            0)::bigint AS other_credits,
        coalesce(-sum(m.amount_li) FILTER (WHERE m.kind = 'charge'), 0)::bigint AS consumption
    FROM ledger_entries m
    WHERE m.created_at >= @month_start AND m.created_at < @month_end
    GROUP BY m.account_sid
) s
ON CONFLICT (account_sid, month) DO NOTHING;

-- name: GetBill :one
SELECT * FROM bills WHERE account_sid = @account_sid AND month = @month;

-- name: ListBillsByAccount :many
SELECT * FROM bills
WHERE account_sid = @account_sid
  AND (sqlc.narg(before_month)::text IS NULL OR month < sqlc.narg(before_month))
ORDER BY month DESC
LIMIT @max_rows;

-- name: BillStatement :one
-- The statement of one account over [month_start, until), computed from the ledger
-- as IssueBills computes a bill: the month so far, before its bill is issued.
SELECT
    coalesce((SELECT sum(o.amount_li) FROM ledger_entries o
        WHERE o.account_sid = @account_sid AND o.created_at < @month_start), 0)::bigint
        AS opening,
    coalesce(sum(m.amount_li) FILTER (WHERE m.category = 'recharge'), 0)::bigint AS recharges,
    coalesce(sum(m.amount_li) FILTER (WHERE m.kind = 'credit' AND m.category <> 'recharge'),
        0)::bigint AS other_credits,
    coalesce(-sum(m.amount_li) FILTER (WHERE m.kind = 'charge'), 0)::bigint AS consumption,
    (SELECT coalesce(jsonb_object_agg(c.category, c.li), '{}'::jsonb) FROM (
        SELECT e.category, -sum(e.amount_li) AS li FROM ledger_entries e
        WHERE e.account_sid = @account_sid AND e.kind = 'charge'
          AND e.created_at >= @month_start AND e.created_at < @until
        GROUP BY e.category) c)::jsonb AS by_category,
    (SELECT coalesce(jsonb_object_agg(p.app_id, p.li), '{}'::jsonb) FROM (
        SELECT e.app_id, -sum(e.amount_li) AS li FROM ledger_entries e
        WHERE e.account_sid = @account_sid AND e.kind = 'charge' AND e.app_id <> ''
          AND e.created_at >= @month_start AND e.created_at < @until
        GROUP BY e.app_id) p)::jsonb AS by_app
FROM ledger_entries m
WHERE m.account_sid = @account_sid AND m.created_at >= @month_start AND m.created_at < @until;
