-- apps are the developers' voice apps. Their media, go-live requests and numbers are
-- added by later migrations.
CREATE TABLE apps (
    id             text PRIMARY KEY,
    account_sid    text NOT NULL REFERENCES accounts (sid),
    name           text NOT NULL,
    type           text NOT NULL CHECK (type IN ('ivr', 'voice_notification', 'voice_code',
                       'click_to_call', 'conference')),
    status         text NOT NULL DEFAULT 'test' CHECK (status IN ('test', 'reviewing', 'live',
                       'rejected', 'offline', 'suspended')),
    status_reason  text NOT NULL DEFAULT '',
    callback_url   text NOT NULL DEFAULT '',
    call_auth      boolean NOT NULL DEFAULT false,
    whitelist      text NOT NULL DEFAULT '',
    services       text[] NOT NULL DEFAULT '{}',
    app_token_hash bytea NOT NULL,
    live_since     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX apps_account_name_key ON apps (account_sid, lower(name));
CREATE INDEX apps_account_created ON apps (account_sid, created_at DESC, id DESC);
CREATE INDEX apps_live_ivr ON apps (id) WHERE type = 'ivr' AND status IN ('live', 'suspended');
