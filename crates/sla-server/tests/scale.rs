//! The server at scale: a small cache budget in front of many clients, and the
//! breach sweep going on past a client whose document is bad.

mod common;

use common::receiver::Receiver;
use common::*;
use serde_json::{json, Value};

const FAST: &[&str] = &[
    "--allow-webhook-host",
    "127.0.0.1",
    "--evaluate-every",
    "0.2",
    "--webhook-backoff-ms",
    "100",
];

fn subscribe(s: &Server, client: &str, url: &str) {
    let r = post(
        &s.url("/api/v1/subscriptions"),
        Some(&token_of(client)),
        &json!({"url": url, "events": ["period.breached"], "description": client}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

/// (client, period) of every delivery the receiver got, sorted.
fn breaches(rx: &Receiver) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = rx
        .got()
        .iter()
        .map(|r| {
            let v: Value = r.json();
            (
                v["data"]["client_id"].as_str().unwrap_or("").to_string(),
                v["data"]["period"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn a_client_with_a_bad_usage_file_is_logged_and_skipped_and_retried_when_it_changes() {
    let data = temp_dir("scale-bad");
    write_tokens(&data, &["a", "b", "c"]);
    for c in ["a", "b", "c"] {
        write_client(&data, c, &format!("K-{c}"), &[]);
    }
    let bad = data.join("b").join("usage.json");
    std::fs::write(&bad, r#"{"schema":"sla-portal/usage/v9"}"#).expect("bad usage");
    let rx = Receiver::start(&[]);
    let db = data.join("claims.db");
    let s = Server::start(&data, &db, FAST);
    for c in ["a", "b", "c"] {
        subscribe(&s, c, &rx.url);
    }
    // March breaches for a and c (write_client's hand-worked 30-minute outage);
    // b's file, still bad, changes too.
    write_client(&data, "a", "K-a", &[3]);
    write_client(&data, "c", "K-c", &[3]);
    std::fs::write(&bad, r#"{"schema":"sla-portal/usage/v8"}"#).expect("bad usage");
    wait_for(30, "a's and c's March", || breaches(&rx).len() >= 2);
    assert_eq!(
        breaches(&rx),
        [
            ("a".into(), "2025-03".into()),
            ("c".into(), "2025-03".into())
        ]
    );
    // The operator's line: FILE: PATH: message, with the file's full path.
    let prefix = format!("{}: ", bad.display());
    wait_for(10, "the bad file's log line", || {
        std::fs::read_to_string(&s.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["fields"]["message"].as_str().map(str::to_string))
            .any(|m| {
                m.strip_prefix(&prefix)
                    .is_some_and(|rest| rest.split(": ").count() >= 2)
            })
    });
    // Fixed: b is evaluated again at once, and its April breach goes out.
    write_client(&data, "b", "K-b", &[4]);
    wait_for(30, "b's April", || breaches(&rx).len() >= 3);
    assert_eq!(
        breaches(&rx),
        [
            ("a".into(), "2025-03".into()),
            ("b".into(), "2025-04".into()),
            ("c".into(), "2025-03".into())
        ]
    );
}

fn vm_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// Client `i`'s outage months: one (`1 + i % 12`), and for c05 September as well.
fn months_of(i: usize) -> Vec<u32> {
    let m = 1 + (i % 12) as u32;
    if i == 5 {
        vec![m, 9]
    } else {
        vec![m]
    }
}

#[test]
fn fifty_clients_behind_a_one_mib_cache_answer_documents_and_claims_and_memory_stays_flat() {
    let data = temp_dir("scale-50");
    let ids: Vec<String> = (0..50).map(|i| format!("c{i:02}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    write_tokens(&data, &refs);
    for (i, id) in ids.iter().enumerate() {
        write_client(&data, id, &format!("K-{i}"), &months_of(i));
    }
    let db = data.join("claims.db");
    let s = Server::start(&data, &db, &["--cache-mb", "1", "--rate-limit", "0"]);
    let claims = s.url("/api/v1/claims");
    wait_for(60, "the first full sweep", || {
        metric(&s, "sla_sweep_last_full_pass_timestamp_seconds") > 0.0
    });
    assert_eq!(metric(&s, "sla_sweep_clients_pending"), 0.0);
    assert!(metric(&s, "sla_sweep_clients_evaluated_total") >= 50.0);
    assert!(metric(&s, "sla_sweep_clients_per_second") > 0.0);
    // The sweep reads through the cache and leaves it empty.
    assert_eq!(metric(&s, "sla_cache_entries"), 0.0);

    let mut rss_after_first_round = 0;
    for round in 0..4 {
        for (i, id) in ids.iter().enumerate() {
            let t = token_of(id);
            let on_disk = std::fs::read(data.join(id).join("usage.json")).expect("usage");
            let u = get(&s.url("/api/v1/usage"), Some(&t), &[]);
            assert_eq!(u.status, 200);
            assert_eq!(u.body, on_disk, "{id}'s usage.json, round {round}");
            let etag = u.header("etag").expect("etag").to_string();
            let again = get(
                &s.url("/api/v1/usage"),
                Some(&t),
                &[("If-None-Match", &etag)],
            );
            assert_eq!(again.status, 304);
            // Its breached month: write_client's hand-worked figures, one unit, 300.
            let m = months_of(i)[0];
            let id_claim = uuid(i as u32, 1);
            let body = claim(
                &id_claim,
                &format!("K-{i}"),
                &[&format!("2025-{m:02}")],
                1,
                300,
            );
            let r = post(&claims, Some(&t), &body);
            assert_eq!(
                r.status,
                if round == 0 { 201 } else { 200 },
                "{id} round {round}"
            );
            // The next month (no outage): 100 % available, not breached.
            let next = if m == 12 { 1 } else { m + 1 };
            let next = format!("2025-{next:02}");
            let body = claim(
                &uuid(i as u32, 100 + round),
                &format!("K-{i}"),
                &[&next],
                1,
                300,
            );
            let r = post(&claims, Some(&t), &body);
            assert_eq!(r.status, 422, "{id} {next}");
            assert_eq!(r.error_code(), "period_not_breached");
            assert_eq!(r.json()["error"]["details"]["periods"], json!([next]));
        }
        if round == 0 {
            rss_after_first_round = vm_kib(s.child.id(), "VmRSS");
        }
    }
    // c00: January (44,640 minutes, 30 down, 99.93279 % < 99.99 %) was filed in
    // the first round; another claim_id for it is a conflict.
    let r = post(
        &claims,
        Some(&token_of("c00")),
        &claim(&uuid(900, 1), "K-0", &["2025-01"], 1, 999),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.error_code(), "period_already_claimed");
    assert_eq!(r.json()["error"]["details"]["periods"], json!(["2025-01"]));
    // c05: September too (43,200 minutes, 30 down, 99.93055 %): one more unit of
    // 300; 301 is refused with the server's figures, 300 is filed.
    let t5 = token_of("c05");
    let r = post(
        &claims,
        Some(&t5),
        &claim(&uuid(905, 1), "K-5", &["2025-09"], 1, 301),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.error_code(), "expected_mismatch");
    assert_eq!(r.json()["error"]["details"]["granted"]["units"], 1);
    assert_eq!(
        r.json()["error"]["details"]["granted"]["contract_credit"],
        300
    );
    let r = post(
        &claims,
        Some(&t5),
        &claim(&uuid(905, 2), "K-5", &["2025-09"], 1, 300),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let listed = get(&claims, Some(&t5), &[]).json();
    let mut periods: Vec<String> = listed["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .flat_map(|c| c["periods"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    periods.sort();
    assert_eq!(periods, ["2025-06", "2025-09"]);

    // The budget holds, entries were evicted and read again, and memory is flat:
    // three more rounds over every client grew the process by less than 16 MiB.
    assert!(metric(&s, "sla_cache_bytes") <= 1_048_576.0);
    assert_eq!(metric(&s, "sla_cache_capacity_bytes"), 1_048_576.0);
    assert!(metric(&s, "sla_cache_entries") > 0.0);
    assert!(metric(&s, "sla_cache_evictions_total") > 0.0);
    assert!(metric(&s, "sla_cache_hits_total") > 0.0);
    assert!(metric(&s, "sla_cache_misses_total") >= 100.0);
    let rss = vm_kib(s.child.id(), "VmRSS");
    assert!(
        rss < rss_after_first_round + 16 * 1024,
        "VmRSS {rss_after_first_round} kB after one round, {rss} kB after four"
    );
}
