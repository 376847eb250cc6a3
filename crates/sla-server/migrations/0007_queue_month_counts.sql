-- 0007: the operator queue's counts per status under `?month=`, kept by the
-- writers in the transaction that files a claim or changes its status
-- (store.rs), so the counts read a few rows per client instead of asking every
-- claim whether it holds the month (182 ms at 100,000 claims). Keyed by client
-- and remedy too, so `client=` and `remedy=` beside `month=` read it as well.
-- `remedy` is the request's, '' when it has none (never for a valid claim).
CREATE TABLE queue_month_counts (
    period    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    remedy    TEXT NOT NULL,
    status    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (period, client_id, remedy, status)
) WITHOUT ROWID;
-- The claims filed before this migration: one row per claim and period it holds.
INSERT INTO queue_month_counts (period, client_id, remedy, status, n)
SELECT p.period, c.client_id, coalesce(json_extract(c.request, '$.remedy'), ''), c.status, count(*)
FROM claimed_periods p JOIN claims c ON c.claim_id = p.claim_id
GROUP BY 1, 2, 3, 4;
