//! Loopback load: starts the real `sla-server` on 127.0.0.1 with a temp database
//! and the demo data, sends a bounded number of requests, and prints claims per
//! second and latency percentiles for `POST /api/v1/claims` and for
//! `GET /api/v1/usage` (a year of minute telemetry), with and without compression.
//!
//! `cargo bench -p sla-server --bench load [-- --clients 20 --requests 200 --concurrency 8]`

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_sla-server");
/// The acme months with a compensable outage (demo data): Feb, Mar, May, Jul, Sep 2026.
const CLAIMABLE: [&str; 5] = ["2026-02", "2026-03", "2026-05", "2026-07", "2026-09"];

struct Opts {
    clients: usize,
    requests: usize,
    concurrency: usize,
}

fn opts() -> Opts {
    let mut o = Opts {
        clients: 20,
        requests: 200,
        concurrency: 8,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        let v = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i].as_str(), v) {
            ("--clients", Some(v)) => o.clients = v,
            ("--requests", Some(v)) => o.requests = v,
            ("--concurrency", Some(v)) => o.concurrency = v,
            _ => {
                i += 1; // `--bench` from cargo, and anything else, is ignored
                continue;
            }
        }
        i += 2;
    }
    o.concurrency = o.concurrency.max(1);
    o
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// One request: status and body bytes.
fn send(
    a: &ureq::Agent,
    url: &str,
    token: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Vec<u8>) {
    let auth = format!("Bearer {token}");
    let r = match body {
        Some(b) => {
            let mut req = a.post(url).header("Authorization", &auth);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.send(b.as_bytes())
        }
        None => {
            let mut req = a.get(url).header("Authorization", &auth);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()
        }
    };
    match r {
        Ok(mut r) => {
            let s = r.status().as_u16();
            let b = r
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_vec()
                .unwrap_or_default();
            (s, b)
        }
        Err(e) => panic!("{url}: {e}"),
    }
}

/// One timed request: its status and the bytes of its answer.
type Job = Box<dyn FnOnce(&ureq::Agent) -> (u16, usize) + Send>;

struct Stats {
    n: usize,
    secs: f64,
    lat: Vec<Duration>,
    bytes: usize,
}

fn pct(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank: the smallest value with at least p % of samples at or below it.
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn print(label: &str, unit: &str, s: &mut Stats, conc: usize) {
    s.lat.sort();
    println!(
        "{label:<58} {:>5} req, {conc} concurrent: {:>8.1} {unit}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({:.2} MB/response)",
        s.n,
        s.n as f64 / s.secs,
        pct(&s.lat, 50),
        pct(&s.lat, 99),
        pct(&s.lat, 100),
        s.bytes as f64 / s.n.max(1) as f64 / 1e6,
    );
}

/// Runs `jobs` on `conc` threads, each job timed separately.
fn run(jobs: Vec<Job>, conc: usize, want: u16) -> Stats {
    let n = jobs.len();
    let queue = Arc::new(std::sync::Mutex::new(jobs));
    let bad = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..conc)
        .map(|_| {
            let (queue, bad) = (queue.clone(), bad.clone());
            std::thread::spawn(move || {
                let a = agent();
                let mut lat = Vec::new();
                let mut bytes = 0;
                loop {
                    let job = queue.lock().ok().and_then(|mut q| q.pop());
                    let Some(job) = job else { break };
                    let t = Instant::now();
                    let (status, len) = job(&a);
                    lat.push(t.elapsed());
                    bytes += len;
                    if status != want {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
                (lat, bytes)
            })
        })
        .collect();
    let mut lat = Vec::with_capacity(n);
    let mut bytes = 0;
    for t in threads {
        let (l, b) = t.join().expect("load thread");
        lat.extend(l);
        bytes += b;
    }
    let secs = start.elapsed().as_secs_f64();
    let bad = bad.load(Ordering::Relaxed);
    assert_eq!(bad, 0, "{bad} of {n} answers were not {want}");
    Stats {
        n,
        secs,
        lat,
        bytes,
    }
}

fn setup(dir: &Path, clients: usize) -> Vec<(String, String, String)> {
    let data = dir.join("data");
    let ok = Command::new(BIN)
        .args(["demo-data", "--out"])
        .arg(&data)
        .stdout(Stdio::null())
        .status()
        .expect("demo-data");
    assert!(ok.success());
    // Copies of acme's year under distinct contract ids: a period is claimable
    // once per contract, and each copy has five.
    let usage = std::fs::read_to_string(data.join("acme/usage.json")).expect("usage");
    let incidents = std::fs::read(data.join("acme/incidents.json")).expect("incidents");
    let mut out = Vec::new();
    for i in 0..clients {
        let id = format!("load{i:03}");
        let contract = format!("BS-LOAD-{i:03}");
        let d = data.join(&id);
        std::fs::create_dir_all(&d).expect("client dir");
        std::fs::write(
            d.join("usage.json"),
            usage.replacen("\"BS-2025-0042\"", &format!("\"{contract}\""), 1),
        )
        .expect("write usage");
        std::fs::write(d.join("incidents.json"), &incidents).expect("write incidents");
        out.push((id.clone(), contract, format!("load-token-{id}")));
    }
    let mut tokens: Vec<Value> = out
        .iter()
        .map(|(id, _, t)| json!({"client": id, "sha256": hex(&Sha256::digest(t.as_bytes()))}))
        .collect();
    let acme = std::fs::read_to_string(data.join("demo-token.txt")).expect("demo token");
    tokens.push(json!({"client": "acme", "sha256": hex(&Sha256::digest(acme.trim().as_bytes()))}));
    std::fs::write(
        data.join("tokens.json"),
        json!({ "tokens": tokens }).to_string(),
    )
    .expect("tokens");
    out.push((
        "acme".into(),
        "BS-2025-0042".into(),
        acme.trim().to_string(),
    ));
    out
}

fn claim_body(id: &str, contract: &str, period: &str, credit: u64) -> String {
    json!({"schema": "sla-portal/claim/v1", "claim_id": id, "contract_id": contract,
           "periods": [period], "remedy": "contract_credit",
           "expected": {"units": 1, "contract_credit": credit},
           "contact": {"name": "Load", "email": "load@example.com", "phone": "+86 10 1234 5678"}})
    .to_string()
}

fn main() {
    let o = opts();
    let dir = std::env::temp_dir().join(format!("sla-server-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let clients = setup(&dir, o.clients);
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(dir.join("data"))
        .arg("--db")
        .arg(dir.join("claims.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    let base = line
        .trim()
        .strip_prefix("sla-server listening on ")
        .expect("listening line")
        .to_string();
    let claims_url = format!("{base}/api/v1/claims");
    let usage_url = format!("{base}/api/v1/usage");
    let a = agent();
    let load: Vec<_> = clients.iter().filter(|c| c.0 != "acme").cloned().collect();
    println!(
        "sla-server loopback load: {} clients with a year of minute telemetry each, {} CPUs",
        load.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    // First claim of a client: reads and parses its year, then evaluates.
    let t = Instant::now();
    let (s, b) = send(
        &a,
        &claims_url,
        &load[0].2,
        Some(&claim_body(
            "00000000-0000-4000-8000-000000000000",
            &load[0].1,
            CLAIMABLE[0],
            0,
        )),
        &[],
    );
    assert_eq!(s, 422);
    println!(
        "cold first claim (read + parse + evaluate a year): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    assert!(!b.is_empty());
    // The server's figures per period, from its own refusals (422 details.granted).
    let mut credit = Vec::new();
    for p in CLAIMABLE {
        let (s, b) = send(
            &a,
            &claims_url,
            &load[0].2,
            Some(&claim_body(
                "00000000-0000-4000-8000-000000000001",
                &load[0].1,
                p,
                0,
            )),
            &[],
        );
        assert_eq!(s, 422);
        let v: Value = serde_json::from_slice(&b).expect("json");
        credit.push(
            v["error"]["details"]["granted"]["contract_credit"]
                .as_u64()
                .expect("credit"),
        );
    }

    // Every client's year parsed once, so the timed runs measure steady state.
    for (_, contract, token) in &load {
        let b = claim_body(
            "00000000-0000-4000-8000-000000000002",
            contract,
            CLAIMABLE[0],
            0,
        );
        assert_eq!(send(&a, &claims_url, token, Some(&b), &[]).0, 422);
    }

    // Refused claims: a full evaluation each, nothing written.
    let mut jobs: Vec<Job> = Vec::new();
    for i in 0..o.requests {
        let (_, contract, token) = load[i % load.len()].clone();
        let url = claims_url.clone();
        jobs.push(Box::new(move |a| {
            let b = claim_body(
                &format!("00000000-0000-4000-8000-{:012x}", 10 + i),
                &contract,
                CLAIMABLE[i % 5],
                1,
            );
            let (s, r) = send(a, &url, &token, Some(&b), &[]);
            (s, r.len())
        }));
    }
    let mut st = run(jobs, o.concurrency, 422);
    print(
        "POST /api/v1/claims refused 422 (evaluate a year)",
        "claims",
        &mut st,
        o.concurrency,
    );

    // Filed claims: evaluate, then a durable SQLite commit each.
    let mut jobs: Vec<Job> = Vec::new();
    let mut filed = Vec::new();
    for (c, (_, contract, token)) in load.iter().enumerate() {
        for (k, p) in CLAIMABLE.iter().enumerate() {
            let id = format!("00000000-0000-4000-9000-{:06x}{:06x}", c, k);
            let body = claim_body(&id, contract, p, credit[k]);
            filed.push((token.clone(), body.clone()));
            let (url, token) = (claims_url.clone(), token.clone());
            jobs.push(Box::new(move |a| {
                let (s, r) = send(a, &url, &token, Some(&body), &[]);
                (s, r.len())
            }));
        }
    }
    let mut st = run(jobs, o.concurrency, 201);
    print(
        "POST /api/v1/claims filed 201 (evaluate + durable commit)",
        "claims",
        &mut st,
        o.concurrency,
    );

    // Retries of filed claims: a lookup, no evaluation.
    let mut jobs: Vec<Job> = Vec::new();
    for (token, body) in filed {
        let url = claims_url.clone();
        jobs.push(Box::new(move |a| {
            let (s, r) = send(a, &url, &token, Some(&body), &[]);
            (s, r.len())
        }));
    }
    let mut st = run(jobs, o.concurrency, 200);
    print(
        "POST /api/v1/claims retry 200 (idempotent replay)",
        "claims",
        &mut st,
        o.concurrency,
    );

    let acme = clients.last().expect("acme").2.clone();
    let (_, raw) = send(&a, &usage_url, &acme, None, &[]);
    println!("usage.json: {:.2} MB", raw.len() as f64 / 1e6);
    for enc in ["gzip", "br"] {
        let t = Instant::now();
        send(&a, &usage_url, &acme, None, &[("Accept-Encoding", enc)]);
        println!(
            "first {enc} response (compresses once per file version): {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    let etag = {
        let r = a
            .get(&usage_url)
            .header("Authorization", format!("Bearer {acme}"))
            .call()
            .expect("usage");
        r.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    for (label, enc, want) in [
        ("GET /api/v1/usage identity", "identity", 200u16),
        ("GET /api/v1/usage Accept-Encoding: gzip", "gzip", 200),
        ("GET /api/v1/usage Accept-Encoding: br", "br", 200),
        ("GET /api/v1/usage If-None-Match (304)", "", 304),
    ] {
        let mut jobs: Vec<Job> = Vec::new();
        for _ in 0..o.requests {
            let (url, token, etag) = (usage_url.clone(), acme.clone(), etag.clone());
            jobs.push(Box::new(move |a| {
                let h: Vec<(&str, &str)> = if enc.is_empty() {
                    vec![("If-None-Match", etag.as_str())]
                } else {
                    vec![("Accept-Encoding", enc)]
                };
                let (s, r) = send(a, &url, &token, None, &h);
                (s, r.len())
            }));
        }
        let mut st = run(jobs, o.concurrency, want);
        print(label, "req", &mut st, o.concurrency);
    }

    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
