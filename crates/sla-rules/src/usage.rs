//! `usage.json`: the contract, per-minute telemetry, declared outages,
//! maintenance windows, exclusions, signing counts and durability records.
//!
//! Telemetry is the hot path (525,600 minutes a year): counts decode straight
//! into two `Vec<u32>` per segment, never a struct per minute.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::InputError;
use crate::time::{parse_date, parse_instant, Instant, Month, Tz};

/// The schema tag of a usage document.
pub const USAGE_SCHEMA: &str = "sla-portal/usage/v1";

/// The kinds of maintenance window (§4.8 (3), §4.14.1 (1)).
pub const MAINTENANCE_KINDS: [&str; 4] = ["upgrade", "scale_out", "maintenance", "fault_drill"];
/// The causes an `exclusions` entry may carry (§4.14.1 (2), §5).
pub const EXCLUSION_CAUSES: [&str; 3] = ["external_network", "force_majeure", "customer_cause"];

#[derive(Debug, PartialEq, Deserialize)]
struct UsageDoc {
    schema: String,
    client: ClientDoc,
    contract: ContractDoc,
    telemetry: Vec<SegmentDoc>,
    #[serde(default)]
    outages: Vec<SpanDoc>,
    #[serde(default)]
    maintenance: Vec<MaintenanceDoc>,
    #[serde(default)]
    exclusions: Vec<ExclusionDoc>,
    #[serde(default)]
    signing: Vec<SigningDoc>,
    #[serde(default)]
    durability: Vec<DurabilityDoc>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct ClientDoc {
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct ContractDoc {
    id: String,
    service_start: String,
    service_end: String,
    timezone: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct SegmentDoc {
    start: String,
    total: Vec<u32>,
    ok: Vec<u32>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct SpanDoc {
    #[serde(default)]
    id: String,
    start: String,
    end: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct MaintenanceDoc {
    #[serde(default)]
    id: String,
    kind: String,
    #[serde(default)]
    title: String,
    start: String,
    end: String,
    announced_at: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct ExclusionDoc {
    #[serde(default)]
    id: String,
    cause: String,
    start: String,
    end: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct SigningDoc {
    month: String,
    signed: u64,
    failed: u64,
}

#[derive(Debug, PartialEq, Deserialize)]
struct DurabilityDoc {
    month: String,
    stored: u64,
    lost: u64,
}

/// A run of per-minute counts starting at `start_minute` (minutes since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start_minute: i64,
    pub total: Vec<u32>,
    pub ok: Vec<u32>,
}

/// A half-open interval `[start, end)` widened to whole minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub id: String,
    pub start_minute: i64,
    pub end_minute: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintenance {
    pub span: Span,
    pub kind: String,
    pub title: String,
    /// The exact announced start, in seconds (notice is measured against it).
    pub start: Instant,
    pub announced_at: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub span: Span,
    pub cause: String,
    /// Free text from the provider (display as text, never markup).
    pub note: String,
}

/// A validated usage document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub client_id: String,
    pub client_name: String,
    pub contract_id: String,
    pub service_start: NaiveDate,
    pub service_end: NaiveDate,
    /// The contract's own timezone, if it names one.
    pub timezone: Option<Tz>,
    pub telemetry: Vec<Segment>,
    pub outages: Vec<Span>,
    pub maintenance: Vec<Maintenance>,
    pub exclusions: Vec<Exclusion>,
    /// month → (signed, failed)
    pub signing: BTreeMap<Month, (u64, u64)>,
    /// month → (stored, lost)
    pub durability: BTreeMap<Month, (u64, u64)>,
    pub warnings: Vec<String>,
}

/// Decodes with the count arrays lifted out first (`crate::counts`); `None` when
/// that path does not apply or the rest does not decode, so the caller decodes
/// the original bytes and reports any error from them.
fn decode_fast(bytes: &[u8]) -> Option<UsageDoc> {
    let (rest, lifted) = crate::counts::lift(bytes)?;
    let mut doc: UsageDoc = serde_json::from_slice(&rest).ok()?;
    for (i, is_ok, values) in lifted {
        let seg = doc.telemetry.get_mut(i)?;
        let slot = if is_ok { &mut seg.ok } else { &mut seg.total };
        if !slot.is_empty() {
            return None;
        }
        *slot = values;
    }
    Some(doc)
}

/// For the fuzz target: the fast path either does not apply or agrees with serde_json.
#[cfg(fuzzing)]
pub fn fast_path_agrees(bytes: &[u8]) -> bool {
    match decode_fast(bytes) {
        None => true,
        Some(fast) => serde_json::from_slice::<UsageDoc>(bytes).is_ok_and(|plain| plain == fast),
    }
}

/// The first minute whose `ok` count is above its `total` (equal lengths). Checked 256
/// minutes at a time without a branch per minute, which the compiler can vectorise: a
/// year's check fell from ~27 instructions a minute (`position`) to a few.
fn first_above(ok: &[u32], total: &[u32]) -> Option<usize> {
    let mut at = 0;
    for (o, t) in ok.chunks(256).zip(total.chunks(256)) {
        if o.iter().zip(t).fold(false, |bad, (o, t)| bad | (o > t)) {
            return o.iter().zip(t).position(|(o, t)| o > t).map(|j| at + j);
        }
        at += o.len();
    }
    None
}

/// Parses and validates a usage document. `file` names it in errors.
///
/// # Errors
///
/// An [`InputError`] in `file` naming the JSON path of the first problem: not JSON or
/// not a usage document, another schema, bad dates or instants, telemetry not aligned to
/// whole minutes or overlapping, `ok` above `total`, an unknown kind or cause, an
/// interval that ends before it starts, duplicate months in `signing` or `durability`.
///
/// # Examples
///
/// ```
/// let doc = |ok: &str| format!(r#"{{"schema":"sla-portal/usage/v1","client":{{"id":"c"}},
///   "contract":{{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"}},
///   "telemetry":[{{"start":"2026-02-01T00:00:00+08:00","total":[10,10],"ok":{ok}}}]}}"#);
/// let e = sla_rules::usage::parse_usage(doc("[10,11]").as_bytes(), "usage.json").unwrap_err();
/// assert_eq!(e.path, "telemetry[0].ok[1]");
/// assert!(sla_rules::usage::parse_usage(doc("[10,9]").as_bytes(), "usage.json").is_ok());
/// ```
pub fn parse_usage(bytes: &[u8], file: &str) -> Result<Usage, InputError> {
    let doc = decode_fast(bytes).map_or_else(
        || crate::json::decode::<UsageDoc>(bytes, file, USAGE_SCHEMA),
        Ok,
    )?;
    crate::json::expect_schema(&doc.schema, file, USAGE_SCHEMA)?;
    let err = |path: String, msg: String| InputError::new(file, path, msg);
    let mut warnings = Vec::new();

    let c = &doc.contract;
    let service_start =
        parse_date(&c.service_start).map_err(|m| err("contract.service_start".into(), m))?;
    let service_end =
        parse_date(&c.service_end).map_err(|m| err("contract.service_end".into(), m))?;
    if service_end < service_start {
        return Err(err(
            "contract.service_end".into(),
            format!(
                "{} is before service_start {}",
                c.service_end, c.service_start
            ),
        ));
    }
    let timezone = match &c.timezone {
        None => None,
        Some(s) => Some(Tz::parse(s).ok_or_else(|| {
            err(
                "contract.timezone".into(),
                format!("\"{s}\" is not an offset like +08:00"),
            )
        })?),
    };

    let mut telemetry = Vec::with_capacity(doc.telemetry.len());
    for (i, seg) in doc.telemetry.into_iter().enumerate() {
        let start =
            parse_instant(&seg.start).map_err(|m| err(format!("telemetry[{i}].start"), m))?;
        if start.rem_euclid(60) != 0 {
            return Err(err(
                format!("telemetry[{i}].start"),
                format!("\"{}\" is not at the start of a minute", seg.start),
            ));
        }
        if seg.total.len() != seg.ok.len() {
            return Err(err(
                format!("telemetry[{i}].ok"),
                format!(
                    "has {} minutes but total has {}",
                    seg.ok.len(),
                    seg.total.len()
                ),
            ));
        }
        if let Some(j) = first_above(&seg.ok, &seg.total) {
            return Err(err(
                format!("telemetry[{i}].ok[{j}]"),
                format!(
                    "{} ok requests but only {} in total",
                    seg.ok[j], seg.total[j]
                ),
            ));
        }
        telemetry.push((
            i,
            Segment {
                start_minute: start.div_euclid(60),
                total: seg.total,
                ok: seg.ok,
            },
        ));
    }
    if telemetry
        .windows(2)
        .any(|w| w[1].1.start_minute < w[0].1.start_minute)
    {
        warnings.push(format!("{file}: telemetry: segments are not in time order"));
    }
    telemetry.sort_by_key(|(_, s)| s.start_minute);
    for w in telemetry.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if b.1.start_minute < a.1.start_minute + a.1.total.len() as i64 {
            let (first, second) = if a.0 < b.0 { (a.0, b.0) } else { (b.0, a.0) };
            return Err(err(
                format!("telemetry[{second}]"),
                format!("overlaps telemetry[{first}]"),
            ));
        }
    }
    let telemetry: Vec<Segment> = telemetry.into_iter().map(|(_, s)| s).collect();

    let mut span =
        |path: String, id: String, start: &str, end: &str| -> Result<(Span, Instant), InputError> {
            let s = parse_instant(start).map_err(|m| err(format!("{path}.start"), m))?;
            let e = parse_instant(end).map_err(|m| err(format!("{path}.end"), m))?;
            if e < s {
                return Err(err(
                    format!("{path}.end"),
                    format!("\"{end}\" is before its start \"{start}\""),
                ));
            }
            if s % 60 != 0 || e % 60 != 0 {
                warnings.push(format!(
                    "{file}: {path}: not minute-aligned; widened to whole minutes"
                ));
            }
            Ok((
                Span {
                    id,
                    start_minute: s.div_euclid(60),
                    end_minute: (e + 59).div_euclid(60),
                },
                s,
            ))
        };

    let mut outages = Vec::new();
    for (i, o) in doc.outages.into_iter().enumerate() {
        outages.push(span(format!("outages[{i}]"), o.id, &o.start, &o.end)?.0);
    }
    let mut maintenance = Vec::new();
    for (i, m) in doc.maintenance.into_iter().enumerate() {
        if !MAINTENANCE_KINDS.contains(&m.kind.as_str()) {
            return Err(err(
                format!("maintenance[{i}].kind"),
                format!(
                    "\"{}\" is not one of {}",
                    m.kind,
                    MAINTENANCE_KINDS.join(", ")
                ),
            ));
        }
        let announced_at = match &m.announced_at {
            None => None,
            Some(a) => Some(
                parse_instant(a).map_err(|e| err(format!("maintenance[{i}].announced_at"), e))?,
            ),
        };
        let (sp, start) = span(format!("maintenance[{i}]"), m.id, &m.start, &m.end)?;
        maintenance.push(Maintenance {
            span: sp,
            kind: m.kind,
            title: m.title,
            start,
            announced_at,
        });
    }
    let mut exclusions = Vec::new();
    for (i, x) in doc.exclusions.into_iter().enumerate() {
        if !EXCLUSION_CAUSES.contains(&x.cause.as_str()) {
            return Err(err(
                format!("exclusions[{i}].cause"),
                format!(
                    "\"{}\" is not one of {}",
                    x.cause,
                    EXCLUSION_CAUSES.join(", ")
                ),
            ));
        }
        let (sp, _) = span(format!("exclusions[{i}]"), x.id, &x.start, &x.end)?;
        exclusions.push(Exclusion {
            span: sp,
            cause: x.cause,
            note: x.note,
        });
    }
    for i in 0..maintenance.len() {
        for j in 0..i {
            let (a, b) = (&maintenance[j].span, &maintenance[i].span);
            if a.start_minute < b.end_minute && b.start_minute < a.end_minute {
                warnings.push(format!(
                    "{file}: maintenance[{i}]: overlaps maintenance[{j}]"
                ));
            }
        }
    }

    let mut signing = BTreeMap::new();
    for (i, s) in doc.signing.iter().enumerate() {
        let m = Month::parse(&s.month).map_err(|e| err(format!("signing[{i}].month"), e))?;
        if signing.insert(m, (s.signed, s.failed)).is_some() {
            return Err(err(
                format!("signing[{i}].month"),
                format!("{} appears twice", s.month),
            ));
        }
    }
    let mut durability = BTreeMap::new();
    for (i, d) in doc.durability.iter().enumerate() {
        let m = Month::parse(&d.month).map_err(|e| err(format!("durability[{i}].month"), e))?;
        if d.lost > d.stored {
            return Err(err(
                format!("durability[{i}].lost"),
                format!("{} objects lost but only {} stored", d.lost, d.stored),
            ));
        }
        if durability.insert(m, (d.stored, d.lost)).is_some() {
            return Err(err(
                format!("durability[{i}].month"),
                format!("{} appears twice", d.month),
            ));
        }
    }

    Ok(Usage {
        client_id: doc.client.id,
        client_name: doc.client.name,
        contract_id: c.id.clone(),
        service_start,
        service_end,
        timezone,
        telemetry,
        outages,
        maintenance,
        exclusions,
        signing,
        durability,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_decodes_exactly_what_serde_decodes() {
        let worked = include_bytes!("../tests/fixtures/worked/usage.json");
        let v: serde_json::Value = serde_json::from_slice(worked).unwrap();
        for bytes in [
            worked.to_vec(),
            serde_json::to_vec(&v).unwrap(),
            serde_json::to_vec_pretty(&v).unwrap(),
        ] {
            let fast = decode_fast(&bytes).expect("the fast path applies");
            let plain: UsageDoc = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(fast, plain);
        }
    }
}
