//! The count scanner's simd128 path (sla-rules' `simd128` feature, which the full module is
//! built with) against its byte loop, in wasm: the shared edge cases with their values
//! worked by hand, and randomised documents on which the two must agree exactly. Natively
//! only the byte loop exists (`crates/sla-rules/src/counts.rs`'s tests).
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

/// xorshift64: the same documents on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A number of 1 to 4 digits, as minute counts are (`long`: 1 to 10, so that most chunks
/// hold one of five or more), and once in 200 a flaw: a sign, a leading zero, a fraction,
/// an exponent or a value over u32::MAX.
fn number(r: &mut Rng, long: bool, out: &mut String) {
    let len = match r.below(if long { 20 } else { 12 }) {
        0..=11 => 1 + r.below(4),
        12..=18 => 5 + r.below(5),
        _ => 10,
    };
    let flaw = r.below(1000);
    match flaw {
        0 => out.push('-'),
        1 => out.push('0'),
        4 => return out.push_str("4294967296"),
        _ => {}
    }
    for k in 0..len {
        // No leading zero; ten digits start with 1–3, so they stay within u32::MAX.
        let digit = match (k, len) {
            (0, 10) => 1 + r.below(3),
            (0, 2..) => 1 + r.below(9),
            _ => r.below(10),
        };
        out.push(char::from(b'0' + digit as u8));
    }
    match flaw {
        2 => out.push_str(".5"),
        3 => out.push_str("e3"),
        _ => {}
    }
}

/// An array of up to 60 numbers, separated by commas and now and then JSON whitespace,
/// sometimes before a comma, and once in a thousand or so by a form feed, a doubled or a
/// missing comma, or a trailing one.
fn array(r: &mut Rng) -> String {
    let mut a = String::from("[");
    // A third of the arrays have long numbers (left to the byte loop), the rest short ones
    // only (read in the vectors).
    let long = r.below(3) == 0;
    let n = r.below(61);
    for k in 0..n {
        if k > 0 {
            match r.below(2000) {
                0 => a.push_str(",,"),
                1 => a.push(' '),
                2 => a.push_str(", ,"),
                3..=60 => a.push_str(" ,"),
                _ => a.push(','),
            }
        }
        match r.below(2000) {
            0 => a.push('\x0c'),
            1..=150 => a.push([' ', '\n', '\t', '\r'][r.below(4) as usize]),
            _ => {}
        }
        number(r, long, &mut a);
    }
    if r.below(100) == 0 {
        a.push(',');
    }
    a.push(']');
    a
}

#[wasm_bindgen_test]
fn simd_and_byte_loop_agree_on_random_documents() {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let (mut lifted, mut refused) = (0, 0);
    for _ in 0..3000 {
        let segments: Vec<String> = (0..1 + r.below(3))
            .map(|_| {
                format!(
                    r#"{{"start":"s","total":{},"ok":{}}}"#,
                    array(&mut r),
                    array(&mut r)
                )
            })
            .collect();
        let d = format!(r#"{{"schema":"x","telemetry":[{}]}}"#, segments.join(","));
        let simd = lift(d.as_bytes());
        assert_eq!(simd, lift_scalar(d.as_bytes()), "{d}");
        if simd.is_some() {
            lifted += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes are exercised (the flaws make about half the documents refused).
    assert!(
        lifted > 300 && refused > 300,
        "{lifted} lifted, {refused} refused"
    );
}
