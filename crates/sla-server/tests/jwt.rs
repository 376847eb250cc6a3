//! JWT sign-in against the real binary and a JWKS the test serves itself (axum on
//! a loopback port), with keys made by the RustCrypto crates: every forgery the
//! issue lists gets the same 401, keys rotate without a restart, an identity
//! provider that is down at start gives 503 while static tokens keep working, and
//! the claims `sla_client`, `sla_contracts` and `sla_role` decide what a caller sees.

mod common;

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use common::*;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const ISS: &str = "https://idp.test";
const AUD: &str = "sla-portal";

/// The JWKS document the test serves, what it answers, and how often it was asked.
struct Idp {
    keys: Mutex<Vec<Value>>,
    status: Mutex<u16>,
    fetches: AtomicUsize,
}

/// Serves `GET /jwks` on `listener` from a thread of its own until the test ends.
fn serve_jwks(listener: StdListener, idp: Arc<Idp>) {
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/jwks",
                axum::routing::get(move || {
                    let idp = idp.clone();
                    async move {
                        idp.fetches.fetch_add(1, Ordering::SeqCst);
                        let status = *idp.status.lock().expect("status");
                        let body = json!({ "keys": *idp.keys.lock().expect("keys") }).to_string();
                        axum::response::Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .header("cache-control", "public, max-age=1")
                            .body(axum::body::Body::from(body))
                            .expect("response")
                    }
                }),
            );
            let l = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(l, app).await;
        });
    });
}

/// A signing key and the JWK of its public half.
struct SignKey {
    alg: Algorithm,
    kid: String,
    enc: EncodingKey,
    jwk: Value,
}

fn rsa_key(kid: &str) -> (SignKey, Vec<u8>) {
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("rsa key");
    let der = private.to_pkcs1_der().expect("pkcs1");
    let enc = EncodingKey::from_rsa_der(der.as_bytes());
    let mut jwk =
        serde_json::to_value(Jwk::from_encoding_key(&enc, Algorithm::RS256).expect("jwk"))
            .expect("json");
    jwk["kid"] = json!(kid);
    let public_pem = private
        .to_public_key()
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .expect("pem");
    (
        SignKey {
            alg: Algorithm::RS256,
            kid: kid.into(),
            enc,
            jwk,
        },
        public_pem.into_bytes(),
    )
}

fn es_key(kid: &str) -> SignKey {
    use p256::pkcs8::EncodePrivateKey;
    let sk = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let der = sk.to_pkcs8_der().expect("pkcs8");
    let enc = EncodingKey::from_ec_der(der.as_bytes());
    let mut jwk =
        serde_json::to_value(Jwk::from_encoding_key(&enc, Algorithm::ES256).expect("jwk"))
            .expect("json");
    jwk["kid"] = json!(kid);
    SignKey {
        alg: Algorithm::ES256,
        kid: kid.into(),
        enc,
        jwk,
    }
}

fn ed_key(kid: &str) -> SignKey {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let sk = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let der = sk.to_pkcs8_der().expect("pkcs8");
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig",
                     "x": B64.encode(sk.verifying_key().as_bytes())});
    SignKey {
        alg: Algorithm::EdDSA,
        kid: kid.into(),
        enc: EncodingKey::from_ed_der(der.as_bytes()),
        jwk,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// Claims valid for ten minutes for `client`.
fn claims(sub: &str, client: &str) -> Value {
    json!({"iss": ISS, "aud": AUD, "sub": sub, "sla_client": client,
           "iat": now(), "exp": now() + 600})
}

fn sign(k: &SignKey, claims: &Value) -> String {
    let mut h = Header::new(k.alg);
    h.kid = Some(k.kid.clone());
    jsonwebtoken::encode(&h, claims, &k.enc).expect("sign")
}

/// A free loopback port (the listener is handed over or dropped by the caller).
fn listener() -> StdListener {
    StdListener::bind("127.0.0.1:0").expect("bind")
}

fn jwt_args(port: u16) -> Vec<String> {
    [
        "--jwks-url",
        &format!("http://127.0.0.1:{port}/jwks"),
        "--jwt-issuer",
        ISS,
        "--jwt-audience",
        AUD,
        "--jwks-test-seconds",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn demo(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = temp_dir(name);
    let data = dir.join("data");
    let (ok, _, err) = cli(&["demo-data", "--out", data.to_str().expect("utf-8 path")]);
    assert!(ok, "demo-data failed: {err}");
    write_tokens_with_operators(&data, &["acme", "globex"], &["alice"]);
    (data, dir.join("claims.db"))
}

fn start(data: &std::path::Path, db: &std::path::Path, args: &[String]) -> Server {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(data, db, &refs)
}

#[test]
fn forged_tokens_get_one_401_and_keys_rotate_without_a_restart() {
    let (data, db) = demo("jwt");
    let l = listener();
    let port = l.local_addr().expect("addr").port();
    let (rsa, rsa_public_pem) = rsa_key("rsa-1");
    let (es, ed) = (es_key("es-1"), ed_key("ed-1"));
    let idp = Arc::new(Idp {
        keys: Mutex::new(vec![rsa.jwk.clone(), es.jwk.clone(), ed.jwk.clone()]),
        status: Mutex::new(200),
        fetches: AtomicUsize::new(0),
    });
    serve_jwks(l, idp.clone());
    let s = start(&data, &db, &jwt_args(port));
    let url = s.url("/api/v1/contracts");
    wait_for(20, "the JWKS loaded", || {
        get(&url, Some(&sign(&es, &claims("u1", "globex"))), &[]).status == 200
    });

    // Each accepted algorithm signs in.
    for k in [&rsa, &es, &ed] {
        let r = get(&url, Some(&sign(k, &claims("u1", "globex"))), &[]);
        assert_eq!(r.status, 200, "{:?}", k.alg);
        assert_eq!(r.json()["contracts"].as_array().map(Vec::len), Some(3));
    }
    // Within the 60 s leeway an expired token still passes: expired 30 s ago.
    let mut c = claims("u1", "globex");
    c["exp"] = json!(now() - 30);
    assert_eq!(get(&url, Some(&sign(&es, &c)), &[]).status, 200);

    let unauthorized = get(&url, None, &[]);
    assert_eq!(unauthorized.status, 401);
    let body = unauthorized.body.clone();

    let b64 = |v: &Value| B64.encode(v.to_string());
    let mut forged: Vec<(&str, String)> = Vec::new();
    // alg none, no signature.
    let none = json!({"alg": "none", "typ": "JWT", "kid": "es-1"});
    forged.push((
        "alg none",
        format!("{}.{}.", b64(&none), b64(&claims("u1", "globex"))),
    ));
    // HS256 keyed with the RSA public key, the classic confusion attack.
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("rsa-1".into());
    let hs = jsonwebtoken::encode(
        &h,
        &claims("u1", "globex"),
        &EncodingKey::from_secret(&rsa_public_pem),
    )
    .expect("hs256");
    forged.push(("HS256 with the RSA public key", hs));
    let mut c = claims("u1", "globex");
    c["exp"] = json!(now() - 120);
    forged.push(("expired beyond the leeway", sign(&es, &c)));
    let mut c = claims("u1", "globex");
    c["nbf"] = json!(now() + 300);
    forged.push(("nbf in the future", sign(&es, &c)));
    let mut c = claims("u1", "globex");
    c["iat"] = json!(now() + 300);
    forged.push(("iat in the future", sign(&es, &c)));
    let mut c = claims("u1", "globex");
    c["iss"] = json!("https://evil.test");
    forged.push(("wrong iss", sign(&es, &c)));
    let mut c = claims("u1", "globex");
    c["aud"] = json!("another-app");
    forged.push(("wrong aud", sign(&es, &c)));
    let mut c = claims("u1", "globex");
    c.as_object_mut().expect("object").remove("exp");
    forged.push(("no exp", sign(&es, &c)));
    let ghost = es_key("ghost");
    forged.push(("unknown kid", sign(&ghost, &claims("u1", "globex"))));
    // The header and payload of a valid es-1 token with another P-256 key's signature.
    let valid = sign(&es, &claims("u1", "globex"));
    let mut other = es_key("es-1");
    other.kid = "es-1".into();
    let theirs = sign(&other, &claims("u1", "globex"));
    let head = valid.rsplit_once('.').expect("dots").0;
    let sig = theirs.rsplit_once('.').expect("dots").1;
    forged.push(("another key's signature", format!("{head}.{sig}")));
    forged.push(("three segments of garbage", "Zm9v.YmFy.YmF6".into()));
    forged.push(("three segments of noise", "a.b.c".into()));
    let big = json!({"alg": "ES256", "kid": "es-1", "pad": "x".repeat(16 * 1024)});
    forged.push((
        "a 16 KB header",
        format!("{}.{}.{}", b64(&big), b64(&claims("u1", "globex")), "c2ln"),
    ));
    let mut c = claims("u1", "globex");
    c["sla_role"] = json!("admin");
    forged.push(("an unknown role", sign(&es, &c)));
    let mut c = claims("u1", "globex");
    c["sla_client"] = json!("../acme");
    forged.push(("a client id that is a path", sign(&es, &c)));
    for (what, token) in &forged {
        let r = get(&url, Some(token), &[]);
        assert_eq!(r.status, 401, "{what}");
        assert_eq!(r.body, body, "{what}: the same body as any refusal");
    }
    // The unknown kid refetched the JWKS at most once for two tries in a row.
    std::thread::sleep(Duration::from_millis(1_100));
    let before = idp.fetches.load(Ordering::SeqCst);
    for _ in 0..2 {
        assert_eq!(
            get(&url, Some(&sign(&ghost, &claims("u1", "globex"))), &[]).status,
            401
        );
    }
    let after = idp.fetches.load(Ordering::SeqCst);
    assert!(after - before <= 1, "{before} -> {after}");
    // Nothing panicked: the server answers and its log says why each was refused.
    assert_eq!(get(&s.url("/healthz"), None, &[]).status, 200);
    let log = std::fs::read_to_string(&s.log).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
    assert!(log.contains("jwt refused"), "the reasons go to the log");

    // Rotation: a key added to the JWKS is accepted without a restart...
    let es2 = es_key("es-2");
    idp.keys.lock().expect("keys").push(es2.jwk.clone());
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(
        get(&url, Some(&sign(&es2, &claims("u2", "globex"))), &[]).status,
        200
    );
    // ...and a removed one refused once the cached JWKS expires (max-age 1 s here).
    assert_eq!(
        get(&url, Some(&sign(&es, &claims("u1", "globex"))), &[]).status,
        200
    );
    idp.keys
        .lock()
        .expect("keys")
        .retain(|k| k["kid"] != "es-1");
    std::thread::sleep(Duration::from_millis(2_100));
    assert_eq!(
        get(&url, Some(&sign(&es, &claims("u1", "globex"))), &[]).status,
        401
    );
    // A failing JWKS keeps the last good keys.
    *idp.status.lock().expect("status") = 500;
    std::thread::sleep(Duration::from_millis(2_100));
    let r = get(&url, Some(&sign(&es2, &claims("u2", "globex"))), &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // Static tokens work beside JWTs throughout.
    assert_eq!(get(&url, Some(&token_of("globex")), &[]).status, 200);
}

#[test]
fn a_jwks_down_at_start_gives_503_until_it_answers_and_static_tokens_work_throughout() {
    let (data, db) = demo("jwt-down");
    let l = listener();
    let port = l.local_addr().expect("addr").port();
    drop(l);
    let s = start(&data, &db, &jwt_args(port));
    let es = es_key("es-1");
    let url = s.url("/api/v1/usage");
    let r = get(&url, Some(&sign(&es, &claims("u1", "acme"))), &[]);
    assert_eq!(r.status, 503);
    assert_eq!(r.error_code(), "identity_unavailable");
    assert_eq!(r.header("retry-after"), Some("2"));
    // Garbage is refused outright, keys or not.
    assert_eq!(get(&url, Some("Zm9v.YmFy.YmF6"), &[]).status, 401);
    assert_eq!(get(&url, Some(&token_of("acme")), &[]).status, 200);

    let idp = Arc::new(Idp {
        keys: Mutex::new(vec![es.jwk.clone()]),
        status: Mutex::new(200),
        fetches: AtomicUsize::new(0),
    });
    serve_jwks(StdListener::bind(("127.0.0.1", port)).expect("rebind"), idp);
    wait_for(20, "the keys loaded", || {
        get(&url, Some(&sign(&es, &claims("u1", "acme"))), &[]).status == 200
    });
    let r = get(&url, Some(&sign(&es, &claims("u1", "acme"))), &[]);
    assert_eq!(r.json()["contract"]["id"], "BS-2025-0042");
}

#[test]
fn the_tokens_claims_decide_the_client_the_contracts_and_the_role() {
    let (data, db) = demo("jwt-access");
    let l = listener();
    let port = l.local_addr().expect("addr").port();
    let es = es_key("es-1");
    let idp = Arc::new(Idp {
        keys: Mutex::new(vec![es.jwk.clone()]),
        status: Mutex::new(200),
        fetches: AtomicUsize::new(0),
    });
    serve_jwks(l, idp);
    let s = start(&data, &db, &jwt_args(port));
    let acme = sign(&es, &claims("a1", "acme"));
    wait_for(20, "the JWKS loaded", || {
        get(&s.url("/api/v1/usage"), Some(&acme), &[]).status == 200
    });

    // A token for client A on client B: 403, by query or by B's contract.
    assert_eq!(
        get(&s.url("/api/v1/usage?client=globex"), Some(&acme), &[]).status,
        403
    );
    assert_eq!(
        get(
            &s.url("/api/v1/contracts/globex-eu/usage"),
            Some(&acme),
            &[]
        )
        .status,
        403
    );

    // Limited to globex-eu: the list shows it alone, the sibling is 403, and the
    // client-wide routes answer for the one contract the caller sees.
    let mut c = claims("e1", "globex");
    c["sla_contracts"] = json!(["globex-eu"]);
    let eu = sign(&es, &c);
    let doc = get(&s.url("/api/v1/contracts"), Some(&eu), &[]).json();
    let ids: Vec<&str> = doc["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["globex-eu"]);
    for route in ["usage", "claims"] {
        let r = get(
            &s.url(&format!("/api/v1/contracts/globex-cn/{route}")),
            Some(&eu),
            &[],
        );
        assert_eq!(r.status, 403, "{route}");
        assert_eq!(r.error_code(), "forbidden");
    }
    let sibling = post(
        &s.url("/api/v1/contracts/globex-cn/claims"),
        Some(&eu),
        &claim(&uuid(20, 1), "globex-cn", &["2025-03"], 1, 300),
    );
    assert_eq!(sibling.status, 403);
    let own = get(&s.url("/api/v1/usage"), Some(&eu), &[]);
    assert_eq!(own.status, 200);
    assert_eq!(own.json()["contract"]["id"], "globex-eu");
    // A narrowed caller cannot subscribe to the whole client's events.
    assert_eq!(
        get(&s.url("/api/v1/subscriptions"), Some(&eu), &[]).status,
        403
    );
    // February on globex-eu: (400 + 200) / 2 = 300 contracts.
    let filed = post(
        &s.url("/api/v1/contracts/globex-eu/claims"),
        Some(&eu),
        &claim(&uuid(20, 2), "globex-eu", &["2026-02"], 1, 300),
    );
    assert_eq!(
        filed.status,
        201,
        "{}",
        String::from_utf8_lossy(&filed.body)
    );

    // An operator by JWT reviews it, and the audit row names operator:SUB.
    let mut op = claims("ops-7", "globex");
    op["sla_role"] = json!("operator");
    let op = sign(&es, &op);
    assert_eq!(get(&s.url("/api/v1/usage"), Some(&op), &[]).status, 403);
    let moved = post(
        &s.url(&format!("/api/v1/operator/claims/{}/status", uuid(20, 2))),
        Some(&op),
        r#"{"status":"under_review","note":"looking"}"#,
    );
    assert_eq!(
        moved.status,
        200,
        "{}",
        String::from_utf8_lossy(&moved.body)
    );
    let list = get(&s.url("/api/v1/operator/claims"), Some(&op), &[]).json();
    let history = &list["claims"][0]["history"];
    assert_eq!(history[1]["actor"], "operator:ops-7");
    // A client JWT gets 403 on operator routes.
    assert_eq!(
        get(&s.url("/api/v1/operator/claims"), Some(&eu), &[]).status,
        403
    );
}

#[test]
fn the_jwt_flags_go_together_and_plain_http_is_for_loopback_only() {
    let dir = temp_dir("jwt-flags");
    write_tokens(&dir, &["acme"]);
    let data = dir.to_str().expect("utf-8").to_string();
    let db = dir.join("x.db").to_str().expect("utf-8").to_string();
    let (ok, _, err) = cli(&[
        "serve",
        "--data",
        &data,
        "--db",
        &db,
        "--jwks-url",
        "https://idp.test/jwks",
    ]);
    assert!(!ok);
    assert!(err.contains("--jwt-issuer"), "{err}");
    let (ok, _, err) = cli(&[
        "serve",
        "--data",
        &data,
        "--db",
        &db,
        "--addr",
        "127.0.0.1:0",
        "--jwks-url",
        "http://idp.example.com/jwks",
        "--jwt-issuer",
        ISS,
        "--jwt-audience",
        AUD,
    ]);
    assert!(!ok);
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn the_rate_limit_follows_the_person_across_refreshed_tokens() {
    let (data, db) = demo("jwt-rate");
    let l = listener();
    let port = l.local_addr().expect("addr").port();
    let es = es_key("es-1");
    let idp = Arc::new(Idp {
        keys: Mutex::new(vec![es.jwk.clone()]),
        status: Mutex::new(200),
        fetches: AtomicUsize::new(0),
    });
    serve_jwks(l, idp);
    let mut args = jwt_args(port);
    args.extend(["--rate-limit".to_string(), "1".to_string()]);
    let s = start(&data, &db, &args);
    let url = s.url("/api/v1/usage");
    // Someone else warms the keys, so u1's bucket (burst 2 at 1/s) starts full.
    wait_for(20, "the JWKS loaded", || {
        std::thread::sleep(Duration::from_millis(300));
        get(&url, Some(&sign(&es, &claims("warm", "acme"))), &[]).status == 200
    });
    let first = sign(&es, &claims("u1", "acme"));
    let mut c = claims("u1", "acme");
    c["exp"] = json!(now() + 900);
    let refreshed = sign(&es, &c);
    assert_ne!(first, refreshed);
    assert_eq!(get(&url, Some(&first), &[]).status, 200);
    assert_eq!(get(&url, Some(&first), &[]).status, 200);
    // A new token for the same person spends from the same bucket.
    let r = get(&url, Some(&refreshed), &[]);
    assert_eq!(r.status, 429);
    assert_eq!(r.error_code(), "rate_limited");
    // Another person has a bucket of their own.
    assert_eq!(
        get(&url, Some(&sign(&es, &claims("u2", "acme"))), &[]).status,
        200
    );
}
