//! What the integration tests share: temp data sets written by hand, the real
//! `sla-server` binary started on a loopback port, and a small HTTP client.
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod prom;
pub mod receiver;

/// The throwaway PostgreSQL cluster, from the library's test support.
#[allow(unused_imports)] // each test binary uses a different part of this module
pub use sla_server::testkit as pg;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const BIN: &str = env!("CARGO_BIN_EXE_sla-server");

pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let d = std::env::temp_dir().join(format!(
        "sla-server-it-{name}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The token the tests give client `id`.
pub fn token_of(id: &str) -> String {
    format!("test-token-{id}")
}

pub fn write_tokens(dir: &Path, clients: &[&str]) {
    write_tokens_with_operators(dir, clients, &[]);
}

/// Client tokens plus operator tokens (`"role": "operator"`), each `token_of(name)`.
pub fn write_tokens_with_operators(dir: &Path, clients: &[&str], operators: &[&str]) {
    let tokens: Vec<Value> =
        clients
            .iter()
            .map(|c| json!({"client": c, "sha256": sha256_hex(&token_of(c))}))
            .chain(operators.iter().map(
                |o| json!({"client": o, "role": "operator", "sha256": sha256_hex(&token_of(o))}),
            ))
            .collect();
    std::fs::write(
        dir.join("tokens.json"),
        json!({ "tokens": tokens }).to_string(),
    )
    .expect("tokens.json");
}

/// A 2025 contract `contract` with no telemetry (every minute counts as up) and a
/// declared 30-minute outage on the 10th of each month in `outage_months`
/// (1-based); 300 contracts signed every month.
///
/// Worked by hand: a 31-day month has 44,640 minutes and a 30-day one 43,200;
/// 30 unavailable minutes give 99.93279 % and 99.93055 %, under 99.99 %, so each
/// such month is breached with one compensable outage, one unit. The monthly
/// average of a year of 300s is 300, so one month's contract credit is 300, and
/// one month's service extension moves 2025-12-31 to 2026-01-31.
pub fn write_client(dir: &Path, id: &str, contract: &str, outage_months: &[u32]) {
    let d = dir.join(id);
    std::fs::create_dir_all(&d).expect("client dir");
    let outages: Vec<Value> = outage_months
        .iter()
        .map(|m| {
            json!({"id": format!("P-{m}"),
                   "start": format!("2025-{m:02}-10T10:00:00+08:00"),
                   "end": format!("2025-{m:02}-10T10:30:00+08:00")})
        })
        .collect();
    let signing: Vec<Value> = (1..=12)
        .map(|m| json!({"month": format!("2025-{m:02}"), "signed": 300, "failed": 1}))
        .collect();
    let usage = json!({
        "schema": "sla-portal/usage/v1",
        "client": {"id": id, "name": format!("Client {id}")},
        "contract": {"id": contract, "service_start": "2025-01-01",
                     "service_end": "2025-12-31", "timezone": "+08:00"},
        "telemetry": [], "outages": outages, "signing": signing,
    });
    std::fs::write(d.join("usage.json"), usage.to_string()).expect("usage");
    std::fs::write(
        d.join("incidents.json"),
        r#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#,
    )
    .expect("incidents");
}

/// A UUID v4 made from two numbers, so each test names its claims.
pub fn uuid(a: u32, b: u64) -> String {
    format!("{a:08x}-0000-4000-8000-{b:012x}")
}

pub fn claim(id: &str, contract: &str, periods: &[&str], units: u64, credit: u64) -> String {
    json!({
        "schema": "sla-portal/claim/v1", "claim_id": id, "contract_id": contract,
        "periods": periods, "remedy": "contract_credit",
        "expected": {"units": units, "contract_credit": credit},
        "contact": {"name": "王敏", "email": "wm@example.com", "phone": "+86 138 0000 0000"},
        "note": "",
    })
    .to_string()
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `sla-server serve` on a free loopback port and waits for the line
    /// that says where it listens (no sleeping, no port guessing).
    pub fn start(data: &Path, db: &Path, extra: &[&str]) -> Server {
        Server::start_db(
            data,
            db.to_str().expect("utf-8 path"),
            db.with_extension("log"),
            extra,
        )
    }

    /// Like `start`, with `--db` as given (a PostgreSQL URL) and the log at `log`.
    pub fn start_db(data: &Path, db: &str, log: PathBuf, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--data"])
            .arg(data)
            .arg("--db")
            .arg(db)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start sla-server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let Some(base) = line.trim().strip_prefix("sla-server listening on ") else {
            let _ = child.kill();
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("sla-server did not start: {line:?}\n{log_text}");
        };
        Server {
            base: base.to_string(),
            child,
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply, ureq::Error> {
    let mut r = r?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.body_mut().with_config().limit(64 << 20).read_to_vec()?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

pub fn try_get(
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<Reply, ureq::Error> {
    let mut req = agent().get(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    reply(req.call())
}

pub fn get(url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Reply {
    try_get(url, token, headers).expect("GET")
}

pub fn try_post(url: &str, token: Option<&str>, body: &str) -> Result<Reply, ureq::Error> {
    let mut req = agent().post(url).header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    reply(req.send(body.as_bytes()))
}

pub fn post(url: &str, token: Option<&str>, body: &str) -> Reply {
    try_post(url, token, body).expect("POST")
}

pub fn post_with(url: &str, token: Option<&str>, body: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = agent().post(url).header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    reply(req.send(body.as_bytes())).expect("POST")
}

/// An operator decision as the console sends it: `status_url` is the claim's
/// `…/status` route; the claim is read first for its `ETag`, sent as `If-Match`
/// (none when the read fails, so the answer is the route's own refusal).
pub fn decide(status_url: &str, token: Option<&str>, body: &str) -> Reply {
    let page = status_url.strip_suffix("/status").expect("a …/status URL");
    let r = get(page, token, &[]);
    match r.header("etag") {
        Some(tag) => {
            let tag = tag.to_string();
            post_with(status_url, token, body, &[("If-Match", &tag)])
        }
        None => post(status_url, token, body),
    }
}

/// Runs the binary's operator command and returns (success, stdout, stderr).
pub fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("run sla-server");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn delete(url: &str, token: Option<&str>) -> Reply {
    let mut req = agent().delete(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    reply(req.call()).expect("DELETE")
}

/// Waits for `cond` to hold, checking every 20 ms, and fails after `secs`
/// seconds with `what`: a condition with a deadline, never a fixed sleep.
pub fn wait_for(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A figure of `/metrics` (the sample without labels).
pub fn metric(s: &Server, name: &str) -> f64 {
    let r = get(&s.url("/metrics"), None, &[]);
    assert_eq!(r.status, 200);
    let text = String::from_utf8_lossy(&r.body).to_string();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} not in /metrics"))
}

/// A PUT with a JSON body.
pub fn put(url: &str, token: Option<&str>, body: &str) -> Reply {
    let mut req = agent().put(url).header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    reply(req.send(body.as_bytes())).expect("PUT")
}
