//! Every scenario under `crates/sla-rules/tests/fixtures/` run through the `sla` binary, compared with its
//! reviewed expected report (each README works the numbers by hand).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sla_rules::testing::assert_subset;

fn fixtures() -> PathBuf {
    PathBuf::from(sla_rules::testing::FIXTURES)
}

fn sla(dir: &Path) -> std::process::Output {
    let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sla"));
    cmd.current_dir(dir)
        .args([
            "report",
            "--usage",
            "usage.json",
            "--incidents",
            "incidents.json",
        ])
        .args(["--as-of", as_of.trim()]);
    if dir.join("policy.json").exists() {
        cmd.args(["--policy", "policy.json"]);
    }
    cmd.output().unwrap()
}

#[test]
fn every_fixture_gives_its_reviewed_report() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        let out = sla(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if let Ok(expected) = std::fs::read_to_string(dir.join("expected-error.txt")) {
            assert_eq!(out.status.code(), Some(2), "{name}: exit code");
            assert_eq!(
                String::from_utf8_lossy(&out.stderr).trim(),
                expected.trim(),
                "{name}"
            );
            assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        } else {
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let actual: Value = serde_json::from_slice(&out.stdout).unwrap();
            let expected: Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join("expected-report.json")).unwrap(),
            )
            .unwrap();
            assert_subset(&expected, &actual, &name);
        }
        seen += 1;
    }
    assert!(seen >= 4, "the fixture scenarios are there");
}

#[test]
fn usage_errors_exit_64_and_unreadable_files_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(["report", "--usage"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args([
            "report",
            "--usage",
            "/nonexistent/u.json",
            "--incidents",
            "/nonexistent/i.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("/nonexistent/u.json: $: cannot read"));
}

#[test]
fn the_timeline_command_lists_minute_states_of_a_month() {
    // Worked example, February: the first outage is 09:57–10:23 with 10:00–10:20 excluded.
    let dir = fixtures().join("worked");
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .current_dir(&dir)
        .args([
            "timeline",
            "--usage",
            "usage.json",
            "--incidents",
            "incidents.json",
        ])
        .args(["--as-of", "2026-04-10T12:00:00+08:00", "--month", "2026-02"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = runs.as_array().unwrap();
    let at = runs
        .iter()
        .position(|r| r["start"] == "2026-02-10T09:55:00+08:00")
        .unwrap();
    let states: Vec<(&str, u64)> = runs[at..at + 6]
        .iter()
        .map(|r| (r["state"].as_str().unwrap(), r["minutes"].as_u64().unwrap()))
        .collect();
    // 09:55–09:57 up (telemetry), 09:57–10:00 outage (3), 10:00–10:20 excluded (20),
    // 10:20–10:23 outage (3), 10:23–10:25 up, then no data until the next segment at
    // 02-28 23:55: 18 days 13 h 30 min = 25,920 + 810 = 26,730 minutes.
    assert_eq!(
        states,
        vec![
            ("up", 2),
            ("outage", 3),
            ("excluded", 20),
            ("outage", 3),
            ("up", 2),
            ("no_data", 26_730)
        ]
    );
}
