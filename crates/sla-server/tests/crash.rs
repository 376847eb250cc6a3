//! Crash safety: SIGKILL while claims are being filed loses no acknowledged claim
//! and leaves no half-written one (a claim without its periods or audit row).

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

const CLIENTS: usize = 16;

#[test]
fn sigkill_during_claims_loses_no_acknowledged_claim() {
    let dir = temp_dir("crash");
    let ids: Vec<String> = (0..CLIENTS).map(|i| format!("k{i}")).collect();
    let months: Vec<u32> = (1..=12).collect();
    for id in &ids {
        write_client(&dir, id, &format!("K-{id}"), &months);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    write_tokens(&dir, &refs);
    let db = dir.join("claims.db");
    let mut s = Server::start(&dir, &db, &[]);
    let url = s.url("/api/v1/claims");

    // One writer per client files its twelve months one by one; a 201 is recorded
    // only after the response arrived.
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(c, id)| {
            let (url, id, acked, stop) = (url.clone(), id.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                for m in 1..=12u32 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let claim_id = uuid(c as u32, u64::from(m));
                    let period = format!("2025-{m:02}");
                    // Each month: one outage, one unit, an average of 300.
                    let body = claim(&claim_id, &format!("K-{id}"), &[&period], 1, 300);
                    match try_post(&url, Some(&token_of(&id)), &body) {
                        Ok(r) if r.status == 201 => {
                            if let Ok(mut a) = acked.lock() {
                                a.insert((id.clone(), claim_id));
                            }
                        }
                        Ok(r) => panic!(
                            "unexpected {}: {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        ),
                        Err(_) => return, // the server is gone
                    }
                }
            })
        })
        .collect();

    // Kill once a fair share is acknowledged, while the writers are still busy.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().map(|a| a.len()).unwrap_or(0) < 30 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    s.child.kill().expect("SIGKILL");
    let _ = s.child.wait();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }
    let acked = acked.lock().expect("acked").clone();
    assert!(acked.len() >= 30, "only {} acknowledged", acked.len());
    assert!(
        acked.len() < CLIENTS * 12,
        "the kill came after every claim was filed; the test proves nothing"
    );
    drop(s);

    let s = Server::start(&dir, &db, &[]);
    let mut stored = BTreeSet::new();
    for id in &ids {
        let list = get(&s.url("/api/v1/claims"), Some(&token_of(id)), &[]).json();
        for c in list["claims"].as_array().cloned().unwrap_or_default() {
            assert_eq!(c["status"], "submitted");
            assert_eq!(c["granted"]["contract_credit"], 300);
            stored.insert((id.clone(), c["claim_id"].as_str().unwrap_or("").to_string()));
        }
    }
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");

    // No half-written claim: every claim has its period and its audit row, and
    // no period is held by a claim that does not exist.
    drop(s);
    let conn = rusqlite::Connection::open(&db).expect("open db");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(check, "ok");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(count("SELECT count(*) FROM claims") as usize, stored.len());
    assert_eq!(
        count("SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM claimed_periods p WHERE p.claim_id = c.claim_id)"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = c.claim_id)"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM claimed_periods p WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.claim_id = p.claim_id)"),
        0
    );
}
