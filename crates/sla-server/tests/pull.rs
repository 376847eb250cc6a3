//! The Prometheus pull against a real Prometheus: a month of counters with known
//! per-minute increments, backfilled; the telemetry pulled must equal them for
//! every minute, and a Prometheus that stops mid-pull leaves no invented minute.
//!
//! The counters, by hand: March 2025 (44,640 minutes from 2025-03-01T00:00:00Z),
//! one sample of each counter at every minute boundary. Minute `m` adds
//! `total(m) = 100 + 3 × (m mod 7)` requests and `ok(m) = total(m) − 30` when
//! `m mod 97 = 0`, else `total(m) − (m mod 3)`. The samples at boundary 2,000 are
//! left out, so minutes 1,999 and 2,000 have only one sample each in their window
//! and no increase: 44,638 minutes with data, 2 without. The recommended PromQL
//! is `sum(increase(COUNTER[1m]))`.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::pg::PgCluster;
use common::prom::{backfill, Prometheus};
use common::*;
use serde_json::{json, Value};

/// 2025-03-01T00:00:00Z.
const START: i64 = 1_740_787_200;
const MINUTES: i64 = 44_640;
const GAP_BOUNDARY: i64 = 2_000;

fn total(m: i64) -> u32 {
    (100 + 3 * (m % 7)) as u32
}

fn ok(m: i64) -> u32 {
    total(m) - if m % 97 == 0 { 30 } else { (m % 3) as u32 }
}

/// The counts Prometheus must give back: minute (from START) → (total, ok).
fn known() -> BTreeMap<i64, (u32, u32)> {
    (0..MINUTES)
        .filter(|m| *m != GAP_BOUNDARY - 1 && *m != GAP_BOUNDARY)
        .map(|m| (m, (total(m), ok(m))))
        .collect()
}

fn openmetrics() -> String {
    let mut out = String::new();
    for (family, per_minute) in [("req", total as fn(i64) -> u32), ("req_ok", ok)] {
        out.push_str(&format!("# TYPE {family} counter\n"));
        let mut c: u64 = 0;
        for k in 0..=MINUTES {
            if k > 0 {
                c += u64::from(per_minute(k - 1));
            }
            if k != GAP_BOUNDARY {
                out.push_str(&format!("{family}_total {c} {}\n", START + k * 60));
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

struct Setup {
    dir: std::path::PathBuf,
    db: String,
    sources: String,
    prom: Prometheus,
    _pg: Option<Arc<PgCluster>>,
}

fn setup(name: &str, pg: Option<Arc<PgCluster>>) -> Setup {
    let dir = temp_dir(name);
    let tsdb = backfill(&dir, &openmetrics());
    let prom = Prometheus::start(&dir, &tsdb);
    let db = match &pg {
        Some(pg) => pg.create_db(),
        None => dir.join("claims.db").to_str().expect("utf-8").to_string(),
    };
    // acme's usage document (no telemetry) and its tokens, through import.
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("acme")).expect("tree");
    let usage = json!({"schema": "sla-portal/usage/v1", "client": {"id": "acme", "name": "Acme"},
        "contract": {"id": "K-ACME", "service_start": "2025-01-01", "service_end": "2025-12-31",
                     "timezone": "+00:00"}, "telemetry": []});
    std::fs::write(tree.join("acme/usage.json"), usage.to_string()).expect("usage");
    std::fs::write(
        tree.join("acme/incidents.json"),
        r#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#,
    )
    .expect("incidents");
    let (good, _, err) = cli(&[
        "import",
        "--db",
        &db,
        "--data",
        tree.to_str().expect("utf-8"),
    ]);
    assert!(good, "{err}");
    write_tokens(&dir, &["acme"]);
    let sources = dir.join("sources.json");
    std::fs::write(
        &sources,
        json!({"schema": "sla-portal/sources/v1", "prometheus": {"url": prom.url()},
               "contracts": [{"client": "acme", "contract": "acme",
                              "total": "sum(increase(req_total[1m]))",
                              "ok": "sum(increase(req_ok_total[1m]))",
                              "since": "2025-03-01T00:00:00Z"}]})
        .to_string(),
    )
    .expect("sources");
    Setup {
        dir,
        db,
        sources: sources.to_str().expect("utf-8").to_string(),
        prom,
        _pg: pg,
    }
}

fn pull(s: &Setup, until: &str) -> (bool, String, String) {
    cli(&[
        "pull",
        "--once",
        "--db",
        &s.db,
        "--sources",
        &s.sources,
        "--until",
        until,
    ])
}

/// The telemetry stored for acme, minute (from START) → (total, ok), read back
/// through a server serving from the database.
fn stored(s: &Setup) -> BTreeMap<i64, (u32, u32)> {
    let server = Server::start_db(
        &s.dir,
        &s.db,
        s.dir.join("reader.log"),
        &["--documents", "db"],
    );
    let u: Value = get(&server.url("/api/v1/usage"), Some(&token_of("acme")), &[]).json();
    let mut out = BTreeMap::new();
    for seg in u["telemetry"].as_array().expect("telemetry") {
        let start = chrono_seconds(seg["start"].as_str().expect("start"));
        let (t, o) = (
            seg["total"].as_array().expect("total"),
            seg["ok"].as_array().expect("ok"),
        );
        for (i, (t, o)) in t.iter().zip(o).enumerate() {
            let m = (start - START) / 60 + i as i64;
            out.insert(
                m,
                (
                    t.as_u64().expect("count") as u32,
                    o.as_u64().expect("count") as u32,
                ),
            );
        }
    }
    out
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ` in 2025-03 or 2025-04, by hand.
fn chrono_seconds(s: &str) -> i64 {
    let (date, time) = s.trim_end_matches('Z').split_once('T').expect("instant");
    let d: Vec<i64> = date.split('-').map(|x| x.parse().expect("date")).collect();
    let t: Vec<i64> = time.split(':').map(|x| x.parse().expect("time")).collect();
    let day = match d[1] {
        3 => d[2] - 1,
        4 => 31 + d[2] - 1,
        m => panic!("month {m}"),
    };
    START + day * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]
}

fn check_exact(name: &str, pg: Option<Arc<PgCluster>>) {
    let s = setup(name, pg);
    let (good, out, err) = pull(&s, "2025-04-01T00:00:00Z");
    assert!(good, "{err}");
    // 44,640 minutes in 5 chunks of at most 10,000, each with data: 5 writes.
    assert_eq!(out.trim(), "pulled: 44638 minutes, 5 writes, 0 failures");
    let got = stored(&s);
    let want = known();
    assert_eq!(got.len(), want.len());
    for (m, v) in &want {
        assert_eq!(got.get(m), Some(v), "minute {m}");
    }
    assert_eq!(got, want);
    // Pulled to the end already: another pass asks nothing and writes nothing.
    let (good, out, err) = pull(&s, "2025-04-01T00:00:00Z");
    assert!(good, "{err}");
    assert_eq!(out.trim(), "pulled: 0 minutes, 0 writes, 0 failures");
}

#[test]
fn the_pull_equals_the_backfilled_counts_for_every_minute_on_sqlite() {
    check_exact("pull-exact-sqlite", None);
}

#[test]
fn the_pull_equals_the_backfilled_counts_for_every_minute_on_postgres() {
    check_exact("pull-exact-pg", Some(PgCluster::shared()));
}

/// What is stored is `known()` on a prefix of whole chunks and nothing else.
fn assert_prefix(got: &BTreeMap<i64, (u32, u32)>) -> i64 {
    let want = known();
    for (m, v) in got {
        assert_eq!(want.get(m), Some(v), "minute {m} was invented or wrong");
    }
    let through = got.keys().next_back().map_or(0, |m| m + 1);
    let prefix: BTreeMap<i64, (u32, u32)> = want.range(..through).map(|(k, v)| (*k, *v)).collect();
    assert_eq!(*got, prefix, "a gap inside what was pulled");
    through
}

/// What the server serves about how far acme's data reaches: the contracts summary's
/// `data_horizon` and March 2025's statement's `data_horizon` and
/// `minutes_after_data_horizon` (the contract's offset is +00:00).
fn horizon(s: &Setup) -> (Value, Value, Value) {
    let server = Server::start_db(
        &s.dir,
        &s.db,
        s.dir.join("horizon.log"),
        &["--documents", "db"],
    );
    let t = token_of("acme");
    let st = get(&server.url("/api/v1/statements/2025-03"), Some(&t), &[]).json();
    let list = get(&server.url("/api/v1/contracts"), Some(&t), &[]).json();
    let st = &st["statement"];
    assert_eq!(
        list["contracts"][0]["summary"]["data_horizon"], st["data_horizon"],
        "the summary and the statement come from the same report"
    );
    (
        st["data_horizon"].clone(),
        st["minutes_after_data_horizon"].clone(),
        list["contracts"][0]["summary"]["last_judged"].clone(),
    )
}

#[test]
fn a_prometheus_stopped_mid_pull_leaves_no_invented_minute_and_the_next_pull_fills_the_gap() {
    let mut s = setup("pull-stop", None);
    // The first nine days: 12,960 minutes in 2 chunks, 2 of them without data.
    let (good, out, err) = pull(&s, "2025-03-10T00:00:00Z");
    assert!(good, "{err}");
    assert_eq!(out.trim(), "pulled: 12958 minutes, 2 writes, 0 failures");
    // Prometheus is down: the pass fails and writes nothing.
    s.prom.stop();
    let (good, out, _) = pull(&s, "2025-04-01T00:00:00Z");
    assert!(!good);
    assert_eq!(out.trim(), "pulled: 0 minutes, 0 writes, 1 failures");
    assert_eq!(assert_prefix(&stored(&s)), 12_960);
    // The stalled pull shows: the data stops at the end of the last minute pulled,
    // 2025-03-10T00:00Z, and March (judged: the server's clock is past 2025) has the
    // 10th..31st, 22 × 1,440 = 31,680 minutes, after it.
    let (h, after, _) = horizon(&s);
    assert_eq!(h, "2025-03-10T00:00:00+00:00");
    assert_eq!(after, 31_680);
    // Up again, and killed while a pass is under way: whatever it got is a
    // prefix of whole chunks, exactly as Prometheus has it.
    s.prom.restart();
    let args = (s.db.clone(), s.sources.clone());
    let pass = std::thread::spawn(move || {
        cli(&[
            "pull",
            "--once",
            "--db",
            &args.0,
            "--sources",
            &args.1,
            "--until",
            "2025-04-01T00:00:00Z",
        ])
    });
    std::thread::sleep(std::time::Duration::from_millis(150));
    s.prom.stop();
    let _ = pass.join().expect("pull");
    assert_prefix(&stored(&s));
    // The next pull fills the gap: every minute as backfilled.
    s.prom.restart();
    let (good, _, err) = pull(&s, "2025-04-01T00:00:00Z");
    assert!(good, "{err}");
    assert_eq!(stored(&s), known());
    // Pulled to the end of March: nothing of March lies after the horizon; the last judged
    // month, December 2025, lies wholly after it (31 × 1,440 = 44,640 minutes).
    let (h, after, last) = horizon(&s);
    assert_eq!(h, "2025-04-01T00:00:00+00:00");
    assert_eq!(after, 0);
    assert_eq!(last["month"], "2025-12");
    assert_eq!(last["minutes_after_data_horizon"], 44_640);
}

/// A sample of `/metrics`, labels included in `name` (`sla_pull_lag_seconds{source="0"}`).
fn sample(s: &Server, name: &str) -> Option<f64> {
    let text = String::from_utf8_lossy(&get(&s.url("/metrics"), None, &[]).body).to_string();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn two_instances_pulling_beside_each_other_pull_each_minute_once() {
    let pg = PgCluster::shared();
    let s = setup("pull-serve", Some(pg));
    let args = [
        "--documents",
        "db",
        "--sources",
        &s.sources,
        "--pull-every",
        "1",
        "--pull-lag",
        "120",
    ];
    let a = Server::start_db(&s.dir, &s.db, s.dir.join("a.log"), &args);
    let b = Server::start_db(&s.dir, &s.db, s.dir.join("b.log"), &args);
    let pulled = |x: &Server| metric(x, "sla_pull_minutes_total");
    // From 2025-03 to now: every minute with data is March's, pulled by one of them.
    wait_for(300, "the two instances to pull March", || {
        pulled(&a) + pulled(&b) >= 44_638.0
    });
    // The rest of the way to now has no data; both keep passing over it, about ninety
    // chunks of empty steps: waited for, not slept on, since a loaded machine takes longer.
    // Whoever pulled last ends within the lag (and a pass) of now.
    let lag = || {
        [&a, &b]
            .iter()
            .filter_map(|x| sample(x, "sla_pull_lag_seconds{source=\"0\"}"))
            .fold(f64::MAX, f64::min)
    };
    wait_for(300, "the pull to reach now less the lag", || {
        lag() <= 120.0 + 120.0
    });
    assert_eq!(pulled(&a) + pulled(&b), 44_638.0, "a minute pulled twice");
    assert_eq!(
        metric(&a, "sla_pull_failures_total") + metric(&b, "sla_pull_failures_total"),
        0.0
    );
    drop((a, b));
    assert_eq!(stored(&s), known());
}
