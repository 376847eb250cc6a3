-- 0006 (PostgreSQL): the indexes of the SQLite 0005. The operator queue pages
-- oldest first by (submitted_at, seq) under any one filter (queue_sql.rs);
-- each index serves one filter's keyset range, so the first page reads `limit`
-- rows whatever the store holds.
CREATE INDEX claims_by_submitted ON claims (submitted_at, seq);
CREATE INDEX claims_by_status_submitted ON claims (status, submitted_at, seq);
CREATE INDEX claims_by_client_submitted ON claims (client_id, submitted_at, seq);
-- `?month=` asks, per candidate claim, whether it holds that period.
CREATE INDEX claimed_periods_by_claim ON claimed_periods (claim_id, period);
