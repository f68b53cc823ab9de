-- Real-name verification: uploaded images and the submissions that reviewers decide.

-- files are images uploaded by an account, kept in storage under their content key.
CREATE TABLE files (
    id            text PRIMARY KEY,
    account_sid   text NOT NULL REFERENCES accounts (sid),
    storage_key   text NOT NULL,
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    width         integer NOT NULL,
    height        integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX files_account ON files (account_sid, created_at);

-- verifications are real-name verification submissions. ID numbers and credit codes
-- are stored only encrypted (AES-256-GCM, the row's id as additional data).
CREATE TABLE verifications (
    id                   text PRIMARY KEY,
    account_sid          text NOT NULL REFERENCES accounts (sid),
    kind                 text NOT NULL CHECK (kind IN ('personal', 'company')),
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    real_name            text NOT NULL DEFAULT '',
    id_number_cipher     bytea,
    id_front_file        text REFERENCES files (id),
    id_back_file         text REFERENCES files (id),
    company_name         text NOT NULL DEFAULT '',
    credit_code_cipher   bytea,
    legal_representative text NOT NULL DEFAULT '',
    licence_file         text REFERENCES files (id),
    contact_phone        text NOT NULL DEFAULT '',
    reject_reason        text NOT NULL DEFAULT '',
    reviewer_sid         text NOT NULL DEFAULT '',
    -- overdue is set when the review deadline passed and operators were told.
    overdue              boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    decided_at           timestamptz,
    CHECK ((kind = 'personal' AND id_number_cipher IS NOT NULL AND id_front_file IS NOT NULL
            AND id_back_file IS NOT NULL)
        OR (kind = 'company' AND credit_code_cipher IS NOT NULL AND licence_file IS NOT NULL))
);

-- One open submission per account.
CREATE UNIQUE INDEX verifications_one_open ON verifications (account_sid)
    WHERE status = 'pending';
-- The review queue, oldest first.
CREATE INDEX verifications_queue ON verifications (created_at, id) WHERE status = 'pending';
CREATE INDEX verifications_account ON verifications (account_sid, created_at DESC, id DESC);
