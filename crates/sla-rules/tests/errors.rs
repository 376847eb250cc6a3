//! Bad input is an error naming the file, the JSON path and the problem; never a panic.

mod common;
use common::*;
use serde_json::json;

fn usage_error(doc: &serde_json::Value) -> String {
    try_run(doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00")
        .unwrap_err()
        .to_string()
}

fn with_segment(start: &str, total: serde_json::Value, ok: serde_json::Value) -> serde_json::Value {
    let mut doc = usage("2026-04-01", "2026-12-31");
    push(
        &mut doc,
        "telemetry",
        json!({ "start": "2026-04-01T00:00:00+08:00", "total": [1], "ok": [1] }),
    );
    push(
        &mut doc,
        "telemetry",
        json!({ "start": start, "total": total, "ok": ok }),
    );
    doc
}

#[test]
fn ok_above_total_names_the_minute() {
    let doc = with_segment(
        "2026-04-02T00:00:00+08:00",
        json!([120, 120]),
        json!([120, 130]),
    );
    assert_eq!(
        usage_error(&doc),
        "usage.json: telemetry[1].ok[1]: 130 ok requests but only 120 in total"
    );
}

#[test]
fn counts_must_be_non_negative_integers() {
    let doc = with_segment("2026-04-02T00:00:00+08:00", json!([1, -1]), json!([1, 0]));
    let e = usage_error(&doc);
    assert!(e.starts_with("usage.json: telemetry[1].total[1]: "), "{e}");
    let doc = with_segment("2026-04-02T00:00:00+08:00", json!([1, 2.5]), json!([1, 0]));
    assert!(usage_error(&doc).starts_with("usage.json: telemetry[1].total[1]: "));
}

#[test]
fn telemetry_must_start_on_a_minute_and_not_overlap() {
    let doc = with_segment("2026-04-02T00:00:30+08:00", json!([1]), json!([1]));
    assert_eq!(usage_error(&doc), "usage.json: telemetry[1].start: \"2026-04-02T00:00:30+08:00\" is not at the start of a minute");
    let doc = with_segment("2026-04-01T00:00:00+08:00", json!([1]), json!([1]));
    assert_eq!(
        usage_error(&doc),
        "usage.json: telemetry[1]: overlaps telemetry[0]"
    );
    let doc = with_segment("2026-04-02T00:00:00+08:00", json!([1, 1]), json!([1]));
    assert_eq!(
        usage_error(&doc),
        "usage.json: telemetry[1].ok: has 1 minutes but total has 2"
    );
}

#[test]
fn unknown_schema_versions_are_refused() {
    let mut doc = usage("2026-04-01", "2026-12-31");
    doc["schema"] = json!("sla-portal/usage/v2");
    assert_eq!(
        usage_error(&doc),
        "usage.json: schema: unknown schema \"sla-portal/usage/v2\" (expected \"sla-portal/usage/v1\")"
    );
    // Even when the rest of a future document has another shape.
    doc["telemetry"] = json!({ "compressed": true });
    assert!(usage_error(&doc).starts_with("usage.json: schema: unknown schema"));
}

#[test]
fn kinds_causes_and_interval_order_are_checked() {
    let mut doc = usage("2026-04-01", "2026-12-31");
    push(
        &mut doc,
        "maintenance",
        json!({ "kind": "party", "start": "2026-04-02T00:00:00+08:00", "end": "2026-04-02T01:00:00+08:00", "announced_at": "2026-04-01T00:00:00+08:00" }),
    );
    assert_eq!(usage_error(&doc), "usage.json: maintenance[0].kind: \"party\" is not one of upgrade, scale_out, maintenance, fault_drill");
    let mut doc = usage("2026-04-01", "2026-12-31");
    push(
        &mut doc,
        "exclusions",
        json!({ "cause": "weather", "start": "2026-04-02T00:00:00+08:00", "end": "2026-04-02T01:00:00+08:00" }),
    );
    assert!(usage_error(&doc).starts_with("usage.json: exclusions[0].cause: \"weather\""));
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-02T01:00:00+08:00",
        "2026-04-02T00:00:00+08:00",
    );
    assert!(usage_error(&doc).starts_with("usage.json: outages[0].end: "));
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(&mut doc, "yesterday", "2026-04-02T00:00:00+08:00");
    assert!(usage_error(&doc)
        .starts_with("usage.json: outages[0].start: \"yesterday\" is not an RFC 3339 instant"));
}

#[test]
fn incident_levels_causes_and_times_are_checked() {
    let check = |i: serde_json::Value| {
        try_run(
            &usage("2026-04-01", "2026-12-31"),
            &incidents(json!([i])),
            None,
            "2026-05-01T00:00:00+08:00",
        )
        .unwrap_err()
        .to_string()
    };
    let base = json!({ "id": "I", "level": 1, "cause": "platform", "reported_at": "2026-04-02T10:00:00+08:00" });
    let mut i = base.clone();
    i["level"] = json!(4);
    assert_eq!(
        check(i),
        "incidents.json: incidents[0].level: 4 is not a level (1, 2 or 3)"
    );
    let mut i = base.clone();
    i["cause"] = json!("gremlins");
    assert!(check(i).starts_with("incidents.json: incidents[0].cause: \"gremlins\" is not one of"));
    let mut i = base.clone();
    i["resolved_at"] = json!("2026-04-02T09:00:00+08:00");
    assert!(check(i).starts_with("incidents.json: incidents[0].resolved_at: "));
}

#[test]
fn syntax_errors_and_wrong_types_never_panic() {
    for bytes in [
        &b""[..],
        b"{",
        b"[]",
        b"null",
        b"{\"schema\":1}",
        b"\xff\xfe",
        b"{\"schema\":\"sla-portal/usage/v1\"} x",
    ] {
        let r = sla_rules::report(
            &sla_rules::Inputs {
                usage: bytes,
                incidents: b"{}",
                policy: None,
            },
            "2026-05-01T00:00:00+08:00",
        );
        let e = r.unwrap_err();
        assert_eq!(e.file, "usage.json");
    }
}

#[test]
fn policy_values_are_checked() {
    let bad = [
        (
            json!({ "availability_target": "101" }),
            "policy.json: availability_target: must be at most 100",
        ),
        (
            json!({ "availability_target": 99.99 }),
            "policy.json: availability_target: ",
        ),
        (
            json!({ "rounding": "banker" }),
            "policy.json: rounding: \"banker\" is not one of half_up, ceil, floor",
        ),
        (json!({ "levels": { "4": {} } }), "policy.json: levels.4: "),
        (
            json!({ "min_outage_minutes": 0 }),
            "policy.json: min_outage_minutes: must be at least 1",
        ),
    ];
    for (fields, msg) in bad {
        let p = policy(fields);
        let e = try_run(
            &usage("2026-04-01", "2026-12-31"),
            &no_incidents(),
            Some(&p),
            "2026-05-01T00:00:00+08:00",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with(msg), "{e}");
    }
}
