-- 0001 (PostgreSQL): the tables of the SQLite 0001, with the same names, keys and
-- answers. `request` and `granted` stay text (not jsonb): a retry is compared with
-- the stored request byte for byte, and jsonb would reorder its keys. Times stay
-- RFC 3339 text in UTC, so both stores answer the very same JSON.
CREATE TABLE claims (
    claim_id     text PRIMARY KEY,
    client_id    text NOT NULL,
    contract_id  text NOT NULL,
    request      text NOT NULL,
    granted      text NOT NULL,
    status       text NOT NULL CHECK (status IN
                   ('submitted', 'under_review', 'approved', 'rejected', 'fulfilled')),
    submitted_at text NOT NULL,
    updated_at   text NOT NULL,
    -- Filing order (SQLite's rowid): the lists are oldest first.
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE INDEX claims_by_contract ON claims (client_id, contract_id, seq);
CREATE INDEX claims_by_status ON claims (status, seq);

-- A period can be claimed once per contract: the UNIQUE key, not a prior SELECT,
-- decides a race between two claims for the same month, across server processes.
CREATE TABLE claimed_periods (
    contract_id text NOT NULL,
    period      text NOT NULL,
    claim_id    text NOT NULL REFERENCES claims (claim_id),
    PRIMARY KEY (contract_id, period)
);

CREATE TABLE claim_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id    text NOT NULL REFERENCES claims (claim_id),
    at          text NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    actor       text NOT NULL,
    note        text NOT NULL DEFAULT ''
);

CREATE INDEX claim_events_by_claim ON claim_events (claim_id, id);
