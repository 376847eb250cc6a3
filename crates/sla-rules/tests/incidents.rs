//! Incident rules of docs/RULES.md §4, one test per rule, numbers worked by hand.

mod common;
use common::*;
use serde_json::{json, Value};
use sla_rules::report::TargetStatus::*;

fn inc(
    level: u8,
    cause: &str,
    reported: &str,
    responded: Option<&str>,
    resolved: Option<&str>,
) -> Value {
    json!({ "id": "I", "level": level, "title": "t", "component": "c", "cause": cause,
            "reported_at": reported, "responded_at": responded, "resolved_at": resolved })
}

fn one(i: Value, as_of: &str) -> sla_rules::report::IncidentReport {
    let r = run(
        &usage("2026-01-01", "2026-12-31"),
        &incidents(json!([i])),
        None,
        as_of,
    );
    r.incidents.into_iter().next().unwrap()
}

#[test]
fn level_one_targets_are_met_at_exactly_the_target() {
    // Responded at exactly 15 min (900 s ≤ 900), recovered at exactly 2 h.
    let r = one(
        inc(
            1,
            "platform",
            "2026-03-02T10:00:00+08:00",
            Some("2026-03-02T10:15:00+08:00"),
            Some("2026-03-02T12:00:00+08:00"),
        ),
        "2026-04-01T00:00:00+08:00",
    );
    assert_eq!((r.response_seconds, r.response), (Some(900), Met));
    assert_eq!((r.recovery_seconds, r.recovery), (Some(7200), Met));
    // One second later is a breach.
    let r = one(
        inc(
            1,
            "platform",
            "2026-03-02T10:00:00+08:00",
            Some("2026-03-02T10:15:01+08:00"),
            Some("2026-03-02T12:00:01+08:00"),
        ),
        "2026-04-01T00:00:00+08:00",
    );
    assert_eq!((r.response, r.recovery), (Breached, Breached));
}

#[test]
fn the_business_clock_stops_over_the_weekend() {
    // Level 3, reported Fri 2026-03-06 17:00, responded Mon 03-09 09:20:
    // 60 min Friday + 20 min Monday = 80 min = 4,800 s > 30 min: breached.
    // Advice Mon 10:00: 60 + 60 = 120 min ≤ 24 h: met.
    let r = one(
        inc(
            3,
            "customer_cause",
            "2026-03-06T17:00:00+08:00",
            Some("2026-03-09T09:20:00+08:00"),
            Some("2026-03-09T10:00:00+08:00"),
        ),
        "2026-04-01T00:00:00+08:00",
    );
    assert_eq!(r.clock, sla_rules::report::Clock::Business);
    assert_eq!((r.response_seconds, r.response), (Some(4800), Breached));
    assert_eq!((r.recovery_seconds, r.recovery), (Some(7200), Met));
}

#[test]
fn the_business_clock_skips_a_holiday_and_counts_a_make_up_working_day() {
    // Reported Thu 2026-09-24 17:50; Fri 09-25 is a holiday (Mid-Autumn), Sun 09-20 was a
    // make-up day (before). Responded Mon 09-28 09:10: 10 min Thu + 10 min Mon = 1,200 s: met.
    let r = one(
        inc(
            3,
            "platform",
            "2026-09-24T17:50:00+08:00",
            Some("2026-09-28T09:10:00+08:00"),
            Some("2026-09-28T09:10:00+08:00"),
        ),
        "2026-10-01T00:00:00+08:00",
    );
    assert_eq!((r.response_seconds, r.response), (Some(1200), Met));
    // Sat 2026-10-10 is a make-up working day: reported Fri 10-09 17:45, answered Sat 10-10 09:30
    // = 15 + 30 = 45 min > 30: breached (a plain Saturday would have given 15 min: met).
    let r = one(
        inc(
            3,
            "platform",
            "2026-10-09T17:45:00+08:00",
            Some("2026-10-10T09:30:00+08:00"),
            Some("2026-10-10T09:30:00+08:00"),
        ),
        "2026-11-01T00:00:00+08:00",
    );
    assert_eq!((r.response_seconds, r.response), (Some(2700), Breached));
}

#[test]
fn third_party_pauses_come_off_recovery_only_and_are_clipped() {
    // Level 2 reported 10:00, responded 10:40 (2,400 s > 1,800: breached, pauses do not help),
    // resolved 19:00 = 9 h. Paused 11:00–14:00 and 13:00–15:00 (union 11:00–15:00 = 4 h) and
    // 18:00–20:00 (clipped at 19:00: 1 h): 5 h paused, 4 h = 14,400 s ≤ 6 h: met.
    let mut i = inc(
        2,
        "third_party",
        "2026-03-03T10:00:00+08:00",
        Some("2026-03-03T10:40:00+08:00"),
        Some("2026-03-03T19:00:00+08:00"),
    );
    i["paused"] = json!([
        { "start": "2026-03-03T11:00:00+08:00", "end": "2026-03-03T14:00:00+08:00", "reason": "third_party" },
        { "start": "2026-03-03T13:00:00+08:00", "end": "2026-03-03T15:00:00+08:00", "reason": "third_party" },
        { "start": "2026-03-03T18:00:00+08:00", "end": "2026-03-03T20:00:00+08:00", "reason": "third_party" },
    ]);
    let r = one(i.clone(), "2026-04-01T00:00:00+08:00");
    assert_eq!((r.response_seconds, r.response), (Some(2400), Breached));
    assert_eq!(r.paused_seconds, Some(18_000));
    assert_eq!((r.recovery_seconds, r.recovery), (Some(14_400), Met));
    // Policy off: 9 h > 6 h.
    let p = policy(json!({ "third_party_pauses_recovery": false }));
    let rep = run(
        &usage("2026-01-01", "2026-12-31"),
        &incidents(json!([i])),
        Some(&p),
        "2026-04-01T00:00:00+08:00",
    );
    assert_eq!(
        (rep.incidents[0].recovery_seconds, rep.incidents[0].recovery),
        (Some(32_400), Breached)
    );
}

#[test]
fn an_open_incident_runs_until_past_its_target() {
    // Level 1 reported 09:00, responded 09:05; as of 10:30 (1.5 h) recovery is running,
    // as of 11:00:01 it is breached; its seconds stay null while the clock runs.
    let i = inc(
        1,
        "platform",
        "2026-04-10T09:00:00+08:00",
        Some("2026-04-10T09:05:00+08:00"),
        None,
    );
    let r = one(i.clone(), "2026-04-10T10:30:00+08:00");
    assert!(r.open);
    assert_eq!((r.response_seconds, r.response), (Some(300), Met));
    assert_eq!((r.recovery_seconds, r.recovery), (None, Running));
    let r = one(i, "2026-04-10T11:00:01+08:00");
    assert_eq!((r.recovery_seconds, r.recovery), (None, Breached));
}

#[test]
fn platform_faults_with_a_section_5_cause_are_not_assessed_except_level_three() {
    let r = one(
        inc(
            1,
            "force_majeure",
            "2026-03-02T10:00:00+08:00",
            Some("2026-03-02T12:00:00+08:00"),
            Some("2026-03-02T20:00:00+08:00"),
        ),
        "2026-04-01T00:00:00+08:00",
    );
    assert!(!r.assessed);
    assert_eq!(
        (r.response, r.recovery, r.response_seconds),
        (NotAssessed, NotAssessed, None)
    );
    let r = one(
        inc(
            3,
            "customer_cause",
            "2026-03-02T10:00:00+08:00",
            Some("2026-03-02T10:10:00+08:00"),
            Some("2026-03-02T11:00:00+08:00"),
        ),
        "2026-04-01T00:00:00+08:00",
    );
    assert!(r.assessed);
}

#[test]
fn events_after_as_of_have_not_happened_yet() {
    // Responded at 10:20 but viewed as of 10:10: the response clock is still running (10 min).
    let r = one(
        inc(
            2,
            "platform",
            "2026-03-02T10:00:00+08:00",
            Some("2026-03-02T10:20:00+08:00"),
            Some("2026-03-02T11:00:00+08:00"),
        ),
        "2026-03-02T10:10:00+08:00",
    );
    assert_eq!((r.response, r.recovery, r.open), (Running, Running, true));
    let rep = run(
        &usage("2026-01-01", "2026-12-31"),
        &incidents(json!([inc(
            2,
            "platform",
            "2026-03-02T10:00:00+08:00",
            None,
            None
        )])),
        None,
        "2026-03-01T00:00:00+08:00",
    );
    assert!(rep.incidents.is_empty());
}

#[test]
fn level_summaries_count_share_and_percentiles() {
    // Three level-1 incidents responding in 5, 10 and 20 min: 2 of 3 met = "66.6" (truncated);
    // median (nearest rank 2 of 3) = 600 s; p90 (rank 3) = 1,200 s.
    let list = json!([
        inc(
            1,
            "platform",
            "2026-03-02T10:00:00+08:00",
            Some("2026-03-02T10:05:00+08:00"),
            Some("2026-03-02T10:30:00+08:00")
        ),
        inc(
            1,
            "platform",
            "2026-03-03T10:00:00+08:00",
            Some("2026-03-03T10:10:00+08:00"),
            Some("2026-03-03T10:30:00+08:00")
        ),
        inc(
            1,
            "platform",
            "2026-03-04T10:00:00+08:00",
            Some("2026-03-04T10:20:00+08:00"),
            Some("2026-03-04T10:30:00+08:00")
        ),
    ]);
    let r = run(
        &usage("2026-01-01", "2026-12-31"),
        &incidents(list),
        None,
        "2026-04-01T00:00:00+08:00",
    );
    let s = &r.incident_summary[0];
    assert_eq!(
        (s.level, s.count, s.response_met, s.response_breached),
        (1, 3, 2, 1)
    );
    assert_eq!(s.response_met_percent.as_deref(), Some("66.6"));
    assert_eq!(
        (s.response_median_seconds, s.response_p90_seconds),
        (Some(600), Some(1200))
    );
    assert_eq!(r.incident_summary[1].count, 0);
    assert_eq!(r.incident_summary[1].response_met_percent, None);
}

#[test]
fn a_business_date_outside_the_calendar_years_warns() {
    // Level 3 on Mon 2027-03-01 (the default calendar covers 2024–2026): a plain weekday,
    // 10:00 -> 10:20 = 1,200 s, met; the report warns that the calendar did not cover it.
    let rep = run(
        &usage("2027-01-01", "2027-12-31"),
        &incidents(json!([inc(
            3,
            "platform",
            "2027-03-01T10:00:00+08:00",
            Some("2027-03-01T10:20:00+08:00"),
            Some("2027-03-01T11:00:00+08:00")
        )])),
        None,
        "2027-04-01T00:00:00+08:00",
    );
    assert_eq!(
        (rep.incidents[0].response_seconds, rep.incidents[0].response),
        (Some(1200), Met)
    );
    assert!(
        rep.warnings
            .iter()
            .any(|w| w.contains("I") && w.contains("outside the business calendar")),
        "{:?}",
        rep.warnings
    );
}
