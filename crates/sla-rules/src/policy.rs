//! Policy settings: every choice docs/RULES.md leaves to the operator, with the
//! agreement as written as the default.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::calendar::{Calendar, CalendarDoc};
use crate::decimal::{Decimal, Rounding};
use crate::error::InputError;
use crate::time::{Month, Tz};

/// The schema tag of a policy document.
pub const POLICY_SCHEMA: &str = "sla-portal/policy/v1";

/// How a minute without data, or without traffic, is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    Up,
    Down,
}

/// One level's targets (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelRule {
    pub response_minutes: u32,
    pub recovery_minutes: u32,
    pub business_clock: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompensationUnit {
    PerOutage,
    PerBreachedMonth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AverageWindow {
    CalendarYearToDate,
    Trailing12Months,
}

/// The validated policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Used only when the contract names no timezone (the contract's own wins).
    pub timezone: Tz,
    pub availability_target: Decimal,
    pub availability_target_text: String,
    pub minute_ok_ratio: Decimal,
    pub minute_ok_ratio_text: String,
    pub min_outage_minutes: u32,
    pub missing_data: Fill,
    pub zero_traffic: Fill,
    pub min_notice_minutes: u32,
    pub excluded_causes: Vec<String>,
    /// Level 1 or 2 incidents with these causes are shown but not assessed (§5).
    pub unassessed_causes: Vec<String>,
    /// Index 0 = level 1.
    pub levels: [LevelRule; 3],
    pub third_party_pauses_recovery: bool,
    pub compensation_unit: CompensationUnit,
    pub average_window: AverageWindow,
    pub rounding: Rounding,
    pub durability_target: Decimal,
    pub durability_target_text: String,
    pub calendar: Calendar,
    /// Later revisions, oldest first; empty for a single-object policy. A period is
    /// judged by the last version whose `effective_from` is not after it, else by the
    /// settings above.
    pub versions: Vec<PolicyVersion>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timezone: Tz::CST,
            availability_target: Decimal {
                num: 9999,
                den: 100,
            },
            availability_target_text: "99.99".into(),
            minute_ok_ratio: Decimal { num: 90, den: 100 },
            minute_ok_ratio_text: "0.90".into(),
            min_outage_minutes: 5,
            missing_data: Fill::Up,
            zero_traffic: Fill::Up,
            min_notice_minutes: 0,
            excluded_causes: [
                "maintenance",
                "external_network",
                "force_majeure",
                "customer_cause",
            ]
            .map(String::from)
            .to_vec(),
            unassessed_causes: ["customer_cause", "external_network", "force_majeure"]
                .map(String::from)
                .to_vec(),
            levels: [
                LevelRule {
                    response_minutes: 15,
                    recovery_minutes: 120,
                    business_clock: false,
                },
                LevelRule {
                    response_minutes: 30,
                    recovery_minutes: 360,
                    business_clock: false,
                },
                LevelRule {
                    response_minutes: 30,
                    recovery_minutes: 1440,
                    business_clock: true,
                },
            ],
            third_party_pauses_recovery: true,
            compensation_unit: CompensationUnit::PerBreachedMonth,
            average_window: AverageWindow::CalendarYearToDate,
            rounding: Rounding::HalfUp,
            durability_target: Decimal {
                num: 9_999_999_999,
                den: 100_000_000,
            },
            durability_target_text: "99.99999999".into(),
            calendar: Calendar::default_cn(),
            versions: Vec::new(),
        }
    }
}

/// One policy document, or one entry of its `versions` (the same settings; `schema`,
/// `timezone` and `versions` only at the top, `effective_from` only in a version).
#[derive(Deserialize, Default)]
struct PolicyDoc {
    schema: Option<String>,
    timezone: Option<String>,
    versions: Option<Vec<serde_json::Value>>,
    effective_from: Option<String>,
    availability_target: Option<String>,
    minute_ok_ratio: Option<String>,
    min_outage_minutes: Option<u32>,
    missing_data: Option<String>,
    zero_traffic: Option<String>,
    min_notice_minutes: Option<u32>,
    excluded_causes: Option<Vec<String>>,
    unassessed_causes: Option<Vec<String>>,
    levels: Option<BTreeMap<String, LevelDoc>>,
    third_party_pauses_recovery: Option<bool>,
    compensation_unit: Option<String>,
    average_window: Option<String>,
    rounding: Option<String>,
    durability_target: Option<String>,
    calendar: Option<CalendarDoc>,
}

/// The settings a version may change. `timezone` is not one of them: it fixes the month
/// boundaries the versions themselves are keyed on. Unlike the top level, where unknown
/// fields are ignored for forward compatibility, an unknown key inside a version is an
/// error: a misspelt setting there would silently judge months by the old rule.
pub const VERSION_SETTINGS: [&str; 15] = [
    "availability_target",
    "minute_ok_ratio",
    "min_outage_minutes",
    "missing_data",
    "zero_traffic",
    "min_notice_minutes",
    "excluded_causes",
    "unassessed_causes",
    "levels",
    "third_party_pauses_recovery",
    "compensation_unit",
    "average_window",
    "rounding",
    "durability_target",
    "calendar",
];

/// A dated revision of the settings (§6: the provider may adjust the SLA with notice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    /// The first service period this version judges.
    pub effective_from: Month,
    /// The complete settings in force from then on.
    pub policy: Policy,
}

#[derive(Deserialize)]
struct LevelDoc {
    response_minutes: Option<u32>,
    recovery_minutes: Option<u32>,
    clock: Option<String>,
}

/// The causes an exclusion or a policy may name.
pub const CAUSES: [&str; 4] = [
    "maintenance",
    "external_network",
    "force_majeure",
    "customer_cause",
];
/// The causes an incident may carry.
pub const INCIDENT_CAUSES: [&str; 5] = [
    "platform",
    "third_party",
    "customer_cause",
    "external_network",
    "force_majeure",
];

fn choice<T: Copy>(
    file: &str,
    path: &str,
    value: &str,
    options: &[(&str, T)],
) -> Result<T, InputError> {
    options
        .iter()
        .find(|(k, _)| *k == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
            InputError::new(
                file,
                path,
                format!("\"{value}\" is not one of {}", names.join(", ")),
            )
        })
}

/// Parses a policy document; absent fields keep the defaults.
///
/// # Errors
/// `FILE: PATH: message` for a wrong schema, a value out of range or not among the
/// choices, and for `versions` that are out of order, repeat an `effective_from`, or
/// name a setting a version cannot change.
///
/// # Examples
/// ```
/// let p = sla_rules::policy::parse_policy(br#"{"schema":"sla-portal/policy/v1",
///   "min_outage_minutes": 10,
///   "versions": [{"effective_from": "2026-07", "availability_target": "99.9"}]}"#,
///   "policy.json").unwrap();
/// let june = sla_rules::time::Month::parse("2026-06").unwrap();
/// let july = sla_rules::time::Month::parse("2026-07").unwrap();
/// assert_eq!(p.in_force(june).0.availability_target_text, "99.99");
/// // A version changes only what it names: July keeps the 10-minute outage rule.
/// assert_eq!(p.in_force(july).0.availability_target_text, "99.9");
/// assert_eq!(p.in_force(july).0.min_outage_minutes, 10);
///
/// let bad = br#"{"schema":"sla-portal/policy/v1",
///   "versions": [{"effective_from": "2026-07", "availability_targt": "99.9"}]}"#;
/// assert_eq!(sla_rules::policy::parse_policy(bad, "policy.json").unwrap_err().to_string(),
///   "policy.json: versions[0].availability_targt: not a setting a version can change \
///    (one of availability_target, minute_ok_ratio, min_outage_minutes, missing_data, \
///    zero_traffic, min_notice_minutes, excluded_causes, unassessed_causes, levels, \
///    third_party_pauses_recovery, compensation_unit, average_window, rounding, \
///    durability_target, calendar)");
/// ```
pub fn parse_policy(bytes: &[u8], file: &str) -> Result<Policy, InputError> {
    let doc: PolicyDoc = crate::json::decode(bytes, file, POLICY_SCHEMA)?;
    match &doc.schema {
        Some(s) => crate::json::expect_schema(s, file, POLICY_SCHEMA)?,
        None => {
            return Err(InputError::new(
                file,
                "schema",
                format!("missing (expected \"{POLICY_SCHEMA}\")"),
            ))
        }
    }
    if doc.effective_from.is_some() {
        return Err(InputError::new(
            file,
            "effective_from",
            "belongs inside an entry of \"versions\"",
        ));
    }
    let mut p = Policy::default();
    if let Some(s) = &doc.timezone {
        p.timezone = Tz::parse(s).ok_or_else(|| {
            InputError::new(
                file,
                "timezone",
                format!("\"{s}\" is not an offset like +08:00"),
            )
        })?;
    }
    apply(&mut p, &doc, file, "")?;
    let mut versions: Vec<PolicyVersion> = Vec::new();
    for (i, v) in doc.versions.iter().flatten().enumerate() {
        let at = format!("versions[{i}].");
        let version = parse_version(v, file, &at)?;
        let from = version.effective_from.as_deref().unwrap_or_default();
        let from = Month::parse(from).map_err(|m| {
            let m = if version.effective_from.is_none() {
                "missing (a month YYYY-MM)".to_string()
            } else {
                m
            };
            InputError::new(file, format!("{at}effective_from"), m)
        })?;
        if let Some(prev) = versions.last() {
            if from == prev.effective_from {
                return Err(InputError::new(
                    file,
                    format!("{at}effective_from"),
                    format!("{} appears twice", from.label()),
                ));
            }
            if from < prev.effective_from {
                return Err(InputError::new(
                    file,
                    format!("{at}effective_from"),
                    format!(
                        "{} comes before the previous version's {}: versions must be in order",
                        from.label(),
                        prev.effective_from.label()
                    ),
                ));
            }
        }
        // Each version starts from the one before it and changes only what it names.
        let mut vp = versions
            .last()
            .map_or_else(|| p.clone(), |v| v.policy.clone());
        apply(&mut vp, &version, file, &at)?;
        versions.push(PolicyVersion {
            effective_from: from,
            policy: vp,
        });
    }
    p.versions = versions;
    Ok(p)
}

/// Decodes one entry of `versions`, checking each key on its own so that an error names
/// its path (`versions[1].min_outage_minutes`).
fn parse_version(v: &serde_json::Value, file: &str, at: &str) -> Result<PolicyDoc, InputError> {
    let Some(obj) = v.as_object() else {
        return Err(InputError::new(
            file,
            at.trim_end_matches('.'),
            "must be an object",
        ));
    };
    for (k, val) in obj {
        if k != "effective_from" && !VERSION_SETTINGS.contains(&k.as_str()) {
            return Err(InputError::new(
                file,
                format!("{at}{k}"),
                format!(
                    "not a setting a version can change (one of {})",
                    VERSION_SETTINGS.join(", ")
                ),
            ));
        }
        let mut one = serde_json::Map::new();
        one.insert(k.clone(), val.clone());
        if let Err(e) = serde_json::from_value::<PolicyDoc>(serde_json::Value::Object(one)) {
            return Err(InputError::new(file, format!("{at}{k}"), e.to_string()));
        }
    }
    serde_json::from_value(v.clone())
        .map_err(|e| InputError::new(file, at.trim_end_matches('.'), e.to_string()))
}

/// Applies the settings a document names onto `p`; error paths start with `at`.
fn apply(p: &mut Policy, doc: &PolicyDoc, file: &str, at: &str) -> Result<(), InputError> {
    if let Some(s) = &doc.availability_target {
        let d = Decimal::parse(s)
            .map_err(|m| InputError::new(file, format!("{at}availability_target"), m))?;
        if !d.is_percentage() {
            return Err(InputError::new(
                file,
                format!("{at}availability_target"),
                "must be at most 100",
            ));
        }
        p.availability_target = d;
        p.availability_target_text = s.clone();
    }
    if let Some(s) = &doc.minute_ok_ratio {
        let d = Decimal::parse(s)
            .map_err(|m| InputError::new(file, format!("{at}minute_ok_ratio"), m))?;
        if !d.is_ratio() {
            return Err(InputError::new(
                file,
                format!("{at}minute_ok_ratio"),
                "must be at most 1",
            ));
        }
        p.minute_ok_ratio = d;
        p.minute_ok_ratio_text = s.clone();
    }
    if let Some(n) = doc.min_outage_minutes {
        if n == 0 {
            return Err(InputError::new(
                file,
                format!("{at}min_outage_minutes"),
                "must be at least 1",
            ));
        }
        p.min_outage_minutes = n;
    }
    let fills = [("up", Fill::Up), ("down", Fill::Down)];
    if let Some(s) = &doc.missing_data {
        p.missing_data = choice(file, &format!("{at}missing_data"), s, &fills)?;
    }
    if let Some(s) = &doc.zero_traffic {
        p.zero_traffic = choice(file, &format!("{at}zero_traffic"), s, &fills)?;
    }
    if let Some(n) = doc.min_notice_minutes {
        p.min_notice_minutes = n;
    }
    if let Some(list) = &doc.excluded_causes {
        for (i, c) in list.iter().enumerate() {
            if !CAUSES.contains(&c.as_str()) {
                return Err(InputError::new(
                    file,
                    format!("{at}excluded_causes[{i}]"),
                    format!("\"{c}\" is not one of {}", CAUSES.join(", ")),
                ));
            }
        }
        p.excluded_causes = list.clone();
    }
    if let Some(list) = &doc.unassessed_causes {
        for (i, c) in list.iter().enumerate() {
            if !INCIDENT_CAUSES.contains(&c.as_str()) {
                return Err(InputError::new(
                    file,
                    format!("{at}unassessed_causes[{i}]"),
                    format!("\"{c}\" is not one of {}", INCIDENT_CAUSES.join(", ")),
                ));
            }
        }
        p.unassessed_causes = list.clone();
    }
    if let Some(levels) = &doc.levels {
        for (key, l) in levels {
            let idx = match key.as_str() {
                "1" => 0,
                "2" => 1,
                "3" => 2,
                _ => {
                    return Err(InputError::new(
                        file,
                        format!("{at}levels.{key}"),
                        "levels are \"1\", \"2\" and \"3\"",
                    ))
                }
            };
            let rule = &mut p.levels[idx];
            if let Some(m) = l.response_minutes {
                rule.response_minutes = m;
            }
            if let Some(m) = l.recovery_minutes {
                rule.recovery_minutes = m;
            }
            if let Some(c) = &l.clock {
                rule.business_clock = choice(
                    file,
                    &format!("{at}levels.{key}.clock"),
                    c,
                    &[("24x7", false), ("business", true)],
                )?;
            }
        }
    }
    if let Some(b) = doc.third_party_pauses_recovery {
        p.third_party_pauses_recovery = b;
    }
    if let Some(s) = &doc.compensation_unit {
        p.compensation_unit = choice(
            file,
            &format!("{at}compensation_unit"),
            s,
            &[
                ("per_outage", CompensationUnit::PerOutage),
                ("per_breached_month", CompensationUnit::PerBreachedMonth),
            ],
        )?;
    }
    if let Some(s) = &doc.average_window {
        p.average_window = choice(
            file,
            &format!("{at}average_window"),
            s,
            &[
                ("calendar_year_to_date", AverageWindow::CalendarYearToDate),
                ("trailing_12_months", AverageWindow::Trailing12Months),
            ],
        )?;
    }
    if let Some(s) = &doc.rounding {
        p.rounding = choice(
            file,
            &format!("{at}rounding"),
            s,
            &[
                ("half_up", Rounding::HalfUp),
                ("ceil", Rounding::Ceil),
                ("floor", Rounding::Floor),
            ],
        )?;
    }
    if let Some(s) = &doc.durability_target {
        let d = Decimal::parse(s)
            .map_err(|m| InputError::new(file, format!("{at}durability_target"), m))?;
        if !d.is_percentage() {
            return Err(InputError::new(
                file,
                format!("{at}durability_target"),
                "must be at most 100",
            ));
        }
        p.durability_target = d;
        p.durability_target_text = s.clone();
    }
    if let Some(c) = &doc.calendar {
        p.calendar = Calendar::from_doc(c, file, &format!("{at}calendar"))?;
    }
    Ok(())
}

impl Policy {
    /// The `compensation_unit` setting as policy.json spells it.
    ///
    /// ```
    /// let p = sla_rules::policy::Policy::default();
    /// // §4.14.2: one breached service period is one 宕机.
    /// assert_eq!(p.compensation_unit_text(), "per_breached_month");
    /// ```
    pub fn compensation_unit_text(&self) -> &'static str {
        match self.compensation_unit {
            CompensationUnit::PerOutage => "per_outage",
            CompensationUnit::PerBreachedMonth => "per_breached_month",
        }
    }

    /// The `missing_data` setting as policy.json spells it.
    ///
    /// ```
    /// let p = sla_rules::policy::parse_policy(
    ///     br#"{"schema":"sla-portal/policy/v1","missing_data":"down"}"#, "policy.json").unwrap();
    /// assert_eq!(p.missing_data_text(), "down");
    /// assert_eq!(sla_rules::policy::Policy::default().missing_data_text(), "up");
    /// ```
    pub fn missing_data_text(&self) -> &'static str {
        match self.missing_data {
            Fill::Up => "up",
            Fill::Down => "down",
        }
    }
}

impl Policy {
    /// The settings in force for a service period, with the `effective_from` of the
    /// version they come from (`None`: the document's top-level settings).
    ///
    /// ```
    /// use sla_rules::time::Month;
    /// let p = sla_rules::policy::parse_policy(br#"{"schema":"sla-portal/policy/v1",
    ///   "versions": [{"effective_from": "2026-07", "rounding": "ceil"},
    ///                {"effective_from": "2026-10", "rounding": "floor"}]}"#, "policy.json").unwrap();
    /// let m = |s| Month::parse(s).unwrap();
    /// assert_eq!(p.in_force(m("2026-06")).1, None);
    /// assert_eq!(p.in_force(m("2026-09")).1, Some(m("2026-07")));
    /// assert_eq!(p.in_force(m("2027-01")).1, Some(m("2026-10")));
    /// ```
    pub fn in_force(&self, month: Month) -> (&Policy, Option<Month>) {
        match self
            .versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= month)
        {
            Some(v) => (&v.policy, Some(v.effective_from)),
            None => (self, None),
        }
    }
}
