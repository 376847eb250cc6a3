//! The operator queue's first page with 100,000 claims in the store, timed inside the
//! server (the store's keyset query, the page's audit trails and the counts), on SQLite
//! and PostgreSQL. Figures and the goal are printed, never asserted.
//!
//! `cargo bench -p sla-server --bench queue --profile server [-- --claims 100000]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use sla_server::operator_queue::{queue, QueueQuery};
use sla_server::store::{Status, Store};

/// A valid claim request: the queue decodes every claim of its page.
const REQUEST: &str = r#"{"schema":"sla-portal/claim/v1","claim_id":"ID","contract_id":"KC","periods":["2025-03"],"remedy":"contract_credit","expected":{"units":1,"contract_credit":300},"contact":{"name":"A","email":"a@example.com","phone":"+86 138 0000 0000"},"note":""}"#;
const GRANTED: &str = r#"{"remedy":"contract_credit","units":1,"contract_credit":300}"#;

/// The queue's counts per month as the writers keep them (the migration's
/// backfill: the rows here bypass the store's writers).
const COUNTS_SQLITE: &str = "INSERT INTO queue_month_counts (period, client_id, remedy, status, n)
  SELECT p.period, c.client_id, coalesce(json_extract(c.request, '$.remedy'), ''), c.status, count(*)
  FROM claimed_periods p JOIN claims c ON c.claim_id = p.claim_id GROUP BY 1, 2, 3, 4;";
const COUNTS_PG: &str = "INSERT INTO queue_month_counts (period, client_id, remedy, status, n)
  SELECT p.period, c.client_id, coalesce(c.request::jsonb ->> 'remedy', ''), c.status, count(*)
  FROM claimed_periods p JOIN claims c ON c.claim_id = p.claim_id GROUP BY 1, 2, 3, 4;";

/// 1,000 clients, one claim per contract `K<i/1000>`, a minute apart, statuses in
/// turn; one INSERT … SELECT per table, so 100,000 rows take seconds.
fn sqlite_fill(path: &std::path::Path, n: i64) {
    let c = rusqlite::Connection::open(path).expect("open");
    let sql = format!(
        "BEGIN;
         CREATE TEMP TABLE n AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) SELECT i FROM n;
         INSERT INTO claims (claim_id, client_id, contract_id, request, granted, status, submitted_at, updated_at)
           SELECT printf('%08x-0000-4000-8000-%012x', i % 1000, i), 'c' || (i % 1000), 'K' || (i / 1000),
                  replace(replace('{REQUEST}', 'ID', printf('%08x-0000-4000-8000-%012x', i % 1000, i)), 'KC', 'K' || (i / 1000)),
                  '{GRANTED}',
                  CASE i % 5 WHEN 0 THEN 'submitted' WHEN 1 THEN 'under_review' WHEN 2 THEN 'approved'
                             WHEN 3 THEN 'rejected' ELSE 'fulfilled' END,
                  strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i * 60, 'unixepoch'),
                  strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i * 60, 'unixepoch')
           FROM n ORDER BY i;
         INSERT INTO claimed_periods (client_id, contract_id, period, claim_id)
           SELECT client_id, contract_id, '2025-03', claim_id FROM claims;
         INSERT INTO claimed_periods (client_id, contract_id, period, claim_id)
           SELECT client_id, contract_id, '2025-05', claim_id FROM claims WHERE submitted_at LIKE '%:13:20Z';
         INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
           SELECT claim_id, submitted_at, NULL, 'submitted', 'client:' || client_id, '' FROM claims;
         {COUNTS_SQLITE}
         COMMIT;",
        last = n - 1
    );
    c.execute_batch(&sql).expect("fill sqlite");
}

fn pg_fill(pg: &sla_server::testkit::PgCluster, url: &str, n: i64) {
    let id = "lpad(to_hex(i % 1000), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0')";
    let at = "to_char(to_timestamp(1700000000 + i * 60) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    pg.sql(
        url,
        &format!(
            "INSERT INTO claims (claim_id, client_id, contract_id, request, granted, status, submitted_at, updated_at)
               SELECT {id}, 'c' || (i % 1000), 'K' || (i / 1000),
                      replace(replace('{REQUEST}', 'ID', {id}), 'KC', 'K' || (i / 1000)), '{GRANTED}',
                      (ARRAY['submitted','under_review','approved','rejected','fulfilled'])[i % 5 + 1],
                      {at}, {at}
               FROM generate_series(0, {last}) i ORDER BY i;
             INSERT INTO claimed_periods (client_id, contract_id, period, claim_id)
               SELECT client_id, contract_id, '2025-03', claim_id FROM claims;
             INSERT INTO claimed_periods (client_id, contract_id, period, claim_id)
               SELECT client_id, contract_id, '2025-05', claim_id FROM claims WHERE submitted_at LIKE '%:13:20Z';
             INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
               SELECT claim_id, submitted_at, NULL, 'submitted', 'client:' || client_id, '' FROM claims;
             {COUNTS_PG}
             ANALYZE;",
            last = n - 1
        ),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Times `runs` first pages of each query; prints median and worst.
async fn measure(store: &Arc<dyn Store>, backend: &str, n: i64) {
    let cases = [
        ("no filter", QueueQuery::default()),
        (
            "status=submitted",
            QueueQuery {
                status: Some(Status::Submitted),
                ..QueueQuery::default()
            },
        ),
        (
            "client=c7",
            QueueQuery {
                client: Some("c7".into()),
                ..QueueQuery::default()
            },
        ),
        (
            "month=2025-03",
            QueueQuery {
                month: Some("2025-03".into()),
                ..QueueQuery::default()
            },
        ),
        (
            "month=2025-03&client=c7",
            QueueQuery {
                month: Some("2025-03".into()),
                client: Some("c7".into()),
                ..QueueQuery::default()
            },
        ),
        // A month no claim holds, and one held by a claim an hour (1 in 60): the
        // counts say so, and the page is read from the month's periods.
        (
            "month=2025-04",
            QueueQuery {
                month: Some("2025-04".into()),
                ..QueueQuery::default()
            },
        ),
        (
            "month=2025-05",
            QueueQuery {
                month: Some("2025-05".into()),
                ..QueueQuery::default()
            },
        ),
    ];
    for (label, q) in cases {
        let first = queue(store.as_ref(), &q, 0).await.expect("queue");
        let page = first["claims"].as_array().map_or(0, Vec::len);
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            queue(store.as_ref(), &q, 0).await.expect("queue");
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "operator queue first page ({page} claims, {label}), {n} claims, {backend}: median {:.1} ms, worst {:.1} ms (goal <= 100 ms)",
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
        );
    }
}

fn main() {
    let mut n: i64 = 100_000;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--claims") {
        n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(n);
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("sla-queue-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("claims.db");
        drop(
            sla_server::sqlite::SqliteStore::open_with(&path, sla_server::sqlite::WriteMode::Naive)
                .await
                .expect("sqlite"),
        );
        let t = Instant::now();
        sqlite_fill(&path, n);
        println!(
            "sqlite: {n} claims written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let s: Arc<dyn Store> = Arc::new(
            sla_server::sqlite::SqliteStore::open_with(&path, sla_server::sqlite::WriteMode::Naive)
                .await
                .expect("sqlite"),
        );
        measure(&s, "sqlite", n).await;
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);

        let pg = sla_server::testkit::PgCluster::start();
        let url = pg.create_db();
        drop(
            sla_server::postgres::PgStore::connect(&url, 2)
                .await
                .expect("postgres"),
        );
        let t = Instant::now();
        pg_fill(&pg, &url, n);
        println!(
            "postgres: {n} claims written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let s: Arc<dyn Store> = Arc::new(
            sla_server::postgres::PgStore::connect(&url, 4)
                .await
                .expect("postgres"),
        );
        measure(&s, "postgres", n).await;
    });
}
