-- 0008: a month's claims found from the month, so `?month=` of a month few claims
-- hold reads those claims (queue_sql.rs, `MonthPlan::FromPeriods`) instead of
-- walking every claim asking whether it holds the month (352 ms at 100,000).
CREATE INDEX claimed_periods_by_period ON claimed_periods (period, claim_id);
