//! Fuzz target: parse + evaluate arbitrary bytes; any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

const INCIDENTS: &[u8] = br#"{"schema":"sla-portal/incidents/v1","incidents":[
 {"id":"A","level":3,"cause":"platform","reported_at":"2026-02-13T17:30:00+08:00","responded_at":null,
  "paused":[{"start":"2026-02-13T18:00:00+08:00","end":"2026-02-20T00:00:00+08:00","reason":"third_party"}]}]}"#;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses which document the rest of the input is, so that
    // usage, incidents and policy parsing are all exercised.
    let Some((&which, rest)) = data.split_first() else { return };
    let usage_ok: &[u8] = include_bytes!("../../tests/fixtures/worked/usage.json");
    let (usage, incidents, policy) = match which % 3 {
        0 => (rest, INCIDENTS, None),
        1 => (usage_ok, rest, None),
        _ => (usage_ok, INCIDENTS, Some(rest)),
    };
    // The lifted-counts fast path must decode exactly what serde_json decodes.
    assert!(sla_rules::usage::fast_path_agrees(usage));
    let inputs = sla_rules::Inputs { usage, incidents, policy };
    for as_of in ["2026-04-10T12:00:00+08:00", "2024-01-01T00:00:00Z", "2099-12-31T23:59:59-11:00"] {
        if let Ok(r) = sla_rules::report(&inputs, as_of) {
            let _ = serde_json::to_string(&r);
        }
    }
});
