-- 0004 (PostgreSQL): the table of the SQLite 0003, with the same names and keys.
CREATE TABLE claim_receipts (
    claim_id text NOT NULL REFERENCES claims (claim_id),
    status   text NOT NULL,
    at       text NOT NULL,
    kid      text NOT NULL,
    jws      text NOT NULL,
    -- Signing order (SQLite's rowid): the history is oldest first.
    seq      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    PRIMARY KEY (claim_id, status)
);
