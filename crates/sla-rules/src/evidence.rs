//! The evidence behind a claim: its periods, their outages, and the minute
//! states of each outage, so a client can check the numbers on its own.

use serde::{Deserialize, Serialize};

use crate::evaluate::Evaluation;
use crate::report::{ExclusionRecord, Outage, Period};
use crate::time::Stamp;
use crate::timeline::{timeline, StateRun};

/// The schema tag of an evidence document.
pub const EVIDENCE_SCHEMA: &str = "sla-portal/evidence/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutageEvidence {
    pub outage: Outage,
    /// Minute states from 5 minutes before to 5 minutes after the outage.
    pub minutes: Vec<StateRun>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub schema: String,
    pub as_of: Stamp,
    pub client_id: String,
    pub contract_id: String,
    pub rules: crate::report::RulesInfo,
    pub periods: Vec<Period>,
    pub outages: Vec<OutageEvidence>,
    /// The maintenance windows and exclusions that touch the chosen periods, applied or
    /// not, so the client can check each excluded minute and its announcement.
    #[serde(default)]
    pub exclusions: Vec<ExclusionRecord>,
}

/// Evidence for the named periods (`YYYY-MM`); unknown months are skipped.
///
/// # Examples
///
/// ```
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let ev = sla_rules::evaluate_bytes(&sla_rules::Inputs { usage, incidents, policy: None },
/// #     "2026-04-01T00:00:00+08:00", ["u", "i", "p"]).unwrap();
/// let e = sla_rules::evidence::evidence(&ev, &["2026-02".into(), "2031-01".into()]);
/// assert_eq!(e.periods.len(), 1, "2031-01 is no period of the report");
/// // The outage's minutes from 5 before to 5 after: 5 + 5 + 5.
/// let total: u64 = e.outages[0].minutes.iter().map(|r| r.minutes).sum();
/// assert_eq!(total, 15);
/// ```
pub fn evidence(ev: &Evaluation, periods: &[String]) -> Evidence {
    let r = &ev.report;
    let chosen: Vec<Period> = r
        .periods
        .iter()
        .filter(|p| periods.iter().any(|m| p.month == *m))
        .cloned()
        .collect();
    let outages = r
        .outages
        .iter()
        .filter(|o| chosen.iter().any(|p| p.outages.contains(&o.id)))
        .map(|o| {
            let a = o.start.at.div_euclid(60) - 5;
            let b = o.end.at.div_euclid(60) + 5;
            OutageEvidence {
                outage: o.clone(),
                minutes: timeline(ev, a, b),
            }
        })
        .collect();
    let exclusions = r
        .exclusions
        .iter()
        .filter(|x| {
            x.periods
                .iter()
                .any(|p| periods.iter().any(|m| p.month == *m))
        })
        .cloned()
        .collect();
    Evidence {
        schema: EVIDENCE_SCHEMA.into(),
        as_of: r.as_of,
        client_id: r.client_id.clone(),
        contract_id: r.contract_id.clone(),
        rules: r.rules.clone(),
        periods: chosen,
        outages,
        exclusions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_carries_the_minutes_behind_each_outage() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/worked");
        let usage = std::fs::read(format!("{dir}/usage.json")).unwrap();
        let incidents = std::fs::read(format!("{dir}/incidents.json")).unwrap();
        let inputs = crate::Inputs {
            usage: &usage,
            incidents: &incidents,
            policy: None,
        };
        let ev =
            crate::evaluate_bytes(&inputs, "2026-04-10T12:00:00+08:00", ["u", "i", "p"]).unwrap();
        let e = evidence(&ev, &["2026-03".to_string()]);
        // March holds only OUT-20260228T2358 (7 minutes from 02-28 23:58).
        assert_eq!(e.periods.len(), 1);
        assert_eq!(e.outages.len(), 1);
        assert_eq!(e.outages[0].outage.id, "OUT-20260228T2358");
        // 23:53 .. 00:10: telemetry starts 23:55, so 2 no-data, 3 up, 7 outage, 5 up.
        let states: Vec<(crate::timeline::MinuteState, u64)> = e.outages[0]
            .minutes
            .iter()
            .map(|r| (r.state, r.minutes))
            .collect();
        use crate::timeline::MinuteState::*;
        assert_eq!(states, vec![(NoData, 2), (Up, 3), (Outage, 7), (Up, 5)]);
        // README: MW-2 (03-20 02:00, announced 02:10) is March's record, not applied.
        let ids: Vec<(&str, bool, u64)> = e
            .exclusions
            .iter()
            .map(|x| (x.id.as_str(), x.applied, x.excluded_minutes))
            .collect();
        assert_eq!(ids, vec![("MW-2", false, 0)]);
        // February holds MW-1, applied, its 20 minutes (10:00–10:20).
        let feb = evidence(&ev, &["2026-02".to_string()]);
        let ids: Vec<(&str, bool, u64)> = feb
            .exclusions
            .iter()
            .map(|x| (x.id.as_str(), x.applied, x.excluded_minutes))
            .collect();
        assert_eq!(ids, vec![("MW-1", true, 20)]);
    }
}
