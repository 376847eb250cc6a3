//! `sla verify --jwks FILE|URL INPUT`: checks a receipt, a statement answer or an evidence
//! download against the provider's published keys, without trusting the server that
//! handed it over (docs/SIGNATURES.md). Exit 0 prints what was signed, 1 names why it is
//! not valid, 2 is for input (or keys) that cannot be read at all.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `typ`s this project signs.
const TYPS: [&str; 2] = ["sla-receipt+jws", "sla-statement+jws"];

/// Why a signature is not valid (exit 1), or why nothing could be checked (exit 2).
pub enum Failure {
    Invalid(String),
    Unreadable(String),
}

/// Reads the JWKS from a file or an http(s) URL.
fn read_jwks(source: &str) -> Result<Value, Failure> {
    let text = if source.starts_with("http://") || source.starts_with("https://") {
        ureq::get(source)
            .call()
            .and_then(|mut r| r.body_mut().read_to_string())
            .map_err(|e| Failure::Unreadable(format!("--jwks {source}: {e}")))?
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Failure::Unreadable(format!("--jwks {source}: {e}")))?
    };
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Unreadable(format!("--jwks {source}: not JSON: {e}")))?;
    if !v["keys"].is_array() {
        return Err(Failure::Unreadable(format!(
            "--jwks {source}: no \"keys\" array"
        )));
    }
    Ok(v)
}

/// The JWS an input holds, and the evidence beside it (an evidence download), if any.
fn find_jws(text: &str) -> Result<(String, Option<Value>), Failure> {
    let trimmed = text.trim();
    if !trimmed.starts_with('{') && !trimmed.starts_with('"') {
        return Ok((trimmed.to_string(), None));
    }
    let v: Value = serde_json::from_str(trimmed)
        .map_err(|e| Failure::Unreadable(format!("INPUT: neither a JWS nor JSON: {e}")))?;
    if let Some(s) = v.as_str() {
        return Ok((s.to_string(), None));
    }
    // A claim answer carries `receipt`, a statement answer and an evidence download `jws`.
    let jws = ["receipt", "jws"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .ok_or_else(|| Failure::Unreadable("INPUT: no \"receipt\" or \"jws\" in it".into()))?;
    let evidence = (v["schema"] == "sla-portal/evidence/v1").then(|| v.clone());
    Ok((jws.to_string(), evidence))
}

/// Verifies `input`'s JWS; answers the text to print.
pub fn verify(jwks_source: &str, input: &str) -> Result<String, Failure> {
    let text = if input == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Failure::Unreadable(format!("stdin: {e}")))?
    } else {
        std::fs::read_to_string(input).map_err(|e| Failure::Unreadable(format!("{input}: {e}")))?
    };
    let (jws, evidence) = find_jws(&text)?;
    let jwks = read_jwks(jwks_source)?;
    let invalid = |m: &str| Failure::Invalid(m.to_string());
    let parts: Vec<&str> = jws.split('.').collect();
    let [h64, p64, s64] = parts[..] else {
        return Err(invalid("not a compact JWS (three base64url parts)"));
    };
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| Failure::Invalid(format!("{what} is not base64url")))
    };
    let header: Value = serde_json::from_slice(&decode(h64, "the header")?)
        .map_err(|_| invalid("the header is not JSON"))?;
    if header["alg"] != "EdDSA" {
        return Err(Failure::Invalid(format!(
            "wrong alg {} (EdDSA expected)",
            header["alg"]
        )));
    }
    let typ = header["typ"].as_str().unwrap_or("");
    if !TYPS.contains(&typ) {
        return Err(Failure::Invalid(format!(
            "wrong typ {:?} (one of {})",
            typ,
            TYPS.join(", ")
        )));
    }
    let kid = header["kid"].as_str().unwrap_or("");
    let key = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["kid"] == kid && k["kty"] == "OKP" && k["crv"] == "Ed25519")
        .ok_or_else(|| Failure::Invalid(format!("unknown kid {kid:?}: not in the JWKS")))?;
    let x = key["x"]
        .as_str()
        .and_then(|x| URL_SAFE_NO_PAD.decode(x).ok())
        .ok_or_else(|| Failure::Unreadable(format!("the JWKS key {kid} has no usable x")))?;
    let sig = decode(s64, "the signature")?;
    let signing_input = format!("{h64}.{p64}");
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &x)
        .verify(signing_input.as_bytes(), &sig)
        .map_err(|_| invalid("bad signature"))?;
    let payload = decode(p64, "the payload")?;
    if !sla_rules::jcs::is_canonical(&payload) {
        return Err(invalid("payload not canonical (RFC 8785)"));
    }
    let signed: Value =
        serde_json::from_slice(&payload).map_err(|_| invalid("payload not JSON"))?;
    let mut out = format!("valid: {typ} signed by key {kid}\n");
    if let Some(mut ev) = evidence {
        // The download's own evidence must be the evidence the receipt names.
        if let Some(o) = ev.as_object_mut() {
            for k in ["as_of", "receipt", "jws"] {
                o.remove(k);
            }
        }
        let canonical = sla_rules::jcs::canonical(&ev)
            .map_err(|e| Failure::Invalid(format!("the evidence has no canonical form: {e}")))?;
        let digest: String = Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if signed["evidence_sha256"].as_str() != Some(digest.as_str()) {
            return Err(invalid(
                "the evidence is not the one the receipt signed (evidence_sha256)",
            ));
        }
        out.push_str("evidence: matches evidence_sha256\n");
    }
    out.push_str(&serde_json::to_string_pretty(&signed).unwrap_or_default());
    Ok(out)
}
