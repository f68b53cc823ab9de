-- The foundation: accounts and staff, sessions, login throttling, idempotency keys,
-- the workflow start outbox, the ledger and the message center.

CREATE TABLE accounts (
    sid                     text PRIMARY KEY,
    role                    text NOT NULL DEFAULT 'developer'
                            CHECK (role IN ('developer', 'reviewer', 'operator')),
    email                   text NOT NULL,
    password_hash           text NOT NULL,
    contact_name            text NOT NULL DEFAULT '',
    mobile                  text NOT NULL DEFAULT '',
    auth_token_hash         bytea,
    auth_token_rotated_at   timestamptz,
    -- verification_level is 'none', 'personal' or 'company': the highest approved
    -- real-name verification in force.
    verification_level      text NOT NULL DEFAULT 'none'
                            CHECK (verification_level IN ('none', 'personal', 'company')),
    balance_li              bigint NOT NULL DEFAULT 0,
    low_balance_threshold_li bigint NOT NULL DEFAULT 0 CHECK (low_balance_threshold_li >= 0),
    -- low_balance_notified is set when the balance crossed below the threshold and a
    -- message went out; it is cleared when the balance rises to the threshold again.
    low_balance_notified    boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));
CREATE INDEX accounts_role_created ON accounts (role, created_at, sid);

CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    account_sid  text NOT NULL REFERENCES accounts (sid) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);

CREATE INDEX sessions_account ON sessions (account_sid);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- login_throttle counts failed logins per key (an account's email or a client
-- address) within a window.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY,
    failures      integer NOT NULL,
    window_start  timestamptz NOT NULL
);

-- idempotency_keys remembers the first answer to a request that moves money.
CREATE TABLE idempotency_keys (
    account_sid    text NOT NULL REFERENCES accounts (sid) ON DELETE CASCADE,
    key            text NOT NULL,
    route          text NOT NULL,
    request_hash   bytea NOT NULL,
    status_code    integer NOT NULL,
    response_body  bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_sid, key)
);

-- workflow_starts is the outbox of workflow starts: a row is committed in the same
-- transaction as the business row it belongs to, and the relay starts the workflow
-- until it is marked started.
CREATE TABLE workflow_starts (
    workflow_id       text PRIMARY KEY,
    workflow_type     text NOT NULL,
    task_queue        text NOT NULL,
    input             jsonb NOT NULL,
    account_sid       text NOT NULL DEFAULT '',
    app_id            text NOT NULL DEFAULT '',
    biz_status        text NOT NULL DEFAULT '',
    summary           text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text NOT NULL DEFAULT '',
    next_attempt_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX workflow_starts_pending ON workflow_starts (next_attempt_at)
    WHERE started_at IS NULL;

-- ledger_entries is the append-only record of every change of balance. The balance
-- on accounts always equals the sum of an account's entries.
CREATE TABLE ledger_entries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_sid      text NOT NULL REFERENCES accounts (sid),
    idempotency_key  text NOT NULL UNIQUE,
    kind             text NOT NULL CHECK (kind IN ('credit', 'charge')),
    category         text NOT NULL,
    app_id           text NOT NULL DEFAULT '',
    amount_li        bigint NOT NULL,
    balance_after_li bigint NOT NULL,
    reference        text NOT NULL DEFAULT '',
    description      text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'credit' AND amount_li > 0) OR (kind = 'charge' AND amount_li < 0))
);

CREATE INDEX ledger_entries_account_time ON ledger_entries (account_sid, created_at, id);

CREATE TABLE announcements (
    id          text PRIMARY KEY,
    title       text NOT NULL,
    body        text NOT NULL,
    created_by  text NOT NULL REFERENCES accounts (sid),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX announcements_created ON announcements (created_at);

-- messages holds what the platform reports to one account. An announcement is copied
-- to every developer account that exists when it is posted, so an account registered
-- later does not get it.
CREATE TABLE messages (
    id               text PRIMARY KEY DEFAULT replace(gen_random_uuid()::text, '-', ''),
    account_sid      text NOT NULL REFERENCES accounts (sid),
    type             text NOT NULL,
    title            text NOT NULL,
    body             text NOT NULL,
    reference        text NOT NULL DEFAULT '',
    idempotency_key  text NOT NULL UNIQUE,
    read_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX messages_account_time ON messages (account_sid, created_at DESC, id DESC);
CREATE INDEX messages_unread ON messages (account_sid) WHERE read_at IS NULL;
