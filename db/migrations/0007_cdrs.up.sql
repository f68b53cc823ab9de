-- Call records from the telephony platform (and imported switch files), their prices,
-- the daily session statistics kept beside them, and the customer service tickets.

-- call_prices is the default price list: li per started minute of billed time, by
-- call type. account_call_prices overrides it for one account.
CREATE TABLE call_prices (
    call_type            text PRIMARY KEY CHECK (call_type IN ('ivr', 'voice_notification',
                             'voice_code', 'click_to_call', 'conference')),
    price_per_minute_li  bigint NOT NULL CHECK (price_per_minute_li >= 0)
);

INSERT INTO call_prices (call_type, price_per_minute_li) VALUES
    ('ivr', 100),
    ('voice_notification', 60),
    ('voice_code', 60),
    ('click_to_call', 120),
    ('conference', 150);

CREATE TABLE account_call_prices (
    account_sid          text NOT NULL REFERENCES accounts (sid),
    call_type            text NOT NULL REFERENCES call_prices (call_type),
    price_per_minute_li  bigint NOT NULL CHECK (price_per_minute_li >= 0),
    PRIMARY KEY (account_sid, call_type)
);

-- cdrs holds one row per call leg, stored once per (source, call_id): "platform" for
-- records the platform posts, "asterisk" or "freeswitch" for imported files.
--
-- NOTE: cdrs and cdr_daily_stats have no foreign keys to accounts and apps on
-- purpose. A foreign key takes a KEY SHARE lock on the account row, and the ledger
-- then locks the same row FOR UPDATE to charge it: two concurrent batches of the same
-- accounts would deadlock. The intake stores only records of existing apps, with the
-- app's own account, and neither accounts nor apps are ever deleted.
CREATE TABLE cdrs (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source               text NOT NULL,
    call_id              text NOT NULL,
    account_sid          text NOT NULL,
    app_id               text NOT NULL,
    call_type            text NOT NULL,
    caller               text NOT NULL DEFAULT '',
    callee               text NOT NULL DEFAULT '',
    started_at           timestamptz NOT NULL,
    answered_at          timestamptz,
    ended_at             timestamptz NOT NULL,
    duration_seconds     integer NOT NULL CHECK (duration_seconds >= 0),
    billed_seconds       integer NOT NULL CHECK (billed_seconds >= 0),
    billed_minutes       integer NOT NULL CHECK (billed_minutes >= 0),
    outcome              text NOT NULL CHECK (outcome IN ('answered', 'no_answer', 'busy',
                             'failed', 'congestion')),
    hangup_cause         text NOT NULL DEFAULT '',
    price_per_minute_li  bigint NOT NULL,
    amount_li            bigint NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, call_id)
);

-- One index serves every list and export: they are always of one account, and the
-- other filters are checked on its rows. Each more index costs the intake.
CREATE INDEX cdrs_account_started ON cdrs (account_sid, started_at DESC, id DESC);

-- cdr_daily_stats sums an app's calls per Beijing day; it is updated in the
-- transaction that stores the records, so it always equals their sums.
CREATE TABLE cdr_daily_stats (
    app_id            text NOT NULL,
    day               date NOT NULL,
    account_sid       text NOT NULL,
    calls             bigint NOT NULL,
    answered          bigint NOT NULL,
    billed_seconds    bigint NOT NULL,
    billed_minutes    bigint NOT NULL,
    amount_li         bigint NOT NULL,
    PRIMARY KEY (app_id, day)
);

CREATE INDEX cdr_daily_stats_account_day ON cdr_daily_stats (account_sid, day);

-- tickets are developers' feedback to customer service, with a reply thread.
CREATE TABLE tickets (
    id                   text PRIMARY KEY,
    account_sid          text NOT NULL REFERENCES accounts (sid),
    category             text NOT NULL CHECK (category IN ('billing', 'technical', 'account',
                             'numbers', 'suggestion', 'other')),
    title                text NOT NULL,
    content              text NOT NULL,
    contact              text NOT NULL DEFAULT '',
    -- status is 'open' (waiting for staff), 'answered' (staff replied last) or
    -- 'closed'.
    status               text NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'answered', 'closed')),
    rating               integer CHECK (rating BETWEEN 1 AND 5),
    closed_by            text NOT NULL DEFAULT '' CHECK (closed_by IN ('', 'developer',
                             'auto')),
    last_activity_at     timestamptz NOT NULL DEFAULT now(),
    closed_at            timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tickets_account_created ON tickets (account_sid, created_at DESC, id DESC);
CREATE INDEX tickets_status_created ON tickets (status, created_at DESC, id DESC);

CREATE TABLE ticket_replies (
    id           text PRIMARY KEY,
    ticket_id    text NOT NULL REFERENCES tickets (id),
    author_sid   text NOT NULL REFERENCES accounts (sid),
    from_staff   boolean NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ticket_replies_ticket ON ticket_replies (ticket_id, created_at, id);
