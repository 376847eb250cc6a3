//! Webhooks: signed event bodies, the egress rules a subscriber's URL must meet,
//! the delivery worker that drains the store's outbox, and the function that
//! builds the `period.breached` events of a report (docs/WEBHOOKS.md; the sweep that
//! finds them is `sweep.rs`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::{self, ClientConfig};

use crate::events::{event, hex, random_hex, OutEvent};
use crate::store::{Delivery, Outcome};
use crate::AppState;

pub use crate::events::{CLAIM_STATUS_CHANGED, EVENT_TYPES, PERIOD_BREACHED};

/// One attempt, from connecting to the end of the response head, takes at most this.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this much of a response is buffered (hyper's minimum): only its head is read, and
/// only the status counts.
pub const RESPONSE_CAP: usize = 8 * 1024;
/// Retries stop this long after the event was queued; the delivery is then failed.
pub const RETRY_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// A leased delivery is not taken by another worker for this long: longer than
/// an attempt, so a lease only expires when its server died mid-attempt.
const LEASE_MS: i64 = 30_000;
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;

/// The operator's webhook settings (`serve` flags).
#[derive(Debug, Clone)]
pub struct Config {
    /// Hosts (as written in URLs) that may use `http://` and private addresses.
    pub allowed_hosts: Vec<String>,
    /// The first retry waits about this long; each next one twice as long.
    pub backoff_base_ms: i64,
    /// The sweep looks at the documents' versions this often (at most every second).
    pub evaluate_every: Duration,
    /// What https deliveries trust (`tls_config`).
    pub tls: Arc<ClientConfig>,
}

impl Config {
    fn allowed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in hex. `None` when the
/// operating system has no randomness to give.
pub fn new_secret() -> Option<String> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).ok()?;
    Some(format!("whsec_{}", hex(&b)))
}

/// HMAC-SHA256 of `TIMESTAMP.BODY` keyed with the whole secret text, in hex.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts a key of any length, so `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The `SLA-Signature` header value: `t=TIMESTAMP,v1=HEX`.
pub fn signature_header(secret: &str, timestamp: i64, body: &str) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

/// Whether `header` signs `body` with `secret`, compared in constant time (the
/// receiver's side of the recipe, as docs/WEBHOOKS.md shows it).
#[cfg(test)]
pub fn verify(secret: &str, header: &str, body: &str) -> bool {
    use subtle::ConstantTimeEq;
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v.to_string()),
            _ => {}
        }
    }
    match (t, v1) {
        (Some(t), Some(v1)) => bool::from(sign(secret, t, body).as_bytes().ct_eq(v1.as_bytes())),
        _ => false,
    }
}

/// Where a delivery goes, from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
}

/// Checks a subscriber URL without resolving it: `https://` (or `http://` for an
/// allowed host), a host, no user info, and no literal address that is private,
/// loopback or link-local unless the host is allowed.
pub fn parse_url(url: &str, config: &Config) -> Result<Target, String> {
    if url.len() > 2048 {
        return Err("url: at most 2048 characters".into());
    }
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|_| "url: not an absolute URL".to_string())?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("url: the scheme must be https".into()),
    };
    let authority = uri.authority().ok_or_else(|| "url: no host".to_string())?;
    if authority.as_str().contains('@') {
        return Err("url: user info is not allowed".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err("url: no host".into());
    }
    let host = host.to_ascii_lowercase();
    let allowed = config.allowed(&host);
    if !https && !allowed {
        return Err(format!(
            "url: only https:// URLs are accepted ({host} is not an allowed webhook host)"
        ));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        if !allowed && forbidden(ip) {
            return Err(format!(
                "url: {ip} is a private, loopback or link-local address"
            ));
        }
    }
    Ok(Target {
        https,
        port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
        path: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".into()),
        host,
    })
}

/// Addresses a webhook must not reach unless its host is allowed: anything not
/// on the public internet (private, loopback, link-local, shared, unspecified,
/// multicast, documentation and benchmark ranges).
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // 100.64/10, shared
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64 can reach private v4
        }
    }
}

/// Resolves the host and returns the first address it may reach. Every
/// resolved address is checked, and the caller connects to the one returned,
/// so a second lookup cannot swap in another address.
pub async fn resolve(target: &Target, config: &Config) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        ATTEMPT_TIMEOUT,
        tokio::net::lookup_host((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| format!("dns: {} did not resolve in time", target.host))?
    .map_err(|e| format!("dns: {}: {e}", target.host))?
    .collect();
    if config.allowed(&target.host) {
        return addrs
            .first()
            .copied()
            .ok_or_else(|| format!("dns: {} has no address", target.host));
    }
    match addrs.iter().find(|a| forbidden(a.ip())) {
        Some(bad) => Err(format!(
            "refused: {} resolves to {}, a private, loopback or link-local address",
            target.host,
            bad.ip()
        )),
        None => addrs
            .first()
            .copied()
            .ok_or_else(|| format!("dns: {} has no address", target.host)),
    }
}

/// One POST: connects to `addr` (TLS for `https://`, checking the certificate
/// against the URL's host), sends the body with its headers, reads the status
/// head (hyper buffers at most `RESPONSE_CAP`, its minimum), and never follows a
/// redirect. Answers the HTTP status, or why there is none.
pub async fn post(
    target: &Target,
    addr: SocketAddr,
    tls: &Arc<ClientConfig>,
    headers: &[(&str, String)],
    body: &str,
) -> Result<u16, String> {
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        if target.https {
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(target.host.clone())
                .map_err(|e| format!("tls: {}: {e}", target.host))?;
            let tls = tokio_rustls::TlsConnector::from(tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("tls: {e}"))?;
            exchange(tls, target, headers, body).await
        } else {
            exchange(tcp, target, headers, body).await
        }
    };
    tokio::time::timeout(ATTEMPT_TIMEOUT, attempt)
        .await
        .map_err(|_| format!("timeout after {} s", ATTEMPT_TIMEOUT.as_secs()))?
}

/// The TLS client configuration of every delivery: rustls with the ring provider,
/// Mozilla's root certificates and `extra_roots`. Only a test build passes any
/// (`--webhook-test-ca`, see `lib.rs`); `serve` builds this once.
pub fn tls_config(extra_roots: &[CertificateDer<'static>]) -> Result<Arc<ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in extra_roots {
        roots
            .add(cert.clone())
            .map_err(|e| format!("tls: extra root certificate: {e}"))?;
    }
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
        .map_err(|e| format!("tls: {e}"))
}

/// Sends the request with hyper's HTTP/1.1 client over the stream already connected to
/// the checked address (so no second DNS lookup can redirect it), and answers the
/// response's status. The response body is never read: only its head, which hyper caps.
async fn exchange<S>(
    s: S,
    target: &Target,
    headers: &[(&str, String)],
    body: &str,
) -> Result<u16, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let host_header = host_header(target);
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(RESPONSE_CAP)
        .handshake(hyper_util::rt::TokioIo::new(s))
        .await
        .map_err(|e| format!("send: {e}"))?;
    // The connection task ends when the exchange does (the sender is dropped).
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = hyper::Request::post(target.path.as_str())
        .header(hyper::header::HOST, host_header)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::CONNECTION, "close")
        .header(hyper::header::USER_AGENT, "sla-server-webhooks/1");
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let req = req
        .body(http_body_util::Full::new(hyper::body::Bytes::from(
            body.to_owned(),
        )))
        .map_err(|e| format!("request: {e}"))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| format!("read: {e}"))?;
    Ok(res.status().as_u16())
}

/// The `Host` header for a target: the port only when it is not the scheme's own.
fn host_header(target: &Target) -> String {
    let default_port = if target.https { 443 } else { 80 };
    let host = if target.host.contains(':') {
        format!("[{}]", target.host)
    } else {
        target.host.clone()
    };
    if target.port == default_port {
        host
    } else {
        format!("{host}:{}", target.port)
    }
}

/// What a GET answered: the status, the `Cache-Control` header and the body.
pub struct Fetched {
    pub status: u16,
    pub cache_control: Option<String>,
    pub body: Vec<u8>,
}

/// One GET with the deliveries' client (the identity provider's JWKS, `jwt.rs`):
/// connects to `addr` (TLS for `https://`), never follows a redirect, and reads at
/// most `cap` bytes of body; all within `ATTEMPT_TIMEOUT`.
pub async fn get(
    target: &Target,
    addr: SocketAddr,
    tls: &Arc<ClientConfig>,
    cap: usize,
) -> Result<Fetched, String> {
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        if target.https {
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(target.host.clone())
                .map_err(|e| format!("tls: {}: {e}", target.host))?;
            let tls = tokio_rustls::TlsConnector::from(tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("tls: {e}"))?;
            get_over(tls, target, cap).await
        } else {
            get_over(tcp, target, cap).await
        }
    };
    tokio::time::timeout(ATTEMPT_TIMEOUT, attempt)
        .await
        .map_err(|_| format!("timeout after {} s", ATTEMPT_TIMEOUT.as_secs()))?
}

async fn get_over<S>(s: S, target: &Target, cap: usize) -> Result<Fetched, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::BodyExt;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(s))
        .await
        .map_err(|e| format!("send: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get(target.path.as_str())
        .header(hyper::header::HOST, host_header(target))
        .header(hyper::header::ACCEPT, "application/json")
        .header(hyper::header::CONNECTION, "close")
        .header(hyper::header::USER_AGENT, "sla-server/1")
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .map_err(|e| format!("request: {e}"))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| format!("read: {e}"))?;
    let status = res.status().as_u16();
    let cache_control = res
        .headers()
        .get(hyper::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = http_body_util::Limited::new(res.into_body(), cap)
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes()
        .to_vec();
    Ok(Fetched {
        status,
        cache_control,
        body,
    })
}

/// The wait before attempt `attempts + 1`, `attempts` having failed: the base
/// doubled per failure, capped at an hour, then jittered down to half (`jitter`
/// in 0..=255), so that receivers coming back up are not hit in lockstep.
pub fn backoff_ms(base_ms: i64, attempts: i64, jitter: u8) -> i64 {
    let exp = attempts.clamp(1, 40) - 1;
    let full = base_ms
        .max(1)
        .saturating_mul(1i64.checked_shl(exp as u32).unwrap_or(i64::MAX))
        .min(MAX_BACKOFF_MS);
    full / 2 + full / 2 * i64::from(jitter) / 255
}

/// What an attempt's result means for the delivery.
pub fn outcome(
    d: &Delivery,
    result: Result<u16, String>,
    now_ms: i64,
    base_ms: i64,
    jitter: u8,
) -> Outcome {
    let text = match result {
        Ok(code) if (200..300).contains(&code) => return Outcome::Delivered(code.to_string()),
        Ok(code) => format!("HTTP {code}"),
        Err(e) => e,
    };
    let next_ms = now_ms + backoff_ms(base_ms, d.attempts + 1, jitter);
    if next_ms - d.created_ms > RETRY_WINDOW_MS {
        Outcome::Failed(text)
    } else {
        Outcome::Retry {
            next_ms,
            result: text,
        }
    }
}

async fn attempt(d: &Delivery, config: &Config) -> Result<u16, String> {
    let target = parse_url(&d.url, config)?;
    let addr = resolve(&target, config).await?;
    let t = crate::clock::now_unix();
    let headers = [
        ("SLA-Signature", signature_header(&d.secret, t, &d.body)),
        ("SLA-Event-Id", d.event_id.clone()),
        ("SLA-Event-Type", d.event_type.clone()),
    ];
    post(&target, addr, &config.tls, &headers, &d.body).await
}

/// Drains the outbox forever: leases due rows, attempts them concurrently,
/// records each outcome. The rows, not this task, hold the state, so a
/// restarted server picks up where the last one stopped.
pub async fn run_worker(state: Arc<AppState>) {
    let config = state.webhooks.clone();
    let idle = Duration::from_millis(config.backoff_base_ms.clamp(50, 1000) as u64);
    loop {
        let now = crate::clock::now_millis();
        let due = state.store.claim_due(now, now + LEASE_MS, 32).await;
        let due = match due {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "webhook outbox not readable");
                tokio::time::sleep(idle).await;
                continue;
            }
        };
        if due.is_empty() {
            tokio::time::sleep(idle).await;
            continue;
        }
        let mut set = tokio::task::JoinSet::new();
        for d in due {
            let (state, config) = (state.clone(), config.clone());
            set.spawn(async move {
                let result = attempt(&d, &config).await;
                let jitter = random_hex(1);
                let jitter = u8::from_str_radix(&jitter, 16).unwrap_or(128);
                let o = outcome(
                    &d,
                    result,
                    crate::clock::now_millis(),
                    config.backoff_base_ms,
                    jitter,
                );
                crate::metrics::webhook_attempt(match &o {
                    Outcome::Delivered(_) => "delivered",
                    Outcome::Retry { .. } => "retry",
                    Outcome::Failed(_) => "failed",
                });
                tracing::info!(event_id = %d.event_id, subscription = %d.subscription_id,
                    attempt = d.attempts + 1, state = o.state(), result = o.result(), "webhook attempt");
                if let Err(e) = state.store.finish_attempt(d.id, &o).await {
                    // The lease runs out and the row is tried again: at least once.
                    tracing::warn!(error = %e, "webhook outcome not recorded");
                }
            });
        }
        while set.join_next().await.is_some() {}
    }
}

/// The `period.breached` events of a report: its breached periods. The core marks only
/// judged service periods breached, so no status check is repeated here.
/// `client` is the client the documents were read for (its directory and token),
/// which keys the breach record and the subscriptions even when the document
/// names the client otherwise (documents shared by hard links, a copied file).
pub(crate) fn breaches(
    client: &str,
    report: &sla_rules::report::Report,
) -> Vec<(String, OutEvent)> {
    report
        .periods
        .iter()
        .filter(|p| p.breached)
        .map(|p| {
            let period = p.month.to_string();
            let e = event(
                client,
                PERIOD_BREACHED,
                json!({
                    "client_id": client,
                    "contract_id": report.contract_id,
                    "period": period,
                    "availability": p.availability,
                    "target": p.target,
                    "unavailable_minutes": p.unavailable_minutes,
                    "compensable_outages": p.compensable_outages,
                }),
            );
            (period, e)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(allowed: &[&str]) -> Config {
        Config {
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            backoff_base_ms: 1000,
            evaluate_every: Duration::from_secs(300),
            tls: tls_config(&[]).expect("tls"),
        }
    }

    #[test]
    fn signature_matches_a_hand_computed_hmac_and_fails_on_a_changed_byte() {
        // RFC 4231 test case 2 (key "Jefe", data "what do ya want for nothing?")
        // checks the primitive; then the recipe's framing "TIMESTAMP.BODY".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let h = signature_header("whsec_k", 1_700_000_000, r#"{"id":"evt_1"}"#);
        // The same HMAC from Python's hmac module (docs/WEBHOOKS.md's recipe):
        // hmac.new(b"whsec_k", b'1700000000.{"id":"evt_1"}', sha256).hexdigest()
        assert_eq!(
            h,
            "t=1700000000,v1=b20c15c63eea49a0d45ac787a9dd24fc81ce3e2f66f1174f3c2772c509ba2e30"
        );
        assert!(verify("whsec_k", &h, r#"{"id":"evt_1"}"#));
        assert!(!verify("whsec_k", &h, r#"{"id":"evt_2"}"#));
        assert!(!verify("whsec_x", &h, r#"{"id":"evt_1"}"#));
        // The timestamp is signed too: changing it breaks the signature.
        let moved = h.replace("t=1700000000", "t=1700000001");
        assert!(!verify("whsec_k", &moved, r#"{"id":"evt_1"}"#));
    }

    #[test]
    fn urls_must_be_https_and_public_unless_the_host_is_allowed() {
        let c = config(&["127.0.0.1"]);
        let t = parse_url("https://hooks.example.com/sla?x=1", &c).unwrap();
        assert_eq!(
            (t.https, t.host.as_str(), t.port, t.path.as_str()),
            (true, "hooks.example.com", 443, "/sla?x=1")
        );
        assert!(parse_url("http://hooks.example.com/", &c).is_err());
        assert!(parse_url("ftp://hooks.example.com/", &c).is_err());
        assert!(parse_url("https://10.0.0.1/x", &c).is_err());
        assert!(parse_url("https://169.254.169.254/latest", &c).is_err());
        assert!(parse_url("https://[::1]/x", &c).is_err());
        assert!(parse_url("https://user:pw@hooks.example.com/", &c).is_err());
        assert!(parse_url("not a url", &c).is_err());
        let t = parse_url("http://127.0.0.1:9/hook", &c).unwrap();
        assert_eq!((t.https, t.port, t.path.as_str()), (false, 9, "/hook"));
    }

    #[test]
    fn forbidden_ranges() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.215.14", "1.1.1.1", "2606:4700::1111"] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn backoff_doubles_caps_at_an_hour_and_jitters_down_to_half() {
        // Base 1,000 ms: after 1 failure 1,000 ms, after 3 failures 4,000 ms
        // (full jitter byte 255), half of it with jitter 0.
        assert_eq!(backoff_ms(1000, 1, 255), 1000);
        assert_eq!(backoff_ms(1000, 3, 255), 4000);
        assert_eq!(backoff_ms(1000, 3, 0), 2000);
        assert_eq!(backoff_ms(1000, 30, 255), 3_600_000);
        assert_eq!(backoff_ms(1000, 400, 255), 3_600_000);
    }

    #[test]
    fn a_2xx_ends_retries_and_the_window_ends_them_as_failed() {
        let d = Delivery {
            id: 1,
            subscription_id: "s".into(),
            url: "u".into(),
            secret: "k".into(),
            event_id: "e".into(),
            event_type: PERIOD_BREACHED.into(),
            body: "{}".into(),
            attempts: 0,
            created_ms: 0,
        };
        assert_eq!(
            outcome(&d, Ok(204), 10, 1000, 255),
            Outcome::Delivered("204".into())
        );
        assert_eq!(
            outcome(&d, Ok(500), 10, 1000, 255),
            Outcome::Retry {
                next_ms: 1010,
                result: "HTTP 500".into()
            }
        );
        // A redirect is not followed: it is just not a 2xx.
        assert!(matches!(
            outcome(&d, Ok(302), 10, 1000, 255),
            Outcome::Retry { .. }
        ));
        let late = RETRY_WINDOW_MS - 10;
        assert_eq!(
            outcome(&d, Err("timeout".into()), late, 1000, 255),
            Outcome::Failed("timeout".into())
        );
    }
}
