//! Excluded time (§4.8 (3), §4.14.1, §5): whether each maintenance window and exclusion
//! removes minutes, and the record of every one of them, applied or not, so that a
//! client can check each excluded minute against its source and its announcement.

use crate::policy::Policy;
use crate::report::{ExclusionPeriod, ExclusionRecord, ExclusionSource, NotApplied};
use crate::time::{Instant, Month, Stamp, Tz};
use crate::usage::{Exclusion, Maintenance, Span, Usage};

/// The policy cause that covers every maintenance window, whatever its kind.
pub const MAINTENANCE_CAUSE: &str = "maintenance";

/// Whether a maintenance window is excluded under `policy`: its cause must be among
/// `excluded_causes`, and it must have been announced at least `min_notice_minutes`
/// before its announced start, and in any case strictly before it (an announcement at
/// the very second the work begins is no advance notice, "预先通知").
///
/// # Errors
/// The reason the window is not applied. A policy that leaves maintenance in wins over
/// a late announcement, because it would not apply the window however early it came.
///
/// # Examples
/// ```
/// use sla_rules::exclusions::maintenance_applies;
/// use sla_rules::policy::Policy;
/// use sla_rules::report::NotApplied;
/// use sla_rules::usage::{Maintenance, Span};
/// let start = 1_000_000 * 60; // any minute-aligned instant, in seconds
/// let window = |announced: Option<i64>| Maintenance {
///     span: Span { id: "MW-1".into(), start_minute: 1_000_000, end_minute: 1_000_030 },
///     kind: "upgrade".into(), title: String::new(), start, announced_at: announced };
/// let p = Policy::default();
/// assert_eq!(maintenance_applies(&p, &window(Some(start - 1))), Ok(()));
/// assert_eq!(maintenance_applies(&p, &window(Some(start))), Err(NotApplied::AnnouncedLate));
/// assert_eq!(maintenance_applies(&p, &window(None)), Err(NotApplied::AnnouncedLate));
/// ```
pub fn maintenance_applies(policy: &Policy, m: &Maintenance) -> Result<(), NotApplied> {
    if !policy
        .excluded_causes
        .iter()
        .any(|c| c == MAINTENANCE_CAUSE)
    {
        return Err(NotApplied::CauseNotExcluded);
    }
    let notice = (i64::from(policy.min_notice_minutes) * 60).max(1);
    match m.announced_at {
        Some(a) if m.start - a >= notice => Ok(()),
        _ => Err(NotApplied::AnnouncedLate),
    }
}

/// Whether an exclusion is applied: its cause must be among `excluded_causes`.
///
/// # Errors
/// [`NotApplied::CauseNotExcluded`] when the policy leaves the cause in.
pub fn exclusion_applies(policy: &Policy, x: &Exclusion) -> Result<(), NotApplied> {
    if policy.excluded_causes.contains(&x.cause) {
        Ok(())
    } else {
        Err(NotApplied::CauseNotExcluded)
    }
}

/// One record's source facts, before judging.
enum Source<'a> {
    Maintenance(&'a Maintenance),
    Exclusion(&'a Exclusion),
}

impl Source<'_> {
    fn span(&self) -> &Span {
        match self {
            Source::Maintenance(m) => &m.span,
            Source::Exclusion(x) => &x.span,
        }
    }

    fn applies(&self, policy: &Policy) -> Result<(), NotApplied> {
        match self {
            Source::Maintenance(m) => maintenance_applies(policy, m),
            Source::Exclusion(x) => exclusion_applies(policy, x),
        }
    }
}

/// A period as the records see it: its month, the minutes `[a, b)` its counts cover, and
/// the settings that judge it.
pub struct PeriodRange<'p> {
    pub month: Month,
    pub a: i64,
    pub b: i64,
    pub policy: &'p Policy,
}

/// Every maintenance window, then every exclusion, in input order. A record is judged by
/// the settings in force in the month it starts in (`applied`, `reason`), and its minutes
/// in each period by that period's own settings, which agree except when a policy
/// version changes the rule in the middle of a window.
///
/// `outages` are the outages' `(id, start, end)` in minutes.
///
/// The report carries the result as `exclusions`:
/// ```
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},"telemetry":[],
///   "maintenance":[{"id":"MW-3","kind":"maintenance","start":"2026-03-20T02:00:00+08:00",
///     "end":"2026-03-20T02:30:00+08:00","announced_at":"2026-03-20T02:10:00+08:00"}],
///   "exclusions":[{"id":"EX-1","cause":"force_majeure","start":"2026-03-31T23:00:00+08:00",
///     "end":"2026-04-01T01:00:00+08:00"}]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let r = sla_rules::report(&sla_rules::Inputs { usage, incidents, policy: None },
///     "2026-05-01T00:00:00+08:00").unwrap();
/// // Announced 10 minutes after it began: recorded, not applied, nothing removed.
/// let mw = &r.exclusions[0];
/// assert_eq!((mw.applied, mw.notice_minutes, mw.excluded_minutes), (false, Some(-10), 0));
/// // Force majeure across the month end: 60 minutes in March, 60 in April.
/// let ex = &r.exclusions[1];
/// assert_eq!(ex.excluded_minutes, 120);
/// assert_eq!(ex.periods.iter().map(|p| p.excluded_minutes).collect::<Vec<_>>(), [60, 60]);
/// ```
pub fn records(
    usage: &Usage,
    policy: &Policy,
    tz: Tz,
    periods: &[PeriodRange],
    outages: &[(String, i64, i64)],
) -> Vec<ExclusionRecord> {
    let sources = usage
        .maintenance
        .iter()
        .map(Source::Maintenance)
        .chain(usage.exclusions.iter().map(Source::Exclusion));
    sources
        .map(|src| {
            let span = src.span();
            let first_month = Month::of(tz.date(span.start_minute * 60));
            let decision = src.applies(policy.in_force(first_month).0);
            let shares: Vec<ExclusionPeriod> = periods
                .iter()
                .filter(|p| span.start_minute < p.b && p.a < span.end_minute && p.a < p.b)
                .map(|p| ExclusionPeriod {
                    month: p.month,
                    excluded_minutes: if src.applies(p.policy).is_ok() {
                        overlap(span, p.a, p.b)
                    } else {
                        0
                    },
                })
                .collect();
            let (kind, cause, title, announced_at, notice) = match src {
                Source::Maintenance(m) => (
                    Some(m.kind.clone()),
                    None,
                    m.title.clone(),
                    m.announced_at.map(|a| Stamp::new(a, tz)),
                    m.announced_at.map(|a| notice_minutes(m.start, a)),
                ),
                Source::Exclusion(x) => (None, Some(x.cause.clone()), x.note.clone(), None, None),
            };
            ExclusionRecord {
                id: span.id.clone(),
                source: match src {
                    Source::Maintenance(_) => ExclusionSource::Maintenance,
                    Source::Exclusion(_) => ExclusionSource::Exclusion,
                },
                kind,
                cause,
                title,
                start: Stamp::new(span.start_minute * 60, tz),
                end: Stamp::new(span.end_minute * 60, tz),
                announced_at,
                notice_minutes: notice,
                applied: decision.is_ok(),
                reason: decision.err(),
                excluded_minutes: shares.iter().map(|s| s.excluded_minutes).sum(),
                periods: shares,
                outages: outages
                    .iter()
                    .filter(|(_, s, e)| *s < span.end_minute && span.start_minute < *e)
                    .map(|(id, _, _)| id.clone())
                    .collect(),
            }
        })
        .collect()
}

/// Whole minutes of notice, rounded down: an announcement 30 s after the start is −1,
/// so the sign alone tells whether it came before the work began.
fn notice_minutes(start: Instant, announced_at: Instant) -> i64 {
    (start - announced_at).div_euclid(60)
}

fn overlap(span: &Span, a: i64, b: i64) -> u64 {
    (span.end_minute.min(b) - span.start_minute.max(a)).max(0) as u64
}
