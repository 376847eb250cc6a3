//! The real binary on a real PostgreSQL (a throwaway cluster): the same answers as
//! SQLite, two server processes sharing one database, a SIGKILLed instance, a
//! database that goes away and comes back, `--db` values that cannot work, and
//! the breach sweep shared between instances through lease rows.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use common::pg::{db_name, PgCluster};
use common::*;

fn start(data: &Path, db: &str, name: &str) -> Server {
    Server::start_db(data, db, data.join(format!("{name}.log")), &[])
}

/// Two servers on one database, with clients whose March (and the months in
/// `months`) are breached.
fn two_instances(
    name: &str,
    clients: &[&str],
    months: &[u32],
) -> (Arc<PgCluster>, PathBuf, String, Server, Server) {
    let pg = PgCluster::shared();
    let dir = temp_dir(name);
    for c in clients {
        write_client(&dir, c, &format!("K-{c}"), months);
    }
    write_tokens(&dir, clients);
    let db = pg.create_db();
    let a = start(&dir, &db, "a");
    let b = start(&dir, &db, "b");
    (pg, dir, db, a, b)
}

#[test]
fn on_postgres_a_claim_is_filed_replayed_and_refused_as_on_sqlite() {
    let pg = PgCluster::shared();
    let dir = temp_dir("pg-answers");
    write_client(&dir, "acme", "K-ACME", &[3, 5]);
    write_tokens(&dir, &["acme"]);
    let db = pg.create_db();
    // The socket form of the URL: `?host=/socket/dir`.
    let s = start(&dir, &pg.socket_url(db_name(&db)), "s");
    let url = s.url("/api/v1/claims");
    let t = token_of("acme");
    // March: 30 of 44,640 minutes down, one unit, credit 300 (hand-worked in common).
    let first = claim(&uuid(1, 1), "K-ACME", &["2025-03"], 1, 300);
    let r = post(&url, Some(&t), &first);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let filed = r.json();
    assert_eq!(filed["status"], "submitted");
    assert_eq!(filed["granted"]["contract_credit"], 300);
    // The same claim again: the stored one, unchanged.
    let again = post(&url, Some(&t), &first);
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), filed);
    // Same claim_id, another body.
    let reused = post(
        &url,
        Some(&t),
        &claim(&uuid(1, 1), "K-ACME", &["2025-05"], 1, 300),
    );
    assert_eq!(reused.status, 409);
    assert_eq!(reused.error_code(), "claim_id_reused");
    // Another claim for March.
    let twice = post(
        &url,
        Some(&t),
        &claim(&uuid(1, 2), "K-ACME", &["2025-03"], 1, 300),
    );
    assert_eq!(twice.status, 409);
    assert_eq!(twice.error_code(), "period_already_claimed");

    let list = get(&url, Some(&t), &[]).json();
    let claims = list["claims"].as_array().cloned().unwrap_or_default();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["claim_id"], uuid(1, 1).as_str());
    assert_eq!(
        claims[0]["history"],
        serde_json::json!([{"status": "submitted", "at": filed["submitted_at"], "note": ""}])
    );
    // The operator commands work on the URL too, with an audit row.
    let (ok, out, err) = cli(&[
        "claims",
        "set-status",
        &uuid(1, 1),
        "approved",
        "--db",
        &db,
        "--note",
        "ok",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with(&format!("{} approved", uuid(1, 1))),
        "{out}"
    );
    assert_eq!(
        pg.sql(
            &db,
            "SELECT coalesce(from_status, '-') || '>' || to_status || ':' || note \
             FROM claim_events ORDER BY id"
        ),
        "->submitted:\nsubmitted>approved:ok"
    );
}

#[test]
fn fifty_identical_posts_across_two_instances_file_one_claim() {
    let (_pg, _dir, _db, a, b) = two_instances("pg-same", &["acme"], &[3]);
    let body = claim(&uuid(7, 7), "K-acme", &["2025-03"], 1, 300);
    let barrier = Arc::new(Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let url = if i % 2 == 0 {
                a.url("/api/v1/claims")
            } else {
                b.url("/api/v1/claims")
            };
            let (body, barrier) = (body.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let r = post(&url, Some(&token_of("acme")), &body);
                (r.status, r.json())
            })
        })
        .collect();
    let replies: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let created = replies.iter().filter(|(s, _)| *s == 201).count();
    let replayed = replies.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, replayed), (1, 49), "{replies:?}");
    assert!(
        replies.iter().all(|(_, v)| v == &replies[0].1),
        "one claim, one answer"
    );
    for s in [&a, &b] {
        let list = get(&s.url("/api/v1/claims"), Some(&token_of("acme")), &[]).json();
        assert_eq!(list["claims"].as_array().map(Vec::len), Some(1));
    }
}

#[test]
fn twenty_claims_for_one_period_across_two_instances_file_one() {
    let (_pg, _dir, db, a, b) = two_instances("pg-period", &["acme"], &[3]);
    let barrier = Arc::new(Barrier::new(20));
    let handles: Vec<_> = (0..20u64)
        .map(|i| {
            let url = if i % 2 == 0 {
                a.url("/api/v1/claims")
            } else {
                b.url("/api/v1/claims")
            };
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let body = claim(&uuid(9, i), "K-acme", &["2025-03"], 1, 300);
                barrier.wait();
                let r = post(&url, Some(&token_of("acme")), &body);
                (r.status, r.error_code_or_empty())
            })
        })
        .collect();
    let replies: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let created = replies.iter().filter(|(s, _)| *s == 201).count();
    let conflicts = replies
        .iter()
        .filter(|(s, c)| *s == 409 && c == "period_already_claimed")
        .count();
    assert_eq!((created, conflicts), (1, 19), "{replies:?}");
    assert_eq!(pg_count(&_pg, &db, "SELECT count(*) FROM claims"), 1);
    assert_eq!(
        pg_count(&_pg, &db, "SELECT count(*) FROM claimed_periods"),
        1
    );
    assert_eq!(pg_count(&_pg, &db, "SELECT count(*) FROM claim_events"), 1);
}

fn pg_count(pg: &PgCluster, db: &str, sql: &str) -> i64 {
    pg.sql(db, sql).parse().unwrap_or(-1)
}

trait CodeOrEmpty {
    fn error_code_or_empty(&self) -> String;
}

impl CodeOrEmpty for Reply {
    fn error_code_or_empty(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

#[test]
fn sigkill_of_one_instance_loses_no_acknowledged_claim() {
    const CLIENTS: usize = 16;
    let ids: Vec<String> = (0..CLIENTS).map(|i| format!("k{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let months: Vec<u32> = (1..=12).collect();
    let (pg, _dir, db, mut a, b) = two_instances("pg-kill", &refs, &months);

    // Each client files its twelve months one by one, half of the clients through
    // each instance; a claim counts as acknowledged once its 201 arrived.
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(c, id)| {
            let url = if c % 2 == 0 {
                a.url("/api/v1/claims")
            } else {
                b.url("/api/v1/claims")
            };
            let (id, acked, stop) = (id.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                for m in 1..=12u32 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let claim_id = uuid(c as u32, u64::from(m));
                    let period = format!("2025-{m:02}");
                    let body = claim(&claim_id, &format!("K-{id}"), &[&period], 1, 300);
                    match try_post(&url, Some(&token_of(&id)), &body) {
                        Ok(r) if r.status == 201 => {
                            if let Ok(mut s) = acked.lock() {
                                s.insert((id.clone(), claim_id));
                            }
                        }
                        Ok(r) => panic!(
                            "unexpected {}: {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        ),
                        Err(_) => return, // instance a is gone
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().map(|s| s.len()).unwrap_or(0) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    a.child.kill().expect("SIGKILL");
    let _ = a.child.wait();
    // The writers of instance b carry on; stop them after their current claim.
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }
    let acked = acked.lock().expect("acked").clone();
    assert!(acked.len() >= 20, "only {} acknowledged", acked.len());
    assert!(
        acked.len() < CLIENTS * 12,
        "the kill came too late to prove anything"
    );

    let mut stored = BTreeSet::new();
    for id in &ids {
        let list = get(&b.url("/api/v1/claims"), Some(&token_of(id)), &[]).json();
        for c in list["claims"].as_array().cloned().unwrap_or_default() {
            assert_eq!(c["granted"]["contract_credit"], 300);
            stored.insert((id.clone(), c["claim_id"].as_str().unwrap_or("").to_string()));
        }
    }
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "acknowledged but not readable through b: {lost:?}"
    );
    // Nothing half-written: every claim has its period and its audit row.
    assert_eq!(
        pg_count(&pg, &db, "SELECT count(*) FROM claims") as usize,
        stored.len()
    );
    assert_eq!(
        pg_count(&pg, &db, "SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM claimed_periods p WHERE p.claim_id = c.claim_id)"),
        0
    );
    assert_eq!(
        pg_count(&pg, &db, "SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = c.claim_id)"),
        0
    );
}

#[test]
fn a_database_that_goes_away_answers_503_and_comes_back() {
    // A cluster of its own: this test stops it.
    let pg = PgCluster::start();
    let dir = temp_dir("pg-down");
    write_client(&dir, "acme", "K-ACME", &[3, 5]);
    write_tokens(&dir, &["acme"]);
    let db = pg.create_db();
    let s = start(&dir, &db, "s");
    let url = s.url("/api/v1/claims");
    let t = token_of("acme");
    assert_eq!(get(&s.url("/readyz"), None, &[]).status, 200);
    assert_eq!(
        post(
            &url,
            Some(&t),
            &claim(&uuid(2, 3), "K-ACME", &["2025-03"], 1, 300)
        )
        .status,
        201
    );

    pg.stop();
    let may = claim(&uuid(2, 5), "K-ACME", &["2025-05"], 1, 300);
    let r = post(&url, Some(&t), &may);
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.error_code(), "store_unavailable");
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let list = get(&url, Some(&t), &[]);
    assert_eq!(list.status, 503);
    let ready = get(&s.url("/readyz"), None, &[]);
    assert_eq!(ready.status, 503);
    assert_eq!(ready.error_code(), "store_unavailable");
    // Alive all the same: the load balancer should wait, not restart it.
    assert_eq!(get(&s.url("/healthz"), None, &[]).status, 200);

    pg.restart();
    // The pool replaces its closed connections on the next checkouts; a few
    // requests may still meet one that has not noticed yet.
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&s.url("/readyz"), None, &[]).status != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut r = post(&url, Some(&t), &may);
    while r.status == 503 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        r = post(&url, Some(&t), &may);
    }
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let list = get(&url, Some(&t), &[]).json();
    assert_eq!(list["claims"].as_array().map(Vec::len), Some(2));
    let log = std::fs::read_to_string(&s.log).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn db_urls_that_cannot_work_stop_the_server_with_one_line() {
    let dir = temp_dir("pg-bad");
    write_client(&dir, "acme", "K-ACME", &[3]);
    write_tokens(&dir, &["acme"]);
    let data = dir.to_str().expect("utf-8 path");
    for (db, expect) in [
        (
            "postgres://u@h:notaport/db",
            "sla-server: --db: not a PostgreSQL URL",
        ),
        (
            "postgresql://u@/db?sslmode=sometimes",
            "sla-server: --db: not a PostgreSQL URL",
        ),
        // Nobody listens on port 1.
        (
            "postgres://postgres@127.0.0.1:1/db",
            "sla-server: --db: PostgreSQL",
        ),
    ] {
        let out = std::process::Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--data", data, "--db", db])
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{db}: {err}");
        assert!(out.stdout.is_empty(), "{db}: never listened");
        assert_eq!(err.lines().count(), 1, "{db}: {err}");
        assert!(err.starts_with(expect), "{db}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn connections_killed_under_a_server_cost_at_most_a_503_and_never_a_lost_claim() {
    let pg = PgCluster::shared();
    let dir = temp_dir("pg-terminate");
    write_client(&dir, "acme", "K-ACME", &[3, 5, 7]);
    write_tokens(&dir, &["acme"]);
    let db = pg.create_db();
    let s = Server::start_db(&dir, &db, dir.join("s.log"), &["--pool-size", "4"]);
    let url = s.url("/api/v1/claims");
    let t = token_of("acme");
    assert_eq!(
        post(
            &url,
            Some(&t),
            &claim(&uuid(6, 3), "K-ACME", &["2025-03"], 1, 300)
        )
        .status,
        201
    );
    for (round, month) in [(5u64, "2025-05"), (7, "2025-07")] {
        // An administrator (or a failover) ends every session of the server.
        pg.sql(
            &db,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        let body = claim(&uuid(6, round), "K-ACME", &[month], 1, 300);
        let first = post(&url, Some(&t), &body);
        // Either the pool noticed and reconnected (201), or the request met a
        // dead connection (503, nothing acknowledged); never a 500.
        assert!(
            first.status == 201
                || (first.status == 503 && first.error_code() == "store_unavailable"),
            "{} {}",
            first.status,
            String::from_utf8_lossy(&first.body)
        );
        // The client's retry, with the same claim_id, files it or finds it filed.
        let mut r = first;
        let deadline = Instant::now() + Duration::from_secs(30);
        while r.status == 503 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            r = post(&url, Some(&t), &body);
        }
        assert!(r.status == 201 || r.status == 200, "{}", r.status);
    }
    let list = get(&url, Some(&t), &[]).json();
    assert_eq!(list["claims"].as_array().map(Vec::len), Some(3));
    let log = std::fs::read_to_string(&s.log).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn two_servers_on_one_database_send_each_webhook_delivery_once() {
    use common::receiver::Receiver;
    let pg = PgCluster::shared();
    let dir = temp_dir("pg-webhooks");
    write_client(&dir, "acme", "K-acme", &[3]);
    write_tokens_with_operators(&dir, &["acme"], &["olga"]);
    let db = pg.create_db();
    let flags = [
        "--allow-webhook-host",
        "127.0.0.1",
        "--webhook-backoff-ms",
        "100",
    ];
    let a = Server::start_db(&dir, &db, dir.join("a.log"), &flags);
    let b = Server::start_db(&dir, &db, dir.join("b.log"), &flags);
    let rx = Receiver::start(&[]);
    let t = token_of("acme");
    // Six subscriptions, each with its own path: one status change queues six
    // rows, which both servers' workers poll for.
    for i in 0..6 {
        let r = post(
            &a.url("/api/v1/subscriptions"),
            Some(&t),
            &serde_json::json!({"url": format!("{}?s={i}", rx.url),
                                "events": ["claim.status_changed"]})
            .to_string(),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    }
    let id = uuid(12, 1);
    let r = post(
        &a.url("/api/v1/claims"),
        Some(&t),
        &claim(&id, "K-acme", &["2025-03"], 1, 300),
    );
    assert_eq!(r.status, 201);
    let r = decide(
        &b.url(&format!("/api/v1/operator/claims/{id}/status")),
        Some(&token_of("olga")),
        r#"{"status":"under_review"}"#,
    );
    assert_eq!(r.status, 200);
    wait_for(60, "six delivered rows", || {
        let subs = get(&b.url("/api/v1/subscriptions"), Some(&t), &[]).json();
        subs["subscriptions"].as_array().is_some_and(|v| {
            v.len() == 6 && v.iter().all(|s| s["last_delivery"]["state"] == "delivered")
        })
    });
    let mut paths: Vec<String> = rx.got().into_iter().map(|r| r.path).collect();
    paths.sort();
    let want: Vec<String> = (0..6).map(|i| format!("/hook?s={i}")).collect();
    assert_eq!(paths, want, "each row sent once, by one of the two servers");
}

const SWEEP: &[&str] = &[
    "--allow-webhook-host",
    "127.0.0.1",
    "--evaluate-every",
    "0.2",
    "--sweep-concurrency",
    "1",
    "--sweep-lease-ms",
    "1500",
];

#[test]
fn two_instances_split_the_sweep_and_queue_each_breach_once() {
    use common::receiver::Receiver;
    let pg = PgCluster::shared();
    let dir = temp_dir("pg-sweep");
    let ids: Vec<String> = (0..40).map(|i| format!("s{i:02}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for id in &ids {
        write_client(&dir, id, &format!("K-{id}"), &[]);
    }
    write_tokens(&dir, &refs);
    let db = pg.create_db();
    let a = Server::start_db(&dir, &db, dir.join("a.log"), SWEEP);
    let b = Server::start_db(&dir, &db, dir.join("b.log"), SWEEP);
    let rx = Receiver::start(&[]);
    for id in &ids {
        let r = post(
            &a.url("/api/v1/subscriptions"),
            Some(&token_of(id)),
            &serde_json::json!({"url": rx.url, "events": ["period.breached"]}).to_string(),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    }
    for s in [&a, &b] {
        wait_for(60, "a full pass", || {
            metric(s, "sla_sweep_last_full_pass_timestamp_seconds") > 0.0
        });
    }
    let before = [&a, &b].map(|s| metric(s, "sla_sweep_clients_evaluated_total"));
    // March breaches for every client (write_client's hand-worked 30 minutes of
    // 44,640), May too for s00: 41 breaches, each to be queued exactly once.
    for id in &ids {
        let months: &[u32] = if id == "s00" { &[3, 5] } else { &[3] };
        write_client(&dir, id, &format!("K-{id}"), months);
    }
    let count = |sql: &str| pg_count(&pg, &db, sql);
    wait_for(60, "41 breaches recorded", || {
        count("SELECT count(*) FROM emitted_breaches") == 41
    });
    wait_for(60, "41 deliveries", || rx.got().len() >= 41);
    // Both instances looked again after the change, and nothing more comes.
    for s in [&a, &b] {
        wait_for(30, "an up-to-date pass", || {
            metric(s, "sla_sweep_clients_pending") == 0.0
        });
    }
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(count("SELECT count(*) FROM emitted_breaches"), 41);
    assert_eq!(
        count("SELECT count(*) FROM webhook_deliveries WHERE event_type = 'period.breached'"),
        41
    );
    let got: BTreeSet<String> = rx
        .got()
        .iter()
        .map(|r| {
            let v = r.json();
            format!(
                "{} {}",
                v["data"]["client_id"].as_str().unwrap_or(""),
                v["data"]["period"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(rx.got().len(), 41, "each breach delivered once");
    assert_eq!(got.len(), 41);
    assert!(got.contains("s00 2025-05") && got.contains("s39 2025-03"));
    // The 40 changed clients were split: each instance evaluated some of them,
    // and took the others' results from the lease rows instead of evaluating again.
    let after = [&a, &b].map(|s| metric(s, "sla_sweep_clients_evaluated_total"));
    let (da, db_) = (after[0] - before[0], after[1] - before[1]);
    assert!(da >= 1.0 && db_ >= 1.0, "a evaluated {da}, b {db_}");
    assert!(da + db_ >= 40.0, "a evaluated {da}, b {db_}");
    assert!(
        da + db_ < 80.0,
        "a evaluated {da}, b {db_}: both swept everything"
    );
}

#[test]
fn the_clients_of_an_instance_killed_mid_sweep_are_swept_by_the_other() {
    let pg = PgCluster::shared();
    let dir = temp_dir("pg-sweep-kill");
    let (ok, _, err) = cli(&[
        "demo-data",
        "--out",
        dir.join("demo").to_str().expect("utf-8"),
    ]);
    assert!(ok, "{err}");
    // Twelve clients on acme's year (hard links: the server needs no distinct bytes).
    let ids: Vec<String> = (0..12).map(|i| format!("k{i:02}")).collect();
    for id in &ids {
        std::fs::create_dir_all(dir.join(id)).expect("dir");
        for f in ["usage.json", "incidents.json", "policy.json"] {
            let from = dir.join("demo").join("acme").join(f);
            if from.exists() {
                std::fs::hard_link(&from, dir.join(id).join(f)).expect("link");
            }
        }
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    write_tokens(&dir, &refs);
    let db = pg.create_db();
    let mut a = Server::start_db(&dir, &db, dir.join("a.log"), SWEEP);
    wait_for(120, "a's first evaluations", || {
        metric(&a, "sla_sweep_clients_evaluated_total") >= 2.0
    });
    assert_eq!(
        metric(&a, "sla_sweep_last_full_pass_timestamp_seconds"),
        0.0,
        "the kill came too late to prove anything"
    );
    a.child.kill().expect("SIGKILL");
    let _ = a.child.wait();
    let count = |sql: &str| pg_count(&pg, &db, sql);
    let held = count("SELECT count(*) FROM sweep_leases WHERE lease_until_ms > 0");
    assert!(held >= 1, "a died holding no lease");
    let b = Server::start_db(&dir, &db, dir.join("b.log"), SWEEP);
    // acme's breached months (the demo data's hand-worked list): 2026-01, -02, -03,
    // -05, -07, -09; six per client, 72 in all, each once.
    wait_for(180, "72 breaches", || {
        count("SELECT count(*) FROM emitted_breaches") == 72
    });
    wait_for(60, "b's full pass", || {
        metric(&b, "sla_sweep_last_full_pass_timestamp_seconds") > 0.0
    });
    assert_eq!(count("SELECT count(*) FROM emitted_breaches"), 72);
    assert_eq!(
        count("SELECT count(DISTINCT client_id) FROM emitted_breaches"),
        12
    );
    assert_eq!(
        pg.sql(
            &db,
            "SELECT string_agg(DISTINCT period, ',' ORDER BY period) FROM emitted_breaches"
        ),
        "2026-01,2026-02,2026-03,2026-05,2026-07,2026-09"
    );
    assert_eq!(
        count("SELECT count(*) FROM sweep_leases WHERE lease_until_ms = 0 AND done LIKE '%;ok'"),
        12
    );
}
