-- 0003: the signed receipt of each state a claim has been in (docs/SIGNATURES.md).
-- A claim takes each status at most once (the workflow only moves forward), so
-- (claim_id, status) names one state; `at` is the claim's updated_at in that state.
-- Kept for the client's history: a receipt is never replaced, even after a key rotation.
CREATE TABLE claim_receipts (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    status   TEXT NOT NULL,
    at       TEXT NOT NULL,
    kid      TEXT NOT NULL,
    jws      TEXT NOT NULL,
    PRIMARY KEY (claim_id, status)
) STRICT;
