-- Batched ledger postings: many entries of several accounts in a few statements,
-- for the call usage of a batch of call records.

-- name: LockAccountsForLedger :many
-- Locks the accounts in sid order, so that concurrent batches cannot deadlock.
SELECT sid, balance_li, low_balance_threshold_li, low_balance_notified
FROM accounts WHERE sid = ANY(@sids::text[])
ORDER BY sid
FOR UPDATE;

-- name: ListLedgerEntryKeys :many
-- The keys among the given ones that are already posted.
SELECT idempotency_key FROM ledger_entries WHERE idempotency_key = ANY(@keys::text[]);

-- name: CreateLedgerEntries :exec
INSERT INTO ledger_entries (account_sid, idempotency_key, kind, category, app_id, amount_li,
    balance_after_li, reference, description, created_at)
SELECT u.account_sid, u.idempotency_key, u.kind, u.category, u.app_id, u.amount_li,
    u.balance_after_li, u.reference, u.description, u.created_at
FROM (SELECT unnest(@account_sids::text[]) AS account_sid,
    unnest(@idempotency_keys::text[]) AS idempotency_key, unnest(@kinds::text[]) AS kind,
    unnest(@categories::text[]) AS category, unnest(@app_ids::text[]) AS app_id,
    unnest(@amounts::bigint[]) AS amount_li,
    unnest(@balances_after::bigint[]) AS balance_after_li,
    unnest(@refs::text[]) AS reference, unnest(@descriptions::text[]) AS description,
    unnest(@created_ats::timestamptz[]) AS created_at) u;

-- name: AddAccountBalances :exec
UPDATE accounts a SET balance_li = a.balance_li + u.delta_li, updated_at = now()
FROM (SELECT unnest(@sids::text[]) AS sid, unnest(@deltas::bigint[]) AS delta_li) u
WHERE a.sid = u.sid;
