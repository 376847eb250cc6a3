//! The count scanner's simd128 path (sla-rules' `simd128` feature, which the full module is
//! built with) against its byte loop, in wasm: the shared edge cases with their values
//! worked by hand, and randomised documents on which the two must agree exactly. Natively
//! `crates/sla-rules/src/counts.rs`'s tests hold the SSE2 path to the same cases.
#![cfg(target_arch = "wasm32")]

use sla_rules::counts_check::{lift, lift_scalar};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

include!("../crates/sla-rules/tests/cases/counts.rs");

fn doc(array: &str) -> String {
    format!(r#"{{"telemetry":[{{"total":{array}}}]}}"#)
}

#[wasm_bindgen_test]
fn edge_cases_read_as_worked_out_on_both_paths() {
    for (array, values) in CASES {
        let d = doc(array);
        let simd = lift(d.as_bytes()).map(|(_, mut l)| l.remove(0).2);
        let scalar = lift_scalar(d.as_bytes()).map(|(_, mut l)| l.remove(0).2);
        assert_eq!(simd.as_deref(), *values, "simd128: {array:?}");
        assert_eq!(scalar.as_deref(), *values, "byte loop: {array:?}");
    }
}

#[wasm_bindgen_test]
fn simd_and_byte_loop_agree_on_random_documents() {
    agree_on_random_documents(lift, lift_scalar);
}
