-- 0001: claims, the periods they hold, and the audit trail of every status change.
CREATE TABLE claims (
    claim_id     TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT NOT NULL,
    contract_id  TEXT NOT NULL,
    -- The request as filed, canonical JSON (serde order): a retry is compared against it.
    request      TEXT NOT NULL,
    -- The server's figures (sla_rules::claims::Granted) as JSON.
    granted      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN
                   ('submitted', 'under_review', 'approved', 'rejected', 'fulfilled')),
    submitted_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE INDEX claims_by_contract ON claims (client_id, contract_id, submitted_at);

-- A period can be claimed once per contract: the UNIQUE key, not a prior SELECT,
-- decides a race between two claims for the same month.
CREATE TABLE claimed_periods (
    contract_id TEXT NOT NULL,
    period      TEXT NOT NULL,
    claim_id    TEXT NOT NULL REFERENCES claims (claim_id),
    PRIMARY KEY (contract_id, period)
) STRICT;

CREATE TABLE claim_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id    TEXT NOT NULL REFERENCES claims (claim_id),
    at          TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
) STRICT;
