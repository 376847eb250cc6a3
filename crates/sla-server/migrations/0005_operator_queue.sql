-- 0005: the operator queue pages oldest first by (submitted_at, rowid) under any
-- one filter (queue_sql.rs); each index below serves one filter's keyset
-- range, so the first page reads `limit` rows whatever the store holds. SQLite
-- appends the rowid to every index, which is the keyset's tie-breaker.
CREATE INDEX claims_by_submitted ON claims (submitted_at);
CREATE INDEX claims_by_status_submitted ON claims (status, submitted_at);
CREATE INDEX claims_by_client_submitted ON claims (client_id, submitted_at);
-- `?month=` asks, per candidate claim, whether it holds that period.
CREATE INDEX claimed_periods_by_claim ON claimed_periods (claim_id, period);
-- A claim's audit trail (each queue row and the claim page read one); PostgreSQL
-- has had this index since its 0001.
CREATE INDEX claim_events_by_claim ON claim_events (claim_id, id);
