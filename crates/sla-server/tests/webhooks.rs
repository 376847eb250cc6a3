//! Webhooks end to end: the real server, a receiver on loopback, and the
//! outbox's promises (once per breach, signed, retried, resumed after SIGKILL,
//! no private egress, operator status changes, https to a test CA's certificate).

mod common;

use std::net::TcpListener;
use std::sync::Arc;

use common::receiver::{verifies, Received, Receiver};
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

fn setup(name: &str, outage_months: &[u32]) -> (std::path::PathBuf, std::path::PathBuf) {
    let data = temp_dir(name);
    write_tokens_with_operators(&data, &["acme"], &["olga"]);
    write_client(&data, "acme", "K-1", outage_months);
    let db = data.join("claims.db");
    (data, db)
}

fn subscribe(s: &Server, url: &str, events: &[&str]) -> (String, String) {
    let r = post(
        &s.url("/api/v1/subscriptions"),
        Some(&token_of("acme")),
        &json!({"url": url, "events": events, "description": "ops"}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let secret = v["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let id = v["subscription"]["id"].as_str().expect("id").to_string();
    assert_eq!(v["subscription"]["url"], url);
    assert_eq!(v["subscription"]["description"], "ops");
    (id, secret)
}

fn deliveries(s: &Server, sub: &str) -> Vec<Value> {
    let r = get(
        &s.url(&format!("/api/v1/subscriptions/{sub}/deliveries")),
        Some(&token_of("acme")),
        &[],
    );
    assert_eq!(r.status, 200);
    r.json()["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn periods(got: &[Received]) -> Vec<String> {
    let mut p: Vec<String> = got
        .iter()
        .map(|r| {
            r.json()["data"]["period"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    p.sort();
    p
}

#[test]
fn a_breach_is_emitted_once_across_re_evaluations_and_a_restart_and_its_signature_verifies() {
    let (data, db) = setup("wh-once", &[]);
    let rx = Receiver::start(&[]);
    let s = Server::start(&data, &db, FAST);
    let (sub, secret) = subscribe(&s, &rx.url, &["period.breached"]);
    // March breaches (a 30-minute outage, write_client's hand-worked month).
    write_client(&data, "acme", "K-1", &[3]);
    wait_for(30, "the March breach", || !rx.got().is_empty());
    let first = rx.got()[0].clone();
    let v = first.json();
    assert_eq!(v["type"], "period.breached");
    assert_eq!(v["data"]["period"], "2025-03");
    assert_eq!(v["data"]["contract_id"], "K-1");
    assert_eq!(v["id"], first.event_id_header.as_str());
    assert!(v["created_at"].is_string());
    assert!(verifies(&secret, &first.signature, &first.body));
    // One changed byte of the body, or another secret, and it no longer verifies.
    let changed = first.body.replacen("2025-03", "2025-04", 1);
    assert!(!verifies(&secret, &first.signature, &changed));
    assert!(!verifies("whsec_other", &first.signature, &first.body));
    // May breaches too: once it arrives, March was re-evaluated (in the same
    // pass) and not sent again.
    write_client(&data, "acme", "K-1", &[3, 5]);
    wait_for(30, "the May breach", || rx.got().len() >= 2);
    // Stop only once both deliveries are recorded: a kill between the receiver's
    // 200 and that record would (rightly, at least once) send May again.
    wait_for(30, "two delivered rows", || {
        let d = deliveries(&s, &sub);
        d.len() == 2 && d.iter().all(|x| x["state"] == "delivered")
    });
    drop(s);
    // A restart re-evaluates everything; only July is new.
    let s = Server::start(&data, &db, FAST);
    write_client(&data, "acme", "K-1", &[3, 5, 7]);
    wait_for(30, "the July breach", || rx.got().len() >= 3);
    wait_for(30, "three delivered rows", || {
        let d = deliveries(&s, &sub);
        d.len() == 3 && d.iter().all(|x| x["state"] == "delivered")
    });
    assert_eq!(periods(&rx.got()), ["2025-03", "2025-05", "2025-07"]);
    // The listing shows the latest delivery and never the secret.
    let list = get(
        &s.url("/api/v1/subscriptions"),
        Some(&token_of("acme")),
        &[],
    );
    assert_eq!(list.status, 200);
    let text = String::from_utf8_lossy(&list.body).into_owned();
    assert!(!text.contains(&secret), "{text}");
    let subs = list.json()["subscriptions"].as_array().cloned().unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["last_delivery"]["state"], "delivered");
    assert_eq!(subs[0]["last_delivery"]["attempts"], 1);
}

/// Files a claim for March and lets operator olga move it to `under_review`.
fn file_and_review(s: &Server) -> String {
    let id = uuid(11, 1);
    let r = post(
        &s.url("/api/v1/claims"),
        Some(&token_of("acme")),
        &claim(&id, "K-1", &["2025-03"], 1, 300),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let r = decide(
        &s.url(&format!("/api/v1/operator/claims/{id}/status")),
        Some(&token_of("olga")),
        r#"{"status":"under_review","note":"looking"}"#,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    id
}

#[test]
fn a_receiver_failing_twice_gets_three_attempts_of_one_event_from_an_operator_status_change() {
    let (data, db) = setup("wh-retry", &[3]);
    let rx = Receiver::start(&[500, 500]);
    let s = Server::start(&data, &db, FAST);
    let (sub, secret) = subscribe(&s, &rx.url, &["claim.status_changed"]);
    let claim_id = file_and_review(&s);
    wait_for(30, "a delivered row", || {
        deliveries(&s, &sub)
            .first()
            .is_some_and(|d| d["state"] == "delivered")
    });
    let got = rx.got();
    assert_eq!(got.len(), 3, "500, 500, then 200");
    let ids: std::collections::BTreeSet<String> = got
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "one event id across the attempts: {ids:?}");
    let v = got[2].json();
    assert_eq!(v["type"], "claim.status_changed");
    assert_eq!(v["data"]["claim_id"], claim_id.as_str());
    assert_eq!(v["data"]["from"], "submitted");
    assert_eq!(v["data"]["to"], "under_review");
    assert_eq!(v["data"]["note"], "looking");
    assert!(got.iter().all(|r| verifies(&secret, &r.signature, &r.body)));
    let d = deliveries(&s, &sub);
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0]["attempts"].as_i64(), d[0]["last_result"].as_str()),
        (Some(3), Some("200"))
    );
    let metrics = String::from_utf8(get(&s.url("/metrics"), None, &[]).body).unwrap();
    for line in [
        "sla_webhook_attempts_total{outcome=\"retry\"} 2",
        "sla_webhook_attempts_total{outcome=\"delivered\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    // The breach of March happened before the subscription and it wanted only
    // claim events: nothing else arrived.
    assert!(got
        .iter()
        .all(|r| r.json()["type"] == "claim.status_changed"));
}

#[test]
fn a_server_killed_while_retries_are_pending_delivers_after_restart() {
    let (data, db) = setup("wh-kill", &[3]);
    let rx = Receiver::start(&[500; 1000]);
    // A 2 s backoff base: the next attempt is at least 1 s after the first one
    // is recorded, so the kill lands between attempts, not inside one (a lease
    // held by a server killed mid-attempt would delay the test by 30 s).
    let slow = [&FAST[..4], &["--webhook-backoff-ms", "2000"]].concat();
    let mut s = Server::start(&data, &db, &slow);
    let (sub, _) = subscribe(&s, &rx.url, &["claim.status_changed"]);
    file_and_review(&s);
    wait_for(30, "a recorded failed attempt", || {
        deliveries(&s, &sub)
            .first()
            .is_some_and(|d| d["attempts"] == 1 && d["state"] == "pending")
    });
    s.child.kill().expect("SIGKILL");
    let _ = s.child.wait();
    let before = rx.got().len();
    let event_id = rx.got()[0].json()["id"].as_str().unwrap().to_string();
    rx.answer_next(&[]);
    let s = Server::start(&data, &db, &slow);
    wait_for(60, "delivery after the restart", || {
        deliveries(&s, &sub)
            .first()
            .is_some_and(|d| d["state"] == "delivered")
    });
    let got = rx.got();
    assert!(got.len() > before);
    assert!(got
        .iter()
        .all(|r| r.json()["id"].as_str() == Some(event_id.as_str())));
}

#[test]
fn urls_to_private_addresses_are_refused_before_and_after_dns() {
    let (data, db) = setup("wh-egress", &[3]);
    let rx = Receiver::start(&[]);
    let port = rx
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook");
    let s = Server::start(&data, &db, FAST);
    let t = token_of("acme");
    let try_url = |url: &str| {
        post(
            &s.url("/api/v1/subscriptions"),
            Some(&t),
            &json!({"url": url, "events": ["claim.status_changed"]}).to_string(),
        )
    };
    for url in [
        "https://10.0.0.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "http://hooks.example.com/x",
        "ftp://hooks.example.com/x",
    ] {
        let r = try_url(url);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (422, "webhook_url_refused"),
            "{url}"
        );
    }
    // Shapes the server does not offer.
    let r = post(
        &s.url("/api/v1/subscriptions"),
        Some(&t),
        r#"{"url":"https://hooks.example.com/","events":["period.ended"]}"#,
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (422, "invalid_subscription")
    );
    let r = post(&s.url("/api/v1/subscriptions"), Some(&t), r#"{"url":1}"#);
    assert_eq!((r.status, r.error_code().as_str()), (400, "bad_request"));
    // Operators cannot subscribe, like they cannot file.
    let r = post(
        &s.url("/api/v1/subscriptions"),
        Some(&token_of("olga")),
        r#"{"url":"https://hooks.example.com/","events":["period.breached"]}"#,
    );
    assert_eq!(r.status, 403);
    // A name that resolves to loopback passes the static check, and is refused
    // after resolution: nothing reaches the receiver.
    let (sub, _) = subscribe(
        &s,
        &format!("https://localhost:{port}/hook"),
        &["claim.status_changed"],
    );
    file_and_review(&s);
    wait_for(30, "a refused attempt", || {
        deliveries(&s, &sub).first().is_some_and(|d| {
            d["last_result"]
                .as_str()
                .is_some_and(|r| r.starts_with("refused: localhost resolves to"))
        })
    });
    assert!(rx.got().is_empty());
    // An allowed host with https:// gets TLS, never a plain-text fallback: a
    // listener that hangs up at once fails the handshake.
    let closer = TcpListener::bind("127.0.0.1:0").expect("bind");
    let closer_port = closer.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for c in closer.incoming() {
            drop(c);
        }
    });
    let (tls_sub, _) = subscribe(
        &s,
        &format!("https://127.0.0.1:{closer_port}/hook"),
        &["claim.status_changed"],
    );
    let r = decide(
        &s.url(&format!("/api/v1/operator/claims/{}/status", uuid(11, 1))),
        Some(&token_of("olga")),
        r#"{"status":"approved"}"#,
    );
    assert_eq!(r.status, 200);
    wait_for(30, "a failed TLS handshake", || {
        deliveries(&s, &tls_sub).first().is_some_and(|d| {
            d["last_result"]
                .as_str()
                .is_some_and(|r| r.starts_with("tls:"))
                && d["state"] == "pending"
        })
    });
    // Deleting it ends its deliveries; a second delete is a 404.
    let r = delete(&s.url(&format!("/api/v1/subscriptions/{sub}")), Some(&t));
    assert_eq!(r.status, 204);
    let r = delete(&s.url(&format!("/api/v1/subscriptions/{sub}")), Some(&t));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    let list = get(&s.url("/api/v1/subscriptions"), Some(&t), &[]).json();
    let ids: Vec<&str> = list["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert_eq!(ids, [tls_sub.as_str()]);
}

#[test]
fn a_status_change_by_the_operator_command_is_sent_by_the_running_server() {
    let (data, db) = setup("wh-cli", &[3]);
    let rx = Receiver::start(&[]);
    let s = Server::start(&data, &db, FAST);
    subscribe(&s, &rx.url, &["claim.status_changed"]);
    let id = file_and_review(&s);
    wait_for(30, "the review event", || rx.got().len() == 1);
    let (ok, _, err) = cli(&[
        "claims",
        "set-status",
        &id,
        "approved",
        "--db",
        db.to_str().unwrap(),
        "--note",
        "granted",
    ]);
    assert!(ok, "{err}");
    wait_for(30, "the approval event", || rx.got().len() == 2);
    let v = rx.got()[1].json();
    assert_eq!(
        (
            &v["type"],
            &v["data"]["from"],
            &v["data"]["to"],
            &v["data"]["note"]
        ),
        (
            &json!("claim.status_changed"),
            &json!("under_review"),
            &json!("approved"),
            &json!("granted")
        )
    );
}

/// A test CA, and certificates it signs: what a real receiver's public CA does,
/// made here so the server's https path runs end to end.
struct TestCa {
    der: Vec<u8>,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
}

impl TestCa {
    fn new() -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sla-server test CA");
        let key = rcgen::KeyPair::generate().expect("ca key");
        let cert = params.self_signed(&key).expect("ca certificate");
        TestCa {
            der: cert.der().to_vec(),
            issuer: rcgen::Issuer::new(params, key),
        }
    }

    /// A TLS server configuration presenting a certificate for `name` signed by this CA.
    fn server_for(&self, name: &str) -> Arc<tokio_rustls::rustls::ServerConfig> {
        use tokio_rustls::rustls;
        let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).expect("params");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("certificate");
        let chain = vec![cert.der().clone(), self.der.clone().into()];
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key.into())
        .expect("server certificate");
        Arc::new(config)
    }
}

#[test]
fn an_https_delivery_to_a_test_ca_certificate_arrives_signed_and_another_name_is_refused() {
    let (data, db) = setup("wh-https", &[3]);
    let ca = TestCa::new();
    let ca_file = data.join("test-ca.der");
    std::fs::write(&ca_file, &ca.der).expect("ca file");
    let good = Receiver::start_tls(&[], ca.server_for("localhost"));
    // Signed by the same trusted CA, but for another name than the URL's.
    let wrong = Receiver::start_tls(&[], ca.server_for("hooks.example.com"));
    // `localhost` may resolve to loopback only because it is allowed; the TLS
    // check is the full one (chain to a trusted root, name, validity).
    let s = Server::start(
        &data,
        &db,
        &[
            "--allow-webhook-host",
            "localhost",
            "--evaluate-every",
            "0.2",
            "--webhook-backoff-ms",
            "100",
            "--webhook-test-ca",
            ca_file.to_str().expect("utf-8 path"),
        ],
    );
    let (sub, secret) = subscribe(&s, &good.url, &["claim.status_changed"]);
    let (wrong_sub, _) = subscribe(&s, &wrong.url, &["claim.status_changed"]);
    assert!(good.url.starts_with("https://localhost:"), "{}", good.url);
    let claim_id = file_and_review(&s);
    wait_for(30, "the https delivery", || {
        deliveries(&s, &sub)
            .first()
            .is_some_and(|d| d["state"] == "delivered")
    });
    let got = good.got();
    assert_eq!(got.len(), 1, "one status change, one delivery");
    assert_eq!(got[0].path, "/hook");
    assert!(verifies(&secret, &got[0].signature, &got[0].body));
    assert!(!verifies("whsec_other", &got[0].signature, &got[0].body));
    let v = got[0].json();
    assert_eq!(v["type"], "claim.status_changed");
    assert_eq!(v["id"], got[0].event_id_header.as_str());
    assert_eq!(v["data"]["claim_id"], claim_id.as_str());
    assert_eq!(
        (&v["data"]["from"], &v["data"]["to"]),
        (&json!("submitted"), &json!("under_review"))
    );
    // The other name's handshake fails on the name, is retried, and never sends a byte
    // of the event.
    wait_for(30, "a certificate refused for its name", || {
        deliveries(&s, &wrong_sub).first().is_some_and(|d| {
            d["state"] == "pending"
                && d["last_result"].as_str().is_some_and(|r| {
                    r.starts_with("tls:") && r.contains("not valid for name \"localhost\"")
                })
        })
    });
    assert!(wrong.got().is_empty());
}
