//! Loopback load: starts the real `sla-server` on 127.0.0.1 with temp databases
//! and the demo data, sends a bounded number of requests, and prints claims per
//! second and latency percentiles for `POST /api/v1/claims` and for
//! `GET /api/v1/usage` (a year of minute telemetry), with and without compression.
//! Filed claims are measured on three stores in the same run, on the same disk,
//! rounds interleaved: SQLite with group commit (the default), SQLite with one
//! transaction per claim (`--sqlite-writer naive`, same pragmas), and PostgreSQL
//! in a throwaway cluster (fsync and synchronous_commit on).
//!
//! `cargo bench -p sla-server --bench load [-- --clients 20 --requests 200 --concurrency 8 --rounds 5]`

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sla_server::testkit::{serve, Running};

const BIN: &str = env!("CARGO_BIN_EXE_sla-server");
/// The acme months with a compensable outage (demo data): Feb, Mar, May, Jul, Sep 2026.
const CLAIMABLE: [&str; 5] = ["2026-02", "2026-03", "2026-05", "2026-07", "2026-09"];

struct Opts {
    clients: usize,
    requests: usize,
    concurrency: usize,
    rounds: usize,
}

fn opts() -> Opts {
    let mut o = Opts {
        clients: 20,
        requests: 200,
        concurrency: 8,
        rounds: 5,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        let v = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i].as_str(), v) {
            ("--clients", Some(v)) => o.clients = v,
            ("--requests", Some(v)) => o.requests = v,
            ("--concurrency", Some(v)) => o.concurrency = v,
            ("--rounds", Some(v)) => o.rounds = v,
            _ => {
                i += 1; // `--bench` from cargo, and anything else, is ignored
                continue;
            }
        }
        i += 2;
    }
    o.concurrency = o.concurrency.max(1);
    o.rounds = o.rounds.max(1);
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

/// Starts `sla-server serve` with `--db db` (and `extra`) over the demo data.
fn start(dir: &Path, db: &str, extra: &[&str]) -> Running {
    let data = dir.join("data");
    let mut args = vec![
        OsStr::new("--data"),
        data.as_os_str(),
        OsStr::new("--db"),
        OsStr::new(db),
    ];
    args.extend(extra.iter().map(OsStr::new));
    serve(BIN, args)
}

/// Every client's year parsed once (a refused claim each), so the timed runs
/// measure steady state.
fn warm(a: &ureq::Agent, claims_url: &str, load: &[(String, String, String)]) {
    for (_, contract, token) in load {
        let b = claim_body(
            "00000000-0000-4000-8000-000000000002",
            contract,
            CLAIMABLE[0],
            0,
        );
        assert_eq!(send(a, claims_url, token, Some(&b), &[]).0, 422);
    }
}

/// Files every claimable period of every load client once; returns the timing.
fn file_all(
    claims_url: &str,
    load: &[(String, String, String)],
    credit: &[u64],
    conc: usize,
) -> (Stats, Vec<(String, String)>) {
    let mut jobs: Vec<Job> = Vec::new();
    let mut filed = Vec::new();
    for (c, (_, contract, token)) in load.iter().enumerate() {
        for (k, p) in CLAIMABLE.iter().enumerate() {
            let id = format!("00000000-0000-4000-9000-{:06x}{:06x}", c, k);
            let body = claim_body(&id, contract, p, credit[k]);
            filed.push((token.clone(), body.clone()));
            let (url, token) = (claims_url.to_string(), token.clone());
            jobs.push(Box::new(move |a| {
                let (s, r) = send(a, &url, &token, Some(&body), &[]);
                (s, r.len())
            }));
        }
    }
    (run(jobs, conc, 201), filed)
}

fn main() {
    let o = opts();
    let dir = std::env::temp_dir().join(format!("sla-server-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let clients = setup(&dir, o.clients);
    let sqlite_db = |name: &str| dir.join(name).to_str().expect("utf-8 path").to_string();
    let server = start(&dir, &sqlite_db("claims.db"), &[]);
    let claims_url = format!("{}/api/v1/claims", server.base);
    let usage_url = format!("{}/api/v1/usage", server.base);
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
    warm(&a, &claims_url, &load);

    // Refused claims: nothing written. The server memoises each client's report
    // for the second it was computed in, so this measures the check and the
    // memo; the cold first claim above is the cost of one evaluation of a year.
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
        "POST /api/v1/claims refused 422 (report memoised per s)",
        "claims",
        &mut st,
        o.concurrency,
    );

    // Filed claims: evaluate, then a durable commit each, on each store. One
    // round files every claimable period once into a fresh database; rounds
    // alternate between the stores so that a busy moment hits all three alike.
    let cluster = sla_server::testkit::PgCluster::start();
    let stores = [
        "SQLite, group commit",
        "SQLite, naive (one transaction per claim)",
        "PostgreSQL (loopback, fsync on)",
    ];
    let mut results: Vec<Stats> = stores
        .iter()
        .map(|_| Stats {
            n: 0,
            secs: 0.0,
            lat: Vec::new(),
            bytes: 0,
        })
        .collect();
    for round in 0..o.rounds {
        for (k, total) in results.iter_mut().enumerate() {
            let r = match k {
                0 => start(&dir, &sqlite_db(&format!("group-{round}.db")), &[]),
                1 => start(
                    &dir,
                    &sqlite_db(&format!("naive-{round}.db")),
                    &["--sqlite-writer", "naive"],
                ),
                _ => start(&dir, &cluster.create_db(), &[]),
            };
            let url = format!("{}/api/v1/claims", r.base);
            warm(&a, &url, &load);
            let (st, _) = file_all(&url, &load, &credit, o.concurrency);
            total.n += st.n;
            total.secs += st.secs;
            total.lat.extend(st.lat);
            total.bytes += st.bytes;
        }
    }
    for (label, st) in stores.iter().zip(results.iter_mut()) {
        print(
            &format!("POST /api/v1/claims filed 201, {label}"),
            "claims",
            st,
            o.concurrency,
        );
    }
    let rate = |s: &Stats| s.n as f64 / s.secs.max(1e-9);
    println!(
        "group commit vs naive SQLite: {:.2}x the claims/s ({} rounds of {} claims each)",
        rate(&results[0]) / rate(&results[1]).max(1e-9),
        o.rounds,
        results[0].n / o.rounds
    );

    // Retries of filed claims: a lookup, no evaluation. The claims are filed on
    // the first server first (untimed).
    let (_, filed) = file_all(&claims_url, &load, &credit, o.concurrency);
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

    drop(server);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}
