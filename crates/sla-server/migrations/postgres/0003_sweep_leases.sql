-- The breach sweep's leases: one row per client, so instances sharing the
-- database sweep disjoint clients. `lease_until_ms` past: free to take; `done`:
-- the documents' versions and the next month end the last evaluation saw, so the
-- other instances adopt it instead of evaluating again.
CREATE TABLE sweep_leases (
    client_id text PRIMARY KEY,
    owner text NOT NULL DEFAULT '',
    lease_until_ms bigint NOT NULL DEFAULT 0,
    done text
);
