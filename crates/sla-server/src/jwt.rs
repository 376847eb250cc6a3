//! JWT bearer tokens from the host portal's identity provider (OIDC), verified
//! against its JWKS: so a portal's own sign-in reaches the API without a second
//! identity system. Static `tokens.json` tokens keep working beside them.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio_rustls::rustls::ClientConfig;

use crate::webhooks::Target;

/// The only signature algorithms accepted. `none` and every HS* are refused above
/// all: a shared secret would let anyone holding the public JWKS sign.
pub const ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
/// The shortest time a fetched JWKS is kept, whatever its `Cache-Control` says,
/// so that an identity provider sending `max-age=0` cannot make every request
/// fetch. A test build can lower it (`--jwks-test-seconds`).
pub const MIN_MAX_AGE: Duration = Duration::from_secs(60);
/// The longest: a removed key stops working within a day at most.
pub const MAX_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// A token naming an unknown `kid` refetches the JWKS at most this often, so a
/// stream of forged kids cannot turn the server into a load generator. A test
/// build can lower it with the floor (`--jwks-test-seconds`).
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(30);
/// While no keys were ever loaded the server tries again this often; JWT requests
/// meanwhile get 503 with `Retry-After` of this many seconds.
pub const LOAD_RETRY: Duration = Duration::from_secs(2);
/// Longer tokens are refused unread (identity providers' tokens are 1–2 KB).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// At most this much of a JWKS is read.
pub const JWKS_BYTES: usize = 256 * 1024;

/// The `serve` flags of JWT verification.
#[derive(Clone)]
pub struct Config {
    pub jwks_url: String,
    pub issuer: String,
    pub audience: String,
    pub leeway_seconds: u64,
    /// `MIN_MAX_AGE`, or a test's.
    pub min_max_age: Duration,
    /// `REFETCH_INTERVAL`, or a test's.
    pub refetch_interval: Duration,
    pub tls: Arc<ClientConfig>,
}

/// Checks `--jwks-url`: `https://`, or `http://` to a loopback address (a test's
/// JWKS, or an identity provider's sidecar on the same host).
pub fn parse_jwks_url(url: &str) -> Result<Target, String> {
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|e| format!("--jwks-url: not a URL: {e}"))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("--jwks-url: https:// (or http:// to a loopback address)".into()),
    };
    let auth = uri
        .authority()
        .ok_or("--jwks-url: the URL has no host")?
        .as_str();
    if auth.contains('@') {
        return Err("--jwks-url: no user info in the URL".into());
    }
    let host = uri
        .host()
        .ok_or("--jwks-url: the URL has no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if !https && !is_loopback_name(&host) {
        return Err(format!(
            "--jwks-url: http:// only to a loopback address, not {host}"
        ));
    }
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".into());
    Ok(Target {
        https,
        host,
        port,
        path,
    })
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A key of the JWKS, with the one algorithm it verifies.
struct Key {
    alg: Algorithm,
    key: DecodingKey,
}

/// The keys of the last good fetch.
struct Keys {
    by_kid: HashMap<String, Key>,
    expires: Instant,
}

/// When the last fetch was tried, for the refetch limits.
#[derive(Default)]
struct Attempts {
    last: Option<Instant>,
}

/// Verifies JWTs and keeps the identity provider's keys.
pub struct Verifier {
    config: Config,
    target: Target,
    keys: RwLock<Option<Arc<Keys>>>,
    // One fetch at a time: requests that find the keys stale wait for it and
    // then read its result instead of fetching again.
    fetching: tokio::sync::Mutex<Attempts>,
}

/// Who a valid JWT says its bearer is (`auth` turns it into a principal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub iss: String,
    pub sub: String,
    /// `sla_client`, as written (checked by `auth`).
    pub client: Option<String>,
    pub contracts: Option<Vec<String>>,
    /// `sla_role: operator`.
    pub operator: bool,
}

/// What verifying a JWT gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid(Person),
    /// Why, for the log only.
    Refused(String),
    /// No keys loaded yet: retry after this many seconds.
    Unavailable(u64),
}

/// The claims this server reads; `exp`, `nbf`, `iss` and `aud` are checked by
/// `jsonwebtoken` itself.
#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    iss: Option<String>,
    iat: Option<serde_json::Number>,
    sla_client: Option<String>,
    sla_contracts: Option<Vec<String>>,
    sla_role: Option<String>,
}

/// Whether `token` is shaped like a JWT (three base64url segments), so a static
/// token that is simply wrong is not verified as one.
pub fn looks_like_jwt(token: &str) -> bool {
    token.bytes().filter(|&b| b == b'.').count() == 2
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='))
}

/// The lifetime of a fetched JWKS: its `max-age`, clamped to `[floor, MAX_MAX_AGE]`;
/// the floor without one (or with `no-cache`/`no-store`).
pub fn max_age(cache_control: Option<&str>, floor: Duration) -> Duration {
    let mut age = None;
    for d in cache_control.unwrap_or("").split(',') {
        let d = d.trim();
        if d.eq_ignore_ascii_case("no-cache") || d.eq_ignore_ascii_case("no-store") {
            return floor;
        }
        if let Some((k, v)) = d.split_once('=') {
            if k.trim().eq_ignore_ascii_case("max-age") {
                age = v.trim().trim_matches('"').parse::<u64>().ok();
            }
        }
    }
    age.map_or(floor, Duration::from_secs)
        .clamp(floor, MAX_MAX_AGE.max(floor))
}

/// The algorithm a JWK verifies: its `alg` if it names one of `ALGORITHMS`,
/// else the one its key type implies. `None`: a key this server does not use
/// (HMAC secrets, encryption keys, other curves).
fn key_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != jsonwebtoken::jwk::PublicKeyUse::Signature)
    {
        return None;
    }
    let implied = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return None,
    };
    match jwk.common.key_algorithm {
        None => Some(implied),
        Some(KeyAlgorithm::RS256) if implied == Algorithm::RS256 => Some(implied),
        Some(KeyAlgorithm::ES256) if implied == Algorithm::ES256 => Some(implied),
        Some(KeyAlgorithm::EdDSA) if implied == Algorithm::EdDSA => Some(implied),
        Some(_) => None,
    }
}

/// The usable keys of a JWKS document. Keys without a `kid`, of another type, or
/// that do not parse are skipped (and logged), so one odd key does not cost the rest.
fn parse_jwks(body: &[u8]) -> Result<HashMap<String, Key>, String> {
    #[derive(Deserialize)]
    struct Set {
        keys: Vec<serde_json::Value>,
    }
    let set: Set = serde_json::from_slice(body).map_err(|e| format!("jwks: {e}"))?;
    let mut out = HashMap::new();
    for (i, v) in set.keys.into_iter().enumerate() {
        let jwk: Jwk = match serde_json::from_value(v) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(index = i, error = %e, "jwks: key skipped");
                continue;
            }
        };
        let (Some(kid), Some(alg)) = (jwk.common.key_id.clone(), key_algorithm(&jwk)) else {
            tracing::debug!(
                index = i,
                "jwks: key without kid or of another kind, skipped"
            );
            continue;
        };
        match DecodingKey::from_jwk(&jwk) {
            // An Ed25519 key is 32 bytes; `jsonwebtoken` would slice a shorter one.
            Ok(key) if alg == Algorithm::EdDSA && key.as_bytes().len() != 32 => {
                tracing::warn!(index = i, "jwks: Ed25519 key of the wrong length, skipped");
            }
            Ok(key) => {
                out.insert(kid, Key { alg, key });
            }
            Err(e) => tracing::warn!(index = i, error = %e, "jwks: key skipped"),
        }
    }
    Ok(out)
}

impl Verifier {
    pub fn new(config: Config) -> Result<Verifier, String> {
        let target = parse_jwks_url(&config.jwks_url)?;
        if config.issuer.is_empty() || config.audience.is_empty() {
            return Err("--jwt-issuer and --jwt-audience are required with --jwks-url".into());
        }
        Ok(Verifier {
            config,
            target,
            keys: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(Attempts::default()),
        })
    }

    fn current(&self) -> Option<Arc<Keys>> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether keys were ever loaded (`/readyz` does not depend on it: static
    /// tokens work without them).
    pub fn loaded(&self) -> bool {
        self.current().is_some()
    }

    async fn fetch(&self) -> Result<Keys, String> {
        let t = &self.target;
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((t.host.as_str(), t.port))
            .await
            .map_err(|e| format!("dns: {}: {e}", t.host))?
            .collect();
        // http:// was allowed for a loopback name: every address must be loopback.
        let addr = addrs
            .iter()
            .find(|a| t.https || a.ip().is_loopback())
            .copied()
            .ok_or_else(|| format!("dns: {} has no usable address", t.host))?;
        let got = crate::webhooks::get(t, addr, &self.config.tls, JWKS_BYTES).await?;
        if got.status != 200 {
            return Err(format!("jwks: HTTP {}", got.status));
        }
        let by_kid = parse_jwks(&got.body)?;
        let age = max_age(got.cache_control.as_deref(), self.config.min_max_age);
        Ok(Keys {
            by_kid,
            expires: Instant::now() + age,
        })
    }

    /// Fetches the JWKS if `stale` still holds once this caller has the fetch
    /// lock and the last attempt is at least `interval` old. A failed fetch keeps
    /// the last good keys.
    async fn refresh(&self, interval: Duration, stale: impl Fn(Option<&Keys>) -> bool) {
        let mut attempts = self.fetching.lock().await;
        if !stale(self.current().as_deref()) {
            return;
        }
        let now = Instant::now();
        if attempts
            .last
            .is_some_and(|t| now.duration_since(t) < interval)
        {
            return;
        }
        attempts.last = Some(now);
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(keys = keys.by_kid.len(), "jwks loaded");
                *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(keys));
            }
            Err(e) => {
                tracing::warn!(error = %e, url = %self.config.jwks_url, "jwks fetch failed; keeping the last good keys")
            }
        }
    }

    /// Loads the keys at start, trying again every `LOAD_RETRY` until they load:
    /// an identity provider that is down does not stop the server.
    pub async fn load_until_ready(self: Arc<Self>) {
        while !self.loaded() {
            self.refresh(Duration::ZERO, |k| k.is_none()).await;
            if !self.loaded() {
                tokio::time::sleep(LOAD_RETRY).await;
            }
        }
    }

    /// Verifies a bearer JWT.
    pub async fn verify(&self, token: &str) -> Verdict {
        match self.check(token).await {
            Ok(p) => Verdict::Valid(p),
            Err(Some(reason)) => Verdict::Refused(reason),
            Err(None) => Verdict::Unavailable(LOAD_RETRY.as_secs().max(1)),
        }
    }

    /// `Err(None)`: no keys loaded yet; `Err(Some(reason))`: refused.
    async fn check(&self, token: &str) -> Result<Person, Option<String>> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Some(format!("token longer than {MAX_TOKEN_BYTES} bytes")));
        }
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| Some(format!("header: {e}")))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(Some(format!("algorithm {:?} not accepted", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| Some("no kid".to_string()))?;
        let now = Instant::now();
        let mut keys = self.current().ok_or(None)?;
        if now >= keys.expires {
            // Expired: refetch (a removed key stops working), at most once per floor
            // of the lifetime; a failure keeps the old keys.
            self.refresh(self.config.min_max_age, |k| {
                k.is_none_or(|k| Instant::now() >= k.expires)
            })
            .await;
            keys = self.current().ok_or(None)?;
        }
        if !keys.by_kid.contains_key(&kid) {
            // A key the provider added since: one refetch, at most every REFETCH_INTERVAL.
            let wanted = kid.clone();
            self.refresh(self.config.refetch_interval, |k| {
                k.is_none_or(|k| !k.by_kid.contains_key(&wanted))
            })
            .await;
            keys = self.current().ok_or(None)?;
        }
        let key = keys
            .by_kid
            .get(&kid)
            .ok_or_else(|| Some(format!("unknown kid {kid:?}")))?;
        if key.alg != header.alg {
            return Err(Some(format!(
                "kid {kid:?} is a {:?} key, the token says {:?}",
                key.alg, header.alg
            )));
        }
        let mut v = Validation::new(key.alg);
        v.algorithms = vec![key.alg];
        v.leeway = self.config.leeway_seconds;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_issuer(&[&self.config.issuer]);
        v.set_audience(&[&self.config.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key.key, &v)
            .map_err(|e| Some(format!("{e}")))?;
        let c = data.claims;
        let unix_now = crate::clock::now_unix();
        if let Some(iat) = c.iat.as_ref().and_then(serde_json::Number::as_f64) {
            if iat > (unix_now as f64) + self.config.leeway_seconds as f64 {
                return Err(Some("iat in the future".into()));
            }
        }
        let sub = c
            .sub
            .filter(|s| !s.is_empty() && s.len() <= 256)
            .ok_or_else(|| Some("no usable sub".to_string()))?;
        let operator = match c.sla_role.as_deref() {
            None => false,
            Some("operator") => true,
            Some(other) => return Err(Some(format!("sla_role {other:?} is not a role"))),
        };
        Ok(Person {
            iss: c.iss.unwrap_or_default(),
            sub,
            client: c.sla_client,
            contracts: c.sla_contracts,
            operator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_clamped_between_the_floor_and_a_day() {
        let floor = MIN_MAX_AGE;
        assert_eq!(max_age(Some("public, max-age=300"), floor).as_secs(), 300);
        assert_eq!(max_age(Some("max-age=5"), floor).as_secs(), 60);
        assert_eq!(max_age(Some("max-age=999999"), floor).as_secs(), 86_400);
        assert_eq!(max_age(Some("no-store, max-age=300"), floor).as_secs(), 60);
        assert_eq!(max_age(None, floor).as_secs(), 60);
        assert_eq!(max_age(Some("max-age=abc"), floor).as_secs(), 60);
        assert_eq!(
            max_age(Some("max-age=5"), Duration::from_secs(1)).as_secs(),
            5
        );
    }

    #[test]
    fn the_jwks_url_is_https_or_loopback_http() {
        assert!(parse_jwks_url("https://idp.example.com/.well-known/jwks.json").is_ok());
        let t = parse_jwks_url("http://127.0.0.1:9000/jwks").expect("loopback");
        assert_eq!(
            (t.https, t.host.as_str(), t.port, t.path.as_str()),
            (false, "127.0.0.1", 9000, "/jwks")
        );
        assert!(parse_jwks_url("http://[::1]:9000/jwks").is_ok());
        assert!(parse_jwks_url("http://localhost/jwks").is_ok());
        assert!(parse_jwks_url("http://idp.example.com/jwks").is_err());
        assert!(parse_jwks_url("http://10.0.0.1/jwks").is_err());
        assert!(parse_jwks_url("ftp://idp.example.com/jwks").is_err());
        assert!(parse_jwks_url("https://u:p@idp.example.com/jwks").is_err());
    }

    #[test]
    fn only_jwt_shaped_tokens_are_verified_as_jwts() {
        assert!(looks_like_jwt("aGk.aGk.aGk"));
        assert!(!looks_like_jwt("0123456789abcdef"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt("a b.c.d"));
    }
}
