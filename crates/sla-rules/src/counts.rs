//! The fast path for telemetry counts: lifts the `total` / `ok` arrays out of a
//! usage document in one pass, so serde_json only parses what remains.
//!
//! Counts are >99 % of a usage document; serde_json spends ~13 ns on each of
//! the million numbers a year holds (see `make bench`). Here a number of up to
//! seven digits is read eight bytes at a time (SWAR: find the first non-digit
//! byte, then three multiplications), longer ones byte by byte. The lifting is deliberately conservative: any array that
//! is not a plain list of non-negative integers that fit in `u32`, any odd
//! structure, and `lift` gives up; the caller then parses the original bytes
//! with serde_json alone, which also produces every error message. So this
//! module can only make parsing faster, never different (a property test and
//! the fuzz target check it).
//!
//! A vector reader sits in front of the byte loop (module `simd`): 32 bytes at a time while
//! they are plain `n,` pairs, and the byte loop for anything else, so it too can only make
//! lifting faster. It has SSE2 on x86_64 (the server, the CLI) and wasm simd128 in the full
//! widget (feature `simd128`); the first paint and other targets have the byte loop alone
//! (`build.rs` decides, as `cfg(counts_simd)`).

/// A lifted array: telemetry segment index, `true` for `ok` (`false` for `total`), values.
pub type Lifted = (usize, bool, Vec<u32>);

/// The document with every telemetry count array replaced by `[]`, and the arrays.
/// `None` when the fast path does not apply.
pub fn lift(b: &[u8]) -> Option<(Vec<u8>, Vec<Lifted>)> {
    // Per open container: its kind, its element index (arrays) and the last key (objects).
    struct Level<'a> {
        array: bool,
        index: usize,
        key: &'a [u8],
    }
    let mut out = Vec::with_capacity(4096);
    let mut lifted: Vec<Lifted> = Vec::new();
    let mut stack: Vec<Level> = Vec::new();
    let mut copied = 0; // b[copied..i] is still to be copied to `out`
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if i >= b.len() {
                    return None;
                }
                let s = &b[start..i];
                i += 1;
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b':') {
                    if let Some(top) = stack.last_mut() {
                        top.key = s;
                    }
                }
                continue;
            }
            b'[' => {
                let in_segment = stack.len() == 3
                    && stack[0].key == b"telemetry"
                    && stack[1].array
                    && !stack[2].array
                    && (stack[2].key == b"total" || stack[2].key == b"ok");
                if in_segment {
                    // The other array of the same segment most likely has as many minutes:
                    // sized once, it is never copied while it grows.
                    let capacity = match lifted.last() {
                        Some((k, _, v)) if *k == stack[1].index => v.len(),
                        _ => (b.len() - i) / 8,
                    };
                    let (values, end) = numbers(b, i + 1, capacity)?;
                    lifted.push((stack[1].index, stack[2].key == b"ok", values));
                    out.extend_from_slice(&b[copied..i]);
                    out.extend_from_slice(b"[]");
                    i = end + 1;
                    copied = i;
                    continue;
                }
                stack.push(Level {
                    array: true,
                    index: 0,
                    key: b"",
                });
            }
            b'{' => stack.push(Level {
                array: false,
                index: 0,
                key: b"",
            }),
            b']' | b'}' => {
                stack.pop()?;
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.index += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if !stack.is_empty() || lifted.is_empty() {
        return None;
    }
    out.extend_from_slice(&b[copied..]);
    Some((out, lifted))
}

/// JSON's four whitespace bytes only (`is_ascii_whitespace` would also take form feed).
// The widget builds at opt-level "z", which leaves these small functions as calls in the
// per-number loop unless told otherwise (in Chromium, `lift` 5.5 → 5.0 ms for a year).
#[inline(always)]
fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
        *i += 1;
    }
}

/// Reads `n, n, …]` from `i`; returns the values and the index of the `]`.
fn numbers(b: &[u8], mut i: usize, capacity: usize) -> Option<(Vec<u32>, usize)> {
    let mut values = Vec::with_capacity(capacity);
    skip_ws(b, &mut i);
    if b.get(i) == Some(&b']') {
        return Some((values, i));
    }
    // Numbers the byte loop reads before the vector path is tried again (after it stopped
    // at a long number: where there is one, more follow).
    #[cfg(counts_simd)]
    let mut by_bytes = 0u32;
    loop {
        // Whole `n,` pairs 32 bytes at a time where there is a vector path; it stops
        // at anything unusual and leaves it to the byte loop below, so it reads exactly
        // what that loop would. After a comma the byte loop skips whitespace.
        #[cfg(counts_simd)]
        if by_bytes > 0 {
            by_bytes -= 1;
        } else if !simd::OFF.get() {
            let (next, long) = simd::pairs(b, i, &mut values);
            i = next;
            by_bytes = if long { 32 } else { 0 };
            skip_ws(b, &mut i);
        }
        let (v, end) = number(b, i)?;
        values.push(v);
        i = end;
        // Generated telemetry is `1,2,3`: a comma straight after the number, and the next
        // number straight after the comma. Anything else takes the general path.
        if b.get(i) == Some(&b',') {
            i += 1;
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                skip_ws(b, &mut i);
            }
            continue;
        }
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b',') => {
                i += 1;
                skip_ws(b, &mut i);
            }
            Some(b']') => return Some((values, i)),
            _ => return None,
        }
    }
}

/// The byte lanes of a little-endian word that hold an ASCII digit once XORed with `'0'`
/// in every lane: a lane holds a digit iff its value is at most 9, that is, neither it nor
/// it plus 6 reaches 0x10. The addition can carry out of a lane ≥ 0xFA into the next one,
/// but only out of a non-digit, so lanes before the first non-digit are always right.
#[inline(always)]
fn non_digit_lanes(x: u64) -> u64 {
    (x | x.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0
}

/// The value of eight digits 0–9 held one per byte lane of a little-endian word, the most
/// significant in the lowest lane (Lemire's multiply-shift: neighbouring lanes are combined
/// into 2-, then 4-, then 8-digit numbers, three multiplications in all).
#[inline(always)]
fn eight_digits(d: u64) -> u64 {
    let d = (d & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(10 << 8 | 1) >> 8;
    let d = (d & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1) >> 16;
    (d & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1) >> 32
}

/// One JSON number at `i` that is a non-negative integer fitting `u32`: digits only, no
/// leading zero. Returns it and the index after its last digit, or `None` for anything
/// else (a sign, a fraction, an exponent or overflow also end at a byte the caller refuses).
#[inline(always)]
fn number(b: &[u8], i: usize) -> Option<(u32, usize)> {
    if let Some(word) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().ok()?) ^ 0x3030_3030_3030_3030;
        let n = (non_digit_lanes(x).trailing_zeros() / 8) as usize;
        // Eight digits or more: rare, and the general loop checks overflow.
        if n < 8 {
            if n == 0 || (n > 1 && b[i] == b'0') {
                return None;
            }
            // Move the n digits to the top lanes: the bytes after them fall out, and the
            // lanes below read as leading zeros.
            let d = x << (8 * (8 - n));
            return Some((eight_digits(d) as u32, i + n));
        }
    }
    let first = i;
    let mut i = i;
    let mut v: u64 = 0;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        v = v * 10 + u64::from(c - b'0');
        if v > u64::from(u32::MAX) {
            return None;
        }
        i += 1;
    }
    // JSON forbids leading zeros ("01"); leave such input to serde_json's error.
    if i == first || (b[first] == b'0' && i - first > 1) {
        return None;
    }
    Some((v as u32, i))
}

#[cfg(counts_simd)]
mod simd;

/// `lift` with the byte loop alone, for the tests that hold the vector path to it (here,
/// and `tests/counts_simd.rs` at the repository root for simd128). Without a vector path
/// it is `lift`.
#[doc(hidden)]
#[cfg(any(feature = "simd128", test))]
pub fn lift_scalar(b: &[u8]) -> Option<(Vec<u8>, Vec<Lifted>)> {
    #[cfg(counts_simd)]
    {
        simd::OFF.set(true);
        let lifted = lift(b);
        simd::OFF.set(false);
        lifted
    }
    #[cfg(not(counts_simd))]
    lift(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifts_count_arrays_and_leaves_the_rest() {
        let doc = br#"{"schema":"s","telemetry":[{"start":"x","total":[1, 20,300],"ok":[1,2,3]},{"ok":[],"total":[7]}],"title":"[1,2]"}"#;
        let (rest, lifted) = lift(doc).unwrap();
        assert_eq!(
            std::str::from_utf8(&rest).unwrap(),
            r#"{"schema":"s","telemetry":[{"start":"x","total":[],"ok":[]},{"ok":[],"total":[]}],"title":"[1,2]"}"#
        );
        assert_eq!(
            lifted,
            vec![
                (0, false, vec![1, 20, 300]),
                (0, true, vec![1, 2, 3]),
                (1, true, vec![]),
                (1, false, vec![7])
            ]
        );
    }

    #[test]
    fn anything_unusual_falls_back_to_serde() {
        for doc in [
            &br#"{"telemetry":[{"total":[1,-2]}]}"#[..],
            br#"{"telemetry":[{"total":[1,2.5]}]}"#,
            br#"{"telemetry":[{"total":[01]}]}"#,
            br#"{"telemetry":[{"total":[4294967296]}]}"#,
            br#"{"telemetry":[{"total":[1,"2"]}]}"#,
            br#"{"telemetry":[{"total":[1,2]"#,
            br#"{"telemetry":[{"total":[1,2]}]"#,
            br#"{"other":[{"total":[1,2]}]}"#,
            br#"{"telemetry":[{"total":[1,2]}]}]]"#,
            b"{\"telemetry\":[{\"total\":[1,\x0c2]}]}",
        ] {
            assert!(lift(doc).is_none(), "{}", String::from_utf8_lossy(doc));
        }
        // Escaped quotes inside strings do not end them.
        let (_, l) = lift(br#"{"a":"x\"y","telemetry":[{"total":[5]}]}"#).unwrap();
        assert_eq!(l, vec![(0, false, vec![5])]);
    }

    /// The values of one `total` array, lifted, or `None` when `lift` leaves it to serde.
    fn lifted(array: &str) -> Option<Vec<u32>> {
        let doc = format!(r#"{{"telemetry":[{{"total":{array}}}]}}"#);
        lift(doc.as_bytes()).map(|(_, mut l)| l.remove(0).2)
    }

    /// What serde_json makes of the same array as `u32`s (`None`: an error).
    fn serde(array: &str) -> Option<Vec<u32>> {
        serde_json::from_str::<Vec<u32>>(array).ok()
    }

    #[test]
    fn reads_every_length_of_number_exactly() {
        // One to ten digits, each as the word-at-a-time path and the byte loop see them
        // (a long tail after the number, or the array's end within eight bytes).
        let cases: [(&str, u32); 12] = [
            ("0", 0),
            ("7", 7),
            ("42", 42),
            ("199", 199),
            ("1000", 1000),
            ("90210", 90_210),
            ("123456", 123_456),
            ("9999999", 9_999_999),
            ("10000000", 10_000_000),
            ("87654321", 87_654_321),
            ("123456789", 123_456_789),
            ("4294967295", u32::MAX),
        ];
        for (text, value) in cases {
            assert_eq!(lifted(&format!("[{text}]")), Some(vec![value]), "{text}");
            let long = format!("[{text},{text},1,22,333]");
            assert_eq!(
                lifted(&long),
                Some(vec![value, value, 1, 22, 333]),
                "{long}"
            );
        }
        assert_eq!(lifted("[]"), Some(vec![]));
        assert_eq!(lifted("[ \t\r\n]"), Some(vec![]));
    }

    include!("../tests/cases/counts.rs");

    #[test]
    fn edge_cases_read_as_worked_out() {
        for (array, values) in CASES {
            assert_eq!(lifted(array).as_deref(), *values, "{array:?}");
            // The byte loop alone reads them the same (natively, `lift` has the SSE2 path).
            let doc = format!(r#"{{"telemetry":[{{"total":{array}}}]}}"#);
            let scalar = lift_scalar(doc.as_bytes()).map(|(_, mut l)| l.remove(0).2);
            assert_eq!(scalar.as_deref(), *values, "byte loop: {array:?}");
            // serde_json reads the same values, or refuses where a `None` is the scanner's
            // own caution (none of these: each is either plain or not JSON integers in u32).
            assert_eq!(serde(array).as_deref(), *values, "{array:?}");
        }
    }

    #[test]
    fn vector_path_and_byte_loop_agree_on_random_documents() {
        agree_on_random_documents(lift, lift_scalar);
    }

    #[test]
    fn whitespace_is_json_whitespace_only() {
        assert_eq!(lifted("[ 1 ,\n2\t,\r\n 3 ]"), Some(vec![1, 2, 3]));
        assert_eq!(lifted("[1,\t\t\t\t\t\t\t\t\t2]"), Some(vec![1, 2]));
        // Form feed and vertical tab are not JSON whitespace.
        assert_eq!(lifted("[1,\x0c2]"), None);
        assert_eq!(lifted("[1\x0b,2]"), None);
        assert_eq!(serde("[1,\x0c2]"), None);
    }

    #[test]
    fn leaves_every_other_number_to_serde() {
        for array in [
            "[-1]",
            "[-0]",
            "[+1]",
            "[1,-2,3,4,5,6,7,8]",
            "[01]",
            "[00]",
            "[0123456789]",
            "[1,007,2,3,4,5,6,7]",
            "[1.5]",
            "[1.0,2,3,4,5,6,7,8]",
            "[1e3]",
            "[1E3,2,3,4,5,6,7,8]",
            "[12345678e1]",
            "[4294967296]",
            "[99999999999]",
            "[18446744073709551616]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[1,,2]",
            "[\"1\"]",
            "[null]",
            "[1,2",
        ] {
            assert_eq!(lifted(array), None, "{array}");
        }
    }

    proptest::proptest! {
        /// Any array of `u32`s, written with any JSON whitespace around its elements, reads
        /// back as those values.
        #[test]
        fn any_u32_array_reads_back(
            values in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..40),
            gaps in proptest::collection::vec("[ \t\r\n]{0,3}", 80),
        ) {
            let mut array = String::from("[");
            for (k, v) in values.iter().enumerate() {
                if k > 0 {
                    array.push(',');
                }
                array.push_str(&gaps[2 * k]);
                array.push_str(&v.to_string());
                array.push_str(&gaps[2 * k + 1]);
            }
            array.push(']');
            proptest::prop_assert_eq!(lifted(&array), Some(values));
        }

        /// Text made of the bytes numbers, separators and their mistakes are made of: the
        /// scanner either leaves it to serde or reads exactly what serde reads.
        #[test]
        fn never_reads_other_than_serde(body in "[0-9+\\-.eE, \t\n\x0c]{0,40}") {
            let array = format!("[{body}]");
            if let Some(v) = lifted(&array) {
                proptest::prop_assert_eq!(Some(v), serde(&array));
            }
        }
    }
}
