//! The provider's Ed25519 keys (docs/SIGNATURES.md): `keys generate`, the key `serve`
//! signs with, the public keys still published after a rotation, and compact JWS (RFC 7515,
//! `alg: EdDSA` of RFC 8037) over RFC 8785 canonical JSON. ring, which rustls already
//! links for the webhooks' TLS, is the one crypto stack.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `typ` of a claim receipt.
pub const RECEIPT_TYP: &str = "sla-receipt+jws";
/// `typ` of a monthly statement.
pub const STATEMENT_TYP: &str = "sla-statement+jws";

/// The file `keys generate` writes the private key to.
pub const PRIVATE_KEY_FILE: &str = "signing-key.pem";

/// An Ed25519 public key as a JWK (RFC 8037 §2): what the JWKS lists and verifiers read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    /// The raw 32-byte public key.
    pub x: Vec<u8>,
    /// Its RFC 7638 thumbprint.
    pub kid: String,
}

impl PublicJwk {
    pub fn new(x: Vec<u8>) -> PublicJwk {
        let kid = thumbprint(&x);
        PublicJwk { x, kid }
    }

    /// The JWK a verifier needs: the thumbprint's members plus `kid`, `alg` and `use`.
    pub fn to_json(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(&self.x),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// Reads a public JWK (an OKP Ed25519 key); its `kid`, if any, must be its thumbprint.
    pub fn from_json(v: &Value) -> Result<PublicJwk, String> {
        let field = |k: &str| v.get(k).and_then(Value::as_str);
        if field("kty") != Some("OKP") || field("crv") != Some("Ed25519") {
            return Err("not an Ed25519 key (kty OKP, crv Ed25519)".into());
        }
        let x = field("x")
            .and_then(|x| URL_SAFE_NO_PAD.decode(x).ok())
            .filter(|x| x.len() == 32)
            .ok_or("x is not 32 bytes of base64url")?;
        let jwk = PublicJwk::new(x);
        match field("kid") {
            Some(kid) if kid != jwk.kid => {
                Err(format!("kid {kid} is not the key's thumbprint {}", jwk.kid))
            }
            _ => Ok(jwk),
        }
    }
}

/// RFC 7638: SHA-256 of the required members in lexicographic order, base64url.
pub fn thumbprint(x: &[u8]) -> String {
    let members = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(x)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(members.as_bytes()))
}

/// The key a server signs with.
pub struct Signer {
    pair: Ed25519KeyPair,
    pub public: PublicJwk,
}

impl Signer {
    /// From a PKCS#8 PEM file (`keys generate`'s, or `openssl genpkey -algorithm ed25519`'s).
    pub fn from_pem(pem: &str) -> Result<Signer, String> {
        let der = pem_body(pem, "PRIVATE KEY")?;
        // `maybe_unchecked` also takes PKCS#8 v1 (no public key inside), which OpenSSL writes.
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map_err(|e| format!("not an Ed25519 PKCS#8 key: {e}"))?;
        Ok(Signer::from_pair(pair))
    }

    pub fn from_pair(pair: Ed25519KeyPair) -> Signer {
        let public = PublicJwk::new(pair.public_key().as_ref().to_vec());
        Signer { pair, public }
    }

    /// A compact JWS of `payload`'s canonical JSON, with `alg`, `kid` and `typ`.
    pub fn sign(&self, typ: &str, payload: &Value) -> Result<String, String> {
        let header = json!({ "alg": "EdDSA", "kid": self.public.kid, "typ": typ });
        let h = sla_rules::jcs::canonical(&header).map_err(|e| e.to_string())?;
        let p = sla_rules::jcs::canonical(payload).map_err(|e| e.to_string())?;
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(h),
            URL_SAFE_NO_PAD.encode(p)
        );
        let sig = self.pair.sign(input.as_bytes());
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref())))
    }
}

fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or_else(|| format!("no {begin} line"))?;
    let rest = &pem[start + begin.len()..];
    let stop = rest.find(&end).ok_or_else(|| format!("no {end} line"))?;
    let b64: String = rest[..stop].split_whitespace().collect();
    STANDARD
        .decode(b64)
        .map_err(|e| format!("the PEM body is not base64: {e}"))
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// What `serve` signs with and publishes.
#[derive(Default)]
pub struct Keys {
    /// `None` without `--signing-key`: nothing is signed.
    pub current: Option<Signer>,
    /// Older public keys still published, so their signatures keep verifying.
    pub published: Vec<PublicJwk>,
}

impl Keys {
    /// `--signing-key FILE` and `--published-keys DIR` (every `*.json` in it is a JWK).
    pub fn load(signing_key: Option<&Path>, published: Option<&Path>) -> Result<Keys, String> {
        let current = match signing_key {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("--signing-key {}: {e}", p.display()))?;
                Some(
                    Signer::from_pem(&text)
                        .map_err(|e| format!("--signing-key {}: {e}", p.display()))?,
                )
            }
            None => None,
        };
        let mut keys = Vec::new();
        if let Some(dir) = published {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| format!("--published-keys {}: {e}", dir.display()))?;
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            paths.sort();
            for p in paths {
                let bad = |e: String| format!("--published-keys {}: {e}", p.display());
                let bytes = std::fs::read(&p).map_err(|e| bad(e.to_string()))?;
                let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
                let jwk = PublicJwk::from_json(&v).map_err(bad)?;
                let is_current = current.as_ref().is_some_and(|c| c.public == jwk);
                if !is_current && !keys.contains(&jwk) {
                    keys.push(jwk);
                }
            }
        }
        Ok(Keys {
            current,
            published: keys,
        })
    }

    /// `GET /.well-known/jwks.json`: the current key first, then the published ones.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .current
            .iter()
            .map(|s| &s.public)
            .chain(self.published.iter())
            .map(PublicJwk::to_json)
            .collect();
        json!({ "keys": keys })
    }
}

/// `keys generate --out DIR`: a new key pair, the private key readable by its owner only.
/// Never overwrites: an existing private key is an error, so a rotation cannot lose one.
pub fn generate(out: &Path) -> Result<PublicJwk, String> {
    let rng = ring::rand::SystemRandom::new();
    let doc = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| format!("generate: {e}"))?;
    let pair = Ed25519KeyPair::from_pkcs8(doc.as_ref()).map_err(|e| format!("generate: {e}"))?;
    let public = PublicJwk::new(pair.public_key().as_ref().to_vec());
    std::fs::create_dir_all(out).map_err(|e| format!("--out {}: {e}", out.display()))?;
    let key_path = out.join(PRIVATE_KEY_FILE);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(&key_path)
        .map_err(|e| format!("{}: {e}", key_path.display()))?;
    f.write_all(pem("PRIVATE KEY", doc.as_ref()).as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("{}: {e}", key_path.display()))?;
    let jwk_path = out.join(format!("{}.json", public.kid));
    let text = serde_json::to_string_pretty(&public.to_json()).map_err(|e| e.to_string())?;
    std::fs::write(&jwk_path, text + "\n").map_err(|e| format!("{}: {e}", jwk_path.display()))?;
    println!("private key: {}", key_path.display());
    println!("public key:  {}", jwk_path.display());
    println!("kid:         {}", public.kid);
    Ok(public)
}

/// `GET /.well-known/jwks.json`: public, no token. An hour of caching is what a rotation
/// waits before the new key signs (docs/SIGNATURES.md).
pub async fn jwks(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<crate::AppState>>,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut r = crate::errors::json_response(axum::http::StatusCode::OK, &state.signing.jwks());
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jwk-set+json"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8037 Appendix A.1: the example key pair.
    const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn the_rfc_8037_thumbprint_and_signature() {
        let x = URL_SAFE_NO_PAD.decode(X).unwrap();
        // A.3: the key's RFC 7638 thumbprint.
        assert_eq!(
            thumbprint(&x),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        // A.4: the signature of "Example of Ed25519 signing" under the header {"alg":"EdDSA"}.
        let d = URL_SAFE_NO_PAD.decode(D).unwrap();
        let pair = Ed25519KeyPair::from_seed_and_public_key(&d, &x).unwrap();
        let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        assert_eq!(
            URL_SAFE_NO_PAD.encode(pair.sign(input.as_bytes())),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
    }

    #[test]
    fn a_jws_carries_the_canonical_header_and_payload() {
        let d = URL_SAFE_NO_PAD.decode(D).unwrap();
        let x = URL_SAFE_NO_PAD.decode(X).unwrap();
        let s = Signer::from_pair(Ed25519KeyPair::from_seed_and_public_key(&d, &x).unwrap());
        let jws = s.sign(RECEIPT_TYP, &json!({ "b": 1, "a": "é" })).unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        let h = URL_SAFE_NO_PAD.decode(parts[0]).unwrap();
        assert_eq!(
            String::from_utf8(h).unwrap(),
            r#"{"alg":"EdDSA","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","typ":"sla-receipt+jws"}"#
        );
        let p = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
        assert_eq!(String::from_utf8(p).unwrap(), r#"{"a":"é","b":1}"#);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let public = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &x);
        let input = format!("{}.{}", parts[0], parts[1]);
        assert!(public.verify(input.as_bytes(), &sig).is_ok());
        assert!(public.verify(b"other", &sig).is_err());
    }

    #[test]
    fn generated_keys_load_back_private_mode_and_never_overwrite() {
        let dir = std::env::temp_dir().join(format!(
            "sla-keys-{}-{}",
            std::process::id(),
            crate::clock::unix_nanos()
        ));
        let public = generate(&dir).unwrap();
        let key = dir.join(PRIVATE_KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let keys = Keys::load(Some(&key), Some(&dir)).unwrap();
        assert_eq!(keys.current.as_ref().unwrap().public, public);
        assert!(keys.published.is_empty(), "the current key is listed once");
        assert_eq!(keys.jwks()["keys"][0]["kid"], public.kid.as_str());
        assert!(
            generate(&dir).is_err(),
            "a second key would replace the first"
        );
        let wrong = json!({"kty":"OKP","crv":"Ed25519","x": X, "kid": "other"});
        assert!(PublicJwk::from_json(&wrong).is_err());
        assert!(
            Signer::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
