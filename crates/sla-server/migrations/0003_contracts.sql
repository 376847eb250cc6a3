-- 0003: a client may hold several contracts (DATA/<client>/contracts/<id>/), whose
-- ids are directory names, unique only within the client. So a claimed period is
-- keyed by client too, and a breach is recorded per contract.
-- Claims always carried their contract_id (usage.json's contract.id): their
-- claimed periods take the claim's client_id. A breach recorded before has no
-- contract: contract_id '' is the contract of a client with one contract (the
-- layout of every client before this version), which the sweep keeps using for
-- such clients, so those rows keep meaning what they meant.
CREATE TABLE claimed_periods_v3 (
    client_id   TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    period      TEXT NOT NULL,
    claim_id    TEXT NOT NULL REFERENCES claims (claim_id),
    PRIMARY KEY (client_id, contract_id, period)
) STRICT;
INSERT INTO claimed_periods_v3 (client_id, contract_id, period, claim_id)
    SELECT c.client_id, p.contract_id, p.period, p.claim_id
    FROM claimed_periods p JOIN claims c ON c.claim_id = p.claim_id;
DROP TABLE claimed_periods;
ALTER TABLE claimed_periods_v3 RENAME TO claimed_periods;

CREATE TABLE emitted_breaches_v3 (
    client_id   TEXT NOT NULL,
    contract_id TEXT NOT NULL,
    period      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (client_id, contract_id, period)
) STRICT;
INSERT INTO emitted_breaches_v3 (client_id, contract_id, period, event_id, at)
    SELECT client_id, '', period, event_id, at FROM emitted_breaches;
DROP TABLE emitted_breaches;
ALTER TABLE emitted_breaches_v3 RENAME TO emitted_breaches;
