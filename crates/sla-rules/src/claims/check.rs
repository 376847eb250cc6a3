//! The rules' check of a claim against the report: which periods may be claimed, what
//! they grant, and why a claim is refused. What a refusal is on the wire (an HTTP status
//! and an error code) is `crate::wire`'s, not a rule.

use serde::{Deserialize, Serialize};

use super::request::{ClaimRequest, Expected, Remedy};
use crate::report::Report;

/// What the server grants: its own figures for the claimed periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Granted {
    pub remedy: Remedy,
    pub units: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_extension_months: Option<u64>,
    /// The contract's end moved by this claim's months alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_credit: Option<u64>,
}

/// Why the rules refuse a claim, with what the refusal is about. The data contract's
/// answer for each (status, code, details) is [`crate::wire::ErrorReply::from`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The claim names a contract that is not the report's.
    ContractMismatch { contract_id: String },
    /// These periods were named by a filed claim before.
    AlreadyClaimed { periods: Vec<String> },
    /// These periods are not breached service periods.
    NotBreached { periods: Vec<String> },
    /// The periods carry no compensable outage: these figures grant nothing.
    NothingToGrant { granted: Granted },
    /// The claim's expected figures are not the ones the rules compute.
    ExpectedMismatch {
        expected: Expected,
        granted: Granted,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::ContractMismatch { contract_id } => {
                write!(f, "contract {contract_id} is not the caller's contract")
            }
            Refusal::AlreadyClaimed { periods } => {
                write!(f, "already claimed: {}", periods.join(", "))
            }
            Refusal::NotBreached { periods } => {
                write!(f, "not a breached service period: {}", periods.join(", "))
            }
            Refusal::NothingToGrant { .. } => {
                f.write_str("the periods carry no compensable outage")
            }
            Refusal::ExpectedMismatch { .. } => {
                f.write_str("the expected figures differ from the server's")
            }
        }
    }
}

/// The months that may be claimed now: breached service periods (those with an
/// entry in the contract-credit entitlement) that no filed claim has named, in
/// report order.
///
/// # Examples
///
/// ```
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"},
/// #              {"start":"2026-03-10T10:00:00+08:00","end":"2026-03-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// // February and March each lost 5 minutes: both breached; February was claimed.
/// let open = sla_rules::claims::claimable_periods(&report, &["2026-02".to_string()]);
/// assert_eq!(open, ["2026-03"]);
/// ```
pub fn claimable_periods(report: &Report, claimed: &[String]) -> Vec<String> {
    report
        .entitlement
        .contract_credit
        .per_period
        .iter()
        .filter(|c| !claimed.iter().any(|m| c.month == *m))
        .map(|c| c.month.to_string())
        .collect()
}

/// The figures for claiming `periods` (each must be a breached period of the report).
///
/// # Errors
///
/// [`Refusal::NotBreached`] listing the periods that are not breached service periods.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{figures_for, Remedy};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// // February 2026 lost 5 minutes: one unit. Without signing data the credit is 0;
/// // the extension moves the end 2026-12-31 by one month.
/// let feb = ["2026-02".to_string()];
/// let g = figures_for(&report, &feb, Remedy::ServiceExtension).unwrap();
/// assert_eq!((g.units, g.service_end.as_deref()), (1, Some("2027-01-31")));
/// assert_eq!(figures_for(&report, &feb, Remedy::ContractCredit).unwrap().contract_credit, Some(0));
/// ```
pub fn figures_for(
    report: &Report,
    periods: &[String],
    remedy: Remedy,
) -> Result<Granted, Refusal> {
    let per = &report.entitlement.contract_credit.per_period;
    let not_breached: Vec<&String> = periods
        .iter()
        .filter(|p| !per.iter().any(|c| c.month == **p))
        .collect();
    if !not_breached.is_empty() {
        return Err(Refusal::NotBreached {
            periods: not_breached.into_iter().cloned().collect(),
        });
    }
    let chosen: Vec<_> = per
        .iter()
        .filter(|c| periods.iter().any(|p| c.month == *p))
        .collect();
    let units: u64 = chosen.iter().map(|c| c.units).sum();
    let credit: u64 = chosen
        .iter()
        .map(|c| c.contracts)
        .fold(0, u64::saturating_add);
    let end = crate::time::parse_date(&report.contract.service_end)
        .map(|d| crate::compensation::extended_end(d, units))
        .ok();
    Ok(match remedy {
        Remedy::ServiceExtension => Granted {
            remedy,
            units,
            service_extension_months: Some(units),
            service_end: end,
            contract_credit: None,
        },
        Remedy::ContractCredit => Granted {
            remedy,
            units,
            service_extension_months: None,
            service_end: None,
            contract_credit: Some(credit),
        },
    })
}

/// The part of [`check_claim`] that needs only the periods, shared with the widget's
/// draft so the form refuses what the server would: no period claimed before, every
/// period breached, and at least one unit to grant. Returns the figures for `remedy`.
///
/// # Errors
///
/// A [`Refusal`]: [`AlreadyClaimed`](Refusal::AlreadyClaimed) (listing the claimed
/// periods), [`NotBreached`](Refusal::NotBreached) (listing the periods that are not
/// breached service periods) or [`NothingToGrant`](Refusal::NothingToGrant), checked in
/// that order.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{check_periods, Refusal, Remedy};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// // February lost 5 minutes (one compensable outage); March lost none.
/// let feb = vec!["2026-02".to_string()];
/// let g = check_periods(&report, &[], &feb, Remedy::ServiceExtension).unwrap();
/// assert_eq!((g.units, g.service_end.as_deref()), (1, Some("2027-01-31")));
/// let e = check_periods(&report, &feb, &feb, Remedy::ServiceExtension).unwrap_err();
/// assert_eq!(e, Refusal::AlreadyClaimed { periods: feb.clone() });
/// let e = check_periods(&report, &[], &["2026-03".into()], Remedy::ContractCredit).unwrap_err();
/// assert_eq!(e, Refusal::NotBreached { periods: vec!["2026-03".into()] });
/// ```
pub fn check_periods(
    report: &Report,
    already_claimed: &[String],
    periods: &[String],
    remedy: Remedy,
) -> Result<Granted, Refusal> {
    let taken: Vec<&String> = periods
        .iter()
        .filter(|p| already_claimed.contains(p))
        .collect();
    if !taken.is_empty() {
        return Err(Refusal::AlreadyClaimed {
            periods: taken.into_iter().cloned().collect(),
        });
    }
    let granted = figures_for(report, periods, remedy)?;
    if granted.units == 0 {
        return Err(Refusal::NothingToGrant { granted });
    }
    Ok(granted)
}

/// The server's check: the claim is for this report's contract, its periods
/// are breached and not claimed before, it grants something, and its expected
/// figures equal the ones computed here.
///
/// # Errors
///
/// A [`Refusal`]: [`ContractMismatch`](Refusal::ContractMismatch), then those of
/// [`check_periods`], then [`ExpectedMismatch`](Refusal::ExpectedMismatch) carrying the
/// rules' figures.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{check_claim, parse_claim, Refusal};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// let body = |units: u64| format!(r#"{{"schema":"sla-portal/claim/v1",
///   "claim_id":"0b7e7a8e-3c1d-4f5a-9b2c-1d2e3f4a5b6c","contract_id":"K","periods":["2026-02"],
///   "remedy":"service_extension","expected":{{"units":{units},"service_extension_months":{units}}},
///   "contact":{{"name":"王敏","email":"wm@example.com","phone":"13800000000"}}}}"#);
/// let claim = parse_claim(body(1).as_bytes(), "claim").unwrap();
/// assert_eq!(check_claim(&report, &[], &claim).unwrap().units, 1);
/// let greedy = parse_claim(body(2).as_bytes(), "claim").unwrap();
/// let Err(Refusal::ExpectedMismatch { granted, .. }) = check_claim(&report, &[], &greedy) else { panic!() };
/// assert_eq!(granted.units, 1);
/// ```
pub fn check_claim(
    report: &Report,
    already_claimed: &[String],
    claim: &ClaimRequest,
) -> Result<Granted, Refusal> {
    if claim.contract_id != report.contract_id {
        return Err(Refusal::ContractMismatch {
            contract_id: claim.contract_id.clone(),
        });
    }
    let granted = check_periods(report, already_claimed, &claim.periods, claim.remedy)?;
    let e = &claim.expected;
    let same = e.units == granted.units
        && match claim.remedy {
            Remedy::ServiceExtension => {
                e.service_extension_months == granted.service_extension_months
            }
            Remedy::ContractCredit => e.contract_credit == granted.contract_credit,
        };
    if !same {
        return Err(Refusal::ExpectedMismatch {
            expected: e.clone(),
            granted,
        });
    }
    Ok(granted)
}
