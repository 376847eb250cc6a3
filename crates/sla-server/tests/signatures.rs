//! Signed receipts and statements against the real binary (docs/SIGNATURES.md): the JWKS,
//! the receipts of filed claims and status changes, statements, key rotation, and the
//! three verifiers (`sla verify`, the Python and Node snippets of the documentation).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// `keys generate --out DIR`; answers the private key's path and the kid it printed.
fn generate(dir: &Path) -> (PathBuf, String) {
    let (ok, out, err) = cli(&["keys", "generate", "--out", dir.to_str().expect("utf-8")]);
    assert!(ok, "keys generate: {err}");
    let kid = out
        .lines()
        .find_map(|l| l.strip_prefix("kid:"))
        .expect("a kid line")
        .trim()
        .to_string();
    (dir.join("signing-key.pem"), kid)
}

#[test]
fn the_jwks_lists_the_current_key_then_the_published_ones_without_a_token() {
    let root = temp_dir("jwks");
    write_tokens(&root, &["acme"]);
    write_client(&root, "acme", "K-1", &[3]);
    let (_, old_kid) = generate(&root.join("old"));
    let (new_key, new_kid) = generate(&root.join("new"));
    assert_ne!(old_kid, new_kid);
    // The kid is the RFC 7638 thumbprint: 32 bytes of SHA-256, 43 base64url characters.
    assert_eq!(new_kid.len(), 43);
    let published = root.join("published");
    std::fs::create_dir_all(&published).unwrap();
    std::fs::copy(
        root.join("old").join(format!("{old_kid}.json")),
        published.join("old.json"),
    )
    .unwrap();
    let s = Server::start(
        &root,
        &root.join("c.db"),
        &[
            "--signing-key",
            new_key.to_str().unwrap(),
            "--published-keys",
            published.to_str().unwrap(),
        ],
    );
    let r = get(&s.url("/.well-known/jwks.json"), None, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("public, max-age=3600"));
    let keys = r.json()["keys"].clone();
    let kids: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [new_kid.as_str(), old_kid.as_str()]);
    assert_eq!(keys[0]["kty"], "OKP");
    assert_eq!(keys[0]["crv"], "Ed25519");
    assert_eq!(keys[0]["alg"], "EdDSA");
    drop(s);
    let log = std::fs::read_to_string(root.join("c.log")).unwrap();
    assert!(
        log.contains(&new_kid),
        "the start line names the key: {log}"
    );
}

#[test]
fn without_a_signing_key_the_server_says_so_and_publishes_nothing() {
    let root = temp_dir("nokey");
    write_tokens(&root, &["acme"]);
    write_client(&root, "acme", "K-1", &[3]);
    let s = Server::start(&root, &root.join("c.db"), &[]);
    let r = get(&s.url("/.well-known/jwks.json"), None, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["keys"], Value::Array(vec![]));
    drop(s);
    let log = std::fs::read_to_string(root.join("c.log")).unwrap();
    assert!(log.contains("no --signing-key"), "{log}");
}
