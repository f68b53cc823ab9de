-- name: GetInvoiceProfile :one
SELECT * FROM invoice_profiles WHERE account_sid = @account_sid;

-- name: UpsertInvoiceProfile :one
INSERT INTO invoice_profiles (account_sid, invoice_type, address, phone, bank_name,
    bank_account)
VALUES (@account_sid, @invoice_type, @address, @phone, @bank_name, @bank_account)
ON CONFLICT (account_sid) DO UPDATE
SET invoice_type = excluded.invoice_type, address = excluded.address,
    phone = excluded.phone, bank_name = excluded.bank_name,
    bank_account = excluded.bank_account, updated_at = now()
RETURNING *;
