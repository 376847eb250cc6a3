//! The store's behaviour, written once and run against every backend: SQLite
//! with one transaction per claim, SQLite with group commit, and PostgreSQL in a
//! throwaway cluster.

mod common;

use std::future::Future;
use std::sync::Arc;

use common::pg;
use sla_server::postgres::PgStore;
use sla_server::sqlite::{SqliteStore, WriteMode};
use sla_server::store::{
    enqueue_rows, InsertError, NewClaim, Status, StatusError, Store, StoreError,
};
use tokio::sync::Barrier;

fn temp_db(name: &str) -> std::path::PathBuf {
    common::temp_dir(&format!("store-{name}")).join("claims.db")
}

fn claim(id: &str, contract: &str, periods: &[&str]) -> NewClaim {
    NewClaim {
        claim_id: id.into(),
        client_id: "acme".into(),
        contract_id: contract.into(),
        periods: periods.iter().map(|s| s.to_string()).collect(),
        request: format!("{{\"claim_id\":\"{id}\"}}"),
        granted: "{}".into(),
        at: "2026-11-29T00:00:00Z".into(),
    }
}

/// A backend under test, and how to reach its database with raw SQL.
enum Raw {
    Sqlite(std::path::PathBuf),
    Pg(Arc<pg::PgCluster>, String),
}

/// Runs `check` against a fresh store of every kind. The PostgreSQL cluster
/// lives as long as the handle, so it stops even if `check` panics.
async fn each_backend_raw<F, Fut>(name: &str, check: F)
where
    F: Fn(Arc<dyn Store>, Raw) -> Fut,
    Fut: Future<Output = ()>,
{
    for mode in [WriteMode::Naive, WriteMode::Group] {
        let path = temp_db(name);
        let s = SqliteStore::open_with(&path, mode).await.expect("sqlite");
        check(Arc::new(s), Raw::Sqlite(path)).await;
    }
    let pg = pg::PgCluster::shared();
    let url = pg.create_db();
    let s = PgStore::connect(&url, 4).await.expect("postgres");
    check(Arc::new(s), Raw::Pg(pg.clone(), url)).await;
    drop(pg);
}

async fn each_backend<F, Fut>(name: &str, check: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    each_backend_raw(name, |s, _| check(s)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unique_keys_refuse_a_second_claim_id_and_a_second_claim_of_a_period() {
    each_backend("unique", |s| async move {
        s.insert_claim(&claim("a", "K", &["2026-01", "2026-02"]))
            .await
            .expect("first claim");
        assert_eq!(
            s.insert_claim(&claim("a", "K", &["2026-03"])).await,
            Err(InsertError::ClaimIdTaken)
        );
        assert_eq!(
            s.insert_claim(&claim("b", "K", &["2026-03", "2026-02"]))
                .await,
            Err(InsertError::PeriodsTaken(vec!["2026-02".into()]))
        );
        // The refused claim left nothing behind: 2026-03 is still free.
        assert_eq!(
            s.claimed_periods("acme", "K").await.expect("periods"),
            vec!["2026-01".to_string(), "2026-02".to_string()]
        );
        assert_eq!(s.get_claim("b").await.expect("get"), None);
        assert_eq!(s.events("b").await.expect("events"), vec![]);
        // Another contract may claim the same month.
        s.insert_claim(&claim("c", "K2", &["2026-02"]))
            .await
            .expect("other contract");
        let stored = s.get_claim("a").await.expect("get").expect("a");
        assert_eq!(stored.status, Status::Submitted);
        assert_eq!(stored.request, "{\"claim_id\":\"a\"}");
        assert_eq!(stored.submitted_at, "2026-11-29T00:00:00Z");
        assert_eq!(stored.updated_at, "2026-11-29T00:00:00Z");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lists_are_per_client_and_contract_oldest_first() {
    each_backend("lists", |s| async move {
        for (id, contract, period) in [
            ("z", "K", "2026-01"),
            ("a", "K", "2026-02"),
            ("m", "K2", "2026-01"),
            ("b", "K", "2026-03"),
        ] {
            s.insert_claim(&claim(id, contract, &[period]))
                .await
                .expect("insert");
        }
        let ids = |v: Vec<sla_server::store::StoredClaim>| {
            v.into_iter().map(|c| c.claim_id).collect::<Vec<_>>()
        };
        // Filing order, not claim_id order.
        assert_eq!(
            ids(s.list_claims("acme", "K").await.expect("list")),
            ["z", "a", "b"]
        );
        assert_eq!(ids(s.list_claims("acme", "K2").await.expect("list")), ["m"]);
        assert_eq!(
            ids(s.list_claims("globex", "K").await.expect("list")),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(s.all_claims().await.expect("all")),
            ["z", "a", "m", "b"]
        );
        s.set_status(
            "a",
            Status::UnderReview,
            "operator",
            "",
            "2026-11-30T00:00:00Z",
        )
        .await
        .expect("review a");
        s.set_status(
            "z",
            Status::Rejected,
            "operator",
            "",
            "2026-11-30T00:00:01Z",
        )
        .await
        .expect("reject z");
        let queue = |st| {
            let s = s.clone();
            async move { ids(s.claims_with_status(st).await.expect("by status")) }
        };
        assert_eq!(queue(Status::Submitted).await, ["m", "b"]);
        assert_eq!(queue(Status::UnderReview).await, ["a"]);
        assert_eq!(queue(Status::Rejected).await, ["z"]);
        assert_eq!(queue(Status::Approved).await, Vec::<String>::new());
        s.ping().await.expect("ping");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn status_changes_follow_the_workflow_and_leave_an_audit_row_each() {
    each_backend("status", |s| async move {
        s.insert_claim(&claim("a", "K", &["2026-01"]))
            .await
            .expect("claim");
        let c = s
            .set_status(
                "a",
                Status::Approved,
                "operator",
                "ok",
                "2026-11-30T00:00:00Z",
            )
            .await
            .expect("approve");
        assert_eq!(c.status, Status::Approved);
        assert_eq!(c.updated_at, "2026-11-30T00:00:00Z");
        assert_eq!(c.submitted_at, "2026-11-29T00:00:00Z");
        assert_eq!(s.get_claim("a").await.expect("get"), Some(c));
        assert_eq!(
            s.set_status("a", Status::Rejected, "operator", "", "x")
                .await,
            Err(StatusError::NotAllowed {
                from: Status::Approved,
                to: Status::Rejected
            })
        );
        assert_eq!(
            s.set_status("zz", Status::Approved, "operator", "", "x")
                .await,
            Err(StatusError::NotFound)
        );
        let ev = s.events("a").await.expect("events");
        assert_eq!(ev.len(), 2, "filed + approved, the refusal wrote nothing");
        assert_eq!(ev[0].from, None);
        assert_eq!(ev[0].to, Status::Submitted);
        assert_eq!(ev[0].actor, "client:acme");
        assert_eq!(ev[1].from, Some(Status::Submitted));
        assert_eq!(ev[1].to, Status::Approved);
        assert_eq!(ev[1].note, "ok");
        assert_eq!(ev[1].at, "2026-11-30T00:00:00Z");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inserts_of_one_period_file_exactly_one() {
    // Eight claims race for one month, eight retries of one claim race too: the
    // UNIQUE keys (and, with group commit, the savepoints of one batch) leave one
    // winner each, and every loser is told why.
    each_backend("race", |s| async move {
        let barrier = Arc::new(Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (s, barrier) = (s.clone(), barrier.clone());
                tokio::spawn(async move {
                    let c = if i < 8 {
                        claim(&format!("p{i}"), "K", &["2026-05"])
                    } else {
                        claim("same", "K", &["2026-06"])
                    };
                    barrier.wait().await;
                    (i, s.insert_claim(&c).await)
                })
            })
            .collect();
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.expect("task"));
        }
        let period_wins = results.iter().filter(|(i, r)| *i < 8 && r.is_ok()).count();
        let period_losses = results
            .iter()
            .filter(|(i, r)| *i < 8 && *r == Err(InsertError::PeriodsTaken(vec!["2026-05".into()])))
            .count();
        let same_wins = results.iter().filter(|(i, r)| *i >= 8 && r.is_ok()).count();
        let same_losses = results
            .iter()
            .filter(|(i, r)| *i >= 8 && *r == Err(InsertError::ClaimIdTaken))
            .count();
        assert_eq!((period_wins, period_losses), (1, 7), "{results:?}");
        assert_eq!((same_wins, same_losses), (1, 7), "{results:?}");
        assert_eq!(s.all_claims().await.expect("all").len(), 2);
        assert_eq!(
            s.claimed_periods("acme", "K").await.expect("periods"),
            vec!["2026-05".to_string(), "2026-06".to_string()]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_migrations_run_once_and_a_newer_schema_is_refused() {
    let pg = pg::PgCluster::shared();
    let url = pg.create_db();
    let first: Arc<dyn Store> = Arc::new(PgStore::connect(&url, 2).await.expect("first open"));
    first
        .insert_claim(&claim("a", "K", &["2026-01"]))
        .await
        .expect("claim");
    // The socket form of the URL reaches the same database.
    let s = PgStore::connect(&pg.socket_url(pg::db_name(&url)), 2)
        .await
        .expect("reopen");
    assert!(s.get_claim("a").await.expect("get").is_some());
    assert_eq!(
        pg.sql(
            &url,
            "SELECT string_agg(version::text, ',') FROM schema_migrations"
        ),
        "1,2,3,4,5,6,7,8,9",
        "each migration ran once, not on every open"
    );
    pg.sql(&url, "INSERT INTO schema_migrations VALUES (99, 'later')");
    let e = PgStore::connect(&url, 2).await.err().expect("refused");
    assert!(e.message.contains("newer"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_version_3_database_keeps_its_claims_and_breaches_through_migration_4() {
    let pg = pg::PgCluster::shared();
    let url = pg.create_db();
    for sql in [
        include_str!("../migrations/postgres/0001_claims.sql"),
        include_str!("../migrations/postgres/0002_webhooks.sql"),
        include_str!("../migrations/postgres/0003_sweep_leases.sql"),
    ] {
        pg.sql(&url, sql);
    }
    pg.sql(
        &url,
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL);
         INSERT INTO schema_migrations VALUES (1, 't'), (2, 't'), (3, 't');
         INSERT INTO claims VALUES ('a', 'acme', 'K', '{}', '{}', 'submitted', 't', 't');
         INSERT INTO claimed_periods VALUES ('K', '2026-01', 'a');
         INSERT INTO emitted_breaches VALUES ('acme', '2026-01', 'evt_1', 't');",
    );
    let s: Arc<dyn Store> = Arc::new(PgStore::connect(&url, 2).await.expect("migrated"));
    assert_eq!(
        pg.sql(
            &url,
            "SELECT client_id || ' ' || contract_id || ' ' || period FROM claimed_periods"
        ),
        "acme K 2026-01"
    );
    // Contract ids are unique per client only: another client's K may claim January.
    let mut other = claim("b", "K", &["2026-01"]);
    other.client_id = "globex".into();
    s.insert_claim(&other).await.expect("another client's K");
    assert_eq!(
        s.insert_claim(&claim("c", "K", &["2026-01"])).await,
        Err(InsertError::PeriodsTaken(vec!["2026-01".into()]))
    );
    // Migration 7 counted the old claim in its month; the new one is counted as
    // filed, and the refused one not at all.
    let january = sla_server::operator_queue::QueueQuery {
        month: Some("2026-01".into()),
        ..Default::default()
    };
    assert_eq!(
        s.queue_counts(&january).await.expect("counts"),
        vec![(sla_server::store::Status::Submitted, 2)]
    );
    // The breach recorded before is the one-contract client's (contract ""): not again.
    let e = out_event("e1", "acme", "period.breached", 1_000);
    assert!(!s.emit_breach("", "2026-01", &e).await.expect("old breach"));
    assert!(s
        .emit_breach("acme-cn", "2026-01", &e)
        .await
        .expect("a contract's own"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_urls_that_cannot_work_fail_in_one_line() {
    for bad in [
        "postgres://u@h:notaport/db",
        "postgres://u@host:5432/db?sslmode=bogus",
    ] {
        let e = PgStore::connect(bad, 1).await.err().expect("refused");
        assert!(!e.message.contains('\n'), "{e}");
        assert!(e.message.contains("not a PostgreSQL URL"), "{bad}: {e}");
    }
    // Nobody listens on port 1: the error names the connection, in one line.
    let e = PgStore::connect("postgres://postgres@127.0.0.1:1/db", 1)
        .await
        .err()
        .expect("unreachable");
    assert!(e.unavailable, "{e:?}");
    assert!(!e.message.contains('\n'), "{e}");
}

fn subscription(id: &str, client: &str, events: &[&str]) -> sla_server::store::Subscription {
    sla_server::store::Subscription {
        id: id.into(),
        client_id: client.into(),
        url: format!("https://hooks.example.com/{id}"),
        events: events.iter().map(|s| s.to_string()).collect(),
        description: String::new(),
        secret: format!("whsec_{id}"),
        created_at: "2026-11-29T00:00:00Z".into(),
    }
}

fn out_event(
    id: &str,
    client: &str,
    event_type: &str,
    created_ms: i64,
) -> sla_server::store::OutEvent {
    sla_server::store::OutEvent {
        id: id.into(),
        client_id: client.into(),
        event_type: event_type.into(),
        body: format!("{{\"id\":\"{id}\"}}"),
        created_ms,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_status_change_queues_its_event_in_the_same_transaction() {
    each_backend("status-event", |s| async move {
        s.create_subscription(&subscription("s1", "acme", &["claim.status_changed"]))
            .await
            .expect("s1");
        s.create_subscription(&subscription("s2", "acme", &["period.breached"]))
            .await
            .expect("s2");
        s.insert_claim(&claim("a", "K", &["2026-01"]))
            .await
            .expect("claim");
        s.set_status(
            "a",
            Status::UnderReview,
            "operator",
            "looking",
            "2026-11-30T00:00:00Z",
        )
        .await
        .expect("review");
        // A refused change writes nothing, so it queues nothing either.
        assert!(s
            .set_status("a", Status::Fulfilled, "operator", "", "x")
            .await
            .is_err());
        let due = s
            .claim_due(i64::MAX / 2, i64::MAX / 2 + 1, 10)
            .await
            .expect("due");
        assert_eq!(due.len(), 1, "one change, one subscriber that wants it");
        assert_eq!(due[0].subscription_id, "s1");
        assert_eq!(due[0].event_type, "claim.status_changed");
        let body: serde_json::Value = serde_json::from_str(&due[0].body).expect("json");
        assert_eq!(body["data"]["claim_id"], "a");
        assert_eq!(body["data"]["contract_id"], "K");
        assert_eq!(body["data"]["from"], "submitted");
        assert_eq!(body["data"]["to"], "under_review");
        assert_eq!(body["data"]["at"], "2026-11-30T00:00:00Z");
        assert_eq!(body["data"]["note"], "looking");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outbox_fans_out_by_event_type_and_a_breach_is_recorded_once() {
    use sla_server::store::Outcome;
    each_backend("outbox", |s| async move {
        s.create_subscription(&subscription("s1", "acme", &["period.breached"]))
            .await
            .expect("s1");
        s.create_subscription(&subscription(
            "s2",
            "acme",
            &["period.breached", "claim.status_changed"],
        ))
        .await
        .expect("s2");
        s.create_subscription(&subscription("s3", "other", &["period.breached"]))
            .await
            .expect("s3");
        // Only acme's subscriptions hear acme's events, and only s2 wants claims.
        let mut tx = s.begin().await.expect("begin");
        let e1 = out_event("e1", "acme", "claim.status_changed", 1_000);
        assert_eq!(enqueue_rows(tx.as_mut(), &e1).await.expect("enqueue"), 1);
        tx.commit().await.expect("commit");
        assert!(s
            .emit_breach(
                "",
                "2025-03",
                &out_event("e2", "acme", "period.breached", 1_000)
            )
            .await
            .expect("first breach"));
        // The same (client, period) again, with a fresh event id: nothing queued.
        assert!(!s
            .emit_breach(
                "",
                "2025-03",
                &out_event("e3", "acme", "period.breached", 2_000)
            )
            .await
            .expect("second breach"));
        // The three rows are due at 1,000 ms and leased until 5,000 ms.
        let due = s.claim_due(1_000, 5_000, 10).await.expect("due");
        let mut got: Vec<(String, String)> = due
            .iter()
            .map(|d| (d.subscription_id.clone(), d.event_id.clone()))
            .collect();
        got.sort();
        let pairs = [("s1", "e2"), ("s2", "e1"), ("s2", "e2")];
        assert_eq!(
            got,
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            due[0].url,
            format!("https://hooks.example.com/{}", due[0].subscription_id)
        );
        // Leased: another worker at 2,000 ms gets nothing.
        assert!(s
            .claim_due(2_000, 6_000, 10)
            .await
            .expect("leased")
            .is_empty());
        for d in &due {
            let o = if d.subscription_id == "s1" {
                Outcome::Delivered("200".into())
            } else {
                Outcome::Retry {
                    next_ms: 3_000,
                    result: "HTTP 500".into(),
                }
            };
            s.finish_attempt(d.id, &o).await.expect("finish");
        }
        // s1 is done; s2's two rows are due again at 3,000 ms, not before.
        assert!(s
            .claim_due(2_999, 9_000, 10)
            .await
            .expect("early")
            .is_empty());
        let again = s.claim_due(3_000, 9_000, 10).await.expect("again");
        assert_eq!(again.len(), 2);
        assert!(again
            .iter()
            .all(|d| d.attempts == 1 && d.subscription_id == "s2"));
        let recs = s.deliveries("acme", "s1", 10).await.expect("records");
        assert_eq!(recs.len(), 1);
        assert_eq!(
            (
                recs[0].state.as_str(),
                recs[0].attempts,
                recs[0].last_result.as_str()
            ),
            ("delivered", 1, "200")
        );
        // Another client cannot see s1's deliveries, nor delete s1.
        assert!(s
            .deliveries("other", "s1", 10)
            .await
            .expect("other")
            .is_empty());
        assert!(!s
            .delete_subscription("other", "s1")
            .await
            .expect("not theirs"));
        assert!(s.delete_subscription("acme", "s2").await.expect("delete"));
        assert!(s
            .claim_due(10_000, 20_000, 10)
            .await
            .expect("gone")
            .is_empty());
        let left: Vec<String> = s
            .subscriptions("acme")
            .await
            .expect("list")
            .into_iter()
            .map(|x| x.id)
            .collect();
        assert_eq!(left, vec!["s1".to_string()]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_status_written_behind_the_store_is_the_same_error_on_every_backend() {
    each_backend_raw("bogus", |s, raw| async move {
        s.insert_claim(&claim("a", "K", &["2026-01"]))
            .await
            .expect("a");
        s.insert_claim(&claim("b", "K", &["2026-02"]))
            .await
            .expect("b");
        // A status no binary writes: by hand, past the CHECK on `claims.status`
        // (`claim_events` has none).
        let damage = [
            "UPDATE claims SET status = 'bogus' WHERE claim_id = 'a'",
            "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note) \
             VALUES ('b', '2026-11-30T00:00:00Z', 'submitted', 'reviewed', 'operator', '')",
        ];
        match &raw {
            Raw::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("raw sqlite");
                conn.execute_batch("PRAGMA ignore_check_constraints = ON")
                    .expect("pragma");
                for sql in damage {
                    conn.execute_batch(sql).expect(sql);
                }
            }
            Raw::Pg(pg, url) => {
                pg.sql(
                    url,
                    "ALTER TABLE claims DROP CONSTRAINT claims_status_check",
                );
                for sql in damage {
                    pg.sql(url, sql);
                }
            }
        }
        let claim_status = StoreError::new("claims.status: unknown status \"bogus\"");
        let event_status = StoreError::new("claim_events.to_status: unknown status \"reviewed\"");
        assert_eq!(s.get_claim("a").await, Err(claim_status.clone()));
        assert_eq!(s.all_claims().await, Err(claim_status.clone()));
        assert_eq!(
            s.set_status("a", Status::Approved, "operator", "", "x")
                .await,
            Err(StatusError::Store(claim_status))
        );
        assert_eq!(s.events("b").await, Err(event_status));
        // The damage is confined to its rows: b still reads, and the refused
        // status change above wrote nothing.
        assert_eq!(
            s.get_claim("b").await.expect("b").map(|c| c.status),
            Some(Status::Submitted)
        );
        assert_eq!(s.events("a").await.expect("a's trail").len(), 1);
    })
    .await;
}
