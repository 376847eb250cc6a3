//! The SLA rules core: usage and incident documents in, an exact report out.
//!
//! Every rule of `docs/RULES.md` lives here once; the CLI, the server and the
//! widget call it and never re-derive a rule. There is no I/O and no clock:
//! the caller passes the bytes and the evaluation instant `as_of`. Judgements
//! use integers and exact decimals only.
//!
//! ```
//! let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
//!   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
//!   "telemetry":[],
//!   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
//! let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
//! let report = sla_rules::report(
//!     &sla_rules::Inputs { usage, incidents, policy: None },
//!     "2026-03-01T00:00:00+08:00",
//! ).unwrap();
//! // A 5-minute outage in a 28-day month: (40,320 − 5) / 40,320 < 99.99 %.
//! assert_eq!(report.periods[0].availability, "99.98759");
//! assert!(report.periods[0].breached);
//! ```

#[macro_use]
mod choices;
pub mod calendar;
pub mod claims;
pub mod compensation;
pub mod contacts;
mod counts;
/// For the wasm test that holds the simd128 count scanner to its byte loop
/// (`tests/counts_simd.rs`); only with the feature, so no other build's code changes.
#[cfg(feature = "simd128")]
#[doc(hidden)]
pub mod counts_check {
    pub use crate::counts::{lift, lift_scalar};
}
pub mod decimal;
pub mod error;
pub mod evaluate;
pub mod evidence;
pub mod exclusions;
pub mod incidents;
pub mod jcs;
mod json;
pub mod minutes;
pub mod policy;
pub mod report;
#[doc(hidden)]
pub mod testing;
pub mod time;
pub mod timeline;
pub mod usage;
pub mod wire;

pub use error::InputError;
pub use evaluate::{evaluate, Evaluation};
pub use report::Report;

/// The raw documents of one evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub usage: &'a [u8],
    pub incidents: &'a [u8],
    pub policy: Option<&'a [u8]>,
}

/// Names used for the documents in error messages when the caller gives none.
pub const USAGE_FILE: &str = "usage.json";
pub const INCIDENTS_FILE: &str = "incidents.json";
pub const POLICY_FILE: &str = "policy.json";

/// Parses all documents and evaluates them as of an RFC 3339 instant. `names` label
/// the usage, incidents and policy documents in errors.
///
/// # Errors
///
/// An [`InputError`] naming the document (`as_of` for the instant), the JSON path and
/// what is wrong, for the first document that cannot be evaluated.
///
/// # Examples
///
/// ```
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
///   "telemetry":[{"start":"2026-02-01T00:00:00+08:00","total":[10,10],"ok":[10,11]}]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let inputs = sla_rules::Inputs { usage, incidents, policy: None };
/// let e = sla_rules::evaluate_bytes(&inputs, "2026-03-01T00:00:00+08:00", ["u.json", "i.json", "p.json"])
///     .unwrap_err();
/// // The second minute claims 11 ok requests of 10.
/// assert_eq!((e.file.as_str(), e.path.as_str()), ("u.json", "telemetry[0].ok[1]"));
/// ```
pub fn evaluate_bytes(
    inputs: &Inputs,
    as_of: &str,
    names: [&str; 3],
) -> Result<Evaluation, InputError> {
    let as_of = time::parse_instant(as_of).map_err(|m| InputError::new("as_of", "$", m))?;
    let policy = match inputs.policy {
        Some(p) => policy::parse_policy(p, names[2])?,
        None => policy::Policy::default(),
    };
    let usage = usage::parse_usage(inputs.usage, names[0])?;
    let incidents = incidents::parse_incidents(inputs.incidents, names[1])?;
    Ok(evaluate(&usage, &incidents, &policy, as_of))
}

/// The report for the documents as of an RFC 3339 instant, with the default file names.
///
/// # Errors
///
/// As [`evaluate_bytes`], with the documents named `usage.json`, `incidents.json` and
/// `policy.json`.
///
/// # Examples
///
/// See the crate documentation; an unreadable instant is an error of `as_of`:
///
/// ```
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},"telemetry":[]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let e = sla_rules::report(&sla_rules::Inputs { usage, incidents, policy: None }, "yesterday")
///     .unwrap_err();
/// assert_eq!(e.file, "as_of");
/// ```
pub fn report(inputs: &Inputs, as_of: &str) -> Result<Report, InputError> {
    evaluate_bytes(inputs, as_of, [USAGE_FILE, INCIDENTS_FILE, POLICY_FILE]).map(|e| e.report)
}

/// The report as pretty JSON text (what `sla report` prints).
///
/// # Errors
///
/// As [`report`].
///
/// # Examples
///
/// ```
/// let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
///   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},"telemetry":[]}"#;
/// let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// let text = sla_rules::report_json(
///     &sla_rules::Inputs { usage, incidents, policy: None },
///     "2026-03-01T00:00:00+08:00",
/// ).unwrap();
/// assert!(text.contains(r#""schema": "sla-portal/report/v1""#));
/// ```
pub fn report_json(inputs: &Inputs, as_of: &str) -> Result<String, InputError> {
    let r = report(inputs, as_of)?;
    serde_json::to_string_pretty(&r).map_err(|e| InputError::new("report", "$", e.to_string()))
}
