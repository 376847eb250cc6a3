//! Properties that hold for any telemetry: bounds, monotonicity, exclusion, additivity, round trips.

mod common;
use common::*;
use proptest::prelude::*;
use serde_json::json;

/// A contract over February–March 2026 with one telemetry segment of `ok` minutes
/// starting 2026-02-27T00:00 (+08:00), and optional excluded windows.
fn doc(ok: &[u32], exclusions: &[(u32, u32)]) -> serde_json::Value {
    let mut d = usage("2026-02-01", "2026-03-31");
    push(
        &mut d,
        "telemetry",
        json!({ "start": "2026-02-27T00:00:00+08:00", "total": vec![10; ok.len()], "ok": ok }),
    );
    let base = chrono::DateTime::parse_from_rfc3339("2026-02-27T00:00:00+08:00").unwrap();
    for &(s, len) in exclusions {
        let start = base + chrono::Duration::minutes(s as i64);
        let end = start + chrono::Duration::minutes(len as i64);
        push(
            &mut d,
            "exclusions",
            json!({ "cause": "force_majeure", "start": start.to_rfc3339(), "end": end.to_rfc3339() }),
        );
    }
    d
}

const AS_OF: &str = "2026-04-01T00:00:00+08:00";

fn availability_millionths(p: &sla_rules::report::Period) -> u64 {
    p.availability.replace('.', "").parse().unwrap()
}

fn minutes_strategy() -> impl Strategy<Value = Vec<u32>> {
    // Minutes are up (10 of 10) or down (0 of 10), in runs so that outages of 5+ occur.
    prop::collection::vec((prop::bool::ANY, 1usize..12), 1..60).prop_map(|runs| {
        runs.into_iter()
            .flat_map(|(up, n)| std::iter::repeat_n(if up { 10 } else { 0 }, n))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn availability_is_within_0_and_100(ok in minutes_strategy()) {
        let r = run(&doc(&ok, &[]), &no_incidents(), None, AS_OF);
        for p in &r.periods {
            let a = availability_millionths(p);
            prop_assert!(a <= 10_000_000, "{}", p.availability);
            prop_assert!(p.unavailable_minutes <= p.measured_minutes);
        }
    }

    #[test]
    fn a_further_down_minute_never_raises_availability_nor_lowers_units(ok in minutes_strategy(), at in 0usize..600) {
        let before = run(&doc(&ok, &[]), &no_incidents(), None, AS_OF);
        let mut worse = ok.clone();
        let i = at % worse.len();
        worse[i] = 0;
        let after = run(&doc(&worse, &[]), &no_incidents(), None, AS_OF);
        for (b, a) in before.periods.iter().zip(&after.periods) {
            prop_assert!(availability_millionths(a) <= availability_millionths(b));
            prop_assert!(a.unavailable_minutes >= b.unavailable_minutes);
            prop_assert!(a.breached || !b.breached);
        }
        // One breached month is one 宕机: a down minute can only add breached months, so
        // the units never fall (they could under per_outage, by joining two outages).
        prop_assert!(after.entitlement.units >= before.entitlement.units);
    }

    #[test]
    fn units_are_the_number_of_breached_judged_periods(ok in minutes_strategy(), start in 0u32..3000) {
        // The segment starts 2026-02-27; shifting it moves outages across the month end.
        let mut d = doc(&ok, &[]);
        let t = chrono::DateTime::parse_from_rfc3339("2026-02-27T00:00:00+08:00").unwrap()
            + chrono::Duration::minutes(start as i64);
        d["telemetry"][0]["start"] = json!(t.to_rfc3339());
        let r = run(&d, &no_incidents(), None, AS_OF);
        let breached = r
            .periods
            .iter()
            .filter(|p| p.status == sla_rules::report::PeriodStatus::Judged && p.breached)
            .count() as u64;
        prop_assert_eq!(r.entitlement.units, breached);
        prop_assert_eq!(r.entitlement.service_extension.months, breached);
        prop_assert_eq!(r.entitlement.breached_periods.len() as u64, breached);
    }

    #[test]
    fn excluded_minutes_never_count(ok in minutes_strategy(), s in 0u32..200, len in 1u32..200) {
        let r = run(&doc(&ok, &[(s, len)]), &no_incidents(), None, AS_OF);
        let excluded: u64 = r.periods.iter().map(|p| p.excluded_minutes).sum();
        prop_assert_eq!(excluded, len as u64);
        for o in &r.outages {
            prop_assert_eq!(o.counted_minutes + o.excluded_minutes, o.minutes);
        }
        // Excluding everything the segment covers leaves nothing unavailable.
        let all = run(&doc(&ok, &[(0, ok.len() as u32)]), &no_incidents(), None, AS_OF);
        prop_assert!(all.periods.iter().all(|p| p.unavailable_minutes == 0 && !p.breached));
    }

    #[test]
    fn months_add_up_to_the_range(start_day in 1u32..28, end_day in 1u32..28, as_of_day in 1u32..30) {
        // Term 2026-01-DD .. 2026-06-DD, as of 2026-0X: the periods' minutes add up to the
        // whole minutes of term ∩ [.., as_of), and the days' minutes to the same.
        let d = usage(&format!("2026-01-{start_day:02}"), &format!("2026-06-{end_day:02}"));
        let as_of = format!("2026-05-{as_of_day:02}T13:37:00+08:00");
        let r = run(&d, &no_incidents(), None, &as_of);
        let total: u64 = r.periods.iter().map(|p| p.minutes).sum();
        let start = chrono::NaiveDate::from_ymd_opt(2026, 1, start_day).unwrap();
        let end = chrono::NaiveDate::from_ymd_opt(2026, 5, as_of_day).unwrap();
        let expected = (end - start).num_days() as u64 * 1440 + 13 * 60 + 37;
        prop_assert_eq!(total, expected);
        let days: u64 = r.days.iter().map(|d| d.minutes).sum();
        prop_assert_eq!(days, expected);
    }

    #[test]
    fn reports_round_trip_through_json(ok in minutes_strategy()) {
        let r = run(&doc(&ok, &[]), &no_incidents(), None, AS_OF);
        let text = serde_json::to_string(&r).unwrap();
        let back: sla_rules::Report = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, r);
    }
}
