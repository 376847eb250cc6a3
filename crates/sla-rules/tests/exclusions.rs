//! Excluded-time records (§4.8 (3), §4.14.1, §5) and policy versions (§6), with every
//! number worked out by hand in the comments.

mod common;
use common::*;
use serde_json::{json, Value};
use sla_rules::report::{ExclusionRecord, ExclusionSource, NotApplied};

const AS_OF: &str = "2026-04-15T00:00:00+08:00";

/// A contract for 2026 with no telemetry (every minute "no data" = up).
fn year() -> Value {
    usage("2026-01-01", "2026-12-31")
}

fn window(doc: &mut Value, id: &str, start: &str, end: &str, announced_at: Option<&str>) {
    push(
        doc,
        "maintenance",
        json!({ "id": id, "kind": "upgrade", "title": "数据库升级", "start": start, "end": end,
                "announced_at": announced_at }),
    );
}

fn record<'a>(r: &'a sla_rules::Report, id: &str) -> &'a ExclusionRecord {
    r.exclusions
        .iter()
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("no record {id}"))
}

fn shares(x: &ExclusionRecord) -> Vec<(String, u64)> {
    x.periods
        .iter()
        .map(|p| (p.month.to_string(), p.excluded_minutes))
        .collect()
}

fn owned(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(m, n)| (m.to_string(), *n)).collect()
}

#[test]
fn a_window_announced_one_second_before_its_start_is_applied() {
    // 02:00–02:30 is 30 minutes; 1 s of notice is 0 whole minutes, but strictly before.
    let mut d = year();
    window(
        &mut d,
        "MW-1",
        "2026-03-10T02:00:00+08:00",
        "2026-03-10T02:30:00+08:00",
        Some("2026-03-10T01:59:59+08:00"),
    );
    let r = run(&d, &no_incidents(), None, AS_OF);
    let x = record(&r, "MW-1");
    assert_eq!(x.source, ExclusionSource::Maintenance);
    assert_eq!(x.kind.as_deref(), Some("upgrade"));
    assert_eq!(x.cause, None);
    assert_eq!(x.title, "数据库升级");
    assert!(x.applied);
    assert_eq!(x.reason, None);
    assert_eq!(x.notice_minutes, Some(0));
    assert_eq!(x.excluded_minutes, 30);
    assert_eq!(shares(x), owned(&[("2026-03", 30)]));
    // March: 31 × 1,440 = 44,640 minutes, 30 excluded, 44,610 measured.
    assert_eq!(period(&r, "2026-03").excluded_minutes, 30);
    assert_eq!(period(&r, "2026-03").measured_minutes, 44_610);
}

#[test]
fn a_window_announced_at_or_after_its_start_is_not_applied() {
    let mut d = year();
    window(
        &mut d,
        "AT",
        "2026-03-10T02:00:00+08:00",
        "2026-03-10T02:30:00+08:00",
        Some("2026-03-10T02:00:00+08:00"),
    );
    window(
        &mut d,
        "AFTER",
        "2026-03-11T02:00:00+08:00",
        "2026-03-11T02:30:00+08:00",
        Some("2026-03-11T02:10:00+08:00"),
    );
    window(
        &mut d,
        "NEVER",
        "2026-03-12T02:00:00+08:00",
        "2026-03-12T02:30:00+08:00",
        None,
    );
    let r = run(&d, &no_incidents(), None, AS_OF);
    for (id, notice) in [("AT", Some(0)), ("AFTER", Some(-10)), ("NEVER", None)] {
        let x = record(&r, id);
        assert!(!x.applied, "{id}");
        assert_eq!(x.reason, Some(NotApplied::AnnouncedLate), "{id}");
        assert_eq!(x.notice_minutes, notice, "{id}");
        assert_eq!(x.excluded_minutes, 0, "{id}");
        // The record still names the month it lies in, with nothing removed there.
        assert_eq!(shares(x), owned(&[("2026-03", 0)]), "{id}");
    }
    assert_eq!(record(&r, "NEVER").announced_at, None);
    assert_eq!(period(&r, "2026-03").excluded_minutes, 0);
}

#[test]
fn sixty_minutes_of_required_notice() {
    // min_notice_minutes 60: exactly 60 minutes before is enough; 59 min 59 s is not
    // (rounded down, 59 whole minutes).
    let mut d = year();
    window(
        &mut d,
        "ON-TIME",
        "2026-03-10T02:00:00+08:00",
        "2026-03-10T02:20:00+08:00",
        Some("2026-03-10T01:00:00+08:00"),
    );
    window(
        &mut d,
        "SHORT",
        "2026-03-11T02:00:00+08:00",
        "2026-03-11T02:20:00+08:00",
        Some("2026-03-11T01:00:01+08:00"),
    );
    let p = policy(json!({ "min_notice_minutes": 60 }));
    let r = run(&d, &no_incidents(), Some(&p), AS_OF);
    let ok = record(&r, "ON-TIME");
    assert!(ok.applied);
    assert_eq!((ok.notice_minutes, ok.excluded_minutes), (Some(60), 20));
    let late = record(&r, "SHORT");
    assert!(!late.applied);
    assert_eq!(late.reason, Some(NotApplied::AnnouncedLate));
    assert_eq!((late.notice_minutes, late.excluded_minutes), (Some(59), 0));
    assert_eq!(period(&r, "2026-03").excluded_minutes, 20);
}

#[test]
fn overlapping_windows_count_the_shared_minutes_in_each_record_but_once_in_the_period() {
    // A 02:00–02:03 and B 02:02–02:05: 3 minutes each, 02:02 in both; the month loses
    // 02:00..02:05 = 5 minutes.
    let mut d = year();
    let early = Some("2026-03-01T00:00:00+08:00");
    window(
        &mut d,
        "A",
        "2026-03-10T02:00:00+08:00",
        "2026-03-10T02:03:00+08:00",
        early,
    );
    window(
        &mut d,
        "B",
        "2026-03-10T02:02:00+08:00",
        "2026-03-10T02:05:00+08:00",
        early,
    );
    let r = run(&d, &no_incidents(), None, AS_OF);
    assert_eq!(record(&r, "A").excluded_minutes, 3);
    assert_eq!(record(&r, "B").excluded_minutes, 3);
    assert_eq!(period(&r, "2026-03").excluded_minutes, 5);
    assert!(r.warnings.iter().any(|w| w.contains("overlaps")));
}

#[test]
fn a_window_across_a_month_end_and_past_as_of_counts_only_ended_minutes() {
    // 03-31 23:00 .. 04-01 02:00, as of 04-01 01:00: 60 minutes in March, 60 in April
    // so far; the hour after as_of has not happened yet.
    let mut d = year();
    window(
        &mut d,
        "MW-X",
        "2026-03-31T23:00:00+08:00",
        "2026-04-01T02:00:00+08:00",
        Some("2026-03-20T00:00:00+08:00"),
    );
    let r = run(&d, &no_incidents(), None, "2026-04-01T01:00:00+08:00");
    let x = record(&r, "MW-X");
    assert!(x.applied);
    assert_eq!(x.excluded_minutes, 120);
    assert_eq!(shares(x), owned(&[("2026-03", 60), ("2026-04", 60)]));
    assert_eq!(period(&r, "2026-03").excluded_minutes, 60);
    let april = period(&r, "2026-04");
    assert_eq!((april.minutes, april.excluded_minutes), (60, 60));
}

#[test]
fn a_cause_the_policy_leaves_in_is_recorded_but_removes_nothing() {
    // force_majeure 03-05 10:00–10:10 with an outage over the same 10 minutes. The policy
    // keeps force majeure in, so the 10 minutes count: March (44,640 − 10) / 44,640 breaches.
    let mut d = year();
    push(
        &mut d,
        "exclusions",
        json!({ "id": "EX-1", "cause": "force_majeure", "note": "台风",
                "start": "2026-03-05T10:00:00+08:00", "end": "2026-03-05T10:10:00+08:00" }),
    );
    outage(
        &mut d,
        "2026-03-05T10:00:00+08:00",
        "2026-03-05T10:10:00+08:00",
    );
    let p =
        policy(json!({ "excluded_causes": ["maintenance", "external_network", "customer_cause"] }));
    let r = run(&d, &no_incidents(), Some(&p), AS_OF);
    let x = record(&r, "EX-1");
    assert_eq!(x.source, ExclusionSource::Exclusion);
    assert_eq!(
        (x.kind.as_deref(), x.cause.as_deref()),
        (None, Some("force_majeure"))
    );
    assert_eq!(x.title, "台风");
    assert_eq!((x.announced_at, x.notice_minutes), (None, None));
    assert!(!x.applied);
    assert_eq!(x.reason, Some(NotApplied::CauseNotExcluded));
    assert_eq!(x.excluded_minutes, 0);
    assert_eq!(x.outages, ["OUT-20260305T1000"]);
    let march = period(&r, "2026-03");
    assert_eq!((march.excluded_minutes, march.unavailable_minutes), (0, 10));
    assert!(march.breached);

    // With the default policy the same record removes the 10 minutes, and nothing counts.
    let r = run(&d, &no_incidents(), None, AS_OF);
    let x = record(&r, "EX-1");
    assert!(x.applied);
    assert_eq!(x.excluded_minutes, 10);
    assert!(!period(&r, "2026-03").breached);
}

#[test]
fn a_policy_without_maintenance_leaves_every_window_in() {
    let mut d = year();
    window(
        &mut d,
        "MW-1",
        "2026-03-10T02:00:00+08:00",
        "2026-03-10T02:30:00+08:00",
        Some("2026-03-01T00:00:00+08:00"),
    );
    let p = policy(json!({ "excluded_causes": ["force_majeure"] }));
    let r = run(&d, &no_incidents(), Some(&p), AS_OF);
    let x = record(&r, "MW-1");
    assert_eq!(
        (x.applied, x.reason, x.excluded_minutes),
        (false, Some(NotApplied::CauseNotExcluded), 0)
    );
}

#[test]
fn records_name_the_outages_they_overlap_and_keep_input_order() {
    // Down 09:57–10:23 through a window 10:00–10:20: one outage, 26 minutes, 6 counted.
    let mut d = year();
    outage(
        &mut d,
        "2026-02-10T09:57:00+08:00",
        "2026-02-10T10:23:00+08:00",
    );
    push(
        &mut d,
        "exclusions",
        json!({ "id": "EX-0", "cause": "customer_cause",
                "start": "2026-02-11T00:00:00+08:00", "end": "2026-02-11T00:01:00+08:00" }),
    );
    window(
        &mut d,
        "MW-1",
        "2026-02-10T10:00:00+08:00",
        "2026-02-10T10:20:00+08:00",
        Some("2026-02-07T18:00:00+08:00"),
    );
    let r = run(&d, &no_incidents(), None, AS_OF);
    // Maintenance windows first, then exclusions, each in input order.
    let ids: Vec<&str> = r.exclusions.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["MW-1", "EX-0"]);
    assert_eq!(record(&r, "MW-1").outages, ["OUT-20260210T0957"]);
    assert_eq!(record(&r, "MW-1").notice_minutes, Some(2 * 1440 + 16 * 60));
    assert!(record(&r, "EX-0").outages.is_empty());
    assert_eq!(r.outages[0].counted_minutes, 6);
}

// ---- policy versions (§6) ----

fn two_outages() -> Value {
    // 5 minutes down in February and in March.
    let mut d = year();
    outage(
        &mut d,
        "2026-02-10T10:00:00+08:00",
        "2026-02-10T10:05:00+08:00",
    );
    outage(
        &mut d,
        "2026-03-10T10:00:00+08:00",
        "2026-03-10T10:05:00+08:00",
    );
    d
}

#[test]
fn each_period_is_judged_by_the_version_in_force_at_its_start() {
    // February: (40,320 − 5) × 10,000 = 403,150,000 < 40,320 × 9,999 = 403,159,680: breached.
    // March under 99.9: (44,640 − 5) × 1,000 = 44,635,000 ≥ 44,640 × 999 = 44,595,360: met.
    let p = policy(
        json!({ "versions": [ { "effective_from": "2026-03", "availability_target": "99.9" } ] }),
    );
    let r = run(&two_outages(), &no_incidents(), Some(&p), AS_OF);
    let (feb, mar) = (period(&r, "2026-02"), period(&r, "2026-03"));
    assert_eq!((feb.policy_version.as_deref(), feb.breached), (None, true));
    assert_eq!(
        (feb.target.as_str(), mar.target.as_str()),
        ("99.99", "99.9")
    );
    assert_eq!(
        (mar.policy_version.as_deref(), mar.breached),
        (Some("2026-03"), false)
    );
    assert_eq!(r.entitlement.units, 1);
    assert_eq!(r.policy_versions.len(), 1);
    assert_eq!(r.policy_versions[0].effective_from, "2026-03");

    // A later version never changes an earlier period.
    let later = policy(json!({ "versions": [
        { "effective_from": "2026-03", "availability_target": "99.9" },
        { "effective_from": "2026-04", "availability_target": "50" } ] }));
    let r2 = run(&two_outages(), &no_incidents(), Some(&later), AS_OF);
    assert_eq!(r2.periods[..3], r.periods[..3]);
    assert_eq!(
        period(&r2, "2026-04").policy_version.as_deref(),
        Some("2026-04")
    );
}

#[test]
fn a_version_can_change_the_minute_rules_of_its_own_months_only() {
    // From March a run must last 10 minutes to be an outage: March's 5 minutes no longer
    // count, February's still do.
    let p = policy(
        json!({ "versions": [ { "effective_from": "2026-03", "min_outage_minutes": 10 } ] }),
    );
    let r = run(&two_outages(), &no_incidents(), Some(&p), AS_OF);
    assert_eq!(period(&r, "2026-02").unavailable_minutes, 5);
    assert_eq!(period(&r, "2026-03").unavailable_minutes, 0);
    assert_eq!(r.outages.len(), 1);
    assert_eq!(r.entitlement.breached_periods, ["2026-02"]);
}

#[test]
fn a_single_object_policy_has_no_versions() {
    let p = policy(json!({ "availability_target": "99.9" }));
    let r = run(&two_outages(), &no_incidents(), Some(&p), AS_OF);
    assert!(r.policy_versions.is_empty());
    assert!(r.periods.iter().all(|p| p.policy_version.is_none()));
    assert!(r.periods.iter().all(|p| p.target == "99.9"));
}

#[test]
fn bad_versions_name_the_file_and_path() {
    let cases = [
        (
            json!([{ "effective_from": "2026-06" }, { "effective_from": "2026-03" }]),
            "policy.json: versions[1].effective_from: 2026-03 comes before the previous version's 2026-06: versions must be in order",
        ),
        (
            json!([{ "effective_from": "2026-06" }, { "effective_from": "2026-06" }]),
            "policy.json: versions[1].effective_from: 2026-06 appears twice",
        ),
        (
            json!([{ "effective_from": "2026-06", "timezone": "+09:00" }]),
            "policy.json: versions[0].timezone: not a setting a version can change (one of availability_target, minute_ok_ratio, min_outage_minutes, missing_data, zero_traffic, min_notice_minutes, excluded_causes, unassessed_causes, levels, third_party_pauses_recovery, compensation_unit, average_window, rounding, durability_target, calendar)",
        ),
        (
            json!([{ "availability_target": "99.9" }]),
            "policy.json: versions[0].effective_from: missing (a month YYYY-MM)",
        ),
        (
            json!([{ "effective_from": "2026-06", "min_outage_minutes": 0 }]),
            "policy.json: versions[0].min_outage_minutes: must be at least 1",
        ),
        (
            json!([{ "effective_from": "2026-06", "rounding": "up" }]),
            "policy.json: versions[0].rounding: \"up\" is not one of half_up, ceil, floor",
        ),
    ];
    for (versions, message) in cases {
        let p = policy(json!({ "versions": versions }));
        let e = try_run(&two_outages(), &no_incidents(), Some(&p), AS_OF).unwrap_err();
        assert_eq!(e.to_string(), message);
    }
}
