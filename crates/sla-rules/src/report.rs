//! The report: the one model every view, export, claim and server check is drawn from.
//!
//! Field names follow docs/DATA_CONTRACT.md ("report") exactly. Fields that the contract
//! does not name (`client_name`, `contract`, `rules`, `days`, `incident_summary`,
//! `metering`, `contact_sheet`, and the extra fields of periods and incidents) are additions that
//! readers of the contract ignore, and the widget draws from.

use serde::{Deserialize, Serialize};

/// The schema tag of a report document.
pub const REPORT_SCHEMA: &str = "sla-portal/report/v1";

/// The whole evaluation of one contract as of one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub as_of: String,
    pub client_id: String,
    pub contract_id: String,
    pub client_name: String,
    pub contract: ContractInfo,
    /// The policy figures the views need to explain a judgement in words.
    pub rules: RulesInfo,
    pub periods: Vec<Period>,
    pub outages: Vec<Outage>,
    pub incidents: Vec<IncidentReport>,
    pub incident_summary: Vec<LevelSummary>,
    pub entitlement: Entitlement,
    /// One entry per local day of the periods' ranges, oldest first.
    pub days: Vec<Day>,
    /// Signed and failed contracts for up to the last 24 months with data (§4.12).
    pub metering: Vec<Metering>,
    /// Which hotline is open at `as_of`, and who handles each level (§3.1, §3.2).
    pub contact_sheet: crate::contacts::ContactSheet,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInfo {
    pub service_start: String,
    pub service_end: String,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInfo {
    pub availability_target: String,
    pub min_outage_minutes: u32,
    pub minute_ok_ratio: String,
    pub missing_data: String,
    pub compensation_unit: String,
    pub durability_target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Judged,
    Partial,
    InProgress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub month: String,
    pub status: PeriodStatus,
    pub minutes: u64,
    pub excluded_minutes: u64,
    pub measured_minutes: u64,
    pub unavailable_minutes: u64,
    pub no_data_minutes: u64,
    pub availability: String,
    pub target: String,
    pub breached: bool,
    pub outages: Vec<String>,
    /// For each id in `outages`, in the same order, the minutes of that outage that fall in
    /// this period: a month's statement shows its own share of an outage across a month end.
    pub outage_minutes: Vec<PeriodOutage>,
    pub compensable_outages: u64,
    pub signed: Option<u64>,
    pub failed: Option<u64>,
    pub durability: Option<Durability>,
    /// `measured × (100 − target) / 100`, truncated to 2 decimals: the minutes
    /// this period may be down without breaching.
    pub downtime_budget_minutes: String,
    /// The range the minute counts cover, RFC 3339 in the contract timezone.
    pub range_start: String,
    pub range_end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodOutage {
    pub id: String,
    pub counted_minutes: u64,
    pub excluded_minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durability {
    pub stored: u64,
    pub lost: u64,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    pub id: String,
    pub start: String,
    pub end: String,
    pub minutes: u64,
    pub counted_minutes: u64,
    pub excluded_minutes: u64,
    pub compensable: bool,
    pub attributed_to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Met,
    Breached,
    Running,
    NotAssessed,
}

impl TargetStatus {
    /// The contract's spelling, as used in `data-response` / `data-recovery`.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Met => "met",
            TargetStatus::Breached => "breached",
            TargetStatus::Running => "running",
            TargetStatus::NotAssessed => "not_assessed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentReport {
    pub id: String,
    pub level: u8,
    pub open: bool,
    pub assessed: bool,
    pub response_seconds: Option<u64>,
    pub response_target_seconds: u64,
    pub response: TargetStatus,
    pub recovery_seconds: Option<u64>,
    pub recovery_target_seconds: u64,
    pub recovery: TargetStatus,
    pub paused_seconds: Option<u64>,
    // Additions for the fault history view (display only, from incidents.json).
    pub title: String,
    pub component: String,
    pub cause: String,
    /// `24x7` or `business`.
    pub clock: String,
    pub reported_at: String,
    pub responded_at: Option<String>,
    pub resolved_at: Option<String>,
    /// Third-party pauses, merged and clipped to the recovery interval.
    pub paused: Vec<Interval>,
    /// The month (contract timezone) the incident was reported in.
    pub month: String,
    /// Ids of outages that overlap the incident's reported..resolved (or as_of) span.
    pub outages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: String,
    pub end: String,
}

/// Per-level figures (§3.2): percentages are truncated to one decimal, times use
/// the nearest-rank method over the clocks that stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelSummary {
    pub level: u8,
    pub count: u64,
    pub assessed: u64,
    pub response_target_seconds: u64,
    pub recovery_target_seconds: u64,
    pub response_met: u64,
    pub response_breached: u64,
    pub recovery_met: u64,
    pub recovery_breached: u64,
    pub response_met_percent: Option<String>,
    pub recovery_met_percent: Option<String>,
    pub response_median_seconds: Option<u64>,
    pub response_p90_seconds: Option<u64>,
    pub recovery_median_seconds: Option<u64>,
    pub recovery_p90_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlement {
    pub breached_periods: Vec<String>,
    pub units: u64,
    pub service_extension: ServiceExtension,
    pub contract_credit: ContractCredit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceExtension {
    pub months: u64,
    pub service_end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractCredit {
    pub contracts: u64,
    pub per_period: Vec<CreditPeriod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditPeriod {
    pub month: String,
    pub units: u64,
    pub monthly_average: u64,
    pub contracts: u64,
    /// The signed counts the average rests on, and how many months they span.
    pub average_sum: u64,
    pub average_months: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    pub date: String,
    pub minutes: u64,
    pub excluded_minutes: u64,
    pub unavailable_minutes: u64,
    pub no_data_minutes: u64,
    pub availability: String,
    pub outages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metering {
    pub month: String,
    pub signed: u64,
    pub failed: u64,
}
