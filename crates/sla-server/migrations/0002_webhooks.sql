-- 0002: webhook subscriptions, the outbox of their deliveries, and the breaches
-- already announced (so `period.breached` goes out once per client and period,
-- across re-evaluations and restarts).
CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY NOT NULL,
    client_id   TEXT NOT NULL,
    url         TEXT NOT NULL,
    -- The event types, as a JSON array of strings.
    events      TEXT NOT NULL,
    description TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX webhook_subscriptions_by_client ON webhook_subscriptions (client_id, created_at);

-- One row per (subscription, event): the outbox is the source of truth, a
-- restarted server resumes the rows still pending.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    -- The exact body sent (and signed) on every attempt.
    body            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Milliseconds since the epoch.
    created_ms      INTEGER NOT NULL,
    next_ms         INTEGER NOT NULL,
    lease_ms        INTEGER NOT NULL DEFAULT 0,
    last_result     TEXT NOT NULL DEFAULT '',
    UNIQUE (subscription_id, event_id)
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_ms);

CREATE TABLE emitted_breaches (
    client_id TEXT NOT NULL,
    period    TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (client_id, period)
) STRICT;
