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
