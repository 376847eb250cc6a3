//! Policy settings: every choice docs/RULES.md leaves to the operator, with the
//! agreement as written as the default.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::calendar::{Calendar, CalendarDoc};
use crate::decimal::{Decimal, Rounding};
use crate::error::InputError;
use crate::time::Tz;

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
            compensation_unit: CompensationUnit::PerOutage,
            average_window: AverageWindow::CalendarYearToDate,
            rounding: Rounding::HalfUp,
            durability_target: Decimal {
                num: 9_999_999_999,
                den: 100_000_000,
            },
            durability_target_text: "99.99999999".into(),
            calendar: Calendar::default_cn(),
        }
    }
}

#[derive(Deserialize)]
struct PolicyDoc {
    schema: String,
    timezone: Option<String>,
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
pub fn parse_policy(bytes: &[u8], file: &str) -> Result<Policy, InputError> {
    let doc: PolicyDoc = crate::json::decode(bytes, file, POLICY_SCHEMA)?;
    crate::json::expect_schema(&doc.schema, file, POLICY_SCHEMA)?;
    let mut p = Policy::default();
    if let Some(s) = doc.timezone {
        p.timezone = Tz::parse(&s).ok_or_else(|| {
            InputError::new(
                file,
                "timezone",
                format!("\"{s}\" is not an offset like +08:00"),
            )
        })?;
    }
    if let Some(s) = doc.availability_target {
        let d = Decimal::parse(&s).map_err(|m| InputError::new(file, "availability_target", m))?;
        if !d.is_percentage() {
            return Err(InputError::new(
                file,
                "availability_target",
                "must be at most 100",
            ));
        }
        p.availability_target = d;
        p.availability_target_text = s;
    }
    if let Some(s) = doc.minute_ok_ratio {
        let d = Decimal::parse(&s).map_err(|m| InputError::new(file, "minute_ok_ratio", m))?;
        if !d.is_ratio() {
            return Err(InputError::new(
                file,
                "minute_ok_ratio",
                "must be at most 1",
            ));
        }
        p.minute_ok_ratio = d;
        p.minute_ok_ratio_text = s;
    }
    if let Some(n) = doc.min_outage_minutes {
        if n == 0 {
            return Err(InputError::new(
                file,
                "min_outage_minutes",
                "must be at least 1",
            ));
        }
        p.min_outage_minutes = n;
    }
    let fills = [("up", Fill::Up), ("down", Fill::Down)];
    if let Some(s) = doc.missing_data {
        p.missing_data = choice(file, "missing_data", &s, &fills)?;
    }
    if let Some(s) = doc.zero_traffic {
        p.zero_traffic = choice(file, "zero_traffic", &s, &fills)?;
    }
    if let Some(n) = doc.min_notice_minutes {
        p.min_notice_minutes = n;
    }
    if let Some(list) = doc.excluded_causes {
        for (i, c) in list.iter().enumerate() {
            if !CAUSES.contains(&c.as_str()) {
                return Err(InputError::new(
                    file,
                    format!("excluded_causes[{i}]"),
                    format!("\"{c}\" is not one of {}", CAUSES.join(", ")),
                ));
            }
        }
        p.excluded_causes = list;
    }
    if let Some(list) = doc.unassessed_causes {
        for (i, c) in list.iter().enumerate() {
            if !INCIDENT_CAUSES.contains(&c.as_str()) {
                return Err(InputError::new(
                    file,
                    format!("unassessed_causes[{i}]"),
                    format!("\"{c}\" is not one of {}", INCIDENT_CAUSES.join(", ")),
                ));
            }
        }
        p.unassessed_causes = list;
    }
    if let Some(levels) = doc.levels {
        for (key, l) in levels {
            let idx = match key.as_str() {
                "1" => 0,
                "2" => 1,
                "3" => 2,
                _ => {
                    return Err(InputError::new(
                        file,
                        format!("levels.{key}"),
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
            if let Some(c) = l.clock {
                rule.business_clock = choice(
                    file,
                    &format!("levels.{key}.clock"),
                    &c,
                    &[("24x7", false), ("business", true)],
                )?;
            }
        }
    }
    if let Some(b) = doc.third_party_pauses_recovery {
        p.third_party_pauses_recovery = b;
    }
    if let Some(s) = doc.compensation_unit {
        p.compensation_unit = choice(
            file,
            "compensation_unit",
            &s,
            &[
                ("per_outage", CompensationUnit::PerOutage),
                ("per_breached_month", CompensationUnit::PerBreachedMonth),
            ],
        )?;
    }
    if let Some(s) = doc.average_window {
        p.average_window = choice(
            file,
            "average_window",
            &s,
            &[
                ("calendar_year_to_date", AverageWindow::CalendarYearToDate),
                ("trailing_12_months", AverageWindow::Trailing12Months),
            ],
        )?;
    }
    if let Some(s) = doc.rounding {
        p.rounding = choice(
            file,
            "rounding",
            &s,
            &[
                ("half_up", Rounding::HalfUp),
                ("ceil", Rounding::Ceil),
                ("floor", Rounding::Floor),
            ],
        )?;
    }
    if let Some(s) = doc.durability_target {
        let d = Decimal::parse(&s).map_err(|m| InputError::new(file, "durability_target", m))?;
        if !d.is_percentage() {
            return Err(InputError::new(
                file,
                "durability_target",
                "must be at most 100",
            ));
        }
        p.durability_target = d;
        p.durability_target_text = s;
    }
    if let Some(c) = doc.calendar {
        p.calendar = Calendar::from_doc(&c, file, "calendar")?;
    }
    Ok(p)
}

impl Policy {
    pub fn compensation_unit_text(&self) -> &'static str {
        match self.compensation_unit {
            CompensationUnit::PerOutage => "per_outage",
            CompensationUnit::PerBreachedMonth => "per_breached_month",
        }
    }

    pub fn missing_data_text(&self) -> &'static str {
        match self.missing_data {
            Fill::Up => "up",
            Fill::Down => "down",
        }
    }
}
