//! Claims under concurrency: the UNIQUE keys, not a check before the insert,
//! decide races between requests.

mod common;

use std::sync::{Arc, Barrier};

use common::*;

#[test]
fn fifty_concurrent_posts_of_one_claim_file_it_once() {
    let dir = temp_dir("same");
    write_client(&dir, "acme", "K-ACME", &[3]);
    write_tokens(&dir, &["acme"]);
    let s = Server::start(&dir, &dir.join("claims.db"), &[]);
    let url = s.url("/api/v1/claims");
    // March: 30 of 44,640 minutes down, breached; one unit of 300 contracts.
    let body = claim(&uuid(7, 7), "K-ACME", &["2025-03"], 1, 300);
    let barrier = Arc::new(Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (url, body, barrier) = (url.clone(), body.clone(), barrier.clone());
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
    assert_eq!(created, 1, "{replies:?}");
    assert_eq!(
        replayed, 49,
        "every retry answers the stored claim: {replies:?}"
    );
    // Every answer is the same claim, down to its timestamps.
    assert!(replies.iter().all(|(_, v)| v == &replies[0].1));

    let list = get(&url, Some(&token_of("acme")), &[]).json();
    assert_eq!(list["claims"].as_array().map(Vec::len), Some(1));
}

#[test]
fn two_hundred_concurrent_claims_of_distinct_clients_are_all_stored() {
    let dir = temp_dir("distinct");
    let ids: Vec<String> = (0..200).map(|i| format!("c{i:03}")).collect();
    for id in &ids {
        write_client(&dir, id, &format!("K-{id}"), &[5]);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    write_tokens(&dir, &refs);
    let s = Server::start(&dir, &dir.join("claims.db"), &[]);
    let url = s.url("/api/v1/claims");
    let barrier = Arc::new(Barrier::new(ids.len()));
    let handles: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (url, id, barrier) = (url.clone(), id.clone(), barrier.clone());
            std::thread::spawn(move || {
                // May: 30 of 44,640 minutes down; one unit of 300 contracts.
                let body = claim(&uuid(8, i as u64), &format!("K-{id}"), &["2025-05"], 1, 300);
                barrier.wait();
                post(&url, Some(&token_of(&id)), &body).status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    for (i, id) in ids.iter().enumerate() {
        let list = get(&url, Some(&token_of(id)), &[]).json();
        let claims = list["claims"].as_array().cloned().unwrap_or_default();
        assert_eq!(claims.len(), 1, "{id}");
        assert_eq!(claims[0]["claim_id"], uuid(8, i as u64).as_str());
    }
}
