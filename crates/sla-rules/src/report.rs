//! The report: the one model every view, export, claim and server check is drawn from.
//!
//! Field names follow docs/DATA_CONTRACT.md ("report") exactly. Fields that the contract
//! does not name (`client_name`, `contract`, `rules`, `days`, `incident_summary`,
//! `metering`, `contact_sheet`, and the extra fields of periods and incidents) are additions that
//! readers of the contract ignore, and the widget draws from.
//!
//! Months, instants, incident causes and clocks are typed ([`Month`], [`Stamp`],
//! [`IncidentCause`], [`Clock`]) and serialise to the same JSON text as strings did.

use serde::{Deserialize, Serialize};

use crate::decimal::Rounding;
pub use crate::policy::Clock;
use crate::policy::{AverageWindow, CompensationUnit, Fill};
use crate::time::{Month, Stamp};

/// The schema tag of a report document.
pub const REPORT_SCHEMA: &str = "sla-portal/report/v1";

/// The whole evaluation of one contract as of one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub as_of: Stamp,
    pub client_id: String,
    pub contract_id: String,
    pub client_name: String,
    pub contract: ContractInfo,
    /// The policy figures the views need to explain a judgement in words.
    pub rules: RulesInfo,
    /// The figures of the policy's top-level settings, which judge every period before the
    /// first version (equal to `rules` for a single-object policy).
    pub original_rules: RulesInfo,
    /// The policy's dated versions, oldest first, each with its figures (empty for a
    /// single-object policy). A period names the one that judged it in `policy_version`.
    pub policy_versions: Vec<PolicyVersionInfo>,
    /// How far telemetry reaches: the end (exclusive) of the last minute of the evaluated
    /// window (the term, up to `as_of`) that telemetry covers; `null` when it covers none.
    /// Minutes after it have no data and are filled by `missing_data`, so a month whose data
    /// stops early is still judged as the policy says, and this shows where the data
    /// stopped (docs/RULES.md §1, "Data horizon"). See [`crate::evaluate::data_horizon`].
    /// Built with the `overview-only` feature (the widget's first paint, which never shows,
    /// serialises or hands on its report) it is not computed: `null`, and every period's
    /// `minutes_after_data_horizon` 0.
    pub data_horizon: Option<Stamp>,
    pub periods: Vec<Period>,
    pub outages: Vec<Outage>,
    /// Every maintenance window and exclusion of the usage document, applied or not.
    pub exclusions: Vec<ExclusionRecord>,
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
    /// `minute_ok_ratio` as a percentage without trailing zeros (`"0.90"` → `"90"`).
    pub minute_ok_percent: String,
    pub missing_data: Fill,
    pub zero_traffic: Fill,
    pub min_notice_minutes: u32,
    pub excluded_causes: Vec<String>,
    pub compensation_unit: CompensationUnit,
    pub average_window: AverageWindow,
    pub rounding: Rounding,
    pub durability_target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersionInfo {
    /// `YYYY-MM`: the first service period this version judges.
    pub effective_from: String,
    pub rules: RulesInfo,
}

/// Where an excluded-time record comes from in usage.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionSource {
    Maintenance,
    Exclusion,
}

/// Why a record removes no minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplied {
    /// Not announced early enough under `min_notice_minutes` (or not announced at all).
    AnnouncedLate,
    /// The policy's `excluded_causes` leaves this cause in.
    CauseNotExcluded,
}

/// One maintenance window or exclusion, applied or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionRecord {
    pub id: String,
    pub source: ExclusionSource,
    /// The maintenance kind; `null` for an exclusion.
    pub kind: Option<String>,
    /// The exclusion cause; `null` for a maintenance window.
    pub cause: Option<String>,
    /// The window's title, or the exclusion's note.
    pub title: String,
    /// The record's interval widened to whole minutes, in the contract timezone.
    pub start: Stamp,
    pub end: Stamp,
    pub announced_at: Option<Stamp>,
    /// Whole minutes from `announced_at` to the start, rounded down (negative when
    /// announced after the start); `null` for an exclusion or an unannounced window.
    pub notice_minutes: Option<i64>,
    pub applied: bool,
    pub reason: Option<NotApplied>,
    /// Minutes of the record inside the term and ended by `as_of` that it removed
    /// (0 when not applied). A minute two records cover counts in each record.
    pub excluded_minutes: u64,
    /// The periods the record overlaps, with the minutes it removed in each.
    pub periods: Vec<ExclusionPeriod>,
    /// Ids of the outages that overlap the record.
    pub outages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionPeriod {
    pub month: Month,
    pub excluded_minutes: u64,
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
    pub month: Month,
    pub status: PeriodStatus,
    pub minutes: u64,
    pub excluded_minutes: u64,
    pub measured_minutes: u64,
    pub unavailable_minutes: u64,
    pub no_data_minutes: u64,
    pub availability: String,
    pub target: String,
    /// Below its target; only ever true for a judged period (a month in progress or a
    /// partial month is never breached, whatever its figures so far).
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
    /// For a month in progress that will be judged when it ends: its downtime so far
    /// already exceeds the budget of the whole month, so it can no longer meet the target
    /// ("this month can no longer meet 99.99 %; you can claim once it ends"). Always
    /// `false` for other periods.
    pub target_out_of_reach: bool,
    /// The range the minute counts cover, RFC 3339 in the contract timezone.
    pub range_start: Stamp,
    pub range_end: Stamp,
    /// The `effective_from` of the policy version that judged this period; `null` when
    /// the policy's top-level settings did.
    pub policy_version: Option<String>,
    /// Minutes of `range_start`..`range_end` at or after the report's `data_horizon` (all of
    /// them when it is `null`): more than 0 in a month that has ended means its data stops
    /// before its end, so "met" may be "met because data stopped". Included in
    /// `no_data_minutes`.
    pub minutes_after_data_horizon: u64,
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
    pub start: Stamp,
    pub end: Stamp,
    pub minutes: u64,
    pub counted_minutes: u64,
    pub excluded_minutes: u64,
    pub compensable: bool,
    pub attributed_to: Option<Month>,
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
    pub cause: IncidentCause,
    pub clock: Clock,
    pub reported_at: Stamp,
    pub responded_at: Option<Stamp>,
    pub resolved_at: Option<Stamp>,
    /// Third-party pauses, merged and clipped to the recovery interval.
    pub paused: Vec<Interval>,
    /// The month (contract timezone) the incident was reported in.
    pub month: Month,
    /// Ids of outages that overlap the incident's reported..resolved (or as_of) span.
    pub outages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: Stamp,
    pub end: Stamp,
}

/// An incident's cause (incidents.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentCause {
    Platform,
    ThirdParty,
    CustomerCause,
    ExternalNetwork,
    ForceMajeure,
}

impl IncidentCause {
    /// Every cause, in the order the contract lists them.
    pub const ALL: [IncidentCause; 5] = [
        IncidentCause::Platform,
        IncidentCause::ThirdParty,
        IncidentCause::CustomerCause,
        IncidentCause::ExternalNetwork,
        IncidentCause::ForceMajeure,
    ];

    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentCause::Platform => "platform",
            IncidentCause::ThirdParty => "third_party",
            IncidentCause::CustomerCause => "customer_cause",
            IncidentCause::ExternalNetwork => "external_network",
            IncidentCause::ForceMajeure => "force_majeure",
        }
    }

    /// The cause of a wire name; `None` for any other text.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::report::IncidentCause;
    /// assert_eq!(IncidentCause::parse("third_party"), Some(IncidentCause::ThirdParty));
    /// assert_eq!(IncidentCause::parse("weather"), None);
    /// ```
    pub fn parse(s: &str) -> Option<IncidentCause> {
        IncidentCause::ALL.into_iter().find(|c| c.as_str() == s)
    }
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
    pub breached_periods: Vec<Month>,
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
    pub month: Month,
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
    pub month: Month,
    pub signed: u64,
    pub failed: u64,
}

impl Report {
    /// The period of `month` (`"YYYY-MM"` or a [`Month`]), if the report has it.
    ///
    /// # Examples
    ///
    /// ```
    /// let usage = include_bytes!("../tests/fixtures/worked/usage.json");
    /// let incidents = include_bytes!("../tests/fixtures/worked/incidents.json");
    /// let inputs = sla_rules::Inputs { usage, incidents, policy: None };
    /// let ev = sla_rules::evaluate_bytes(&inputs, "2026-04-10T12:00:00+08:00", ["u", "i", "p"]).unwrap();
    /// // Worked example: February, (40,300 − 8) / 40,300.
    /// assert_eq!(ev.report.period("2026-02").unwrap().availability, "99.98014");
    /// assert!(ev.report.period("2025-12").is_none());
    /// ```
    pub fn period<M: ?Sized>(&self, month: &M) -> Option<&Period>
    where
        Month: PartialEq<M>,
    {
        self.periods.iter().find(|p| p.month == *month)
    }

    /// The next instant at which a period is judged by the clock alone: the end of the
    /// earliest month in progress, or, for a term that has not begun (no period yet), the end
    /// of its first month; `None` once every month of the term is judged. Until then no
    /// period can become breached unless a document changes, which is what lets a server
    /// leave a client alone between its month ends (docs/RULES.md, after §4.1 and §4.8 (1): a
    /// month is judged only once it has ended at `as_of`). An earlier answer than needed (a
    /// first month that is only partly in the term) costs one evaluation, never a missed
    /// breach. Month ends are in the contract's timezone, the one `as_of` carries.
    ///
    /// # Examples
    ///
    /// ```
    /// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
    ///   "contract":{"id":"K","service_start":"2025-01-01","service_end":"2025-12-31",
    ///   "timezone":"+08:00"},"telemetry":[]}"#;
    /// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
    /// let at = |as_of| sla_rules::report(&sla_rules::Inputs { usage, incidents, policy: None }, as_of)
    ///     .unwrap()
    ///     .next_judgement_at();
    /// // March (+08:00) is in progress; it ends 2025-04-01T00:00+08:00 = 2025-03-31T16:00Z.
    /// let april = sla_rules::time::parse_instant("2025-04-01T00:00:00+08:00").unwrap();
    /// assert_eq!(at("2025-03-15T08:00:00+08:00"), Some(april));
    /// assert_eq!(april, 1_743_436_800);
    /// // Before the term: its first month, January, ends 2025-02-01T00:00+08:00.
    /// assert_eq!(at("2024-12-01T08:00:00+08:00"), Some(1_738_339_200));
    /// // After the term only a changed document changes a judgement.
    /// assert_eq!(at("2026-01-01T08:00:00+08:00"), None);
    /// ```
    pub fn next_judgement_at(&self) -> Option<crate::time::Instant> {
        let tz = self.as_of.tz;
        let ends = self
            .periods
            .iter()
            .filter(|p| p.status == PeriodStatus::InProgress)
            .map(|p| tz.month_start(p.month.next()));
        let first = if self.periods.is_empty() {
            self.contract
                .service_start
                .get(..7)
                .and_then(|m| Month::parse(m).ok())
                .map(|m| tz.month_start(m.next()))
        } else {
            None
        };
        ends.chain(first).min()
    }

    /// The figures of the settings that judged a period whose `policy_version` is
    /// `version` (`None`: the policy's top-level settings), so a view explains each month by
    /// its own terms. `None` only for a version the report does not list.
    pub fn rules_for(&self, version: Option<&str>) -> Option<&RulesInfo> {
        match version {
            Some(v) => self
                .policy_versions
                .iter()
                .find(|p| p.effective_from == v)
                .map(|p| &p.rules),
            None => Some(&self.original_rules),
        }
    }
}

#[cfg(test)]
mod rules_for_tests {
    use super::*;

    fn report(policy: Option<&[u8]>, as_of: &str) -> Report {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/policy-versions"
        );
        let usage = std::fs::read(format!("{dir}/usage.json")).unwrap();
        let incidents = std::fs::read(format!("{dir}/incidents.json")).unwrap();
        crate::report(
            &crate::Inputs {
                usage: &usage,
                incidents: &incidents,
                policy,
            },
            as_of,
        )
        .unwrap()
    }

    #[test]
    fn each_period_finds_the_figures_of_its_own_version() {
        // policy-versions/policy.json: top level = defaults (99.99), from 2026-03 target 99.9.
        let policy = br#"{ "schema": "sla-portal/policy/v1",
            "versions": [ { "effective_from": "2026-03", "availability_target": "99.9" } ] }"#;
        let r = report(Some(policy), "2026-04-01T00:00:00+08:00");
        let target = |v: Option<&str>| r.rules_for(v).map(|x| x.availability_target.clone());
        assert_eq!(target(Some("2026-03")).as_deref(), Some("99.9"));
        // At as_of (April) the 2026-03 version is in force: `rules` is its figures, and the
        // top level's, which judged February, are `original_rules`.
        assert_eq!(r.rules.availability_target, "99.9");
        assert_eq!(target(None).as_deref(), Some("99.99"));
        assert_eq!(target(Some("2026-05")), None);
        // Before the version takes effect, `rules` are the top level's.
        let r = report(Some(policy), "2026-02-20T00:00:00+08:00");
        assert_eq!(
            r.rules_for(None).map(|x| x.availability_target.as_str()),
            Some("99.99")
        );
        // A single-object policy: always `rules`.
        let r = report(None, "2026-04-01T00:00:00+08:00");
        assert_eq!(
            r.rules_for(None).map(|x| x.availability_target.as_str()),
            Some("99.99")
        );
    }
}
