//! `sla verify` on JWSs signed here with RFC 8037's example key: each reason for exit 1,
//! the unreadable inputs of exit 2, and an evidence download checked against its receipt.
//! (A receipt and a statement from the real server: e2e/signatures.test.mjs.)

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::Ed25519KeyPair;
use sha2::{Digest, Sha256};

// RFC 8037 Appendix A.1, and its thumbprint from A.3.
const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sla-verify-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn jwks(dir: &Path, kid: &str) -> String {
    let p = dir.join(format!("jwks-{}.json", kid.len()));
    let text = format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{X}","kid":"{kid}"}}]}}"#);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn sign(header: &str, payload: &str) -> String {
    let d = URL_SAFE_NO_PAD.decode(D).unwrap();
    let x = URL_SAFE_NO_PAD.decode(X).unwrap();
    let pair = Ed25519KeyPair::from_seed_and_public_key(&d, &x).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = pair.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
}

fn receipt_header() -> String {
    format!(r#"{{"alg":"EdDSA","kid":"{KID}","typ":"sla-receipt+jws"}}"#)
}

/// Runs `sla verify --jwks JWKS FILE` on `input` written to a file: (exit code, stdout, stderr).
fn verify(jwks: &str, input: &str) -> (i32, String, String) {
    let d = dir();
    let f = d.join(format!("input-{:x}", Sha256::digest(input.as_bytes())[0]));
    std::fs::write(&f, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(["verify", "--jwks", jwks])
        .arg(&f)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `jws` with the character in the middle of part `part` replaced by another.
fn flip(jws: &str, part: usize) -> String {
    let mut parts: Vec<String> = jws.split('.').map(str::to_string).collect();
    let p = &mut parts[part];
    let i = p.len() / 2;
    let c = p.as_bytes()[i];
    let other = if c == b'A' { "B" } else { "A" };
    p.replace_range(i..i + 1, other);
    parts.join(".")
}

#[test]
fn a_valid_receipt_prints_what_was_signed() {
    let jwks = jwks(&dir(), KID);
    let jws = sign(
        &receipt_header(),
        r#"{"claim_id":"c-1","status":"submitted"}"#,
    );
    let (code, out, err) = verify(&jwks, &jws);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("valid: sla-receipt+jws signed by key {KID}\n")),
        "{out}"
    );
    assert!(out.contains(r#""claim_id": "c-1""#), "{out}");
    // The same JWS inside a claim answer, and inside a statement answer.
    let answer = format!(r#"{{"claim_id":"c-1","receipt":"{jws}"}}"#);
    assert_eq!(verify(&jwks, &answer).0, 0);
    let statement = format!(r#"{{"statement":{{}},"jws":"{jws}"}}"#);
    assert_eq!(verify(&jwks, &statement).0, 0);
}

#[test]
fn each_reason_is_named_with_exit_1() {
    let d = dir();
    let jwks_ok = jwks(&d, KID);
    let jws = sign(&receipt_header(), r#"{"a":1}"#);
    let cases = [
        (verify(&jwks(&d, "another-kid"), &jws), "unknown kid"),
        (verify(&jwks_ok, &flip(&jws, 2)), "bad signature"),
        (verify(&jwks_ok, &flip(&jws, 1)), "bad signature"),
        (
            verify(
                &jwks_ok,
                &sign(
                    &format!(r#"{{"alg":"EdDSA","kid":"{KID}","typ":"JWT"}}"#),
                    r#"{"a":1}"#,
                ),
            ),
            "wrong typ",
        ),
        (
            verify(&jwks_ok, &sign(&receipt_header(), r#"{"b":1,"a":2}"#)),
            "payload not canonical",
        ),
        (
            verify(&jwks_ok, &sign(&receipt_header(), r#"{"a": 1}"#)),
            "payload not canonical",
        ),
    ];
    for ((code, _, err), reason) in cases {
        assert_eq!(code, 1, "{reason}: {err}");
        assert!(err.contains(reason), "{reason}: {err}");
    }
    // A changed byte in the header: whatever it breaks, it is not valid.
    let (code, _, err) = verify(&jwks_ok, &flip(&jws, 0));
    assert_eq!(code, 1, "{err}");
}

#[test]
fn unreadable_input_and_keys_exit_2() {
    let d = dir();
    let jwks_ok = jwks(&d, KID);
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(["verify", "--jwks", &jwks_ok, "/nonexistent/receipt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(verify(&jwks_ok, "{ not json").0, 2);
    assert_eq!(
        verify(&jwks_ok, r#"{"claim_id":"c-1"}"#).0,
        2,
        "no receipt in it"
    );
    let jws = sign(&receipt_header(), r#"{"a":1}"#);
    assert_eq!(verify("/nonexistent/jwks.json", &jws).0, 2);
}

#[test]
fn an_evidence_download_must_be_the_evidence_its_receipt_signed() {
    let jwks = jwks(&dir(), KID);
    // The evidence without its as_of (and the JWS it carries), canonical, hashed.
    let evidence = r#"{"client_id":"acme","periods":[],"schema":"sla-portal/evidence/v1"}"#;
    let digest: String = Sha256::digest(evidence.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let jws = sign(
        &receipt_header(),
        &format!(r#"{{"claim_id":"c-1","evidence_sha256":"{digest}"}}"#),
    );
    let download = format!(
        r#"{{"schema":"sla-portal/evidence/v1","as_of":"2026-12-01T00:00:00Z","client_id":"acme","periods":[],"jws":"{jws}"}}"#
    );
    let (code, out, err) = verify(&jwks, &download);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("evidence: matches"), "{out}");
    let edited = download.replace(r#""client_id":"acme""#, r#""client_id":"acne""#);
    let (code, _, err) = verify(&jwks, &edited);
    assert_eq!(code, 1);
    assert!(err.contains("evidence_sha256"), "{err}");
}
