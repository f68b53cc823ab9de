-- name: GetInvoiceableAmount :one
-- Credited recharges less the invoices issued or being issued.
SELECT (
    (SELECT coalesce(sum(l.amount_li), 0) FROM ledger_entries l
     WHERE l.account_sid = @account_sid AND l.category = 'recharge' AND l.kind = 'credit')
  - (SELECT coalesce(sum(i.amount_li), 0) FROM invoices i
     WHERE i.account_sid = @account_sid
       AND i.status IN ('pending', 'approved', 'issued', 'mailed', 'delivered'))
)::bigint AS invoiceable_li;

-- name: CreateInvoice :one
INSERT INTO invoices (id, account_sid, amount_li, invoice_type, title, taxpayer_id_cipher,
    address, phone, bank_name, bank_account, recipient, mobile, province, city, district,
    street, postcode)
VALUES (@id, @account_sid, @amount_li, @invoice_type, @title, @taxpayer_id_cipher,
    @address, @phone, @bank_name, @bank_account, @recipient, @mobile, @province, @city,
    @district, @street, @postcode)
RETURNING *;

-- name: GetInvoiceByAccount :one
SELECT * FROM invoices WHERE id = @id AND account_sid = @account_sid;

-- name: GetInvoiceByID :one
SELECT * FROM invoices WHERE id = @id;

-- name: ListInvoicesByAccount :many
SELECT * FROM invoices
WHERE account_sid = @account_sid
  AND (sqlc.narg(before_time)::timestamptz IS NULL
       OR (created_at, id) < (sqlc.narg(before_time), sqlc.narg(before_id)::text))
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;

-- name: ListPendingInvoices :many
-- The review queue, oldest first.
SELECT * FROM invoices
WHERE status = 'pending'
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (created_at, id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY created_at, id
LIMIT @max_rows;

-- name: AdvanceInvoice :execrows
-- Moves an invoice from one status to the next, recording what the step carries;
-- zero rows means it was not in the expected status.
UPDATE invoices
SET status = @to_status,
    reject_reason = coalesce(sqlc.narg(reject_reason), reject_reason),
    reviewer_sid = coalesce(sqlc.narg(reviewer_sid), reviewer_sid),
    invoice_number = coalesce(sqlc.narg(invoice_number), invoice_number),
    courier = coalesce(sqlc.narg(courier), courier),
    tracking_number = coalesce(sqlc.narg(tracking_number), tracking_number),
    delivered_by = coalesce(sqlc.narg(delivered_by), delivered_by),
    updated_at = now()
WHERE id = @id AND status = @from_status;

-- name: LockAccountForInvoicing :one
-- Serialises an account's invoice applications (and its ledger posts). NO KEY UPDATE,
-- unlike FOR UPDATE, does not wait for the key-share locks that inserting rows which
-- reference the account takes, such as the request's idempotency key, so concurrent
-- applications queue here instead of deadlocking.
SELECT sid FROM accounts WHERE sid = @sid FOR NO KEY UPDATE;

-- name: ListInvoicesByStatus :many
-- Invoices in one state, oldest first: the operators' work list.
SELECT * FROM invoices
WHERE status = @status
  AND (sqlc.narg(after_time)::timestamptz IS NULL
       OR (created_at, id) > (sqlc.narg(after_time), sqlc.narg(after_id)::text))
ORDER BY created_at, id
LIMIT @max_rows;

-- name: InvoiceNumberTaken :one
-- Whether another invoice already carries an invoice number.
SELECT EXISTS (SELECT 1 FROM invoices WHERE invoice_number = @invoice_number AND id <> @id);
