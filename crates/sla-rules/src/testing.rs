//! Test helpers shared by the core's, the CLI's and the widget's tests, so the hand-checked
//! fixtures are compared one way everywhere. Not part of the API (hidden from the docs);
//! nothing outside tests calls it, so it is never linked into a binary.

/// The hand-checked scenarios (`tests/fixtures/*/README.md` in this crate), for tests that
/// read them at run time; `include_str!` needs a literal path instead.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// Panics unless every field of `expected` is in `actual` with the same value, arrays with
/// the same length. The hand-checked reports list the fields that were worked out, not every
/// field, and `actual` may carry additions the data contract does not name. `path` starts
/// the JSON path the panic names (`"$"`).
///
/// # Panics
///
/// On the first field missing or different, naming its path.
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// let report = json!({ "periods": [{ "month": "2026-02", "minutes": 40320 }], "warnings": [] });
/// sla_rules::testing::assert_subset(&json!({ "periods": [{ "minutes": 40320 }] }), &report, "$");
/// let wrong = std::panic::catch_unwind(|| {
///     sla_rules::testing::assert_subset(&json!({ "periods": [{ "minutes": 40319 }] }), &report, "$")
/// });
/// assert!(wrong.is_err());
/// ```
pub fn assert_subset(expected: &serde_json::Value, actual: &serde_json::Value, path: &str) {
    use serde_json::Value;
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
