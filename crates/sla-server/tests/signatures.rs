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
    // A claim is filed as before, with no receipt member at all.
    let t = token_of("acme");
    let filed = post(
        &s.url("/api/v1/claims"),
        Some(&t),
        &claim(&uuid(21, 9), "K-1", &["2025-03"], 1, 300),
    );
    assert_eq!(filed.status, 201);
    assert!(filed.json().get("receipt").is_none());
    let list = get(&s.url("/api/v1/claims"), Some(&t), &[]).json();
    assert!(list["claims"][0].get("receipt").is_none());
    assert!(list["claims"][0].get("receipts").is_none());
    // The statement is answered, unsigned.
    let st = get(&s.url("/api/v1/statements/2025-03"), Some(&t), &[]).json();
    assert_eq!(st["statement"]["availability"], "99.93279");
    assert_eq!(st["jws"], Value::Null);
    drop(s);
    let log = std::fs::read_to_string(root.join("c.log")).unwrap();
    assert!(log.contains("no --signing-key"), "{log}");
}

/// The three parts of a compact JWS: the decoded header and payload as JSON, and the
/// signing input with the signature bytes.
fn parts(jws: &str) -> (Value, Value, String, Vec<u8>) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let p: Vec<&str> = jws.split('.').collect();
    assert_eq!(p.len(), 3, "{jws}");
    let json = |s: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    (
        json(p[0]),
        json(p[1]),
        format!("{}.{}", p[0], p[1]),
        URL_SAFE_NO_PAD.decode(p[2]).unwrap(),
    )
}

/// Whether `jws` verifies under the JWKS key of its kid (ring, independent of the server's
/// signing code path except the key).
fn verifies(jwks: &Value, jws: &str) -> bool {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let (h, _, input, sig) = parts(jws);
    let Some(k) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == h["kid"])
    else {
        return false;
    };
    let x = URL_SAFE_NO_PAD.decode(k["x"].as_str().unwrap()).unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, x)
        .verify(input.as_bytes(), &sig)
        .is_ok()
}

/// The receipts of a claim filed, retried and moved along its workflow, on one store.
fn receipts_follow_the_claim(start: impl Fn(&[&str]) -> Server, root: &Path) {
    let (key, kid) = generate(&root.join("key"));
    let s = start(&["--signing-key", key.to_str().unwrap()]);
    let jwks = get(&s.url("/.well-known/jwks.json"), None, &[]).json();
    let t = token_of("acme");
    let id = uuid(21, 1);
    // write_client: March 2025 is breached with one compensable outage, one unit, and a
    // contract credit of one month's 300 contracts (worked out in common/mod.rs).
    let body = claim(&id, "K-1", &["2025-03"], 1, 300);
    let r = post(&s.url("/api/v1/claims"), Some(&t), &body);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let filed = r.json();
    let receipt = filed["receipt"].as_str().expect("a receipt").to_string();
    assert!(verifies(&jwks, &receipt));
    let (h, p, _, _) = parts(&receipt);
    assert_eq!(h["alg"], "EdDSA");
    assert_eq!(h["typ"], "sla-receipt+jws");
    assert_eq!(h["kid"], kid.as_str());
    assert_eq!(p["claim_id"], id.as_str());
    assert_eq!(
        (p["client"].as_str(), p["contract"].as_str()),
        (Some("acme"), Some("K-1"))
    );
    assert_eq!(p["periods"], serde_json::json!(["2025-03"]));
    assert_eq!(p["remedy"], "contract_credit");
    assert_eq!(p["granted"]["units"], 1);
    assert_eq!(p["granted"]["contract_credit"], 300);
    assert_eq!(p["status"], "submitted");
    assert_eq!(p["submitted_at"], filed["submitted_at"]);
    assert_eq!(p["evidence_sha256"].as_str().unwrap().len(), 64);
    assert!(p.get("contact").is_none(), "the contact is not signed");
    // The idempotent retry answers the same state, so the same receipt.
    let again = post(&s.url("/api/v1/claims"), Some(&t), &body);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["receipt"].as_str(), Some(receipt.as_str()));
    // A status change signs the new state; the list keeps both, oldest first.
    let op = token_of("ops");
    let r = decide(
        &s.url(&format!("/api/v1/operator/claims/{id}/status")),
        Some(&op),
        r#"{"status":"under_review","note":"looking"}"#,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let list = get(&s.url("/api/v1/claims"), Some(&t), &[]).json();
    let c = &list["claims"][0];
    let now = c["receipt"].as_str().unwrap();
    assert_ne!(now, receipt);
    assert!(verifies(&jwks, now));
    let (_, p2, _, _) = parts(now);
    assert_eq!(p2["status"], "under_review");
    assert_eq!(p2["updated_at"], c["updated_at"]);
    assert_eq!(
        p2["evidence_sha256"], p["evidence_sha256"],
        "the same evidence"
    );
    let kept: Vec<&str> = c["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(kept, [receipt.as_str(), now]);
    // Restarted with the same key, the kept receipts are answered, not signed again.
    drop(s);
    let s = start(&["--signing-key", key.to_str().unwrap()]);
    let list = get(&s.url("/api/v1/claims"), Some(&t), &[]).json();
    assert_eq!(list["claims"][0]["receipt"].as_str(), Some(now));
}

#[test]
fn receipts_follow_a_claim_on_sqlite() {
    let root = temp_dir("receipts");
    write_tokens_with_operators(&root, &["acme"], &["ops"]);
    write_client(&root, "acme", "K-1", &[3]);
    let db = root.join("c.db");
    receipts_follow_the_claim(|extra| Server::start(&root, &db, extra), &root);
}

#[test]
fn receipts_follow_a_claim_on_postgres() {
    let root = temp_dir("receipts-pg");
    write_tokens_with_operators(&root, &["acme"], &["ops"]);
    write_client(&root, "acme", "K-1", &[3]);
    let pg = pg::PgCluster::shared();
    let db = pg.create_db();
    receipts_follow_the_claim(
        |extra| Server::start_db(&root, &db, root.join("pg.log"), extra),
        &root,
    );
}

#[test]
fn evidence_sha256_is_the_hash_of_the_evidence_without_its_as_of() {
    let root = temp_dir("evidence");
    write_tokens(&root, &["acme"]);
    write_client(&root, "acme", "K-1", &[3]);
    let (key, _) = generate(&root.join("key"));
    let s = Server::start(
        &root,
        &root.join("c.db"),
        &["--signing-key", key.to_str().unwrap()],
    );
    let r = post(
        &s.url("/api/v1/claims"),
        Some(&token_of("acme")),
        &claim(&uuid(21, 2), "K-1", &["2025-03"], 1, 300),
    );
    assert_eq!(r.status, 201);
    let (_, p, _, _) = parts(r.json()["receipt"].as_str().unwrap());
    // The same documents evaluated at another instant (a year later): the March evidence
    // is the same, and only its `as_of` differs, which the hash leaves out.
    let usage = std::fs::read(root.join("acme/usage.json")).unwrap();
    let incidents = std::fs::read(root.join("acme/incidents.json")).unwrap();
    let ev = sla_rules::evaluate_bytes(
        &sla_rules::Inputs {
            usage: &usage,
            incidents: &incidents,
            policy: None,
        },
        "2027-01-01T00:00:00+08:00",
        ["u", "i", "p"],
    )
    .unwrap();
    let mut e =
        serde_json::to_value(sla_rules::evidence::evidence(&ev, &["2025-03".into()])).unwrap();
    // One outage of 30 minutes, with 5 minutes either side.
    assert_eq!(e["outages"].as_array().unwrap().len(), 1);
    e.as_object_mut().unwrap().remove("as_of");
    let text = sla_rules::jcs::canonical(&e).unwrap();
    assert_eq!(p["evidence_sha256"].as_str().unwrap(), sha256_hex(&text));
}

/// The hand-worked fixtures (crates/sla-rules/tests/fixtures/worked) as client `demo-worked`.
fn worked_client(root: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sla-rules/tests/fixtures/worked");
    let d = root.join("demo-worked");
    std::fs::create_dir_all(&d).unwrap();
    for f in ["usage.json", "incidents.json"] {
        std::fs::copy(src.join(f), d.join(f)).unwrap();
    }
    write_tokens(root, &["demo-worked"]);
}

#[test]
fn a_statement_holds_the_worked_months_figures_and_verifies() {
    let root = temp_dir("statement");
    worked_client(&root);
    let (key, kid) = generate(&root.join("key"));
    let s = Server::start(
        &root,
        &root.join("c.db"),
        &["--signing-key", key.to_str().unwrap()],
    );
    let jwks = get(&s.url("/.well-known/jwks.json"), None, &[]).json();
    let t = token_of("demo-worked");
    let r = get(&s.url("/api/v1/statements/2026-02"), Some(&t), &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let a = r.json();
    let st = &a["statement"];
    // The fixtures' README, worked by hand: February has 40,320 minutes, 20 excluded by
    // MW-1, 8 unavailable (6 of OUT-20260210T0957, 2 of OUT-20260228T2358):
    // (40,300 − 8) / 40,300 = 99.98014 %, breached, one unit.
    assert_eq!(st["client"], "demo-worked");
    assert_eq!(st["contract"], "BS-2026-0001");
    assert_eq!(st["month"], "2026-02");
    assert_eq!(st["availability"], "99.98014");
    assert_eq!(st["minutes"], 40_320);
    assert_eq!(st["excluded_minutes"], 20);
    assert_eq!(st["measured_minutes"], 40_300);
    assert_eq!(st["unavailable_minutes"], 8);
    assert_eq!(st["available_minutes"], 40_292);
    assert_eq!(st["breached"], true);
    assert_eq!(st["units"], 1);
    assert_eq!(
        st["policy_version"],
        Value::Null,
        "the default policy has no versions"
    );
    let outages: Vec<(&str, u64)> = st["outages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap(),
                o["counted_minutes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outages,
        [("OUT-20260210T0957", 6), ("OUT-20260228T2358", 2)]
    );
    let mw1 = st["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "MW-1")
        .expect("MW-1");
    assert_eq!(
        (mw1["applied"].as_bool(), mw1["excluded_minutes"].as_u64()),
        (Some(true), Some(20))
    );
    // The document versions are the ETags the document routes answer.
    let usage = get(&s.url("/api/v1/usage"), Some(&t), &[]);
    assert_eq!(
        usage
            .header("etag")
            .map(|e| e.trim_start_matches("W/").to_string()),
        st["documents"]["usage"].as_str().map(str::to_string)
    );
    assert_eq!(st["documents"]["policy"], Value::Null, "no policy document");
    // The JWS is over exactly this statement, canonical.
    let jws = a["jws"].as_str().unwrap();
    assert!(verifies(&jwks, jws));
    let (h, p, _, _) = parts(jws);
    assert_eq!(
        (h["typ"].as_str(), h["kid"].as_str()),
        (Some("sla-statement+jws"), Some(kid.as_str()))
    );
    assert_eq!(&p, st);
    // March: 44,640 minutes, 5 unavailable: 44,635 / 44,640 = 99.98879 %.
    let m = get(&s.url("/api/v1/statements/2026-03"), Some(&t), &[]).json();
    assert_eq!(m["statement"]["availability"], "99.98879");
    assert_eq!(m["statement"]["unavailable_minutes"], 5);
    let outages: Vec<(&str, u64)> = m["statement"]["outages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap(),
                o["counted_minutes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(outages, [("OUT-20260228T2358", 5)]);
    // MW-2 was announced 10 minutes after it began: listed, not applied, 0 minutes.
    let x = &m["statement"]["exclusions"];
    assert_eq!(
        x.as_array().unwrap().len(),
        1,
        "MW-1 is February's only: {x}"
    );
    assert_eq!(x[0]["id"], "MW-2");
    assert_eq!(x[0]["applied"], false);
    assert_eq!(x[0]["reason"], "announced_late");
    assert_eq!(x[0]["excluded_minutes"], 0);
    // January is partial (the term starts on the 15th): not judged.
    let jan = get(&s.url("/api/v1/statements/2026-01"), Some(&t), &[]);
    assert_eq!(
        (jan.status, jan.error_code().as_str()),
        (409, "month_not_judged")
    );
    // 2028-01 is after the term: no such period.
    let later = get(&s.url("/api/v1/statements/2028-01"), Some(&t), &[]);
    assert_eq!(later.status, 404);
    // A token is needed.
    assert_eq!(
        get(&s.url("/api/v1/statements/2026-02"), None, &[]).status,
        401
    );
}

#[test]
fn the_month_in_progress_has_no_statement() {
    let root = temp_dir("inprogress");
    write_tokens(&root, &["acme"]);
    // A contract over this very month, so the current month is in progress.
    let now = chrono::Utc::now();
    let month = now.format("%Y-%m").to_string();
    let year = now.format("%Y").to_string();
    let d = root.join("acme");
    std::fs::create_dir_all(&d).unwrap();
    let usage = serde_json::json!({
        "schema": "sla-portal/usage/v1", "client": {"id": "acme", "name": "A"},
        "contract": {"id": "K-1", "service_start": format!("{year}-01-01"),
                     "service_end": format!("{year}-12-31"), "timezone": "+00:00"},
        "telemetry": [], "outages": [], "signing": [],
    });
    std::fs::write(d.join("usage.json"), usage.to_string()).unwrap();
    std::fs::write(
        d.join("incidents.json"),
        r#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#,
    )
    .unwrap();
    let s = Server::start(&root, &root.join("c.db"), &[]);
    let r = get(
        &s.url(&format!("/api/v1/statements/{month}")),
        Some(&token_of("acme")),
        &[],
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (409, "month_not_judged")
    );
    assert_eq!(r.json()["error"]["details"]["status"], "in_progress");
}
