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

choices! {
    /// How a minute without data, or without traffic, is judged.
    pub enum Fill {
        Up = "up",
        Down = "down",
    }
}

choices! {
    /// What one unit of compensation is (§4.14.2).
    pub enum CompensationUnit {
        PerOutage = "per_outage",
        PerBreachedMonth = "per_breached_month",
    }
}

choices! {
    /// The months a monthly signing average is taken over (§4.12).
    pub enum AverageWindow {
        CalendarYearToDate = "calendar_year_to_date",
        Trailing12Months = "trailing_12_months",
    }
}

choices! {
    /// The clock a fault level's targets run on.
    pub enum Clock {
        /// Every second counts.
        AllHours = "24x7",
        /// Only the business calendar's open hours count (level 3 by default).
        Business = "business",
    }
}

impl Clock {
    /// The clock of a level rule.
    pub fn of(business_clock: bool) -> Clock {
        if business_clock {
            Clock::Business
        } else {
            Clock::AllHours
        }
    }
}

/// One level's targets (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelRule {
    pub response_minutes: u32,
    pub recovery_minutes: u32,
    pub business_clock: bool,
}

/// A decimal setting as the policy wrote it: the exact value judgements use, and the
/// text the report repeats (`"99.990"` stays `"99.990"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub value: Decimal,
    pub text: String,
}

impl Figure {
    fn new(num: u128, den: u128, text: &str) -> Figure {
        Figure {
            value: Decimal { num, den },
            text: text.into(),
        }
    }
}

/// Declares the settings of a policy, each once: its field of [`Policy`] with its type and
/// default, the JSON type a document writes it in, and the function that validates it and
/// makes the value (`fn(previous, written, file, path)`). From that one list come the
/// struct, `Default`, the document both the top level and each version are read as,
/// [`VERSION_SETTINGS`] and `apply`, so a new setting is one line and a version can change
/// it at once. `timezone` and `versions` are not settings: they belong to the top level.
macro_rules! settings {
    ( $( $(#[$meta:meta])* $name:ident : $ty:ty = $default:expr, from $doc:ty => $read:path; )* ) => {
        /// The validated policy.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Policy {
            /// Used only when the contract names no timezone (the contract's own wins).
            pub timezone: Tz,
            $( $(#[$meta])* pub $name: $ty, )*
            /// Later revisions, oldest first; empty for a single-object policy. A period is
            /// judged by the last version whose `effective_from` is not after it, else by the
            /// settings above.
            pub versions: Vec<PolicyVersion>,
        }

        impl Default for Policy {
            fn default() -> Self {
                Policy {
                    timezone: Tz::CST,
                    $( $name: $default, )*
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
            $( $name: Option<$doc>, )*
        }

        /// The settings a version may change: every setting. `timezone` is not one of them:
        /// it fixes the month boundaries the versions themselves are keyed on. Unlike the top
        /// level, where unknown fields are ignored for forward compatibility, an unknown key
        /// inside a version is an error: a misspelt setting there would silently judge months
        /// by the old rule.
        pub const VERSION_SETTINGS: &[&str] = &[$(stringify!($name)),*];

        /// Applies the settings a document names onto `p`, in declaration order (so the first
        /// error is always the same one); error paths start with `at`.
        fn apply(p: &mut Policy, doc: &PolicyDoc, file: &str, at: &str) -> Result<(), InputError> {
            $(
                if let Some(d) = &doc.$name {
                    p.$name = $read(&p.$name, d, file, &format!("{at}{}", stringify!($name)))?;
                }
            )*
            Ok(())
        }
    };
}

settings! {
    availability_target: Figure = Figure::new(9999, 100, "99.99"),
        from String => percentage;
    minute_ok_ratio: Figure = Figure::new(90, 100, "0.90"),
        from String => ratio;
    min_outage_minutes: u32 = 5,
        from u32 => at_least_one;
    missing_data: Fill = Fill::Up,
        from String => named;
    zero_traffic: Fill = Fill::Up,
        from String => named;
    min_notice_minutes: u32 = 0,
        from u32 => as_written;
    excluded_causes: Vec<String> = [
            "maintenance",
            "external_network",
            "force_majeure",
            "customer_cause",
        ]
        .map(String::from)
        .to_vec(),
        from Vec<String> => exclusion_causes;
    /// Level 1 or 2 incidents with these causes are shown but not assessed (§5).
    unassessed_causes: Vec<String> = ["customer_cause", "external_network", "force_majeure"]
        .map(String::from)
        .to_vec(),
        from Vec<String> => incident_causes;
    /// Index 0 = level 1.
    levels: [LevelRule; 3] = [
            LevelRule { response_minutes: 15, recovery_minutes: 120, business_clock: false },
            LevelRule { response_minutes: 30, recovery_minutes: 360, business_clock: false },
            LevelRule { response_minutes: 30, recovery_minutes: 1440, business_clock: true },
        ],
        from BTreeMap<String, LevelDoc> => level_rules;
    third_party_pauses_recovery: bool = true,
        from bool => as_written;
    compensation_unit: CompensationUnit = CompensationUnit::PerBreachedMonth,
        from String => named;
    average_window: AverageWindow = AverageWindow::CalendarYearToDate,
        from String => named;
    rounding: Rounding = Rounding::HalfUp,
        from String => named;
    durability_target: Figure = Figure::new(9_999_999_999, 100_000_000, "99.99999999"),
        from String => percentage;
    calendar: Calendar = Calendar::default_cn(),
        from CalendarDoc => calendar;
}

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
/// assert_eq!(p.in_force(june).0.availability_target.text, "99.99");
/// // A version changes only what it names: July keeps the 10-minute outage rule.
/// assert_eq!(p.in_force(july).0.availability_target.text, "99.9");
/// assert_eq!(p.in_force(july).0.min_outage_minutes, 10);
///
/// let bad = br#"{"schema":"sla-portal/policy/v1",
///   "versions": [{"effective_from": "2026-07", "availability_targt": "99.9"}]}"#;
/// // tests/exclusions.rs pins the whole message, with every setting named.
/// assert_eq!(sla_rules::policy::parse_policy(bad, "policy.json").unwrap_err().to_string(),
///   format!("policy.json: versions[0].availability_targt: not a setting a version can change \
///    (one of {})", sla_rules::policy::VERSION_SETTINGS.join(", ")));
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

/// The enums a setting names by one of a fixed list of words.
trait Named: Copy + 'static {
    fn names() -> &'static [(&'static str, Self)];
}

macro_rules! named {
    ($($t:ty),*) => { $( impl Named for $t { fn names() -> &'static [(&'static str, Self)] { <$t>::NAMES } } )* };
}
named!(Fill, CompensationUnit, AverageWindow, Rounding);

// The readers of `settings!`: `(previous value, value as written, file, path)`.

fn named<T: Named>(_: &T, s: &str, file: &str, path: &str) -> Result<T, InputError> {
    choice(file, path, s, T::names())
}

fn as_written<T: Clone>(_: &T, v: &T, _: &str, _: &str) -> Result<T, InputError> {
    Ok(v.clone())
}

fn at_least_one(_: &u32, n: &u32, file: &str, path: &str) -> Result<u32, InputError> {
    if *n == 0 {
        return Err(InputError::new(file, path, "must be at least 1"));
    }
    Ok(*n)
}

fn percentage(_: &Figure, s: &str, file: &str, path: &str) -> Result<Figure, InputError> {
    let d = Decimal::parse(s).map_err(|m| InputError::new(file, path, m))?;
    if !d.is_percentage() {
        return Err(InputError::new(file, path, "must be at most 100"));
    }
    Ok(Figure {
        value: d,
        text: s.to_string(),
    })
}

fn ratio(_: &Figure, s: &str, file: &str, path: &str) -> Result<Figure, InputError> {
    let d = Decimal::parse(s).map_err(|m| InputError::new(file, path, m))?;
    if !d.is_ratio() {
        return Err(InputError::new(file, path, "must be at most 1"));
    }
    Ok(Figure {
        value: d,
        text: s.to_string(),
    })
}

fn one_of(
    list: &[String],
    allowed: &[&str],
    file: &str,
    path: &str,
) -> Result<Vec<String>, InputError> {
    for (i, c) in list.iter().enumerate() {
        if !allowed.contains(&c.as_str()) {
            return Err(InputError::new(
                file,
                format!("{path}[{i}]"),
                format!("\"{c}\" is not one of {}", allowed.join(", ")),
            ));
        }
    }
    Ok(list.to_vec())
}

fn exclusion_causes(
    _: &[String],
    list: &[String],
    file: &str,
    path: &str,
) -> Result<Vec<String>, InputError> {
    one_of(list, &CAUSES, file, path)
}

fn incident_causes(
    _: &[String],
    list: &[String],
    file: &str,
    path: &str,
) -> Result<Vec<String>, InputError> {
    one_of(list, &INCIDENT_CAUSES, file, path)
}

/// A level's targets change only where the document names them.
fn level_rules(
    prev: &[LevelRule; 3],
    levels: &BTreeMap<String, LevelDoc>,
    file: &str,
    path: &str,
) -> Result<[LevelRule; 3], InputError> {
    let mut out = *prev;
    for (key, l) in levels {
        let idx = match key.as_str() {
            "1" => 0,
            "2" => 1,
            "3" => 2,
            _ => {
                return Err(InputError::new(
                    file,
                    format!("{path}.{key}"),
                    "levels are \"1\", \"2\" and \"3\"",
                ))
            }
        };
        let rule = &mut out[idx];
        if let Some(m) = l.response_minutes {
            rule.response_minutes = m;
        }
        if let Some(m) = l.recovery_minutes {
            rule.recovery_minutes = m;
        }
        if let Some(c) = &l.clock {
            rule.business_clock =
                choice(file, &format!("{path}.{key}.clock"), c, Clock::NAMES)? == Clock::Business;
        }
    }
    Ok(out)
}

fn calendar(
    _: &Calendar,
    doc: &CalendarDoc,
    file: &str,
    path: &str,
) -> Result<Calendar, InputError> {
    Calendar::from_doc(doc, file, path)
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
