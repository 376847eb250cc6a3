//! Availability rules of docs/RULES.md §2–3, one test per rule, numbers worked by hand.

mod common;
use common::*;
use serde_json::json;

#[test]
fn judged_months_have_their_civil_length_in_minutes() {
    // 2024 is a leap year: Jan 31 d = 44,640; Feb 29 d = 41,760; Apr 30 d = 43,200.
    // 2026: Feb 28 d = 40,320.
    let r = run(
        &usage("2024-01-01", "2024-12-31"),
        &no_incidents(),
        None,
        "2025-01-01T00:00:00+08:00",
    );
    assert_eq!(r.periods.len(), 12);
    assert_eq!(period(&r, "2024-01").minutes, 44_640);
    assert_eq!(period(&r, "2024-02").minutes, 41_760);
    assert_eq!(period(&r, "2024-04").minutes, 43_200);
    assert!(r
        .periods
        .iter()
        .all(|p| p.status == sla_rules::report::PeriodStatus::Judged));
    let r = run(
        &usage("2026-01-01", "2026-12-31"),
        &no_incidents(),
        None,
        "2026-03-01T00:00:00+08:00",
    );
    assert_eq!(period(&r, "2026-02").minutes, 40_320);
    // The budget of a 31-day month is 44,640 × 0.01 % = 4.464 -> "4.46" minutes.
    assert_eq!(period(&r, "2026-01").downtime_budget_minutes, "4.46");
    assert_eq!(period(&r, "2026-02").downtime_budget_minutes, "4.03");
}

#[test]
fn a_four_minute_run_is_no_outage_but_a_five_minute_run_is() {
    let mut four = usage("2026-04-01", "2026-12-31");
    outage(
        &mut four,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:04:00+08:00",
    );
    let r = run(&four, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    let april = period(&r, "2026-04");
    assert!(r.outages.is_empty());
    assert_eq!(
        (
            april.unavailable_minutes,
            april.availability.as_str(),
            april.breached
        ),
        (0, "100.00000", false)
    );

    let mut five = usage("2026-04-01", "2026-12-31");
    outage(
        &mut five,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:05:00+08:00",
    );
    let r = run(&five, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    let april = period(&r, "2026-04");
    // 43,195 / 43,200 = 99.988425...% -> "99.98842"; 43,195 × 10,000 < 43,200 × 9,999: breached.
    assert_eq!(r.outages[0].id, "OUT-20260410T1000");
    assert_eq!(
        (
            april.unavailable_minutes,
            april.availability.as_str(),
            april.breached
        ),
        (5, "99.98842", true)
    );
}

fn telemetry_minutes(ok: u32, total: u32, n: usize) -> serde_json::Value {
    json!({ "start": "2026-04-10T10:00:00+08:00", "total": vec![total; n], "ok": vec![ok; n] })
}

#[test]
fn exactly_ninety_percent_ok_is_available() {
    // "90% 以上" includes 90 %: 90 of 100 ok for 10 minutes is up, 89 of 100 is down.
    let mut at = usage("2026-04-01", "2026-12-31");
    push(&mut at, "telemetry", telemetry_minutes(90, 100, 10));
    let r = run(&at, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").unavailable_minutes, 0);

    let mut below = usage("2026-04-01", "2026-12-31");
    push(&mut below, "telemetry", telemetry_minutes(89, 100, 10));
    let r = run(&below, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").unavailable_minutes, 10);
    // 10 minutes covered by telemetry: 43,200 − 10 = 43,190 have no data.
    assert_eq!(period(&r, "2026-04").no_data_minutes, 43_190);
}

#[test]
fn a_minute_without_traffic_is_up_by_default_and_down_by_policy() {
    let mut doc = usage("2026-04-01", "2026-12-31");
    push(&mut doc, "telemetry", telemetry_minutes(0, 0, 6));
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").unavailable_minutes, 0);
    let p = policy(json!({ "zero_traffic": "down" }));
    let r = run(&doc, &no_incidents(), Some(&p), "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").unavailable_minutes, 6);
}

#[test]
fn missing_data_down_makes_a_month_without_telemetry_fully_unavailable() {
    // With missing_data = down and no data at all, every April minute is one 43,200-minute outage.
    let p = policy(json!({ "missing_data": "down" }));
    let r = run(
        &usage("2026-04-01", "2026-12-31"),
        &no_incidents(),
        Some(&p),
        "2026-05-01T00:00:00+08:00",
    );
    let april = period(&r, "2026-04");
    assert_eq!(
        (april.unavailable_minutes, april.availability.as_str()),
        (43_200, "0.00000")
    );
}

#[test]
fn an_outage_across_a_month_boundary_gives_each_month_its_own_minutes() {
    // 04-30 23:57 .. 05-01 00:03: 3 minutes in April, 3 in May. April's budget is 4.32,
    // May's 4.46: 43,197 × 10,000 = 431,970,000 ≥ 43,200 × 9,999 = 431,956,800, so neither breaches.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-30T23:57:00+08:00",
        "2026-05-01T00:03:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-06-01T00:00:00+08:00");
    assert_eq!(r.outages.len(), 1);
    assert_eq!(r.outages[0].minutes, 6);
    let (apr, may) = (period(&r, "2026-04"), period(&r, "2026-05"));
    assert_eq!((apr.unavailable_minutes, apr.breached), (3, false));
    assert_eq!((may.unavailable_minutes, may.breached), (3, false));
    assert!(!r.outages[0].compensable);
    assert_eq!(r.entitlement.units, 0);
}

#[test]
fn a_run_continues_through_an_announced_window_and_downtime_past_its_end_counts() {
    // Down 10:00–10:30 (30 min); upgrade 10:00–10:20 announced the day before:
    // one outage, 20 excluded, 10 counted.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:30:00+08:00",
    );
    maintenance(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:20:00+08:00",
        "2026-04-09T10:00:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    let o = &r.outages[0];
    assert_eq!(
        (o.minutes, o.excluded_minutes, o.counted_minutes),
        (30, 20, 10)
    );
    let april = period(&r, "2026-04");
    // measured 43,200 − 20 = 43,180; (43,180 − 10) / 43,180 = 99.976841...% -> "99.97684".
    assert_eq!(
        (
            april.excluded_minutes,
            april.measured_minutes,
            april.unavailable_minutes
        ),
        (20, 43_180, 10)
    );
    assert_eq!(april.availability, "99.97684");
}

#[test]
fn a_four_minute_run_with_a_window_inside_it_is_still_no_outage() {
    // Down 09:58–10:02 with a window 09:59–10:01 inside: one raw run of 4 minutes
    // (under 5), not an outage at all.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T09:58:00+08:00",
        "2026-04-10T10:02:00+08:00",
    );
    maintenance(
        &mut doc,
        "2026-04-10T09:59:00+08:00",
        "2026-04-10T10:01:00+08:00",
        "2026-04-01T00:00:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert!(r.outages.is_empty());
}

#[test]
fn a_late_announced_window_is_not_excluded() {
    // Announced at 10:01 for a window starting 10:00: not "before it began".
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:10:00+08:00",
    );
    maintenance(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:10:00+08:00",
        "2026-04-10T10:01:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    let april = period(&r, "2026-04");
    assert_eq!(
        (
            april.excluded_minutes,
            april.unavailable_minutes,
            april.breached
        ),
        (0, 10, true)
    );

    // With min_notice_minutes = 60, an announcement 30 minutes ahead is also too late.
    let mut doc = usage("2026-04-01", "2026-12-31");
    maintenance(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:10:00+08:00",
        "2026-04-10T09:30:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").excluded_minutes, 10);
    let p = policy(json!({ "min_notice_minutes": 60 }));
    let r = run(&doc, &no_incidents(), Some(&p), "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").excluded_minutes, 0);
}

#[test]
fn force_majeure_exclusions_leave_measured_time_and_can_be_switched_off() {
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T11:00:00+08:00",
    );
    push(
        &mut doc,
        "exclusions",
        json!({ "id": "EX", "cause": "force_majeure", "start": "2026-04-10T10:00:00+08:00", "end": "2026-04-10T11:00:00+08:00" }),
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    let april = period(&r, "2026-04");
    // The 60-minute outage is shown with 0 counted minutes and counts for nothing.
    assert_eq!(
        (
            april.excluded_minutes,
            april.unavailable_minutes,
            april.breached
        ),
        (60, 0, false)
    );
    assert_eq!(r.outages[0].counted_minutes, 0);
    assert!(!r.outages[0].compensable);
    let p = policy(json!({ "excluded_causes": ["maintenance"] }));
    let r = run(&doc, &no_incidents(), Some(&p), "2026-05-01T00:00:00+08:00");
    assert_eq!(period(&r, "2026-04").unavailable_minutes, 60);
}

#[test]
fn a_fully_excluded_period_is_shown_and_does_not_breach() {
    let mut doc = usage("2026-04-01", "2026-12-31");
    push(
        &mut doc,
        "exclusions",
        json!({ "cause": "force_majeure", "start": "2026-04-01T00:00:00+08:00", "end": "2026-05-01T00:00:00+08:00" }),
    );
    outage(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T11:00:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    let april = period(&r, "2026-04");
    assert_eq!(
        (
            april.measured_minutes,
            april.availability.as_str(),
            april.breached
        ),
        (0, "100.00000", false)
    );
}

#[test]
fn partial_and_in_progress_periods_are_never_judged() {
    // Term from 04-15: April is partial (16 days = 23,040 min). As of 06-10 12:00,
    // June is in progress: 9 days + 12 h = 13,680 whole minutes so far.
    let mut doc = usage("2026-04-15", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-20T10:00:00+08:00",
        "2026-04-20T11:00:00+08:00",
    );
    outage(
        &mut doc,
        "2026-06-02T10:00:00+08:00",
        "2026-06-02T11:00:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-06-10T12:00:30+08:00");
    use sla_rules::report::PeriodStatus::*;
    let (apr, may, jun) = (
        period(&r, "2026-04"),
        period(&r, "2026-05"),
        period(&r, "2026-06"),
    );
    assert_eq!(
        (
            apr.status,
            apr.minutes,
            apr.unavailable_minutes,
            apr.breached
        ),
        (Partial, 23_040, 60, false)
    );
    assert_eq!((may.status, may.minutes), (Judged, 44_640));
    assert_eq!(
        (jun.status, jun.minutes, jun.breached),
        (InProgress, 13_680, false)
    );
    assert_eq!(r.entitlement.units, 0);
}

#[test]
fn a_minute_in_progress_at_as_of_is_not_counted_and_a_run_is_cut_there() {
    // As of 10:03:59, minutes 10:00, 10:01, 10:02 have ended: a 3-minute run so far, no outage yet.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:30:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-04-10T10:03:59+08:00");
    assert!(r.outages.is_empty());
    let r = run(&doc, &no_incidents(), None, "2026-04-10T10:05:00+08:00");
    assert_eq!(r.outages[0].minutes, 5);
}

#[test]
fn unaligned_intervals_are_widened_and_the_report_says_so() {
    // 10:00:30–10:04:10 widens to 10:00–10:05: five minutes, an outage.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T10:00:30+08:00",
        "2026-04-10T10:04:10+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(r.outages[0].minutes, 5);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("outages[0]") && w.contains("widened")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn outage_ids_use_the_contract_timezone() {
    // 2026-04-10T02:00Z is 10:00 in +08:00.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(&mut doc, "2026-04-10T02:00:00Z", "2026-04-10T02:06:00Z");
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(r.outages[0].id, "OUT-20260410T1000");
    assert_eq!(r.outages[0].start, "2026-04-10T10:00:00+08:00");
}

#[test]
fn durability_is_compared_exactly_at_ten_nines() {
    // 1 lost of 10^10: 1 − 10^-10 = 99.99999999 % exactly: met (≥). 2 lost: not met.
    let mut doc = usage("2026-04-01", "2026-12-31");
    push(
        &mut doc,
        "durability",
        json!({ "month": "2026-04", "stored": 10_000_000_000u64, "lost": 1 }),
    );
    push(
        &mut doc,
        "durability",
        json!({ "month": "2026-05", "stored": 10_000_000_000u64, "lost": 2 }),
    );
    let r = run(&doc, &no_incidents(), None, "2026-06-01T00:00:00+08:00");
    assert!(period(&r, "2026-04").durability.as_ref().unwrap().met);
    assert!(!period(&r, "2026-05").durability.as_ref().unwrap().met);
}

#[test]
fn warnings_flag_suspicious_but_valid_input() {
    let mut doc = usage("2026-04-01", "2026-12-31");
    maintenance(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T11:00:00+08:00",
        "2026-04-01T00:00:00+08:00",
    );
    maintenance(
        &mut doc,
        "2026-04-10T10:30:00+08:00",
        "2026-04-10T11:30:00+08:00",
        "2026-04-01T00:00:00+08:00",
    );
    push(
        &mut doc,
        "telemetry",
        json!({ "start": "2026-03-31T23:58:00+08:00", "total": [1, 1, 1], "ok": [1, 1, 1] }),
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("maintenance[1]: overlaps maintenance[0]")),
        "{:?}",
        r.warnings
    );
    // 23:58 and 23:59 on 03-31 are before the term.
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("2 minute(s) lie outside the contract term")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn each_period_carries_its_own_share_of_an_outage() {
    // Worked example shape: down 02-28 23:58 .. 03-01 00:05 is 2 counted minutes in February
    // and 5 in March; a month's statement must show its share, not the outage's 7.
    let mut doc = usage("2026-01-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-02-28T23:58:00+08:00",
        "2026-03-01T00:05:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-04-01T00:00:00+08:00");
    let share = |m: &str| {
        period(&r, m)
            .outage_minutes
            .iter()
            .map(|o| (o.id.clone(), o.counted_minutes))
            .collect::<Vec<_>>()
    };
    assert_eq!(share("2026-02"), vec![("OUT-20260228T2358".to_string(), 2)]);
    assert_eq!(share("2026-03"), vec![("OUT-20260228T2358".to_string(), 5)]);
    assert_eq!(r.outages[0].counted_minutes, 7);
}

#[test]
fn a_month_in_progress_is_out_of_reach_once_its_whole_budget_is_spent() {
    // April has 43,200 minutes: the budget is 4.32, so 4 counted minutes keep it within
    // reach ((43,200 − 4) × 10,000 = 431,960,000 ≥ 43,200 × 9,999 = 431,956,800) and a
    // 5-minute outage puts it out of reach (431,950,000 < 431,956,800), though April has
    // not ended and is not judged.
    let mut d = usage("2026-01-01", "2026-12-31");
    outage(
        &mut d,
        "2026-04-02T10:00:00+08:00",
        "2026-04-02T10:05:00+08:00",
    );
    let r = run(&d, &no_incidents(), None, "2026-04-10T00:00:00+08:00");
    let april = period(&r, "2026-04");
    assert_eq!(april.status, sla_rules::report::PeriodStatus::InProgress);
    assert!(april.target_out_of_reach);
    assert!(!april.breached);
    // Judged months never carry the flag.
    assert!(!period(&r, "2026-03").target_out_of_reach);

    let p = policy(serde_json::json!({ "min_outage_minutes": 4 }));
    let mut d = usage("2026-01-01", "2026-12-31");
    outage(
        &mut d,
        "2026-04-02T10:00:00+08:00",
        "2026-04-02T10:04:00+08:00",
    );
    let r = run(&d, &no_incidents(), Some(&p), "2026-04-10T00:00:00+08:00");
    assert!(!period(&r, "2026-04").target_out_of_reach);

    // A month that will end after the term (partial) is never judged, so never out of reach.
    let mut d = usage("2026-01-01", "2026-04-20");
    outage(
        &mut d,
        "2026-04-02T10:00:00+08:00",
        "2026-04-02T10:30:00+08:00",
    );
    let r = run(&d, &no_incidents(), None, "2026-04-10T00:00:00+08:00");
    assert!(!period(&r, "2026-04").target_out_of_reach);
}

/// A day of telemetry at 100 of 100 ok from `start`, 1,440 minutes.
fn day_of_telemetry(start: &str) -> serde_json::Value {
    json!({ "start": start, "total": vec![100; 1440], "ok": vec![100; 1440] })
}

#[test]
fn the_data_horizon_is_where_telemetry_stops_and_the_month_is_still_judged_by_the_policy() {
    // Telemetry for 2026-03-20 only (+08:00), the rest of March without data.
    let mut doc = usage("2026-03-01", "2026-12-31");
    push(
        &mut doc,
        "telemetry",
        day_of_telemetry("2026-03-20T00:00:00+08:00"),
    );
    let r = run(&doc, &no_incidents(), None, "2026-04-05T00:00:00+08:00");
    // Data through the 20th: the horizon is 2026-03-21T00:00+08:00, and the 21st..31st
    // are 11 × 1,440 = 15,840 minutes after it.
    assert_eq!(
        r.data_horizon.map(|h| h.to_string()).as_deref(),
        Some("2026-03-21T00:00:00+08:00")
    );
    let march = period(&r, "2026-03");
    assert_eq!(march.minutes_after_data_horizon, 15_840);
    // The policy decides (missing_data = up): March is met, 44,640 minutes, none down;
    // its no-data minutes are the 30 days without telemetry, the tail among them.
    assert!(!march.breached);
    assert_eq!(march.no_data_minutes, 30 * 1_440);
    // April so far: 4 days to as_of, all after the horizon.
    assert_eq!(period(&r, "2026-04").minutes_after_data_horizon, 4 * 1_440);

    // With missing_data = down the same month breaches: the horizon does not decide.
    let policy = json!({ "schema": "sla-portal/policy/v1", "missing_data": "down" });
    let r = run(
        &doc,
        &no_incidents(),
        Some(&policy),
        "2026-04-05T00:00:00+08:00",
    );
    let march = period(&r, "2026-03");
    assert!(march.breached);
    assert_eq!(march.minutes_after_data_horizon, 15_840);
}

#[test]
fn without_telemetry_the_horizon_is_null_and_every_minute_lies_after_it() {
    // A declared outage is not telemetry: the horizon stays null.
    let mut doc = usage("2026-04-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-04-10T10:00:00+08:00",
        "2026-04-10T10:05:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(r.data_horizon, None);
    assert_eq!(period(&r, "2026-04").minutes_after_data_horizon, 43_200);
    // Telemetry to the month's very end: nothing after the horizon in April.
    let mut full = usage("2026-04-01", "2026-12-31");
    push(
        &mut full,
        "telemetry",
        day_of_telemetry("2026-04-30T00:00:00+08:00"),
    );
    let r = run(&full, &no_incidents(), None, "2026-05-01T00:00:00+08:00");
    assert_eq!(
        r.data_horizon.map(|h| h.to_string()).as_deref(),
        Some("2026-05-01T00:00:00+08:00")
    );
    assert_eq!(period(&r, "2026-04").minutes_after_data_horizon, 0);
    // Telemetry after as_of is not evaluated and does not move the horizon.
    let mut late = usage("2026-04-01", "2026-12-31");
    push(
        &mut late,
        "telemetry",
        day_of_telemetry("2026-04-10T00:00:00+08:00"),
    );
    push(
        &mut late,
        "telemetry",
        day_of_telemetry("2026-04-20T00:00:00+08:00"),
    );
    let r = run(&late, &no_incidents(), None, "2026-04-15T00:00:00+08:00");
    assert_eq!(
        r.data_horizon.map(|h| h.to_string()).as_deref(),
        Some("2026-04-11T00:00:00+08:00")
    );
    // April so far: the 11th..14th, 4 × 1,440 minutes after the horizon.
    assert_eq!(period(&r, "2026-04").minutes_after_data_horizon, 4 * 1_440);
}
