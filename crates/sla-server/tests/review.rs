//! Operator review over HTTP on both stores, the status history a client sees,
//! the load balancer's probes and metrics, and the limits (rate and connections).

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::pg::PgCluster;
use common::*;
use serde_json::{json, Value};

/// acme's 2025 contract K-ACME, breached in March and May (one unit, credit 300
/// each, worked by hand in `common`), and the operator alice.
fn review_data(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    write_client(&dir, "acme", "K-ACME", &[3, 5]);
    write_client(&dir, "globex", "K-GLOBEX", &[3]);
    write_tokens_with_operators(&dir, &["acme", "globex"], &["alice"]);
    dir
}

fn post_status(s: &Server, claim_id: &str, token: &str, body: Value) -> Reply {
    decide(
        &s.url(&format!("/api/v1/operator/claims/{claim_id}/status")),
        Some(token),
        &body.to_string(),
    )
}

fn statuses(history: &Value) -> Vec<String> {
    history
        .as_array()
        .map(|h| {
            h.iter()
                .map(|e| e["status"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The whole review workflow against one server; `db` is what `--db` was.
fn review(s: &Server, db: &str) {
    let acme = token_of("acme");
    let alice = token_of("alice");
    let claims = s.url("/api/v1/claims");
    let ops = s.url("/api/v1/operator/claims");
    let march = uuid(3, 3);
    let r = post(
        &claims,
        Some(&acme),
        &claim(&march, "K-ACME", &["2025-03"], 1, 300),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let filed_at = r.json()["submitted_at"].clone();
    let g = post(
        &claims,
        Some(&token_of("globex")),
        &claim(&uuid(4, 3), "K-GLOBEX", &["2025-03"], 1, 300),
    );
    assert_eq!(g.status, 201);

    // Who may do what.
    assert_eq!(get(&ops, None, &[]).status, 401);
    let client_on_ops = get(&ops, Some(&acme), &[]);
    assert_eq!(client_on_ops.status, 403);
    assert_eq!(client_on_ops.error_code(), "forbidden");
    assert_eq!(
        post_status(s, &march, &acme, json!({"status": "approved"})).status,
        403
    );
    let op_files = post(
        &claims,
        Some(&alice),
        &claim(&uuid(3, 5), "K-ACME", &["2025-05"], 1, 300),
    );
    assert_eq!(op_files.status, 403);
    assert_eq!(op_files.error_code(), "forbidden");
    assert_eq!(get(&s.url("/api/v1/usage"), Some(&alice), &[]).status, 403);

    // Every client's claims, oldest first, with the audit trail.
    let all = get(&ops, Some(&alice), &[]);
    assert_eq!(all.status, 200);
    let all = all.json();
    let list = all["claims"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["claim_id"], march.as_str());
    assert_eq!(list[0]["client_id"], "acme");
    assert_eq!(list[1]["client_id"], "globex");
    assert_eq!(
        list[0]["history"],
        json!([{"status": "submitted", "from": null, "at": filed_at, "actor": "client:acme", "note": ""}])
    );
    let none = get(&format!("{ops}?status=approved"), Some(&alice), &[]).json();
    assert_eq!(none["claims"], json!([]));
    let bad = get(&format!("{ops}?status=done"), Some(&alice), &[]);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_code(), "bad_request");

    // The workflow: review, a refused jump, approval with a note.
    let r = post_status(
        s,
        &march,
        &alice,
        json!({"status": "under_review", "note": "checking"}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["status"], "under_review");
    let jump = post_status(s, &march, &alice, json!({"status": "fulfilled"}));
    assert_eq!(jump.status, 409);
    assert_eq!(jump.error_code(), "status_not_allowed");
    assert_eq!(
        jump.json()["error"]["details"],
        json!({"from": "under_review", "to": "fulfilled"})
    );
    let note = "<b>approved</b>: credit 300 & thanks";
    let r = post_status(
        s,
        &march,
        &alice,
        json!({"status": "approved", "note": note}),
    );
    assert_eq!(r.status, 200);
    // Markup in a note comes back escaped in the JSON text, the same string once parsed.
    assert!(!String::from_utf8_lossy(&r.body).contains('<'));
    assert_eq!(r.json()["history"][2]["note"], note);
    assert_eq!(r.json()["history"][2]["actor"], "operator:alice");
    assert_eq!(
        post_status(s, "no-such-claim", &alice, json!({"status": "approved"})).status,
        404
    );
    for body in [
        json!({"status": "done"}),
        json!({"note": "x"}),
        json!({"status": "approved", "extra": 1}),
    ] {
        let r = post_status(s, &march, &alice, body.clone());
        assert_eq!(
            (r.status, r.error_code()),
            (400, "bad_request".to_string()),
            "{body}"
        );
    }
    let long = "n".repeat(2001);
    assert_eq!(
        post_status(
            s,
            &march,
            &alice,
            json!({"status": "fulfilled", "note": long})
        )
        .status,
        400
    );

    // The client sees the history: statuses, times and notes, no operator names.
    let mine = get(&claims, Some(&acme), &[]).json();
    let c = &mine["claims"][0];
    assert_eq!(c["status"], "approved");
    assert_eq!(
        statuses(&c["history"]),
        ["submitted", "under_review", "approved"]
    );
    assert_eq!(c["history"][1]["note"], "checking");
    assert_eq!(c["history"][2]["note"], note);
    assert_eq!(c["history"][2]["at"], c["updated_at"]);
    assert!(!c["history"].to_string().contains("alice"));

    // The CLI follows the same workflow and writes to the same trail.
    let (ok, _, err) = cli(&["claims", "set-status", &march, "fulfilled", "--db", db]);
    assert!(ok, "{err}");
    let done = get(&format!("{ops}?status=fulfilled"), Some(&alice), &[]).json();
    let done = done["claims"].as_array().cloned().unwrap_or_default();
    assert_eq!(done.len(), 1);
    assert_eq!(
        statuses(&done[0]["history"]),
        ["submitted", "under_review", "approved", "fulfilled"]
    );
    assert!(done[0]["history"][3]["actor"]
        .as_str()
        .is_some_and(|a| a.starts_with("operator:")));
}

#[test]
fn operators_review_claims_on_sqlite() {
    let dir = review_data("review-sqlite");
    let db = dir.join("claims.db");
    let s = Server::start(&dir, &db, &[]);
    review(&s, db.to_str().expect("utf-8 path"));
}

#[test]
fn operators_review_claims_on_postgres() {
    let pg = PgCluster::shared();
    let dir = review_data("review-pg");
    let db = pg.create_db();
    let s = Server::start_db(&dir, &db, dir.join("server.log"), &[]);
    review(&s, &db);
}

#[test]
fn probes_and_metrics_need_no_token_and_name_no_client() {
    let dir = review_data("probes");
    let s = Server::start(&dir, &dir.join("claims.db"), &[]);
    let acme = token_of("acme");
    let h = get(&s.url("/healthz"), None, &[]);
    assert_eq!((h.status, h.json()), (200, json!({"status": "ok"})));
    let r = get(&s.url("/readyz"), None, &[]);
    assert_eq!((r.status, r.json()), (200, json!({"status": "ready"})));

    let claims = s.url("/api/v1/claims");
    let march = uuid(5, 3);
    assert_eq!(
        post(
            &claims,
            Some(&acme),
            &claim(&march, "K-ACME", &["2025-03"], 1, 300)
        )
        .status,
        201
    );
    assert_eq!(
        post(
            &claims,
            Some(&acme),
            &claim(&march, "K-ACME", &["2025-03"], 1, 300)
        )
        .status,
        200
    );
    let again = post(
        &claims,
        Some(&acme),
        &claim(&uuid(5, 4), "K-ACME", &["2025-03"], 1, 300),
    );
    assert_eq!(again.status, 409);
    let code = again.error_code();
    // The expected figures are wrong: 422 expected_mismatch.
    let wrong = post(
        &claims,
        Some(&acme),
        &claim(&uuid(5, 5), "K-ACME", &["2025-05"], 1, 299),
    );
    assert_eq!(
        (wrong.status, wrong.error_code()),
        (422, "expected_mismatch".to_string())
    );
    assert_eq!(get(&s.url("/secret-path-acme"), None, &[]).status, 404);

    let m = get(&s.url("/metrics"), None, &[]);
    assert_eq!(m.status, 200);
    assert!(m
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    let text = String::from_utf8_lossy(&m.body).to_string();
    for line in [
        "sla_claims_filed_total 1".to_string(),
        "sla_claims_replayed_total 1".to_string(),
        format!("sla_claims_refused_total{{code=\"{code}\"}} 1"),
        "sla_claims_refused_total{code=\"expected_mismatch\"} 1".to_string(),
        "sla_http_requests_total{method=\"POST\",route=\"/api/v1/claims\",status=\"201\"} 1"
            .to_string(),
        "sla_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1".to_string(),
        "sla_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1".to_string(),
        // One filed claim, one group-commit batch of one.
        "sla_sqlite_group_commit_batch_size_sum 1".to_string(),
        "sla_sqlite_group_commit_batch_size_count 1".to_string(),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(text.contains("sla_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/claims\",le=\"0.001\"}"), "{text}");
    for secret in ["acme", &acme, &march, "K-ACME", "secret-path"] {
        assert!(!text.contains(secret), "{secret} in /metrics");
    }
}

#[test]
fn pool_use_shows_in_the_metrics_of_a_postgres_server() {
    let pg = PgCluster::shared();
    let dir = review_data("pool");
    let s = Server::start_db(
        &dir,
        &pg.create_db(),
        dir.join("server.log"),
        &["--pool-size", "3"],
    );
    assert_eq!(get(&s.url("/readyz"), None, &[]).status, 200);
    let text = String::from_utf8_lossy(&get(&s.url("/metrics"), None, &[]).body).to_string();
    assert!(
        text.lines()
            .any(|l| l == "sla_store_pool_connections{state=\"max\"} 3"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("sla_store_pool_connections{state=\"open\"} ")),
        "{text}"
    );
}

#[test]
fn a_token_over_its_rate_gets_429_with_retry_after() {
    let dir = review_data("rate");
    // One request a second, a burst of two.
    let s = Server::start(&dir, &dir.join("claims.db"), &["--rate-limit", "1"]);
    let url = s.url("/api/v1/claims");
    let replies: Vec<Reply> = (0..10)
        .map(|_| get(&url, Some(&token_of("acme")), &[]))
        .collect();
    assert_eq!(replies[0].status, 200);
    let limited: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(!limited.is_empty(), "ten requests at once, none limited");
    for r in limited {
        assert_eq!(r.error_code(), "rate_limited");
        let after: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!(after >= 1);
        assert_eq!(r.json()["error"]["details"]["retry_after"], after);
        assert_eq!(
            r.json()["error"]["message"],
            format!("too many requests; try again in {after} s")
        );
    }
    // Another client has a bucket of its own.
    assert_eq!(get(&url, Some(&token_of("globex")), &[]).status, 200);
}

#[test]
fn connections_over_the_cap_get_429_and_the_rest_are_served() {
    let dir = review_data("conns");
    let s = Server::start(&dir, &dir.join("claims.db"), &["--max-connections", "2"]);
    let addr = s.base.trim_start_matches("http://").to_string();
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    // The server counts a connection when it accepts it; wait until both are in
    // (a third one is refused from then on).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut r = get(&s.url("/healthz"), None, &[]);
    while r.status != 429 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        r = get(&s.url("/healthz"), None, &[]);
    }
    assert_eq!(r.status, 429);
    assert_eq!(r.error_code(), "too_many_connections");
    assert_eq!(r.header("retry-after"), Some("1"));
    drop(idle);
    let mut r = get(&s.url("/healthz"), None, &[]);
    while r.status != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        r = get(&s.url("/healthz"), None, &[]);
    }
    assert_eq!(r.status, 200);
    let text = String::from_utf8_lossy(&get(&s.url("/metrics"), None, &[]).body).to_string();
    let refused: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("sla_connections_refused_total "))
        .and_then(|v| v.parse().ok())
        .expect("sla_connections_refused_total");
    assert!(refused >= 1, "{text}");
}

#[test]
fn after_sigterm_readyz_turns_503_while_the_grace_period_lasts() {
    let dir = review_data("grace");
    let mut s = Server::start(&dir, &dir.join("claims.db"), &["--shutdown-grace", "60"]);
    assert_eq!(get(&s.url("/readyz"), None, &[]).status, 200);
    let pid = s.child.id().to_string();
    let term = || {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
    };
    term();
    // The flag is set once the signal is handled; the listener stays open.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut r = get(&s.url("/readyz"), None, &[]);
    while r.status == 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        r = get(&s.url("/readyz"), None, &[]);
    }
    assert_eq!(
        (r.status, r.error_code()),
        (503, "shutting_down".to_string())
    );
    assert_eq!(get(&s.url("/healthz"), None, &[]).status, 200);
    assert_eq!(
        get(&s.url("/api/v1/claims"), Some(&token_of("acme")), &[]).status,
        200,
        "still serving during the grace period"
    );
    // A second signal ends the grace period: drain and exit 0.
    term();
    let status = loop {
        if let Some(st) = s.child.try_wait().expect("wait") {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "still running after the second SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}
