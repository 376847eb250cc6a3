-- 0002 (PostgreSQL): the tables of the SQLite 0002, with the same names and keys.
CREATE TABLE webhook_subscriptions (
    id          text PRIMARY KEY,
    client_id   text NOT NULL,
    url         text NOT NULL,
    events      text NOT NULL,
    description text NOT NULL,
    secret      text NOT NULL,
    created_at  text NOT NULL
);

CREATE INDEX webhook_subscriptions_by_client ON webhook_subscriptions (client_id, created_at);

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    subscription_id text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    created_ms      bigint NOT NULL,
    next_ms         bigint NOT NULL,
    lease_ms        bigint NOT NULL DEFAULT 0,
    last_result     text NOT NULL DEFAULT '',
    UNIQUE (subscription_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_ms);

CREATE TABLE emitted_breaches (
    client_id text NOT NULL,
    period    text NOT NULL,
    event_id  text NOT NULL,
    at        text NOT NULL,
    PRIMARY KEY (client_id, period)
);
