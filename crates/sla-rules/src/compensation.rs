//! Compensation (§4.14.2): which outages are compensable, where each is
//! attributed, and the two remedies (service extension, contract credit).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::decimal::round_div;
use crate::policy::{AverageWindow, CompensationUnit, Policy};
use crate::report::{
    ContractCredit, CreditPeriod, Entitlement, Period, PeriodStatus, ServiceExtension,
};
use crate::time::{add_months, Month};

/// For each outage, its counted minutes per period index.
pub type CountedByPeriod = Vec<Vec<(usize, u64)>>;

/// Attributes each compensable outage to the breached period holding most of
/// its counted minutes (the earlier one on a tie). Returns, per outage, the
/// index of that period, or `None` when the outage is not compensable.
///
/// Under the default `per_breached_month` this is evidence only; under `per_outage` it
/// decides the units. Through the report:
/// ```
/// // 5 counted minutes on each side of February's end: both months breach; a tie.
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-01-01","service_end":"2026-12-31"},"telemetry":[],
///   "outages":[{"start":"2026-02-28T23:55:00+08:00","end":"2026-03-01T00:05:00+08:00"}]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let r = sla_rules::report(&sla_rules::Inputs { usage, incidents, policy: None },
///     "2026-04-01T00:00:00+08:00").unwrap();
/// assert_eq!(r.outages[0].attributed_to.map(|m| m.to_string()).as_deref(), Some("2026-02"));
/// assert_eq!(r.entitlement.units, 2); // one per breached month
/// ```
pub fn attribute(counted: &CountedByPeriod, periods: &[Period]) -> Vec<Option<usize>> {
    counted
        .iter()
        .map(|per_period| {
            per_period
                .iter()
                .filter(|&&(p, c)| c > 0 && periods[p].breached)
                // Ties go to the earlier period: compare (minutes, Reverse(index)).
                .max_by_key(|&&(p, c)| (c, std::cmp::Reverse(p)))
                .map(|&(p, _)| p)
        })
        .collect()
}

/// The monthly average of signed contracts that one unit of credit for `month` rests on:
/// `(sum, months)` over the judged periods of its window that have signing data.
///
/// ```
/// // March breached: its year-to-date basis is January 1,000 + February 1,201 + March
/// // 1,300 = 3,501 over 3 months, 1,167 contracts a unit.
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-01-01","service_end":"2026-12-31"},"telemetry":[],
///   "outages":[{"start":"2026-03-10T10:00:00+08:00","end":"2026-03-10T10:05:00+08:00"}],
///   "signing":[{"month":"2026-01","signed":1000,"failed":0},{"month":"2026-02","signed":1201,"failed":0},
///              {"month":"2026-03","signed":1300,"failed":0}]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let r = sla_rules::report(&sla_rules::Inputs { usage, incidents, policy: None },
///     "2026-04-01T00:00:00+08:00").unwrap();
/// let c = &r.entitlement.contract_credit.per_period[0];
/// assert_eq!((c.average_sum, c.average_months, c.monthly_average), (3501, 3, 1167));
/// ```
pub fn average_basis(
    month: Month,
    periods: &[Period],
    signing: &BTreeMap<Month, (u64, u64)>,
    window: AverageWindow,
) -> (u64, u64) {
    let mut sum = 0u64;
    let mut n = 0u64;
    for p in periods.iter().filter(|p| p.status == PeriodStatus::Judged) {
        let m = p.month;
        let inside = match window {
            AverageWindow::CalendarYearToDate => m.year == month.year && m <= month,
            AverageWindow::Trailing12Months => m <= month && month.index() - m.index() < 12,
        };
        if let (true, Some((signed, _))) = (inside, signing.get(&m)) {
            sum = sum.saturating_add(*signed);
            n += 1;
        }
    }
    (sum, n)
}

/// The entitlement over all breached periods, each judged by its own settings
/// (`policies[i]` for `periods[i]`).
///
/// Under `per_breached_month` (the default) a breached period is one 宕机 and gives one
/// unit, however its down minutes are grouped (§4.14.2: "发生宕机，即平台可用性达不到服务可用性承诺时").
/// Under `per_outage` it gives one unit per compensable outage attributed to it.
///
/// ```
/// // Two outages in one breached March: one 宕机, one unit; per_outage would count two.
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-01-01","service_end":"2026-12-31"},"telemetry":[],
///   "outages":[{"start":"2026-03-10T10:00:00+08:00","end":"2026-03-10T10:05:00+08:00"},
///              {"start":"2026-03-20T10:00:00+08:00","end":"2026-03-20T10:05:00+08:00"}]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let run = |policy: Option<&[u8]>| sla_rules::report(
///     &sla_rules::Inputs { usage, incidents, policy }, "2026-04-01T00:00:00+08:00").unwrap();
/// let r = run(None);
/// assert_eq!((r.entitlement.units, r.entitlement.service_extension.service_end.as_str()),
///            (1, "2027-01-31"));
/// let per_outage = br#"{"schema":"sla-portal/policy/v1","compensation_unit":"per_outage"}"#;
/// assert_eq!(run(Some(per_outage)).entitlement.units, 2);
/// ```
pub fn entitlement(
    periods: &[Period],
    policies: &[&Policy],
    signing: &BTreeMap<Month, (u64, u64)>,
    service_end: NaiveDate,
    warnings: &mut Vec<String>,
) -> Entitlement {
    let mut per_period = Vec::new();
    for (p, policy) in periods.iter().zip(policies).filter(|(p, _)| p.breached) {
        let units = match policy.compensation_unit {
            CompensationUnit::PerOutage => p.compensable_outages,
            CompensationUnit::PerBreachedMonth => 1,
        };
        let month = p.month;
        let (sum, n) = average_basis(month, periods, signing, policy.average_window);
        if n == 0 {
            warnings.push(format!(
                "entitlement: {}: no signing data in the averaging window; the contract credit is 0",
                p.month
            ));
        }
        let avg = round_div(sum, n, policy.rounding);
        per_period.push(CreditPeriod {
            month: p.month,
            units,
            monthly_average: avg,
            contracts: units.saturating_mul(avg),
            average_sum: sum,
            average_months: n,
        });
    }
    let units: u64 = per_period.iter().map(|c| c.units).sum();
    Entitlement {
        breached_periods: per_period.iter().map(|c| c.month).collect(),
        units,
        service_extension: ServiceExtension {
            months: units,
            service_end: extended_end(service_end, units),
        },
        contract_credit: ContractCredit {
            contracts: per_period
                .iter()
                .map(|c| c.contracts)
                .fold(0, u64::saturating_add),
            per_period,
        },
    }
}

/// `service_end + months`, clamped to the target month's last day.
///
/// # Examples
///
/// ```
/// use sla_rules::compensation::extended_end;
/// use sla_rules::time::parse_date;
/// // Worked example: 2027-01-14 + 2 months; 31 August + 1 month clamps to 30 September.
/// assert_eq!(extended_end(parse_date("2027-01-14").unwrap(), 2), "2027-03-14");
/// assert_eq!(extended_end(parse_date("2026-08-31").unwrap(), 1), "2026-09-30");
/// ```
pub fn extended_end(service_end: NaiveDate, months: u64) -> String {
    crate::time::ymd(add_months(service_end, months).unwrap_or(service_end))
}
