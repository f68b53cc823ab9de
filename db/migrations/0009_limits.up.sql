-- An invoice number is issued once: two invoices never carry the same one.
CREATE UNIQUE INDEX invoices_invoice_number ON invoices (invoice_number)
    WHERE invoice_number <> '';

-- test_number_codes records each verification code texted to a test number, so the
-- resend limits hold across API processes. Rows older than a day are deleted when
-- the account adds a test number.
CREATE TABLE test_number_codes (
    id           bigserial PRIMARY KEY,
    account_sid  text NOT NULL REFERENCES accounts (sid),
    mobile       text NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE INDEX test_number_codes_account ON test_number_codes (account_sid, created_at);
CREATE INDEX test_number_codes_mobile ON test_number_codes (account_sid, mobile, created_at);

-- code_salt keys the HMAC of a test number's code (code_hash). It stays in Postgres,
-- so the hashes the verification workflow holds in its history reveal no code.
ALTER TABLE test_numbers ADD COLUMN code_salt bytea;
