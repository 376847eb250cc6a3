//! `incidents.json` and the response / recovery judgement of §3.2.
//!
//! Clocks start at `reported_at`. Level 3 runs on the business calendar by
//! default; third-party pauses come off recovery time only (§3.2 note).

use serde::Deserialize;

use crate::error::InputError;
use crate::policy::{Policy, INCIDENT_CAUSES};
use crate::report::{Clock, IncidentCause, IncidentReport, Interval, LevelSummary, TargetStatus};
use crate::time::{parse_instant, Instant, Month, Stamp, Tz};

/// The schema tag of an incidents document.
pub const INCIDENTS_SCHEMA: &str = "sla-portal/incidents/v1";

#[derive(Deserialize)]
struct IncidentsDoc {
    schema: String,
    incidents: Vec<IncidentDoc>,
}

#[derive(Deserialize)]
struct IncidentDoc {
    id: String,
    level: i64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    component: String,
    cause: String,
    reported_at: String,
    responded_at: Option<String>,
    resolved_at: Option<String>,
    #[serde(default)]
    paused: Vec<PauseDoc>,
}

#[derive(Deserialize)]
struct PauseDoc {
    start: String,
    end: String,
    reason: String,
}

/// A validated incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub level: u8,
    pub title: String,
    pub component: String,
    pub cause: String,
    pub reported_at: Instant,
    pub responded_at: Option<Instant>,
    pub resolved_at: Option<Instant>,
    /// `(start, end, reason)`.
    pub paused: Vec<(Instant, Instant, String)>,
}

/// Parses and validates an incidents document.
///
/// # Errors
///
/// An [`InputError`] in `file` naming the JSON path: not JSON or not an incidents
/// document, another schema, a level outside 1–3, an unknown cause, an instant that is
/// not RFC 3339 with an offset, a response or resolution before the report, or a pause
/// that ends before it starts.
///
/// # Examples
///
/// ```
/// let doc = br#"{"schema":"sla-portal/incidents/v1","incidents":[
///   {"id":"A","level":4,"cause":"platform","reported_at":"2026-02-10T10:00:00+08:00"}]}"#;
/// let e = sla_rules::incidents::parse_incidents(doc, "incidents.json").unwrap_err();
/// assert_eq!((e.file.as_str(), e.path.as_str()), ("incidents.json", "incidents[0].level"));
/// ```
pub fn parse_incidents(bytes: &[u8], file: &str) -> Result<Vec<Incident>, InputError> {
    let doc: IncidentsDoc = crate::json::decode(bytes, file, INCIDENTS_SCHEMA)?;
    crate::json::expect_schema(&doc.schema, file, INCIDENTS_SCHEMA)?;
    let err = |path: String, msg: String| InputError::new(file, path, msg);
    let mut out = Vec::with_capacity(doc.incidents.len());
    for (i, d) in doc.incidents.into_iter().enumerate() {
        let at = |f: &str| format!("incidents[{i}].{f}");
        if !(1..=3).contains(&d.level) {
            return Err(err(
                at("level"),
                format!("{} is not a level (1, 2 or 3)", d.level),
            ));
        }
        if !INCIDENT_CAUSES.contains(&d.cause.as_str()) {
            return Err(err(
                at("cause"),
                format!(
                    "\"{}\" is not one of {}",
                    d.cause,
                    INCIDENT_CAUSES.join(", ")
                ),
            ));
        }
        let reported_at = parse_instant(&d.reported_at).map_err(|m| err(at("reported_at"), m))?;
        let later = |field: &str, v: &Option<String>| -> Result<Option<Instant>, InputError> {
            match v {
                None => Ok(None),
                Some(s) => {
                    let t = parse_instant(s).map_err(|m| err(at(field), m))?;
                    if t < reported_at {
                        return Err(err(
                            at(field),
                            format!("\"{s}\" is before reported_at \"{}\"", d.reported_at),
                        ));
                    }
                    Ok(Some(t))
                }
            }
        };
        let responded_at = later("responded_at", &d.responded_at)?;
        let resolved_at = later("resolved_at", &d.resolved_at)?;
        let mut paused = Vec::new();
        for (k, p) in d.paused.iter().enumerate() {
            let s =
                parse_instant(&p.start).map_err(|m| err(at(&format!("paused[{k}].start")), m))?;
            let e = parse_instant(&p.end).map_err(|m| err(at(&format!("paused[{k}].end")), m))?;
            if e < s {
                return Err(err(
                    at(&format!("paused[{k}].end")),
                    format!("\"{}\" is before its start \"{}\"", p.end, p.start),
                ));
            }
            paused.push((s, e, p.reason.clone()));
        }
        out.push(Incident {
            id: d.id,
            level: d.level as u8,
            title: d.title,
            component: d.component,
            cause: d.cause,
            reported_at,
            responded_at,
            resolved_at,
            paused,
        });
    }
    Ok(out)
}

/// Judges every incident reported by `as_of`. Times after `as_of` have not
/// happened yet from the report's point of view, so a view "as of" a past
/// instant is reproducible.
///
/// # Examples
///
/// ```
/// use sla_rules::incidents::{assess, parse_incidents};
/// use sla_rules::policy::Policy;
/// use sla_rules::report::TargetStatus;
/// use sla_rules::time::{parse_instant, Tz};
/// let doc = br#"{"schema":"sla-portal/incidents/v1","incidents":[
///   {"id":"A","level":1,"cause":"platform","reported_at":"2026-02-10T10:00:00+08:00",
///    "responded_at":"2026-02-10T10:12:00+08:00","resolved_at":"2026-02-10T13:00:00+08:00"}]}"#;
/// let incidents = parse_incidents(doc, "incidents.json").unwrap();
/// let as_of = parse_instant("2026-03-01T00:00:00+08:00").unwrap();
/// let r = assess(&incidents, &Policy::default(), Tz::CST, as_of, &mut Vec::new());
/// // Level 1: responded in 12 of 15 minutes; recovered in 180 of 120 minutes.
/// assert_eq!((r[0].response_seconds, r[0].response), (Some(720), TargetStatus::Met));
/// assert_eq!((r[0].recovery_seconds, r[0].recovery), (Some(10_800), TargetStatus::Breached));
/// // As of 10:05 nothing had been responded to yet: the clock still ran.
/// let early = parse_instant("2026-02-10T10:05:00+08:00").unwrap();
/// let r = assess(&incidents, &Policy::default(), Tz::CST, early, &mut Vec::new());
/// assert_eq!(r[0].response, TargetStatus::Running);
/// ```
pub fn assess(
    incidents: &[Incident],
    policy: &Policy,
    tz: Tz,
    as_of: Instant,
    warnings: &mut Vec<String>,
) -> Vec<IncidentReport> {
    assess_with(incidents, |_| policy, tz, as_of, warnings)
}

/// As [`assess`], with the settings for each incident chosen by `policy_for` (the policy
/// version in force in the month the incident was reported).
pub fn assess_with<'p>(
    incidents: &[Incident],
    policy_for: impl Fn(&Incident) -> &'p Policy,
    tz: Tz,
    as_of: Instant,
    warnings: &mut Vec<String>,
) -> Vec<IncidentReport> {
    let mut out = Vec::new();
    let mut later = 0;
    for inc in incidents {
        if inc.reported_at > as_of {
            later += 1;
            continue;
        }
        out.push(assess_one(inc, policy_for(inc), tz, as_of, warnings));
    }
    if later > 0 {
        warnings.push(format!(
            "incidents: {later} incident(s) reported after as_of are left out"
        ));
    }
    out
}

fn assess_one(
    inc: &Incident,
    policy: &Policy,
    tz: Tz,
    as_of: Instant,
    warnings: &mut Vec<String>,
) -> IncidentReport {
    let rule = policy.levels[(inc.level - 1) as usize];
    let cal = &policy.calendar;
    let mut outside_calendar = false;
    let mut clock = |a: Instant, b: Instant| -> u64 {
        if rule.business_clock {
            let (s, outside) = cal.business_seconds(a, b);
            outside_calendar |= outside;
            s.max(0) as u64
        } else {
            (b - a).max(0) as u64
        }
    };
    let seen = |t: Option<Instant>| t.filter(|&t| t <= as_of);
    let responded = seen(inc.responded_at);
    let resolved = seen(inc.resolved_at);
    let response_target = rule.response_minutes as u64 * 60;
    let recovery_target = rule.recovery_minutes as u64 * 60;
    let assessed = inc.level == 3 || !policy.unassessed_causes.contains(&inc.cause);

    // Paused third-party time, merged and clipped to the recovery interval.
    let rec_end = resolved.unwrap_or(as_of);
    let mut pauses: Vec<(Instant, Instant)> = inc
        .paused
        .iter()
        .filter(|(_, _, r)| r == "third_party")
        .map(|&(s, e, _)| (s.max(inc.reported_at), e.min(rec_end)))
        .filter(|(s, e)| e > s)
        .collect();
    pauses.sort();
    let mut merged: Vec<(Instant, Instant)> = Vec::new();
    for (s, e) in pauses {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let paused_secs: u64 = if policy.third_party_pauses_recovery {
        merged.iter().map(|&(s, e)| clock(s, e)).sum()
    } else {
        0
    };

    let judge = |elapsed: u64, target: u64, stopped: bool| -> (Option<u64>, TargetStatus) {
        match (stopped, elapsed <= target) {
            (true, true) => (Some(elapsed), TargetStatus::Met),
            (true, false) => (Some(elapsed), TargetStatus::Breached),
            (false, true) => (None, TargetStatus::Running),
            (false, false) => (None, TargetStatus::Breached),
        }
    };

    // A resolution without a recorded response implies the response came by then.
    let response_end = responded.or(resolved);
    let (response_seconds, response) = judge(
        clock(inc.reported_at, response_end.unwrap_or(as_of)),
        response_target,
        response_end.is_some(),
    );
    let recovery_elapsed = clock(inc.reported_at, rec_end).saturating_sub(paused_secs);
    let (recovery_seconds, recovery) = judge(recovery_elapsed, recovery_target, resolved.is_some());

    if outside_calendar {
        warnings.push(format!(
            "incidents: {}: dates outside the business calendar's years were treated as plain weekdays and weekends",
            inc.id
        ));
    }
    let (response_seconds, response, recovery_seconds, recovery, paused_seconds) = if assessed {
        (
            response_seconds,
            response,
            recovery_seconds,
            recovery,
            Some(paused_secs),
        )
    } else {
        (
            None,
            TargetStatus::NotAssessed,
            None,
            TargetStatus::NotAssessed,
            None,
        )
    };
    IncidentReport {
        id: inc.id.clone(),
        level: inc.level,
        open: resolved.is_none(),
        assessed,
        response_seconds,
        response_target_seconds: response_target,
        response,
        recovery_seconds,
        recovery_target_seconds: recovery_target,
        recovery,
        paused_seconds,
        title: inc.title.clone(),
        component: inc.component.clone(),
        // parse_incidents let only the contract's causes in.
        cause: IncidentCause::parse(&inc.cause).unwrap_or(IncidentCause::Platform),
        clock: Clock::of(rule.business_clock),
        reported_at: Stamp::new(inc.reported_at, tz),
        responded_at: responded.map(|t| Stamp::new(t, tz)),
        resolved_at: resolved.map(|t| Stamp::new(t, tz)),
        paused: merged
            .iter()
            .map(|&(s, e)| Interval {
                start: Stamp::new(s, tz),
                end: Stamp::new(e, tz),
            })
            .collect(),
        month: Month::of(tz.date(inc.reported_at)),
        outages: Vec::new(),
    }
}

/// Count, share met, median and 90th percentile per level (§3.2).
///
/// # Examples
///
/// ```
/// use sla_rules::incidents::{assess, parse_incidents, summarise};
/// use sla_rules::policy::Policy;
/// use sla_rules::time::{parse_instant, Tz};
/// let doc = br#"{"schema":"sla-portal/incidents/v1","incidents":[
///   {"id":"A","level":1,"cause":"platform","reported_at":"2026-02-10T10:00:00+08:00",
///    "responded_at":"2026-02-10T10:10:00+08:00"},
///   {"id":"B","level":1,"cause":"platform","reported_at":"2026-02-11T10:00:00+08:00",
///    "responded_at":"2026-02-11T10:20:00+08:00"}]}"#;
/// let incidents = parse_incidents(doc, "incidents.json").unwrap();
/// let p = Policy::default();
/// let as_of = parse_instant("2026-03-01T00:00:00+08:00").unwrap();
/// let s = summarise(&assess(&incidents, &p, Tz::CST, as_of, &mut Vec::new()), &p);
/// // Responses of 10 and 20 minutes against 15: one of two met, 50.0 %; the median
/// // (nearest rank ⌈1⌉) is 600 s, the 90th percentile (rank 2) 1,200 s.
/// assert_eq!((s[0].response_met, s[0].response_breached), (1, 1));
/// assert_eq!(s[0].response_met_percent.as_deref(), Some("50.0"));
/// assert_eq!((s[0].response_median_seconds, s[0].response_p90_seconds), (Some(600), Some(1200)));
/// ```
pub fn summarise(reports: &[IncidentReport], policy: &Policy) -> Vec<LevelSummary> {
    (1..=3u8)
        .map(|level| {
            let rule = policy.levels[(level - 1) as usize];
            let of_level: Vec<&IncidentReport> =
                reports.iter().filter(|r| r.level == level).collect();
            let count = |f: &dyn Fn(&IncidentReport) -> bool| {
                of_level.iter().filter(|r| f(r)).count() as u64
            };
            let response_met = count(&|r| r.response == TargetStatus::Met);
            let response_breached = count(&|r| r.response == TargetStatus::Breached);
            let recovery_met = count(&|r| r.recovery == TargetStatus::Met);
            let recovery_breached = count(&|r| r.recovery == TargetStatus::Breached);
            let mut response: Vec<u64> =
                of_level.iter().filter_map(|r| r.response_seconds).collect();
            let mut recovery: Vec<u64> =
                of_level.iter().filter_map(|r| r.recovery_seconds).collect();
            response.sort_unstable();
            recovery.sort_unstable();
            let share = |met: u64, breached: u64| {
                (met + breached > 0)
                    .then(|| crate::decimal::percent_truncated(met, met + breached, 1))
            };
            LevelSummary {
                level,
                count: of_level.len() as u64,
                assessed: count(&|r| r.assessed),
                response_target_seconds: rule.response_minutes as u64 * 60,
                recovery_target_seconds: rule.recovery_minutes as u64 * 60,
                response_met,
                response_breached,
                recovery_met,
                recovery_breached,
                response_met_percent: share(response_met, response_breached),
                recovery_met_percent: share(recovery_met, recovery_breached),
                response_median_seconds: nearest_rank(&response, 50),
                response_p90_seconds: nearest_rank(&response, 90),
                recovery_median_seconds: nearest_rank(&recovery, 50),
                recovery_p90_seconds: nearest_rank(&recovery, 90),
            }
        })
        .collect()
}

/// The nearest-rank percentile of sorted values: the value at rank ⌈p/100 × n⌉.
/// For the median of an even count this is the lower middle value, a time that
/// actually occurred.
///
/// # Errors
///
/// `None` for no values.
///
/// # Examples
///
/// ```
/// use sla_rules::incidents::nearest_rank;
/// // Three values: the median is rank ⌈1.5⌉ = 2, the 90th percentile rank ⌈2.7⌉ = 3.
/// assert_eq!(nearest_rank(&[10, 20, 30], 50), Some(20));
/// assert_eq!(nearest_rank(&[10, 20, 30], 90), Some(30));
/// assert_eq!(nearest_rank(&[], 50), None);
/// ```
pub fn nearest_rank(sorted: &[u64], p: u64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get((rank - 1) as usize).copied()
}

/// An incident's one-word standing, from its two target verdicts (the fault
/// history's status column and filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Overall {
    Met,
    Breached,
    Running,
    NotAssessed,
}

impl Overall {
    /// Every standing, in the order a filter lists them.
    pub const ALL: [Overall; 4] = [
        Overall::Met,
        Overall::Breached,
        Overall::Running,
        Overall::NotAssessed,
    ];

    /// The id used in `data-sla-status` and the filter's values.
    pub fn id(self) -> &'static str {
        match self {
            Overall::Met => "met",
            Overall::Breached => "breached",
            Overall::Running => "running",
            Overall::NotAssessed => "not_assessed",
        }
    }

    /// The standing named by its id; `None` for anything else.
    pub fn parse(s: &str) -> Option<Overall> {
        Overall::ALL.into_iter().find(|o| o.id() == s)
    }
}

/// An incident's standing: not assessed when it is not assessed or neither target
/// applies; else breached if either target was missed; else running while a clock
/// runs; else met.
///
/// # Examples
///
/// ```
/// use sla_rules::incidents::{overall, Overall};
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
///   "telemetry":[]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[
///   {"id":"A","level":1,"cause":"platform","reported_at":"2026-02-10T10:00:00+08:00",
///    "responded_at":"2026-02-10T10:10:00+08:00"},
///   {"id":"B","level":1,"cause":"platform","reported_at":"2026-02-10T10:00:00+08:00",
///    "responded_at":"2026-02-10T10:20:00+08:00"},
///   {"id":"C","level":1,"cause":"force_majeure","reported_at":"2026-02-10T10:00:00+08:00"}]}"#;
/// let r = sla_rules::report(
///     &sla_rules::Inputs { usage, incidents, policy: None },
///     "2026-02-10T10:30:00+08:00",
/// ).unwrap();
/// let of = |id: &str| overall(r.incidents.iter().find(|i| i.id == id).unwrap());
/// // Level 1: respond within 15 min, recover within 120 min.
/// // A responded after 10 min and is 30 min into recovery: running.
/// assert_eq!(of("A"), Overall::Running);
/// // B responded after 20 min: breached, whatever recovery does.
/// assert_eq!(of("B"), Overall::Breached);
/// // C's cause (force majeure) is not assessed at levels 1 and 2.
/// assert_eq!(of("C"), Overall::NotAssessed);
/// ```
pub fn overall(i: &IncidentReport) -> Overall {
    let both = [i.response, i.recovery];
    if !i.assessed || both.iter().all(|s| *s == TargetStatus::NotAssessed) {
        Overall::NotAssessed
    } else if both.contains(&TargetStatus::Breached) {
        Overall::Breached
    } else if both.contains(&TargetStatus::Running) {
        Overall::Running
    } else {
        Overall::Met
    }
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn percentiles_use_nearest_rank() {
        // 10 values 1..=10: median rank ⌈5⌉ = 5 -> 5; p90 rank ⌈9⌉ = 9 -> 9.
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        // 3 values: median rank ⌈1.5⌉ = 2 -> the middle; p90 rank ⌈2.7⌉ = 3.
        assert_eq!(nearest_rank(&[10, 20, 30], 50), Some(20));
        assert_eq!(nearest_rank(&[10, 20, 30], 90), Some(30));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}
