//! The hand-checked worked example of docs/RULES.md, every number compared.

use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/worked");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap()
}

/// Every field of `expected` is present in `actual` with the same value;
/// `actual` may carry additions the contract does not name.
fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let got = a.get(k).unwrap_or_else(|| panic!("{path}.{k} missing"));
                assert_subset(v, got, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: length");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                assert_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

#[test]
fn the_worked_example_matches_the_hand_checked_report() {
    let (usage, incidents) = (read("usage.json"), read("incidents.json"));
    let report = sla_rules::report(
        &sla_rules::Inputs {
            usage: &usage,
            incidents: &incidents,
            policy: None,
        },
        "2026-04-10T12:00:00+08:00",
    )
    .unwrap();
    let actual = serde_json::to_value(&report).unwrap();
    let expected: Value = serde_json::from_slice(&read("expected-report.json")).unwrap();
    assert_subset(&expected, &actual, "$");
}
