-- Invoices: each account's invoice and mailing information, and its invoice
-- applications with the snapshot of both taken when applying.

-- invoice_profiles hold the chosen invoice type and a company's optional details. The
-- title and taxpayer ID are not stored here: they come from the approved verification.
CREATE TABLE invoice_profiles (
    account_sid   text PRIMARY KEY REFERENCES accounts (sid),
    invoice_type  text NOT NULL CHECK (invoice_type IN ('personal', 'company')),
    address       text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    bank_name     text NOT NULL DEFAULT '',
    bank_account  text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mailing_addresses (
    account_sid  text PRIMARY KEY REFERENCES accounts (sid),
    recipient    text NOT NULL,
    mobile       text NOT NULL,
    province     text NOT NULL,
    city         text NOT NULL,
    district     text NOT NULL,
    street       text NOT NULL,
    postcode     text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- invoices are applications. Those pending, approved, issued, mailed or delivered
-- count against the invoiceable amount; rejected and cancelled ones do not.
CREATE TABLE invoices (
    id                  text PRIMARY KEY,
    account_sid         text NOT NULL REFERENCES accounts (sid),
    amount_li           bigint NOT NULL CHECK (amount_li > 0 AND amount_li % 10 = 0),
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled',
                                          'issued', 'mailed', 'delivered')),
    invoice_type        text NOT NULL CHECK (invoice_type IN ('personal', 'company')),
    title               text NOT NULL,
    -- taxpayer_id_cipher is the company's credit code, encrypted like verifications'.
    taxpayer_id_cipher  bytea,
    address             text NOT NULL DEFAULT '',
    phone               text NOT NULL DEFAULT '',
    bank_name           text NOT NULL DEFAULT '',
    bank_account        text NOT NULL DEFAULT '',
    recipient           text NOT NULL,
    mobile              text NOT NULL,
    province            text NOT NULL,
    city                text NOT NULL,
    district            text NOT NULL,
    street              text NOT NULL,
    postcode            text NOT NULL,
    reject_reason       text NOT NULL DEFAULT '',
    reviewer_sid        text NOT NULL DEFAULT '',
    invoice_number      text NOT NULL DEFAULT '',
    courier             text NOT NULL DEFAULT '',
    tracking_number     text NOT NULL DEFAULT '',
    -- delivered_by is 'developer' or 'automatic' once delivered.
    delivered_by        text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX invoices_account ON invoices (account_sid, created_at DESC, id DESC);
CREATE INDEX invoices_review ON invoices (created_at, id) WHERE status = 'pending';
CREATE INDEX invoices_status ON invoices (status, created_at, id);
CREATE INDEX ledger_entries_recharges ON ledger_entries (account_sid)
    WHERE category = 'recharge' AND kind = 'credit';
