-- 0009 (PostgreSQL): the SQLite 0008. A month's claims found from the month, so
-- `?month=` of a month few claims hold reads those claims (queue_sql.rs,
-- `MonthPlan::FromPeriods`).
CREATE INDEX claimed_periods_by_period ON claimed_periods (period, claim_id);
