-- Apps, continued: the IVR media library, go-live requests, the inbound number pool
-- and its bindings, test numbers and the local SMS outbox.

-- media_blobs is each distinct prompt content, stored once under its content key.
CREATE TABLE media_blobs (
    content_key  text PRIMARY KEY,
    size_bytes   bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- app_media are the prompts of an app's IVR media library; several rows may share
-- one blob.
CREATE TABLE app_media (
    id              text PRIMARY KEY,
    app_id          text NOT NULL REFERENCES apps (id),
    account_sid     text NOT NULL REFERENCES accounts (sid),
    name            text NOT NULL,
    content_key     text NOT NULL REFERENCES media_blobs (content_key),
    format          text NOT NULL,
    content_type    text NOT NULL,
    sample_rate     integer NOT NULL,
    duration_ms     bigint NOT NULL,
    size_bytes      bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX app_media_app_created ON app_media (app_id, created_at DESC, id DESC);
CREATE INDEX app_media_content ON app_media (content_key);

-- go_live_requests are the developers' requests to take an app live, one workflow
-- each. status: checking (preconditions and callback probe), reviewing (waiting for
-- the reviewer), approved (binding and charging), live, rejected, withdrawn, failed
-- (a precondition or a step failed; reason says which).
CREATE TABLE go_live_requests (
    id            text PRIMARY KEY,
    app_id        text NOT NULL REFERENCES apps (id),
    account_sid   text NOT NULL REFERENCES accounts (sid),
    app_type      text NOT NULL,
    status        text NOT NULL DEFAULT 'checking' CHECK (status IN ('checking', 'reviewing',
                      'approved', 'live', 'rejected', 'withdrawn', 'failed')),
    reason        text NOT NULL DEFAULT '',
    reviewer_sid  text NOT NULL DEFAULT '',
    decided_at    timestamptz,
    number_id     text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX go_live_requests_open ON go_live_requests (app_id)
    WHERE status IN ('checking', 'reviewing', 'approved');
CREATE INDEX go_live_requests_status_created ON go_live_requests (status, created_at, id);

-- inbound_numbers is the pool. status: free, reserved (held by a binding while the
-- carrier provisions it), bound (to app_id), cooling (released; free again after
-- cooling_until).
CREATE TABLE inbound_numbers (
    id             text PRIMARY KEY,
    number         text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('landline', '400', '95', 'mobile')),
    region         text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'free' CHECK (status IN ('free', 'reserved', 'bound',
                       'cooling')),
    app_id         text NOT NULL DEFAULT '',
    account_sid    text NOT NULL DEFAULT '',
    binding_id     text NOT NULL DEFAULT '',
    bound_at       timestamptz,
    cooling_until  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX inbound_numbers_binding ON inbound_numbers (binding_id)
    WHERE binding_id <> '';
CREATE INDEX inbound_numbers_free ON inbound_numbers (created_at, id)
    WHERE status IN ('free', 'cooling');
CREATE INDEX inbound_numbers_account ON inbound_numbers (account_sid, created_at, id)
    WHERE account_sid <> '';
CREATE INDEX inbound_numbers_created ON inbound_numbers (created_at, id);

-- test_numbers are the mobiles an account's apps may call before go-live. status:
-- pending (a code was sent), verified, expired (the code expired or the tries ran
-- out). code_hash is the SHA-256 of the code; the workflow holds the tries.
CREATE TABLE test_numbers (
    id            text PRIMARY KEY,
    account_sid   text NOT NULL REFERENCES accounts (sid),
    mobile        text NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified',
                      'expired')),
    code_hash     bytea,
    attempts      integer NOT NULL DEFAULT 0,
    expires_at    timestamptz,
    verified_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX test_numbers_account_mobile ON test_numbers (account_sid, mobile)
    WHERE status <> 'expired';
CREATE INDEX test_numbers_account_created ON test_numbers (account_sid, created_at, id);

-- sms_outbox keeps what the local SMS sender "sent", for the local developer.
CREATE TABLE sms_outbox (
    id               text PRIMARY KEY,
    mobile           text NOT NULL,
    body             text NOT NULL,
    idempotency_key  text NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sms_outbox_created ON sms_outbox (created_at DESC, id DESC);
