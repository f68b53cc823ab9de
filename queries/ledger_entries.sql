-- name: GetLedgerEntryByKey :one
SELECT * FROM ledger_entries WHERE idempotency_key = @idempotency_key;

-- name: CreateLedgerEntry :one
INSERT INTO ledger_entries (account_sid, idempotency_key, kind, category, app_id, amount_li,
    balance_after_li, reference, description, created_at)
VALUES (@account_sid, @idempotency_key, @kind, @category, @app_id, @amount_li, @balance_after_li,
    @reference, @description, @created_at)
RETURNING *;

-- name: AddAccountBalance :one
UPDATE accounts SET balance_li = balance_li + @delta_li, updated_at = now()
WHERE sid = @sid
RETURNING balance_li, low_balance_threshold_li, low_balance_notified;

-- name: ListLedgerMismatches :many
-- Accounts whose stored balance differs from the sum of their ledger entries.
SELECT a.sid, a.balance_li, coalesce(sum(l.amount_li), 0)::bigint AS ledger_sum_li
FROM accounts a LEFT JOIN ledger_entries l ON l.account_sid = a.sid
GROUP BY a.sid, a.balance_li
HAVING a.balance_li <> coalesce(sum(l.amount_li), 0);

-- name: CountAccountsChecked :one
SELECT count(*) FROM accounts;
