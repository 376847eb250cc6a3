//! Documents in the database and the operator ingestion API (`--documents db`):
//! what one instance stores another serves, telemetry merges exactly, refused
//! writes change nothing, a kill mid-write leaves one version, import is idempotent.
//!
//! The usage document used throughout, worked by hand from docs/RULES.md: a 2025
//! contract in UTC with telemetry on 2025-03-01 from 00:00 for 120 minutes, 100
//! requests each; minutes 10–14 have 80 ok (0.80 < 0.90: down), minute 20 has 90 ok
//! (exactly 0.90: up), the rest 100. Minutes 10–14 are one run of 5 ≥ the 5-minute
//! minimum, so one outage of 5 counted minutes. March has 31 × 1,440 = 44,640
//! minutes, 120 of them covered (44,520 without data, which count as up), so March
//! is 44,635 / 44,640 = 99.98879… % available, under 99.99 %: breached.

mod common;

use std::path::Path;
use std::time::Duration;

use common::pg::PgCluster;
use common::*;
use serde_json::{json, Value};

const OPERATOR: &str = "ops";
/// 2025-03-01T00:00:00Z in minutes since the epoch.
const MARCH_1: i64 = 1_740_787_200 / 60;
/// 2026-01-01T00:00:00Z: the whole 2025 term is judged.
const AFTER_TERM: i64 = 1_767_225_600;

fn counts() -> (Vec<u32>, Vec<u32>) {
    let total = vec![100u32; 120];
    let ok: Vec<u32> = (0..120)
        .map(|m| match m {
            10..=14 => 80,
            20 => 90,
            _ => 100,
        })
        .collect();
    (total, ok)
}

fn usage_doc(telemetry: Value) -> Value {
    json!({
        "schema": "sla-portal/usage/v1",
        "client": {"id": "acme", "name": "Acme"},
        "contract": {"id": "K-ACME", "service_start": "2025-01-01",
                     "service_end": "2025-12-31", "timezone": "+00:00"},
        "telemetry": telemetry,
        "signing": [{"month": "2025-03", "signed": 300, "failed": 1}],
    })
}

fn whole_usage() -> Value {
    let (total, ok) = counts();
    usage_doc(json!([{"start": "2025-03-01T00:00:00Z", "total": total, "ok": ok}]))
}

const NO_INCIDENTS: &str = r#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;

/// The report the rules core (the widget's own) makes of these documents.
fn report_of(usage: &[u8], incidents: &[u8]) -> Value {
    let u = sla_rules::usage::parse_usage(usage, "usage.json").expect("usage");
    let i = sla_rules::incidents::parse_incidents(incidents, "incidents.json").expect("incidents");
    let p = sla_rules::policy::Policy::default();
    let r = sla_rules::evaluate(&u, &i, &p, AFTER_TERM).report;
    serde_json::to_value(&r).expect("report JSON")
}

fn march(report: &Value) -> Value {
    report["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .find(|p| p["month"] == "2025-03")
        .cloned()
        .expect("March")
}

fn base(s: &Server, contract: &str) -> String {
    s.url(&format!(
        "/api/v1/operator/clients/acme/contracts/{contract}"
    ))
}

fn op() -> String {
    token_of(OPERATOR)
}

/// A data directory with only the token file: the documents are in the database.
fn tokens_only(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    write_tokens_with_operators(&dir, &["acme"], &[OPERATOR]);
    dir
}

fn start_db(dir: &Path, db: &str, name: &str) -> Server {
    Server::start_db(
        dir,
        db,
        dir.join(format!("{name}.log")),
        &["--documents", "db", "--evaluate-every", "1"],
    )
}

fn usage_of(s: &Server) -> Reply {
    get(&s.url("/api/v1/usage"), Some(&token_of("acme")), &[])
}

#[test]
fn a_usage_put_through_one_instance_is_served_by_the_other_as_from_files() {
    let pg = PgCluster::shared();
    let db = pg.create_db();
    // Two instances, each its own directory holding only tokens.json.
    let (da, dbb) = (tokens_only("ingest-a"), tokens_only("ingest-b"));
    let a = start_db(&da, &db, "a");
    let b = start_db(&dbb, &db, "b");
    let whole = whole_usage().to_string();

    // Nothing stored yet: B has no usage for acme.
    assert_eq!(usage_of(&b).status, 404);
    // A client token may not write.
    let r = put(
        &format!("{}/documents/usage", base(&a, "acme")),
        Some(&token_of("acme")),
        &whole,
    );
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));

    let r = put(
        &format!("{}/documents/usage", base(&a, "acme")),
        Some(&op()),
        &whole,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["version"], 1);
    let etag = v["etag"].as_str().expect("etag").to_string();
    let r = put(
        &format!("{}/documents/incidents", base(&a, "acme")),
        Some(&op()),
        NO_INCIDENTS,
    );
    assert_eq!(r.json()["version"], 2);

    // B serves it on its next request, with the version's ETag.
    let got = usage_of(&b);
    assert_eq!(got.status, 200);
    let etag2 = r.json()["etag"].as_str().expect("etag").to_string();
    assert_ne!(etag, etag2, "every write is a new version");
    assert_eq!(got.header("etag"), Some(format!("W/{etag2}").as_str()));
    let again = get(
        &b.url("/api/v1/usage"),
        Some(&token_of("acme")),
        &[("If-None-Match", &format!("W/{etag2}"))],
    );
    assert_eq!(again.status, 304);
    let inc = get(&b.url("/api/v1/incidents"), Some(&token_of("acme")), &[]);
    assert_eq!(inc.status, 200);

    // The widget's report of what B serves equals its report of the file.
    let served = report_of(&got.body, &inc.body);
    let from_file = report_of(whole.as_bytes(), NO_INCIDENTS.as_bytes());
    assert_eq!(served, from_file);
    let m = march(&served);
    assert_eq!(m["unavailable_minutes"], 5);
    assert_eq!(m["no_data_minutes"], 44_520);
    assert_eq!(m["breached"], true);

    // And B's own contracts summary agrees with a files server of the same document.
    let files = temp_dir("ingest-files");
    write_tokens_with_operators(&files, &["acme"], &[OPERATOR]);
    std::fs::create_dir_all(files.join("acme")).expect("dir");
    std::fs::write(files.join("acme/usage.json"), &whole).expect("usage");
    std::fs::write(files.join("acme/incidents.json"), NO_INCIDENTS).expect("incidents");
    let f = Server::start(&files, &files.join("claims.db"), &[]);
    let summary = |s: &Server| {
        let mut v = get(&s.url("/api/v1/contracts"), Some(&token_of("acme")), &[]).json();
        // `as_of` is the instant of the request, not a figure.
        if let Some(o) = v.as_object_mut() {
            o.remove("as_of");
        }
        v
    };
    assert_eq!(summary(&b), summary(&f));
    // The operator's views read the database too: March is below target.
    let ex = get(
        &b.url("/api/v1/operator/exposure?from=2025-01&to=2025-12"),
        Some(&op()),
        &[],
    )
    .json();
    let months: Vec<&str> = ex["months"]
        .as_array()
        .expect("months")
        .iter()
        .filter_map(|m| m["month"].as_str())
        .collect();
    assert_eq!(months, ["2025-03"]);
    assert_eq!(ex["months"][0]["below_target"], 1);
    // A claim of March filed through B, read by an operator through A. One unit:
    // the monthly average of the year's signing data up to March is March's 300.
    let id = uuid(20, 1);
    let r = post(
        &b.url("/api/v1/claims"),
        Some(&token_of("acme")),
        &claim(&id, "K-ACME", &["2025-03"], 1, 300),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    // A decision through A signs the new state from the database's documents.
    let c = decide(
        &a.url(&format!("/api/v1/operator/claims/{id}/status")),
        Some(&op()),
        r#"{"status":"under_review","note":""}"#,
    );
    assert_eq!(c.status, 200, "{}", String::from_utf8_lossy(&c.body));
    assert_eq!(c.json()["granted"]["contract_credit"], 300);
    assert_eq!(c.json()["status"], "under_review");
}

/// Each backend this test runs on: a SQLite file and a PostgreSQL database (the
/// cluster stops when the last holder of the returned handle drops it).
fn backends(name: &str) -> (std::sync::Arc<PgCluster>, Vec<(std::path::PathBuf, String)>) {
    let pg = PgCluster::shared();
    let dir = tokens_only(&format!("{name}-sqlite"));
    let sqlite = dir.join("claims.db").to_str().expect("utf-8").to_string();
    let pg_db = pg.create_db();
    (
        pg,
        vec![(dir, sqlite), (tokens_only(&format!("{name}-pg")), pg_db)],
    )
}

fn segment(from: usize, to: usize) -> Value {
    let (total, ok) = counts();
    let start = chrono_minute(MARCH_1 + from as i64);
    json!({"start": start, "total": total[from..to], "ok": ok[from..to]})
}

fn chrono_minute(minute: i64) -> String {
    // RFC 3339 in UTC, by hand: 2025-03-01 plus the minutes (all within that day here).
    let m = minute - MARCH_1;
    assert!((0..1440).contains(&m));
    format!("2025-03-01T{:02}:{:02}:00Z", m / 60, m % 60)
}

#[test]
fn overlapping_segments_give_the_whole_and_a_conflict_changes_nothing() {
    let (_pg, all) = backends("ingest-merge");
    for (dir, db) in all {
        let s = start_db(&dir, &db, "s");
        let b = base(&s, "acme");
        let empty = usage_doc(json!([])).to_string();
        assert_eq!(
            put(&format!("{b}/documents/usage"), Some(&op()), &empty).json()["version"],
            1
        );
        put(
            &format!("{b}/documents/incidents"),
            Some(&op()),
            NO_INCIDENTS,
        );
        let tele = format!("{b}/telemetry");
        // Three overlapping segments, in three posts: 0–60, 40–100, 90–120.
        for (i, (from, to)) in [(0, 60), (40, 100), (90, 120)].into_iter().enumerate() {
            let body = json!({"segments": [segment(from, to)]}).to_string();
            let r = post(&tele, Some(&op()), &body);
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            assert_eq!(r.json()["version"], 3 + i as i64);
        }
        let got = usage_of(&s);
        let whole = whole_usage().to_string();
        assert_eq!(
            report_of(&got.body, NO_INCIDENTS.as_bytes()),
            report_of(whole.as_bytes(), NO_INCIDENTS.as_bytes()),
            "{db}"
        );
        // The same values again: a no-op, no new version.
        let r = post(
            &tele,
            Some(&op()),
            &json!({"segments": [segment(30, 70)]}).to_string(),
        );
        assert_eq!(
            (r.json()["version"].clone(), r.json()["changed"].clone()),
            (json!(5), json!(false))
        );

        // Minute 50 with other counts: 409 naming it, nothing stored.
        let mut bad = segment(45, 55);
        bad["ok"][5] = json!(7);
        bad["ok"][7] = json!(8);
        let r = post(
            &tele,
            Some(&op()),
            &json!({"segments": [bad.clone()]}).to_string(),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.error_code(), "telemetry_conflict");
        let e = r.json();
        assert_eq!(e["error"]["details"]["minute"], "2025-03-01T00:50:00Z");
        assert_eq!(
            e["error"]["details"]["stored"],
            json!({"total": 100, "ok": 100})
        );
        assert_eq!(
            e["error"]["details"]["posted"],
            json!({"total": 100, "ok": 7})
        );
        let after = usage_of(&s);
        assert_eq!(after.body, got.body, "a refused post changes nothing");
        assert_eq!(after.header("etag"), got.header("etag"));
        // ?replace=true takes it: minutes 50 and 52 are now down (7 and 8 of 100),
        // but alone and two apart, runs under 5 minutes: March still has 5 unavailable.
        let r = post(
            &format!("{tele}?replace=true"),
            Some(&op()),
            &json!({"segments": [bad]}).to_string(),
        );
        assert_eq!((r.status, r.json()["version"].clone()), (200, json!(6)));
        let m = march(&report_of(&usage_of(&s).body, NO_INCIDENTS.as_bytes()));
        assert_eq!(m["unavailable_minutes"], 5);
        // A malformed segment: the core's message, with the segment's index.
        let r = post(
            &tele,
            Some(&op()),
            &json!({"segments": [segment(0, 1), {"start": "2025-03-01T00:00:30Z", "total": [1], "ok": [1]}]}).to_string(),
        );
        assert_eq!(r.status, 400);
        assert_eq!(
            r.json()["error"]["message"],
            "telemetry: segments[1].start: \"2025-03-01T00:00:30Z\" is not at the start of a minute"
        );
    }
}

#[test]
fn a_refused_document_leaves_the_old_version_served_and_records_are_validated() {
    let (_pg, all) = backends("ingest-refused");
    for (dir, db) in all {
        let s = start_db(&dir, &db, "s");
        let b = base(&s, "acme");
        let whole = whole_usage().to_string();
        put(&format!("{b}/documents/usage"), Some(&op()), &whole);
        put(
            &format!("{b}/documents/incidents"),
            Some(&op()),
            NO_INCIDENTS,
        );
        let before = usage_of(&s);
        // ok above total at minute 3.
        let mut bad = whole_usage();
        bad["telemetry"][0]["ok"][3] = json!(130);
        let r = put(
            &format!("{b}/documents/usage"),
            Some(&op()),
            &bad.to_string(),
        );
        assert_eq!(r.status, 400);
        assert_eq!(r.error_code(), "data_invalid");
        assert_eq!(
            r.json()["error"]["message"],
            "usage.json: telemetry[0].ok[3]: 130 ok requests but only 100 in total"
        );
        let after = usage_of(&s);
        assert_eq!(
            (after.body.clone(), after.header("etag")),
            (before.body.clone(), before.header("etag"))
        );

        // Records: a maintenance window announced ahead, then removed.
        let mw = format!("{b}/records/maintenance/MW-1");
        let window = json!({"kind": "upgrade", "title": "升级", "start": "2025-03-01T00:10:00Z",
                            "end": "2025-03-01T00:15:00Z", "announced_at": "2025-02-20T00:00:00Z"});
        let r = put(&mw, Some(&op()), &window.to_string());
        assert_eq!((r.status, r.json()["version"].clone()), (200, json!(3)));
        let u: Value = usage_of(&s).json();
        assert_eq!(u["maintenance"][0]["id"], "MW-1");
        assert_eq!(
            u["telemetry"][0]["total"].as_array().map(Vec::len),
            Some(120)
        );
        // A window with an unknown kind: refused with the core's path.
        let r = put(
            &format!("{b}/records/maintenance/MW-2"),
            Some(&op()),
            &json!({"kind": "nap", "start": "2025-03-01T00:10:00Z", "end": "2025-03-01T00:15:00Z"})
                .to_string(),
        );
        assert_eq!(r.status, 400);
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("usage.json: maintenance[1].kind: "),
            "{}",
            r.json()
        );
        // Signing is keyed by its month; a body naming another month is refused.
        let r = put(
            &format!("{b}/records/signing/2025-04"),
            Some(&op()),
            r#"{"signed": 10, "failed": 0}"#,
        );
        assert_eq!(r.json()["version"], 4);
        let r = put(
            &format!("{b}/records/signing/2025-04"),
            Some(&op()),
            r#"{"month": "2025-05", "signed": 10, "failed": 0}"#,
        );
        assert_eq!(r.status, 400);
        assert_eq!(delete(&mw, Some(&op())).json()["version"], 5);
        assert_eq!(delete(&mw, Some(&op())).status, 404);
        let u: Value = usage_of(&s).json();
        assert_eq!(u["maintenance"], json!([]));
        assert_eq!(u["signing"].as_array().map(Vec::len), Some(2));
        // An incident record.
        let inc = json!({"level": 2, "title": "慢", "component": "api", "cause": "platform",
                         "reported_at": "2025-03-02T00:00:00Z", "responded_at": "2025-03-02T00:05:00Z",
                         "resolved_at": "2025-03-02T01:00:00Z"});
        let r = put(
            &format!("{b}/records/incidents/INC-1"),
            Some(&op()),
            &inc.to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.json());
        let i = get(&s.url("/api/v1/incidents"), Some(&token_of("acme")), &[]).json();
        assert_eq!(i["incidents"][0]["id"], "INC-1");
        // A client token is refused on every write route.
        assert_eq!(
            delete(
                &format!("{b}/records/incidents/INC-1"),
                Some(&token_of("acme"))
            )
            .status,
            403
        );
    }
}

#[test]
fn sigkill_during_a_telemetry_post_leaves_the_old_or_the_new_version() {
    let dir = tokens_only("ingest-kill");
    let db = dir.join("claims.db").to_str().expect("utf-8").to_string();
    let s = start_db(&dir, &db, "first");
    let b = base(&s, "acme");
    put(
        &format!("{b}/documents/usage"),
        Some(&op()),
        &usage_doc(json!([])).to_string(),
    );
    put(
        &format!("{b}/documents/incidents"),
        Some(&op()),
        NO_INCIDENTS,
    );
    drop(s);
    // A year of minutes from 2025-01-01 (365 days of 1,440), all 7 total and 6 ok.
    let minutes = 365 * 1440;
    let year = json!({"segments": [{"start": "2025-01-01T00:00:00Z",
                                     "total": vec![7u32; minutes], "ok": vec![6u32; minutes]}]})
    .to_string();
    let mut saw_old = false;
    let mut saw_new = false;
    // Kill after a growing delay until one kill lands before and one after the commit.
    for delay_ms in [0u64, 30, 80, 150, 250, 400, 700, 1200, 2000, 4000] {
        let mut s = start_db(&dir, &db, &format!("kill-{delay_ms}"));
        let url = format!("{}/telemetry", base(&s, "acme"));
        let body = year.clone();
        let poster =
            std::thread::spawn(move || try_post(&url, Some(&op()), &body).map(|r| r.status));
        std::thread::sleep(Duration::from_millis(delay_ms));
        s.child.kill().expect("SIGKILL");
        let _ = s.child.wait();
        let _ = poster.join();
        drop(s);
        let s = start_db(&dir, &db, &format!("after-{delay_ms}"));
        let u = usage_of(&s).json();
        let t = u["telemetry"].as_array().expect("telemetry").clone();
        match t.len() {
            0 => saw_old = true,
            1 => {
                assert_eq!(t[0]["start"], "2025-01-01T00:00:00Z");
                assert_eq!(t[0]["total"].as_array().map(Vec::len), Some(minutes));
                assert!(t[0]["ok"].as_array().expect("ok").iter().all(|v| v == 6));
                saw_new = true;
            }
            n => panic!("{n} segments: a mix of versions"),
        }
        if saw_new {
            break;
        }
        drop(s);
    }
    assert!(
        saw_old,
        "every kill came after the commit; the test proves nothing"
    );
    assert!(saw_new, "no post ever committed");
}

#[test]
fn import_loads_a_files_tree_and_a_second_run_changes_nothing() {
    let (_pg, all) = backends("ingest-import");
    for (dir, db) in all {
        let tree = temp_dir("ingest-tree");
        write_client(&tree, "acme", "K-ACME", &[3]);
        // A group client with two contracts.
        for id in ["G-1", "G-2"] {
            let d = tree.join("globex/contracts").join(id);
            write_client(&tree.join("globex/contracts"), id, id, &[5]);
            assert!(d.join("usage.json").is_file());
        }
        write_tokens_with_operators(&dir, &["acme", "globex"], &[OPERATOR]);
        let (ok, out, err) = cli(&[
            "import",
            "--db",
            &db,
            "--data",
            tree.to_str().expect("utf-8"),
        ]);
        assert!(ok, "{err}");
        assert_eq!(
            out.trim(),
            "imported: 6 documents written, 0 already as stored"
        );
        let (ok, out, err) = cli(&[
            "import",
            "--db",
            &db,
            "--data",
            tree.to_str().expect("utf-8"),
        ]);
        assert!(ok, "{err}");
        assert_eq!(
            out.trim(),
            "imported: 0 documents written, 6 already as stored"
        );
        let s = start_db(&dir, &db, "s");
        // Versions: two documents each, one write each.
        let ids = get(&s.url("/api/v1/contracts"), Some(&token_of("globex")), &[]).json();
        let listed: Vec<&str> = ids["contracts"]
            .as_array()
            .expect("contracts")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(listed, ["G-1", "G-2"]);
        let u = get(
            &s.url("/api/v1/contracts/G-2/usage"),
            Some(&token_of("globex")),
            &[],
        );
        assert_eq!(u.status, 200);
        assert!(
            u.header("etag").is_some_and(|e| e.ends_with("-2\"")),
            "{:?}",
            u.header("etag")
        );
        let acme = usage_of(&s);
        let from_tree = std::fs::read(tree.join("acme/usage.json")).expect("usage");
        let inc = std::fs::read(tree.join("acme/incidents.json")).expect("incidents");
        assert_eq!(report_of(&acme.body, &inc), report_of(&from_tree, &inc));
        // March of acme: its 30-minute outage (common::write_client's hand-worked case).
        assert_eq!(
            march(&report_of(&acme.body, &inc))["unavailable_minutes"],
            30
        );
    }
}
