-- Fees: recharge orders, the monthly IVR fee runs, apps in rent arrears and the
-- monthly bills. Every change of balance itself is a ledger entry (0001).

-- recharge_orders are the developers' top-ups. An order waits for its channel's
-- payment notice (or an operator's confirmation of a bank transfer) and expires
-- unpaid after 30 minutes. A notice for an expired order is credited all the same
-- and the order is marked paid_after_expiry, so that operators see it.
CREATE TABLE recharge_orders (
    id            text PRIMARY KEY,
    account_sid   text NOT NULL REFERENCES accounts (sid),
    amount_li     bigint NOT NULL CHECK (amount_li >= 1000 AND amount_li <= 1000000000
                      AND amount_li % 10 = 0),
    channel       text NOT NULL CHECK (channel IN ('sandbox', 'bank_transfer')),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid',
                      'expired', 'paid_after_expiry')),
    channel_txn   text NOT NULL DEFAULT '',
    confirmed_by  text NOT NULL DEFAULT '',
    expires_at    timestamptz NOT NULL,
    paid_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX recharge_orders_account_created ON recharge_orders (account_sid, created_at DESC, id DESC);
CREATE INDEX recharge_orders_after_expiry ON recharge_orders (created_at)
    WHERE status = 'paid_after_expiry';

-- billing_runs are the monthly IVR fee runs, one per Beijing month.
CREATE TABLE billing_runs (
    month         text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
    started_by    text NOT NULL DEFAULT '',
    bills_issued  integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz
);

-- ivr_rent_arrears are the few IVR apps whose account could not pay a month's rent;
-- each has a workflow that retries daily, suspends the app after 7 days and makes
-- it live again once it is paid.
CREATE TABLE ivr_rent_arrears (
    app_id        text NOT NULL REFERENCES apps (id),
    month         text NOT NULL,
    account_sid   text NOT NULL REFERENCES accounts (sid),
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'closed')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    PRIMARY KEY (app_id, month)
);

CREATE INDEX ivr_rent_arrears_open ON ivr_rent_arrears (account_sid) WHERE status = 'open';

-- bills are the monthly statements, issued once per account and Beijing month when
-- the month has closed, and never changed. Amounts are in li; by_category and by_app
-- map a category or app ID to the month's consumption in li.
CREATE TABLE bills (
    account_sid       text NOT NULL REFERENCES accounts (sid),
    month             text NOT NULL,
    opening_li        bigint NOT NULL,
    recharges_li      bigint NOT NULL,
    other_credits_li  bigint NOT NULL,
    consumption_li    bigint NOT NULL,
    closing_li        bigint NOT NULL,
    by_category       jsonb NOT NULL,
    by_app            jsonb NOT NULL,
    issued_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_sid, month),
    CHECK (closing_li = opening_li + recharges_li + other_credits_li - consumption_li)
);

-- Bills are never changed once issued.
CREATE FUNCTION bills_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'bills are never changed once issued';
END $$;

CREATE TRIGGER bills_no_update BEFORE UPDATE OR DELETE ON bills
    FOR EACH ROW EXECUTE FUNCTION bills_immutable();

-- Records and bills read the ledger by kind, category, month and app.
CREATE INDEX ledger_entries_created ON ledger_entries (created_at);
CREATE INDEX ledger_entries_category_ref ON ledger_entries (category, reference);
CREATE INDEX ledger_entries_account_kind ON ledger_entries (account_sid, kind, created_at DESC, id DESC);
CREATE INDEX apps_live_ivr_account ON apps (id, account_sid) WHERE type = 'ivr' AND status = 'live';
