//! The report loading path shared by the widget and the `report()` export:
//! documents as bytes in, the core's evaluation out, failures classified for the error panel.

use serde::de::IgnoredAny;
use sla_rules::{Evaluation, InputError, Inputs};

use crate::api::FetchError;

/// Why the report cannot be shown. Each variant has its own translated panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    Fetch(FetchError),
    /// A document is not JSON at all (an HTML error page, a truncated body).
    NotJson {
        file: String,
        detail: String,
    },
    /// JSON that breaks the data contract; the core names the file and JSON path.
    Contract(InputError),
    /// The host's options are unusable.
    Options(String),
}

/// Evaluates the documents with the rules core. `names` label the documents in errors.
pub fn evaluate(
    usage: &[u8],
    incidents: &[u8],
    policy: Option<&[u8]>,
    as_of: &str,
    names: [&str; 3],
) -> Result<Evaluation, LoadError> {
    let inputs = Inputs {
        usage,
        incidents,
        policy,
    };
    sla_rules::evaluate_bytes(&inputs, as_of, names).map_err(|e| classify(e, &inputs, names))
}

/// Tells "not JSON" from "JSON that breaks the contract". Only runs on failure,
/// so the happy path parses each document once.
fn classify(e: InputError, inputs: &Inputs, names: [&str; 3]) -> LoadError {
    let bytes = if e.file == names[0] {
        Some(inputs.usage)
    } else if e.file == names[1] {
        Some(inputs.incidents)
    } else if e.file == names[2] {
        inputs.policy
    } else {
        None
    };
    if let Some(b) = bytes {
        if let Err(j) = serde_json::from_slice::<IgnoredAny>(b) {
            return LoadError::NotJson {
                file: e.file,
                detail: j.to_string(),
            };
        }
    }
    LoadError::Contract(e)
}

/// The report JSON text (compact) for the documents, as the `report()` export returns it.
pub fn report_json(
    usage: &[u8],
    incidents: &[u8],
    policy: Option<&[u8]>,
    as_of: &str,
) -> Result<String, InputError> {
    let inputs = Inputs {
        usage,
        incidents,
        policy,
    };
    let names = [
        sla_rules::USAGE_FILE,
        sla_rules::INCIDENTS_FILE,
        sla_rules::POLICY_FILE,
    ];
    let ev = sla_rules::evaluate_bytes(&inputs, as_of, names)?;
    serde_json::to_string(&ev.report).map_err(|e| InputError::new("report", "$", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const USAGE: &[u8] = include_bytes!("../crates/sla-rules/tests/fixtures/worked/usage.json");
    const INCIDENTS: &[u8] =
        include_bytes!("../crates/sla-rules/tests/fixtures/worked/incidents.json");
    const AS_OF: &str = "2026-04-10T12:00:00+08:00";
    const NAMES: [&str; 3] = ["/u", "/i", "/p"];

    #[test]
    fn worked_example_through_the_widget_path() {
        let ev = evaluate(USAGE, INCIDENTS, None, AS_OF, NAMES).unwrap();
        // README of the worked example: February (40,300 − 8) / 40,300 = 99.98014 %, breached.
        let feb = ev
            .report
            .periods
            .iter()
            .find(|p| p.month == "2026-02")
            .unwrap();
        assert_eq!(feb.availability, "99.98014");
        assert!(feb.breached);
    }

    #[test]
    fn html_error_page_is_not_json() {
        let e = evaluate(b"<html>502</html>", INCIDENTS, None, AS_OF, NAMES).unwrap_err();
        assert!(
            matches!(&e, LoadError::NotJson { file, .. } if file == "/u"),
            "{e:?}"
        );
    }

    #[test]
    fn contract_violation_keeps_the_json_path() {
        // Wrong schema version: valid JSON, but the contract says unknown schema is an error.
        let bad = br#"{"schema":"sla-portal/incidents/v9","incidents":[]}"#;
        match evaluate(USAGE, bad, None, AS_OF, NAMES).unwrap_err() {
            LoadError::Contract(e) => {
                assert_eq!(e.file, "/i");
                assert_eq!(e.path, "schema");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn export_gives_the_hand_checked_worked_report() {
        // crates/sla-rules/tests/fixtures/worked/expected-report.json is checked by hand against the
        // README's arithmetic; the export must agree with every field it lists.
        let text = report_json(USAGE, INCIDENTS, None, AS_OF).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&text).unwrap();
        let expected: serde_json::Value = serde_json::from_slice(include_bytes!(
            "../crates/sla-rules/tests/fixtures/worked/expected-report.json"
        ))
        .unwrap();
        sla_rules::testing::assert_subset(&expected, &ours, "$");
    }
}
