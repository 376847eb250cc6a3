//! The report's typed fields (months, instants, statuses, causes, clocks) read and write
//! the very JSON text the hand-checked fixtures hold, so typing them changed no byte.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sla_rules::report::{Clock, IncidentCause, PeriodStatus, TargetStatus};
use sla_rules::time::{Month, Stamp};

fn fixtures() -> PathBuf {
    PathBuf::from(sla_rules::testing::FIXTURES)
}

/// Decodes `v` as `T` and encodes it again: the JSON must come back unchanged.
fn round_trip<T: DeserializeOwned + Serialize>(v: &Value, at: &str) -> usize {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{at}: {e}"));
    assert_eq!(&serde_json::to_value(&typed).unwrap(), v, "{at}");
    1
}

fn each<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// Every typed field a hand-checked report lists, decoded and re-encoded.
fn typed_fields(r: &Value, name: &str) -> usize {
    let mut n = 0;
    if let Some(v) = r.get("as_of") {
        n += round_trip::<Stamp>(v, &format!("{name}: as_of"));
    }
    for (i, p) in each(r, "periods") {
        let at = format!("{name}: periods[{i}]");
        n += round_trip::<Month>(&p["month"], &at);
        if let Some(s) = p.get("status") {
            n += round_trip::<PeriodStatus>(s, &at);
        }
    }
    for (i, o) in each(r, "outages") {
        let at = format!("{name}: outages[{i}]");
        for k in ["start", "end"] {
            if let Some(v) = o.get(k) {
                n += round_trip::<Stamp>(v, &at);
            }
        }
        if let Some(v) = o.get("attributed_to") {
            n += round_trip::<Option<Month>>(v, &at);
        }
    }
    for (i, x) in each(r, "exclusions") {
        let at = format!("{name}: exclusions[{i}]");
        for k in ["start", "end"] {
            if let Some(v) = x.get(k) {
                n += round_trip::<Stamp>(v, &at);
            }
        }
        if let Some(v) = x.get("announced_at") {
            n += round_trip::<Option<Stamp>>(v, &at);
        }
        for (_, p) in each(x, "periods") {
            n += round_trip::<Month>(&p["month"], &at);
        }
    }
    for (i, x) in each(r, "incidents") {
        let at = format!("{name}: incidents[{i}]");
        for k in ["response", "recovery"] {
            if let Some(v) = x.get(k) {
                n += round_trip::<TargetStatus>(v, &at);
            }
        }
        if let Some(v) = x.get("cause") {
            n += round_trip::<IncidentCause>(v, &at);
        }
        if let Some(v) = x.get("clock") {
            n += round_trip::<Clock>(v, &at);
        }
    }
    if let Some(e) = r.get("entitlement") {
        for (i, m) in each(e, "breached_periods") {
            n += round_trip::<Month>(m, &format!("{name}: breached_periods[{i}]"));
        }
        if let Some(c) = e.get("contract_credit") {
            for (i, p) in each(c, "per_period") {
                n += round_trip::<Month>(&p["month"], &format!("{name}: per_period[{i}]"));
            }
        }
    }
    n
}

#[test]
fn the_hand_checked_reports_decode_and_re_encode_unchanged() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("expected-report.json")) else {
            continue;
        };
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let r: Value = serde_json::from_str(&text).unwrap();
        seen += typed_fields(&r, &name);
    }
    // worked alone: as_of, 4 months and 4 statuses, 2 outages × 3, ... : well over 30.
    assert!(seen > 30, "only {seen} typed fields checked");
}

#[test]
fn a_whole_report_reads_back_into_the_same_text() {
    let dir = fixtures().join("worked");
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let (usage, incidents) = (read("usage.json"), read("incidents.json"));
    let as_of = std::fs::read_to_string(dir.join("as_of.txt")).unwrap();
    let inputs = sla_rules::Inputs {
        usage: &usage,
        incidents: &incidents,
        policy: None,
    };
    let text = sla_rules::report_json(&inputs, as_of.trim()).unwrap();
    let back: sla_rules::Report = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string_pretty(&back).unwrap(), text);
    // The worked README: INC-2 is level 3 on the business clock, caused by the customer.
    let inc2 = back.incidents.iter().find(|i| i.id == "INC-2").unwrap();
    assert_eq!(
        (inc2.clock, inc2.cause),
        (Clock::Business, IncidentCause::CustomerCause)
    );
    assert_eq!(inc2.reported_at.to_string(), "2026-02-13T17:30:00+08:00");
}

#[test]
fn bad_text_is_refused_not_guessed() {
    assert!(serde_json::from_str::<Month>(r#""2026-13""#).is_err());
    assert!(serde_json::from_str::<Stamp>(r#""2026-02-10 09:57""#).is_err());
    assert!(serde_json::from_str::<Clock>(r#""9x5""#).is_err());
    assert!(serde_json::from_str::<IncidentCause>(r#""gremlins""#).is_err());
}

/// The rules' settings are enums now; the report still writes the words policy.json uses,
/// key for key and byte for byte as when they were strings.
#[test]
fn rules_info_writes_the_same_text_as_when_it_was_strings() {
    let rules = |policy: &str| {
        let p = sla_rules::policy::parse_policy(policy.as_bytes(), "policy.json").unwrap();
        serde_json::to_string(&sla_rules::evaluate::rules_info(&p)).unwrap()
    };
    let causes = r#"["maintenance","external_network","force_majeure","customer_cause"]"#;
    assert_eq!(
        rules(r#"{"schema":"sla-portal/policy/v1"}"#),
        format!(
            r#"{{"availability_target":"99.99","min_outage_minutes":5,"minute_ok_ratio":"0.90","minute_ok_percent":"90","missing_data":"up","zero_traffic":"up","min_notice_minutes":0,"excluded_causes":{causes},"compensation_unit":"per_breached_month","average_window":"calendar_year_to_date","rounding":"half_up","durability_target":"99.99999999"}}"#
        )
    );
    let every_other = rules(
        r#"{"schema":"sla-portal/policy/v1","missing_data":"down","zero_traffic":"down",
            "compensation_unit":"per_outage","average_window":"trailing_12_months","rounding":"ceil"}"#,
    );
    assert_eq!(
        every_other,
        format!(
            r#"{{"availability_target":"99.99","min_outage_minutes":5,"minute_ok_ratio":"0.90","minute_ok_percent":"90","missing_data":"down","zero_traffic":"down","min_notice_minutes":0,"excluded_causes":{causes},"compensation_unit":"per_outage","average_window":"trailing_12_months","rounding":"ceil","durability_target":"99.99999999"}}"#
        )
    );
    let back: sla_rules::report::RulesInfo = serde_json::from_str(&every_other).unwrap();
    assert_eq!(
        back.average_window,
        sla_rules::policy::AverageWindow::Trailing12Months
    );
    assert_eq!(back.rounding, sla_rules::decimal::Rounding::Ceil);
    assert_eq!(serde_json::to_string(&back).unwrap(), every_other);
    let floor = rules(r#"{"schema":"sla-portal/policy/v1","rounding":"floor"}"#);
    assert!(floor.contains(r#""rounding":"floor""#), "{floor}");
}
