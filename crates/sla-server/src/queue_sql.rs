//! The operator queue's SQL, built once for both backends (their dialects differ in
//! placeholders, JSON access and the filing-sequence column): keyset paging over
//! every client's claims and the counts per status. No store types, so the store
//! trait and both backends can name it without a cycle.

use sla_rules::claims::ClaimStatus as Status;

/// A page when `?limit=` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page: each claim brings its audit trail.
pub const MAX_LIMIT: i64 = 500;

/// Where a page ends: the last claim's `submitted_at` and filing sequence (rowid
/// on SQLite, `seq` on PostgreSQL). The sequence, not the claim id, breaks ties: a
/// claim filed later in the same second always sorts after the cursor, so a
/// reader paging while claims arrive neither skips nor repeats one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub submitted_at: String,
    pub seq: i64,
}

impl Cursor {
    /// Opaque on the wire (hex of `submitted_at|seq`), so clients do not build one.
    pub fn encode(&self) -> String {
        format!("{}|{}", self.submitted_at, self.seq)
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        if !s.len().is_multiple_of(2) || s.len() > 200 {
            return None;
        }
        let bytes = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let text = String::from_utf8(bytes).ok()?;
        let (at, seq) = text.rsplit_once('|')?;
        Some(Cursor {
            submitted_at: at.to_string(),
            seq: seq.parse().ok()?,
        })
    }
}

/// How a `month=` page finds its claims. Both give the same rows and cursors; only
/// the work differs, so the route picks by the month's size in `queue_month_counts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MonthPlan {
    /// Chosen by the route from the counts; a store given it walks the claims.
    #[default]
    Auto,
    /// The claims in keyset order, each asked whether it holds the month: reads
    /// `limit` claims when most hold it, every claim when few do.
    WalkClaims,
    /// The month's rows of `claimed_periods` (index `claimed_periods_by_period`),
    /// each joined to its claim and sorted: reads what the month holds, whatever
    /// the store holds.
    FromPeriods,
}

/// Below this many claims holding the month (under the other filters), the page
/// is driven from `claimed_periods`: sorting a few thousand joined rows costs a few
/// milliseconds, where walking 100,000 claims for a rare month cost 352 ms.
pub const RARE_MONTH: i64 = 5_000;

/// The queue's filters, each exact, and where the page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub status: Option<Status>,
    pub client: Option<String>,
    /// `YYYY-MM`: claims holding that period.
    pub month: Option<String>,
    /// The remedy's wire name (`service_extension`, `contract_credit`).
    pub remedy: Option<String>,
    pub after: Option<Cursor>,
    pub limit: i64,
    /// Only read under `month=`.
    pub plan: MonthPlan,
}

impl Default for QueueQuery {
    fn default() -> Self {
        QueueQuery {
            status: None,
            client: None,
            month: None,
            remedy: None,
            after: None,
            limit: DEFAULT_LIMIT,
            plan: MonthPlan::Auto,
        }
    }
}

/// A bound value of the queue's SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    Int(i64),
}

/// What differs between the backends' SQL.
pub struct Dialect {
    pub placeholder: fn(usize) -> String,
    /// The request's remedy as text.
    pub remedy: &'static str,
    /// The filing sequence column.
    pub seq: &'static str,
    /// `sum(n)` as a 64-bit integer (PostgreSQL sums a bigint into a numeric).
    pub sum_n: &'static str,
}

pub const SQLITE: Dialect = Dialect {
    placeholder: |n| format!("?{n}"),
    remedy: "json_extract(request, '$.remedy')",
    seq: "rowid",
    sum_n: "sum(n)",
};

pub const POSTGRES: Dialect = Dialect {
    placeholder: |n| format!("${n}"),
    remedy: "(request::jsonb ->> 'remedy')",
    seq: "seq",
    sum_n: "sum(n)::bigint",
};

const COLUMNS: &str = "claims.claim_id, claims.client_id, claims.contract_id, request, granted, \
     status, submitted_at, updated_at";

/// The WHERE clause of the filters, with or without the status filter and cursor.
/// Columns `claimed_periods` shares are named `claims.`, so the clause also serves
/// the page driven from that table (`p`).
fn filters(q: &QueueQuery, d: &Dialect, paged: bool) -> (String, Vec<Param>) {
    let from_periods = paged && q.month.is_some() && q.plan == MonthPlan::FromPeriods;
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    let bind = |p: Param, params: &mut Vec<Param>| {
        params.push(p);
        (d.placeholder)(params.len())
    };
    if paged {
        if let Some(s) = q.status {
            let p = bind(Param::Text(s.as_str().into()), &mut params);
            clauses.push(format!("status = {p}"));
        }
    }
    if let Some(c) = &q.client {
        let p = bind(Param::Text(c.clone()), &mut params);
        clauses.push(format!("claims.client_id = {p}"));
    }
    if let Some(m) = &q.month {
        let p = bind(Param::Text(m.clone()), &mut params);
        clauses.push(if from_periods {
            format!("p.period = {p} AND claims.claim_id = p.claim_id")
        } else {
            format!(
                "EXISTS (SELECT 1 FROM claimed_periods p \
             WHERE p.claim_id = claims.claim_id AND p.period = {p})"
            )
        });
    }
    if let Some(r) = &q.remedy {
        let p = bind(Param::Text(r.clone()), &mut params);
        clauses.push(format!("{} = {p}", d.remedy));
    }
    if paged {
        if let Some(c) = &q.after {
            let a = bind(Param::Text(c.submitted_at.clone()), &mut params);
            let s = bind(Param::Int(c.seq), &mut params);
            clauses.push(format!("(submitted_at, claims.{}) > ({a}, {s})", d.seq));
        }
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

/// One page plus one row (which says whether there is a next page), oldest first.
pub fn page_sql(q: &QueueQuery, d: &Dialect) -> (String, Vec<Param>) {
    let (filter, mut params) = filters(q, d, true);
    params.push(Param::Int(q.limit + 1));
    // CROSS JOIN makes SQLite read `claimed_periods` first (its join order is the
    // written one); PostgreSQL plans it as any join.
    let from = if q.month.is_some() && q.plan == MonthPlan::FromPeriods {
        "claimed_periods p CROSS JOIN claims"
    } else {
        "claims"
    };
    let sql = format!(
        "SELECT {COLUMNS}, claims.{seq} FROM {from} {filter} \
         ORDER BY submitted_at, claims.{seq} LIMIT {l}",
        seq = d.seq,
        l = (d.placeholder)(params.len())
    );
    (sql, params)
}

/// The claims per status under the same filters (not the status filter: the counts
/// are what the other statuses' tabs would show). Under `month=` they are read from
/// `queue_month_counts` (migration 0006, PostgreSQL 0007), which the writers keep
/// per (month, client, remedy, status): a few rows per client, where asking every
/// claim whether it holds the month read the whole store.
pub fn counts_sql(q: &QueueQuery, d: &Dialect) -> (String, Vec<Param>) {
    if let Some(month) = &q.month {
        let mut params = vec![Param::Text(month.clone())];
        let mut sql = format!(
            "SELECT status, {} FROM queue_month_counts WHERE period = {}",
            d.sum_n,
            (d.placeholder)(1)
        );
        if let Some(c) = &q.client {
            params.push(Param::Text(c.clone()));
            sql.push_str(&format!(
                " AND client_id = {}",
                (d.placeholder)(params.len())
            ));
        }
        if let Some(r) = &q.remedy {
            params.push(Param::Text(r.clone()));
            sql.push_str(&format!(" AND remedy = {}", (d.placeholder)(params.len())));
        }
        sql.push_str(" GROUP BY status");
        return (sql, params);
    }
    let (filter, params) = filters(q, d, false);
    (
        format!("SELECT status, count(*) FROM claims {filter} GROUP BY status"),
        params,
    )
}

/// The parameters as tokio-postgres binds them.
pub fn pg_params(params: &[Param]) -> Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> {
    params
        .iter()
        .map(|p| -> Box<dyn tokio_postgres::types::ToSql + Sync + Send> {
            match p {
                Param::Text(s) => Box::new(s.clone()),
                Param::Int(i) => Box::new(*i),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_wire_and_junk_is_refused() {
        let c = Cursor {
            submitted_at: "2026-12-04T22:00:00Z".into(),
            seq: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        // "a|1" in hex is 617c31.
        assert_eq!(
            Cursor::decode("617c31"),
            Some(Cursor {
                submitted_at: "a".into(),
                seq: 1
            })
        );
        for junk in ["", "6", "zz", "617c", "617c7a", "ff"] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }

    #[test]
    fn the_sql_binds_each_filter_once_in_order() {
        let q = QueueQuery {
            status: Some(Status::Approved),
            client: Some("acme".into()),
            month: Some("2025-03".into()),
            remedy: Some("contract_credit".into()),
            after: Some(Cursor {
                submitted_at: "t".into(),
                seq: 7,
            }),
            limit: 10,
            plan: MonthPlan::WalkClaims,
        };
        let (sql, params) = page_sql(&q, &POSTGRES);
        assert!(
            sql.contains("status = $1 AND claims.client_id = $2"),
            "{sql}"
        );
        assert!(
            sql.contains("(submitted_at, claims.seq) > ($5, $6)"),
            "{sql}"
        );
        assert!(sql.contains("FROM claims WHERE"), "{sql}");
        assert!(sql.contains("EXISTS"), "{sql}");
        assert!(sql.ends_with("LIMIT $7"), "{sql}");
        assert_eq!(params.len(), 7);
        assert_eq!(params[6], Param::Int(11), "one row more than the page");
        // Driven from the month's periods: the same binds, in the same order.
        let rare = QueueQuery {
            plan: MonthPlan::FromPeriods,
            ..q.clone()
        };
        let (sql, rare_params) = page_sql(&rare, &SQLITE);
        assert!(
            sql.contains("FROM claimed_periods p CROSS JOIN claims"),
            "{sql}"
        );
        assert!(
            sql.contains("p.period = ?3 AND claims.claim_id = p.claim_id"),
            "{sql}"
        );
        assert!(!sql.contains("EXISTS"), "{sql}");
        assert!(
            sql.contains("ORDER BY submitted_at, claims.rowid LIMIT ?7"),
            "{sql}"
        );
        assert_eq!(rare_params, params);
        let (sql, params) = counts_sql(&q, &SQLITE);
        assert!(!sql.contains("status ="), "{sql}");
        assert!(!sql.contains("rowid"), "{sql}");
        assert_eq!(params.len(), 3);
        // Under `month=` the counts read the writers' table, every filter but status bound.
        assert!(sql.contains("FROM queue_month_counts"), "{sql}");
        assert!(sql.contains("AND client_id = ?2 AND remedy = ?3"), "{sql}");
        assert_eq!(
            params,
            vec![
                Param::Text("2025-03".into()),
                Param::Text("acme".into()),
                Param::Text("contract_credit".into())
            ]
        );
        let (sql, _) = counts_sql(&q, &POSTGRES);
        assert!(sql.contains("sum(n)::bigint"), "{sql}");
        let no_month = QueueQuery { month: None, ..q };
        let (sql, params) = counts_sql(&no_month, &SQLITE);
        assert!(sql.contains("FROM claims"), "{sql}");
        assert_eq!(params.len(), 2);
        // Without `month=` the plan does not matter.
        let walk = page_sql(&no_month, &SQLITE);
        let forced = page_sql(
            &QueueQuery {
                plan: MonthPlan::FromPeriods,
                ..no_month.clone()
            },
            &SQLITE,
        );
        assert_eq!(walk, forced);
    }
}
