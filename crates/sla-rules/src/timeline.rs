//! Minute-level timelines and evidence for one range: the minute states the
//! views draw and the claim evidence carries, as runs rather than minutes.

use serde::{Deserialize, Serialize};

use crate::evaluate::Evaluation;
use crate::minutes::{COVERED, DOWN, EXCLUDED, OUTAGE};
use crate::time::Month;

/// What a minute counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinuteState {
    /// Up, from telemetry.
    Up,
    /// Part of an outage and not excluded: counted as unavailable.
    Outage,
    /// Down, but in a run too short to be an outage.
    Blip,
    /// Excluded from measured time (announced maintenance, §5 causes).
    Excluded,
    /// No telemetry and no declared outage; judged by `missing_data`.
    NoData,
}

/// A run of minutes in one state, RFC 3339 bounds in the contract timezone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRun {
    pub start: String,
    pub end: String,
    pub minutes: u64,
    pub state: MinuteState,
}

fn state(f: u8) -> MinuteState {
    if f & EXCLUDED != 0 {
        MinuteState::Excluded
    } else if f & OUTAGE != 0 {
        MinuteState::Outage
    } else if f & COVERED == 0 {
        MinuteState::NoData
    } else if f & DOWN != 0 {
        MinuteState::Blip
    } else {
        MinuteState::Up
    }
}

/// The state runs of a period (`YYYY-MM`) within the evaluation window; none for text
/// that is not a month.
///
/// # Examples
///
/// ```
/// use sla_rules::timeline::{month_timeline, MinuteState};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let ev = sla_rules::evaluate_bytes(&sla_rules::Inputs { usage, incidents, policy: None },
/// #     "2026-04-01T00:00:00+08:00", ["u", "i", "p"]).unwrap();
/// // February 2026 (28 days, no telemetry): up-by-default no-data minutes around
/// // the declared 5-minute outage at 10:00 on the 10th.
/// let runs = month_timeline(&ev, "2026-02");
/// let states: Vec<_> = runs.iter().map(|r| (r.state, r.minutes)).collect();
/// let before = 9 * 1440 + 10 * 60;
/// assert_eq!(states, [
///     (MinuteState::NoData, before),
///     (MinuteState::Outage, 5),
///     (MinuteState::NoData, 28 * 1440 - before - 5),
/// ]);
/// assert!(month_timeline(&ev, "February").is_empty());
/// ```
pub fn month_timeline(ev: &Evaluation, month: &str) -> Vec<StateRun> {
    let Ok(m) = Month::parse(month) else {
        return Vec::new();
    };
    let a = ev.tz.month_start(m).div_euclid(60);
    let b = ev.tz.month_start(m.next()).div_euclid(60);
    timeline(ev, a, b)
}

/// The state runs of `[a, b)` (minutes since the epoch), clipped to the window.
///
/// # Examples
///
/// ```
/// use sla_rules::timeline::{timeline, MinuteState};
/// use sla_rules::time::parse_instant;
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let ev = sla_rules::evaluate_bytes(&sla_rules::Inputs { usage, incidents, policy: None },
/// #     "2026-04-01T00:00:00+08:00", ["u", "i", "p"]).unwrap();
/// let at = |s: &str| parse_instant(s).unwrap() / 60;
/// let runs = timeline(&ev, at("2026-02-10T09:58:00+08:00"), at("2026-02-10T10:07:00+08:00"));
/// let states: Vec<_> = runs.iter().map(|r| (r.state, r.minutes)).collect();
/// assert_eq!(states, [(MinuteState::NoData, 2), (MinuteState::Outage, 5), (MinuteState::NoData, 2)]);
/// assert_eq!(runs[1].start, "2026-02-10T10:00:00+08:00");
/// ```
pub fn timeline(ev: &Evaluation, a: i64, b: i64) -> Vec<StateRun> {
    let map = &ev.map;
    let lo = a.max(map.start);
    let hi = b.min(map.start + map.flags.len() as i64);
    let mut out: Vec<StateRun> = Vec::new();
    let mut i = lo;
    while i < hi {
        let s = state(map.get(i).unwrap_or(0));
        let mut j = i + 1;
        while j < hi && state(map.get(j).unwrap_or(0)) == s {
            j += 1;
        }
        out.push(StateRun {
            start: ev.tz.format(i * 60),
            end: ev.tz.format(j * 60),
            minutes: (j - i) as u64,
            state: s,
        });
        i = j;
    }
    out
}
