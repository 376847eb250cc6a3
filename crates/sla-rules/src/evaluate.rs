//! Evaluation: validated documents and `as_of` in, the report (and the minute
//! map behind it, for timelines and evidence) out.

use crate::compensation::{attribute, entitlement, CountedByPeriod};
use crate::decimal::{fixed, percent_truncated};
use crate::exclusions::PeriodRange;
use crate::incidents::{assess_with, summarise, Incident};
use crate::minutes::{MinuteMap, Run};
use crate::policy::Policy;
use crate::report::{
    ContractInfo, Day, Durability, Metering, Outage, Period, PeriodOutage, PeriodStatus,
    PolicyVersionInfo, Report, RulesInfo, REPORT_SCHEMA,
};
use crate::time::{Instant, Month, Stamp, Tz};
use crate::usage::Usage;

/// The report with what it was computed from.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub report: Report,
    pub map: MinuteMap,
    pub tz: Tz,
    /// The business calendar the clocks ran on (views draw business-hours gaps from it).
    pub calendar: crate::calendar::Calendar,
}

/// Evaluates a contract as of `as_of` (seconds since the epoch).
///
/// ```
/// use sla_rules::{incidents::parse_incidents, policy::Policy, usage::parse_usage};
/// let usage = parse_usage(br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},"telemetry":[]}"#,
///   "usage.json").unwrap();
/// let incidents = parse_incidents(br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#,
///   "incidents.json").unwrap();
/// let as_of = sla_rules::time::parse_instant("2026-03-01T00:00:00+08:00").unwrap();
/// let ev = sla_rules::evaluate(&usage, &incidents, &Policy::default(), as_of);
/// // February 2026 has 28 × 1,440 minutes, each without data and so up.
/// assert_eq!(ev.report.periods[0].minutes, 40_320);
/// assert_eq!(ev.report.periods[0].no_data_minutes, 40_320);
/// assert_eq!(ev.map.flags.len(), 40_320);
/// ```
pub fn evaluate(
    usage: &Usage,
    incidents: &[Incident],
    policy: &Policy,
    as_of: Instant,
) -> Evaluation {
    let tz = usage.timezone.unwrap_or(policy.timezone);
    let mut warnings = usage.warnings.clone();
    let term_start = tz.day_start(usage.service_start).div_euclid(60);
    let term_end = usage
        .service_end
        .succ_opt()
        .map(|d| tz.day_start(d).div_euclid(60))
        .unwrap_or(term_start);
    // Only whole minutes that ended by as_of count; the window never leaves the term.
    let w0 = term_start;
    let w1 = term_end.min(as_of.div_euclid(60)).max(w0);
    let first = Month::of(usage.service_start);
    let last = Month::of(tz.date(as_of)).min(Month::of(usage.service_end));
    // Each period's minute range and the settings in force at its start (§6: a later
    // policy version never changes an earlier period).
    let mut months: Vec<Slot> = Vec::new();
    let mut m = first;
    while m <= last {
        let ms = tz.month_start(m).div_euclid(60);
        let me = tz.month_start(m.next()).div_euclid(60);
        let a = ms.max(w0);
        let (pol, version) = policy.in_force(m);
        months.push(Slot {
            range: PeriodRange {
                month: m,
                a,
                b: me.min(w1).max(a),
                policy: pol,
            },
            month_start: ms,
            month_end: me,
            version,
        });
        m = m.next();
    }
    let (map, runs) = if policy.versions.is_empty() {
        MinuteMap::build(usage, policy, w0, w1)
    } else {
        let (mut map, _) = MinuteMap::build(usage, policy, w0, w1);
        for v in &policy.versions {
            let judged_by_v = || {
                months
                    .iter()
                    .filter(|x| x.version == Some(v.effective_from))
            };
            if judged_by_v().next().is_some() {
                let (vmap, _) = MinuteMap::build(usage, &v.policy, w0, w1);
                for x in judged_by_v() {
                    map.splice(&vmap, x.range.a, x.range.b);
                }
            }
        }
        let runs = map.outage_runs();
        (map, runs)
    };

    let outside: i64 = usage
        .telemetry
        .iter()
        .map(|s| {
            let n = s.total.len() as i64;
            let inside =
                ((s.start_minute + n).min(term_end) - s.start_minute.max(term_start)).max(0);
            n - inside
        })
        .sum();
    if outside > 0 {
        warnings.push(format!("usage: telemetry: {outside} minute(s) lie outside the contract term and are not evaluated"));
    }

    // The widget's first paint draws only the overview, which never shows the horizon, and
    // its report is never serialised or handed on (the full build evaluates the documents
    // again): it skips the computation to stay in its byte budget (docs/DESIGN.md).
    #[cfg(not(feature = "overview-only"))]
    let horizon = data_horizon(&usage.telemetry, w0, w1);
    #[cfg(not(feature = "overview-only"))]
    let after = |a: i64, b: i64| (b - horizon.unwrap_or(a).max(a).min(b)) as u64;
    #[cfg(feature = "overview-only")]
    let (horizon, after): (Option<i64>, fn(i64, i64) -> u64) = (None, |_, _| 0);
    let mut periods = Vec::new();
    for slot in &months {
        let (m, a, b, policy) = (
            slot.range.month,
            slot.range.a,
            slot.range.b,
            slot.range.policy,
        );
        let (ms, me, version) = (slot.month_start, slot.month_end, slot.version);
        let status = if me * 60 > as_of {
            PeriodStatus::InProgress
        } else if ms < term_start || me > term_end {
            PeriodStatus::Partial
        } else {
            PeriodStatus::Judged
        };
        let c = map.counts(a, b);
        let measured = c.minutes - c.excluded;
        let t = policy.availability_target.value;
        let breached = status == PeriodStatus::Judged
            && ((measured - c.unavailable) as u128) * 100 * t.den < measured as u128 * t.num;
        let budget = measured as u128 * (100 * t.den - t.num) * 100 / (100 * t.den);
        // A month still running that will be judged once it ends (wholly inside the term)
        // can no longer meet the target when even its best case falls short: every
        // remaining minute measured and available, `(full − excluded − unavailable) /
        // (full − excluded) < target`. More exclusions could only shrink the denominator.
        let out_of_reach =
            status == PeriodStatus::InProgress && ms >= term_start && me <= term_end && {
                let best = (me - ms) as u64 - c.excluded;
                ((best - c.unavailable) as u128) * 100 * t.den < best as u128 * t.num
            };
        let durability = usage.durability.get(&m).map(|&(stored, lost)| Durability {
            stored,
            lost,
            met: durability_met(stored, lost, policy),
        });
        periods.push(Period {
            month: m,
            status,
            minutes: c.minutes,
            excluded_minutes: c.excluded,
            measured_minutes: measured,
            unavailable_minutes: c.unavailable,
            no_data_minutes: c.no_data,
            availability: percent_truncated(measured - c.unavailable, measured, 5),
            target: policy.availability_target.text.clone(),
            breached,
            outages: Vec::new(),
            outage_minutes: Vec::new(),
            compensable_outages: 0,
            signed: usage.signing.get(&m).map(|s| s.0),
            failed: usage.signing.get(&m).map(|s| s.1),
            durability,
            downtime_budget_minutes: fixed(budget, 2),
            target_out_of_reach: out_of_reach,
            range_start: Stamp::new(a * 60, tz),
            range_end: Stamp::new(b * 60, tz),
            policy_version: version.map(Month::label),
            minutes_after_data_horizon: after(a, b),
        });
    }

    // Each outage's minutes per period it touches: counted (unavailable) and excluded.
    let split: Vec<Vec<(usize, crate::minutes::Counts)>> = runs
        .iter()
        .map(|r| {
            months
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.range.a, x.range.b))
                .filter(|&(_, a, b)| r.start < b && a < r.end)
                .map(|(i, a, b)| (i, map.counts(r.start.max(a), r.end.min(b))))
                .collect()
        })
        .collect();
    let counted: CountedByPeriod = split
        .iter()
        .map(|per| per.iter().map(|&(i, c)| (i, c.unavailable)).collect())
        .collect();
    let attributed = attribute(&counted, &periods);
    let mut outages = Vec::with_capacity(runs.len());
    for ((r, per_period), to) in runs.iter().zip(&split).zip(&attributed) {
        let c = map.counts(r.start, r.end);
        let id = outage_id(tz, r);
        for &(p, pc) in per_period {
            if pc.unavailable > 0 {
                periods[p].outages.push(id.clone());
                periods[p].outage_minutes.push(PeriodOutage {
                    id: id.clone(),
                    counted_minutes: pc.unavailable,
                    excluded_minutes: pc.excluded,
                });
            }
        }
        if let Some(p) = *to {
            periods[p].compensable_outages += 1;
        }
        outages.push(Outage {
            id,
            start: Stamp::new(r.start * 60, tz),
            end: Stamp::new(r.end * 60, tz),
            minutes: c.minutes,
            counted_minutes: c.minutes - c.excluded,
            excluded_minutes: c.excluded,
            compensable: to.is_some(),
            attributed_to: to.map(|p| periods[p].month),
        });
    }

    let entitlement = entitlement(
        &periods,
        &months.iter().map(|x| x.range.policy).collect::<Vec<_>>(),
        &usage.signing,
        usage.service_end,
        &mut warnings,
    );
    let period_ranges: Vec<PeriodRange> = months.into_iter().map(|x| x.range).collect();
    let outage_spans: Vec<(String, i64, i64)> = runs
        .iter()
        .zip(&outages)
        .map(|(r, o)| (o.id.clone(), r.start, r.end))
        .collect();
    let exclusions = crate::exclusions::records(usage, policy, tz, &period_ranges, &outage_spans);
    // Incidents and the figures "now" (summary, contact sheet) follow the version in
    // force when each was reported, and at `as_of`.
    let current = policy.in_force(Month::of(tz.date(as_of))).0;
    let mut incident_reports = assess_with(
        incidents,
        |inc| policy.in_force(Month::of(tz.date(inc.reported_at))).0,
        tz,
        as_of,
        &mut warnings,
    );
    for inc in &mut incident_reports {
        let start = incidents
            .iter()
            .find(|i| i.id == inc.id)
            .map(|i| i.reported_at);
        let end = inc.resolved_at.map(|s| s.at).unwrap_or(as_of);
        if let Some(start) = start {
            inc.outages = runs
                .iter()
                .zip(&outages)
                .filter(|(r, _)| r.start * 60 < end && start < r.end * 60)
                .map(|(_, o)| o.id.clone())
                .collect();
        }
    }
    let incident_summary = summarise(&incident_reports, current);
    let days = days(&map, &runs, tz, w0, w1);
    let as_of_month = Month::of(tz.date(as_of));
    let mut metering: Vec<Metering> = usage
        .signing
        .range(..=as_of_month)
        .rev()
        .take(24)
        .map(|(m, &(signed, failed))| Metering {
            month: *m,
            signed,
            failed,
        })
        .collect();
    metering.reverse();

    let report = Report {
        schema: REPORT_SCHEMA.into(),
        as_of: Stamp::new(as_of, tz),
        client_id: usage.client_id.clone(),
        contract_id: usage.contract_id.clone(),
        client_name: usage.client_name.clone(),
        contract: ContractInfo {
            service_start: crate::time::ymd(usage.service_start),
            service_end: crate::time::ymd(usage.service_end),
            timezone: tz.label(),
        },
        rules: rules_info(current),
        original_rules: rules_info(policy),
        policy_versions: policy
            .versions
            .iter()
            .map(|v| PolicyVersionInfo {
                effective_from: v.effective_from.label(),
                rules: rules_info(&v.policy),
            })
            .collect(),
        data_horizon: horizon.map(|h| Stamp::new(h * 60, tz)),
        periods,
        outages,
        exclusions,
        incidents: incident_reports,
        incident_summary,
        entitlement,
        days,
        metering,
        contact_sheet: crate::contacts::contact_sheet(current, tz, as_of),
        warnings,
    };
    Evaluation {
        report,
        map,
        tz,
        calendar: current.calendar.clone(),
    }
}

/// The data horizon (docs/RULES.md §1): the end, exclusive, of the last minute of
/// `[w0, w1)` (minutes since the epoch) that a telemetry segment covers; `None` when no
/// segment covers any of them. Declared outages are not telemetry and do not move it.
/// A month's minutes at or after it are its `minutes_after_data_horizon`.
///
/// # Examples
///
/// ```
/// // Telemetry of March 2026 (+08:00) stops at 2026-03-20T00:00+08:00: the horizon is that
/// // instant, and March has 12 × 1,440 = 17,280 minutes after it (the 20th through the 31st).
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-03-01","service_end":"2026-12-31"},
///   "telemetry":[{"start":"2026-03-19T23:58:00+08:00","total":[10,10],"ok":[10,10]}]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let r = sla_rules::report(&sla_rules::Inputs { usage, incidents, policy: None },
///     "2026-04-10T00:00:00+08:00").unwrap();
/// assert_eq!(r.data_horizon.unwrap().to_string(), "2026-03-20T00:00:00+08:00");
/// let march = r.period("2026-03").unwrap();
/// assert_eq!(march.minutes_after_data_horizon, 17_280);
/// // Still judged as the policy says: missing data is up by default, so March is met.
/// assert!(!march.breached);
/// // April so far (9 days to as_of) lies wholly after the horizon.
/// assert_eq!(r.period("2026-04").unwrap().minutes_after_data_horizon, 9 * 1_440);
/// let m = sla_rules::time::parse_instant("2026-03-20T00:00:00+08:00").unwrap() / 60;
/// use sla_rules::evaluate::data_horizon;
/// let seg = |start_minute, n| sla_rules::usage::Segment {
///     start_minute, total: vec![1; n], ok: vec![1; n] };
/// // Clipped to the window; an empty segment covers nothing.
/// assert_eq!(data_horizon(&[seg(m - 2, 2)], m - 10, m + 10), Some(m));
/// assert_eq!(data_horizon(&[seg(m - 2, 2)], m - 10, m - 1), Some(m - 1));
/// assert_eq!(data_horizon(&[seg(m - 2, 2), seg(m + 5, 0)], m, m + 10), None);
/// ```
pub fn data_horizon(telemetry: &[crate::usage::Segment], w0: i64, w1: i64) -> Option<i64> {
    // A plain loop: this runs in the first paint too, whose bytes are counted.
    let mut h = None;
    for s in telemetry {
        let b = (s.start_minute + s.total.len() as i64).min(w1);
        if s.start_minute.max(w0) < b && h < Some(b) {
            h = Some(b);
        }
    }
    h
}

/// One calendar month of the evaluation: the minutes its counts cover and the settings that
/// judge it (`range`), its whole bounds, and the policy version it comes from.
struct Slot<'p> {
    range: PeriodRange<'p>,
    month_start: i64,
    month_end: i64,
    version: Option<Month>,
}

/// The policy figures the views explain a judgement with.
///
/// ```
/// let p = sla_rules::policy::parse_policy(
///     br#"{"schema":"sla-portal/policy/v1","minute_ok_ratio":"0.955"}"#, "policy.json").unwrap();
/// let r = sla_rules::evaluate::rules_info(&p);
/// assert_eq!((r.minute_ok_percent.as_str(), r.min_outage_minutes), ("95.5", 5));
/// ```
pub fn rules_info(p: &Policy) -> RulesInfo {
    let (num, den) = p.minute_ok_ratio.value.reduced();
    RulesInfo {
        availability_target: p.availability_target.text.clone(),
        min_outage_minutes: p.min_outage_minutes,
        minute_ok_ratio: p.minute_ok_ratio.text.clone(),
        minute_ok_percent: trim_decimal(&crate::decimal::fixed(num * 100 * 10_000 / den, 4)),
        missing_data: p.missing_data,
        zero_traffic: p.zero_traffic,
        min_notice_minutes: p.min_notice_minutes,
        excluded_causes: p.excluded_causes.clone(),
        compensation_unit: p.compensation_unit,
        average_window: p.average_window,
        rounding: p.rounding,
        durability_target: p.durability_target.text.clone(),
    }
}

/// `"90.0000"` → `"90"`, `"99.5000"` → `"99.5"`.
fn trim_decimal(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// `1 − lost / stored ≥ target`, exactly: `(stored − lost) × 100 × den ≥ stored × num`.
///
/// # Examples
///
/// ```
/// use sla_rules::evaluate::durability_met;
/// use sla_rules::policy::Policy;
/// // Ten nines: 1 lost of 10^10 is exactly the target; 1 of 10^6 is far short of it.
/// let p = Policy::default();
/// assert!(durability_met(10_000_000_000, 1, &p));
/// assert!(!durability_met(1_000_000, 1, &p));
/// assert!(durability_met(0, 0, &p), "nothing stored, nothing lost");
/// ```
pub fn durability_met(stored: u64, lost: u64, policy: &Policy) -> bool {
    let t = policy.durability_target.value;
    (stored.saturating_sub(lost) as u128) * 100 * t.den >= stored as u128 * t.num
}

/// `OUT-` and the outage's first minute in the contract timezone.
fn outage_id(tz: Tz, r: &Run) -> String {
    format!("OUT-{}", tz.compact_minute(r.start * 60))
}

fn days(map: &MinuteMap, runs: &[Run], tz: Tz, w0: i64, w1: i64) -> Vec<Day> {
    let mut out = Vec::new();
    if w1 <= w0 {
        return out;
    }
    let mut d = tz.date(w0 * 60);
    let last = tz.date((w1 - 1) * 60);
    let mut first_run = 0;
    while d <= last {
        let ds = tz.day_start(d).div_euclid(60);
        let (a, b) = (ds.max(w0), (ds + 1440).min(w1));
        let c = map.counts(a, b);
        while first_run < runs.len() && runs[first_run].end <= a {
            first_run += 1;
        }
        let outages = runs[first_run..]
            .iter()
            .take_while(|r| r.start < b)
            .filter(|r| map.counts(r.start.max(a), r.end.min(b)).unavailable > 0)
            .count() as u64;
        let measured = c.minutes - c.excluded;
        out.push(Day {
            date: crate::time::ymd(d),
            minutes: c.minutes,
            excluded_minutes: c.excluded,
            unavailable_minutes: c.unavailable,
            no_data_minutes: c.no_data,
            availability: percent_truncated(measured - c.unavailable, measured, 5),
            outages,
        });
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}
