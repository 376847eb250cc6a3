-- 0004: a client may hold several contracts (DATA/<client>/contracts/<id>/), whose
-- ids are directory names, unique only within the client. So a claimed period is
-- keyed by client too, and a breach is recorded per contract.
-- Claims always carried their contract_id (usage.json's contract.id): their
-- claimed periods take the claim's client_id. A breach recorded before has no
-- contract: contract_id '' is the contract of a client with one contract (the
-- layout of every client before this version), which the sweep keeps using for
-- such clients, so those rows keep meaning what they meant.
ALTER TABLE claimed_periods ADD COLUMN client_id text;
UPDATE claimed_periods p SET client_id = c.client_id FROM claims c WHERE c.claim_id = p.claim_id;
ALTER TABLE claimed_periods ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE claimed_periods DROP CONSTRAINT claimed_periods_pkey;
ALTER TABLE claimed_periods ADD PRIMARY KEY (client_id, contract_id, period);

ALTER TABLE emitted_breaches ADD COLUMN contract_id text NOT NULL DEFAULT '';
ALTER TABLE emitted_breaches DROP CONSTRAINT emitted_breaches_pkey;
ALTER TABLE emitted_breaches ADD PRIMARY KEY (client_id, contract_id, period);
