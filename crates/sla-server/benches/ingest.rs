//! The ingestion rate (a year of minutes posted in day segments through the
//! operator API, on SQLite and PostgreSQL) and the Prometheus pull rate (a
//! backfilled month pulled by `sla-server pull --once`), against the real server.
//! Figures are printed, never asserted.
//!
//! `cargo bench -p sla-server --bench ingest --profile server`

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use sha2::{Digest, Sha256};
use sla_server::testkit::{serve, PgCluster};

const BIN: &str = env!("CARGO_BIN_EXE_sla-server");
/// 2025-01-01T00:00:00Z.
const YEAR_START: i64 = 1_735_689_600;
const OPERATOR_TOKEN: &str = "bench-operator-token";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sla-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write_tokens(dir: &Path) {
    let tokens = json!({"tokens": [
        {"client": "acme", "sha256": hex(&Sha256::digest(b"bench-client-token"))},
        {"client": "ops", "role": "operator", "sha256": hex(&Sha256::digest(OPERATOR_TOKEN.as_bytes()))},
    ]});
    std::fs::write(dir.join("tokens.json"), tokens.to_string()).expect("tokens");
}

fn usage() -> String {
    json!({"schema": "sla-portal/usage/v1", "client": {"id": "acme", "name": "Acme"},
           "contract": {"id": "K-ACME", "service_start": "2025-01-01", "service_end": "2025-12-31",
                        "timezone": "+00:00"}, "telemetry": []})
    .to_string()
}

fn send(a: &ureq::Agent, method: &str, url: &str, body: &str) -> u16 {
    let auth = format!("Bearer {OPERATOR_TOKEN}");
    let r = match method {
        "PUT" => a
            .put(url)
            .header("Authorization", &auth)
            .send(body.as_bytes()),
        _ => a
            .post(url)
            .header("Authorization", &auth)
            .send(body.as_bytes()),
    };
    r.map(|r| r.status().as_u16()).unwrap_or(0)
}

fn instant(t: i64) -> String {
    // RFC 3339 in UTC from days and seconds, by the civil-from-days algorithm.
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn ingest(label: &str, dir: &Path, db: &str) {
    let s = serve(
        BIN,
        [
            "--data",
            dir.to_str().expect("utf-8"),
            "--db",
            db,
            "--documents",
            "db",
        ],
    );
    let a = agent();
    let base = format!("{}/api/v1/operator/clients/acme/contracts/acme", s.base);
    assert_eq!(
        send(&a, "PUT", &format!("{base}/documents/usage"), &usage()),
        200
    );
    let day: Vec<u32> = vec![100; 1440];
    let ok: Vec<u32> = vec![99; 1440];
    let bodies: Vec<String> = (0..365)
        .map(|d| {
            json!({"segments": [{"start": instant(YEAR_START + d * 86_400), "total": day, "ok": ok}]})
                .to_string()
        })
        .collect();
    let mut each = Vec::with_capacity(bodies.len());
    let t0 = Instant::now();
    for b in &bodies {
        let t = Instant::now();
        assert_eq!(send(&a, "POST", &format!("{base}/telemetry"), b), 200);
        each.push(t.elapsed());
    }
    let secs = t0.elapsed().as_secs_f64();
    each.sort();
    println!(
        "ingest {label}: 525,600 minutes in 365 day posts: {secs:.2} s, {:.0} minutes/s, median {:.1} ms, p99 {:.1} ms per post",
        525_600.0 / secs,
        each[each.len() / 2].as_secs_f64() * 1000.0,
        each[each.len() * 99 / 100].as_secs_f64() * 1000.0
    );
}

fn pull_rate() {
    if Command::new("promtool").arg("--version").output().is_err() {
        println!("pull: skipped (no promtool; scripts/bootstrap installs Debian's prometheus)");
        return;
    }
    let dir = temp("pull");
    // A month of two counters, a sample at every minute boundary.
    let start = 1_740_787_200i64;
    let minutes = 44_640i64;
    let mut om = String::new();
    for (family, inc) in [("req", 100u64), ("req_ok", 99)] {
        om.push_str(&format!("# TYPE {family} counter\n"));
        for k in 0..=minutes {
            om.push_str(&format!(
                "{family}_total {} {}\n",
                k as u64 * inc,
                start + k * 60
            ));
        }
    }
    om.push_str("# EOF\n");
    std::fs::write(dir.join("c.om"), om).expect("om");
    let st = Command::new("promtool")
        .args([
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--quiet",
            "--max-block-duration=2000h",
        ])
        .arg(dir.join("c.om"))
        .arg(dir.join("tsdb"))
        .status()
        .expect("promtool");
    assert!(st.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    std::fs::write(dir.join("p.yml"), "global:\n  scrape_interval: 1h\n").expect("config");
    let mut prom = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.join("p.yml").display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--storage.tsdb.retention.time=10y")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus");
    let a = agent();
    let ready = format!("http://127.0.0.1:{port}/-/ready");
    let t = Instant::now();
    while a
        .get(&ready)
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
        != 200
    {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "prometheus not ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("acme")).expect("tree");
    std::fs::write(tree.join("acme/usage.json"), usage()).expect("usage");
    let db = dir.join("claims.db");
    let db = db.to_str().expect("utf-8");
    let out = Command::new(BIN)
        .args([
            "import",
            "--db",
            db,
            "--data",
            tree.to_str().expect("utf-8"),
        ])
        .output()
        .expect("import");
    assert!(out.status.success());
    let sources = dir.join("sources.json");
    std::fs::write(
        &sources,
        json!({"schema": "sla-portal/sources/v1", "prometheus": {"url": format!("http://127.0.0.1:{port}")},
               "contracts": [{"client": "acme", "contract": "acme",
                              "total": "sum(increase(req_total[1m]))", "ok": "sum(increase(req_ok_total[1m]))",
                              "since": "2025-03-01T00:00:00Z"}]})
        .to_string(),
    )
    .expect("sources");
    let t = Instant::now();
    let out = Command::new(BIN)
        .args([
            "pull",
            "--once",
            "--db",
            db,
            "--sources",
            sources.to_str().expect("utf-8"),
        ])
        .args(["--until", "2025-04-01T00:00:00Z"])
        .output()
        .expect("pull");
    let secs = t.elapsed().as_secs_f64();
    let _ = prom.kill();
    let _ = prom.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "pull (SQLite): {} in {secs:.2} s: {:.0} minutes/s (5 query_range chunks × 2 series, process start included)",
        String::from_utf8_lossy(&out.stdout).trim(),
        minutes as f64 / secs
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let dir = temp("ingest-sqlite");
    write_tokens(&dir);
    let db = dir.join("claims.db");
    ingest("(SQLite)", &dir, db.to_str().expect("utf-8"));
    let pg = PgCluster::start();
    let dir = temp("ingest-pg");
    write_tokens(&dir);
    ingest("(PostgreSQL)", &dir, &pg.create_db());
    drop(pg);
    pull_rate();
}
