//! The hand-checked worked example of docs/RULES.md, every number compared.

use serde_json::Value;
use sla_rules::testing::assert_subset;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/worked/{name}", sla_rules::testing::FIXTURES)).unwrap()
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
