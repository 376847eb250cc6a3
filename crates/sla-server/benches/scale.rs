//! The server at scale: 1,000 / 3,000 / 10,000 clients with a year of minute
//! telemetry each (hard links of acme's year), printing resident memory, the first
//! sweep's wall time and cold/warm claim latency; then the sweep's rate with one and
//! with two instances on PostgreSQL. Figures and goals are printed, never asserted.
//!
//! `cargo bench -p sla-server --bench scale --profile server [-- --sizes 1000,3000,10000 --pg-clients 3000]`

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sla_server::testkit::{serve, Running};

const BIN: &str = env!("CARGO_BIN_EXE_sla-server");
/// acme's contract (demo data) and a month of it that is not breached (April 2026:
/// a drill inside MW-4 and a 3-minute blip), so every claim for it is refused.
const CONTRACT: &str = "BS-2025-0042";
const NOT_BREACHED: &str = "2026-04";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn token(id: &str) -> String {
    format!("scale-token-{id}")
}

/// `n` clients `s00000…` in `data`, each a directory of hard links to acme's files.
fn clients(demo: &Path, data: &Path, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("s{i:05}")).collect();
    for id in &ids {
        let d = data.join(id);
        if d.exists() {
            continue;
        }
        std::fs::create_dir_all(&d).expect("client dir");
        for f in ["usage.json", "incidents.json", "policy.json"] {
            let from = demo.join("acme").join(f);
            if from.exists() {
                std::fs::hard_link(&from, d.join(f)).expect("hard link");
            }
        }
    }
    let tokens: Vec<Value> = ids
        .iter()
        .map(|id| json!({"client": id, "sha256": hex(&Sha256::digest(token(id).as_bytes()))}))
        .collect();
    std::fs::write(
        data.join("tokens.json"),
        json!({ "tokens": tokens }).to_string(),
    )
    .expect("tokens");
    ids
}

fn start(data: &Path, db: &str) -> Running {
    start_with(data, db, &[])
}

fn start_with(data: &Path, db: &str, extra: &[&str]) -> Running {
    let args = [
        OsStr::new("--data"),
        data.as_os_str(),
        OsStr::new("--db"),
        OsStr::new(db),
    ];
    serve(
        BIN,
        args.into_iter()
            .chain(["--max-connections", "4096"].map(OsStr::new))
            .chain(extra.iter().map(OsStr::new)),
    )
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn metric(a: &ureq::Agent, s: &Running, name: &str) -> f64 {
    let Ok(mut r) = a.get(format!("{}/metrics", s.base)).call() else {
        return 0.0;
    };
    let text = r.body_mut().read_to_string().unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn wait_full_pass(a: &ureq::Agent, s: &Running) {
    while metric(a, s, "sla_sweep_last_full_pass_timestamp_seconds") == 0.0 {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// VmHWM and VmRSS of the process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |f: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(f))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn refused_claim(a: &ureq::Agent, s: &Running, id: &str, n: u64) -> Duration {
    let body = json!({"schema": "sla-portal/claim/v1",
        "claim_id": format!("00000000-0000-4000-8000-{n:012x}"), "contract_id": CONTRACT,
        "periods": [NOT_BREACHED], "remedy": "contract_credit",
        "expected": {"units": 1, "contract_credit": 1},
        "contact": {"name": "Scale", "email": "s@example.com", "phone": "+86 10 1234 5678"}})
    .to_string();
    let t = Instant::now();
    let r = a
        .post(format!("{}/api/v1/claims", s.base))
        .header("Authorization", &format!("Bearer {}", token(id)))
        .send(body.as_bytes());
    let status = r.map(|mut r| {
        let _ = r.body_mut().read_to_vec();
        r.status().as_u16()
    });
    let took = t.elapsed();
    assert_eq!(
        status.ok(),
        Some(422),
        "the claim for {NOT_BREACHED} of {id}"
    );
    took
}

fn pct(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn one_size(demo: &Path, root: &Path, n: usize) {
    let data = root.join(format!("sqlite-{n}"));
    std::fs::create_dir_all(&data).expect("data");
    let ids = clients(demo, &data, n);
    let a = agent();
    let t0 = Instant::now();
    let s = start(&data, data.join("claims.db").to_str().expect("utf-8"));
    wait_full_pass(&a, &s);
    let sweep = t0.elapsed().as_secs_f64();
    let (hwm1, rss1) = memory(s.child.id());
    // A GET of the usage and a refused claim per client, two at a time (the cores).
    let chunks: Vec<Vec<String>> = ids.chunks(n.div_ceil(2)).map(|c| c.to_vec()).collect();
    std::thread::scope(|sc| {
        for chunk in &chunks {
            let (a, s) = (agent(), &s);
            sc.spawn(move || {
                for (i, id) in chunk.iter().enumerate() {
                    let r = a
                        .get(format!("{}/api/v1/usage", s.base))
                        .header("Authorization", &format!("Bearer {}", token(id)))
                        .call();
                    let ok = r.map(|mut r| {
                        let _ = r.body_mut().with_config().limit(64 << 20).read_to_vec();
                        r.status().as_u16()
                    });
                    assert_eq!(ok.ok(), Some(200), "GET usage of {id}");
                    refused_claim(&a, s, id, i as u64);
                }
            });
        }
    });
    let (hwm2, rss2) = memory(s.child.id());
    // Cold: clients from the start of the list, long evicted; warm: the same again.
    let sample = 200.min(n);
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for k in 0..sample {
        let id = &ids[k * (n / 2) / sample];
        cold.push(refused_claim(&a, &s, id, 1_000_000 + k as u64));
        warm.push(refused_claim(&a, &s, id, 2_000_000 + k as u64));
    }
    cold.sort();
    warm.sort();
    let hits = metric(&a, &s, "sla_cache_hits_total");
    let misses = metric(&a, &s, "sla_cache_misses_total");
    let bytes = metric(&a, &s, "sla_cache_bytes") / 1048576.0;
    println!(
        "{n:>6} clients  first sweep {sweep:>6.1} s ({:.0} clients/s)  after sweep VmHWM {hwm1:>6.0} MiB VmRSS {rss1:>6.0} MiB  after GET+claim each VmHWM {hwm2:>6.0} MiB VmRSS {rss2:>6.0} MiB  cold claim p50 {:>6.1} p99 {:>6.1} ms  warm p50 {:>5.1} p99 {:>5.1} ms  cache {bytes:.0} MiB, {hits} hits {misses} misses",
        n as f64 / sweep,
        pct(&cold, 50),
        pct(&cold, 99),
        pct(&warm, 50),
        pct(&warm, 99),
    );
    if n >= 10_000 {
        println!(
            "        goals: peak <= 1024 MiB ({}), first sweep <= 60 s ({}), warm p99 <= 20 ms ({}), cold p99 <= 60 ms ({})",
            if hwm2.max(hwm1) <= 1024.0 { "met" } else { "missed" },
            if sweep <= 60.0 { "met" } else { "missed" },
            if pct(&warm, 99) <= 20.0 { "met" } else { "missed" },
            if pct(&cold, 99) <= 60.0 { "met" } else { "missed" },
        );
    }
}

fn postgres(demo: &Path, root: &Path, n: usize) {
    let cluster = sla_server::testkit::PgCluster::start();
    let data = root.join(format!("pg-{n}"));
    std::fs::create_dir_all(&data).expect("data");
    clients(demo, &data, n);
    // Twice: with each instance's default concurrency (the cores: on a 2-core machine one
    // instance already uses both, so a second can only share them), and with one sweep task
    // per instance, where the second instance brings a core of its own, as it would on its
    // own machine. The second figure is the one that shows whether two instances divide the
    // work or repeat it.
    for (label, extra) in [
        ("default concurrency (the cores)", &[][..]),
        (
            "--sweep-concurrency 1 each",
            &["--sweep-concurrency", "1"][..],
        ),
    ] {
        let a = agent();
        let one_db = cluster.create_db();
        let t = Instant::now();
        let one = start_with(&data, &one_db, extra);
        wait_full_pass(&a, &one);
        let one_secs = t.elapsed().as_secs_f64();
        drop(one);
        let two_db = cluster.create_db();
        let t = Instant::now();
        let (x, y) = (
            start_with(&data, &two_db, extra),
            start_with(&data, &two_db, extra),
        );
        wait_full_pass(&a, &x);
        wait_full_pass(&a, &y);
        let two_secs = t.elapsed().as_secs_f64();
        let ex = metric(&a, &x, "sla_sweep_clients_evaluated_total");
        let ey = metric(&a, &y, "sla_sweep_clients_evaluated_total");
        let breaches = cluster.sql(&two_db, "SELECT count(*) FROM emitted_breaches");
        let want = 6 * n;
        println!(
            "PostgreSQL, {n} clients, {label}: one instance {one_secs:.1} s ({:.0} clients/s); two {two_secs:.1} s ({:.0} clients/s), {:.2}x (goal >= 1.7x); evaluated {ex} + {ey}; period.breached {breaches} (exact: {want}, six per client)",
            n as f64 / one_secs,
            n as f64 / two_secs,
            one_secs / two_secs,
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = arg("--sizes")
        .unwrap_or_else(|| "1000,3000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let pg: usize = arg("--pg-clients")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let root = std::env::temp_dir().join(format!("sla-scale-bench-{}", std::process::id()));
    let demo = root.join("demo");
    let ok = Command::new(BIN)
        .args(["demo-data", "--out"])
        .arg(&demo)
        .stdout(Stdio::null())
        .status()
        .expect("demo-data");
    assert!(ok.success());
    println!("scale: acme's year (3.3 MB of minute telemetry) per client, --cache-mb 256 (the default), SQLite");
    for n in sizes {
        one_size(&demo, &root, n);
    }
    if pg > 0 {
        postgres(&demo, &root, pg);
    }
    let _ = std::fs::remove_dir_all(&root);
}
