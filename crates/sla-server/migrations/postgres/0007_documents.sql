-- 0007: documents in the database (`--documents db`, data/db.rs). One row per
-- contract carries the version every write bumps, so a reader checks one
-- indexed row per request; the documents themselves are whole JSON, except the
-- telemetry, which is one row per UTC day holding that day's 1,440 counts.
CREATE TABLE doc_contracts (
    scope       TEXT PRIMARY KEY,     -- data::Scope's dir: `client` or `client/contracts/id`
    client_id   TEXT NOT NULL,
    contract_id TEXT NOT NULL,        -- the client id for a one-contract client
    epoch       TEXT NOT NULL,        -- random at creation: ETags stay unique if a database is recreated
    version     BIGINT NOT NULL
);
CREATE INDEX doc_contracts_by_client ON doc_contracts (client_id, contract_id);
-- `usage` (without its telemetry), `incidents`, `policy`.
CREATE TABLE doc_parts (
    scope TEXT NOT NULL REFERENCES doc_contracts (scope),
    doc   TEXT NOT NULL,
    body  BYTEA NOT NULL,
    PRIMARY KEY (scope, doc)
);
-- day: days since 1970-01-01 UTC; counts: data::db::DAY_BYTES (a presence bitmap,
-- then total and ok per minute, little-endian u32).
CREATE TABLE doc_telemetry (
    scope  TEXT NOT NULL REFERENCES doc_contracts (scope),
    day    BIGINT NOT NULL,
    counts BYTEA NOT NULL,
    PRIMARY KEY (scope, day)
);
-- The Prometheus pull (pull.rs): how far each contract's telemetry is pulled
-- (`through_minute`, exclusive, minutes since the epoch; NULL: not yet) and the
-- lease that keeps two instances from pulling one contract at once.
CREATE TABLE pull_state (
    scope          TEXT PRIMARY KEY,
    through_minute BIGINT,
    owner          TEXT NOT NULL,
    lease_until_ms BIGINT NOT NULL
);
