//! The fast path for telemetry counts: lifts the `total` / `ok` arrays out of a
//! usage document in one pass, so serde_json only parses what remains.
//!
//! Counts are >99 % of a usage document; serde_json spends ~13 ns on each of
//! the million numbers a year holds (see `make bench`), a tight digit loop a
//! fraction of that. The lifting is deliberately conservative: any array that
//! is not a plain list of non-negative integers that fit in `u32`, any odd
//! structure, and `lift` gives up; the caller then parses the original bytes
//! with serde_json alone, which also produces every error message. So this
//! module can only make parsing faster, never different (a property test and
//! the fuzz target check it).

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
    let mut lifted = Vec::new();
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
                    let (values, end) = numbers(b, i + 1)?;
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

/// Reads `n, n, …]` from `i`; returns the values and the index of the `]`.
fn numbers(b: &[u8], mut i: usize) -> Option<(Vec<u32>, usize)> {
    // JSON's four whitespace bytes only (`is_ascii_whitespace` would also take form feed).
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    let mut values = Vec::with_capacity((b.len() - i) / 8);
    skip_ws(&mut i);
    if b.get(i) == Some(&b']') {
        return Some((values, i));
    }
    loop {
        let first = i;
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
        values.push(v as u32);
        skip_ws(&mut i);
        match b.get(i) {
            Some(b',') => {
                i += 1;
                skip_ws(&mut i);
            }
            Some(b']') => return Some((values, i)),
            _ => return None,
        }
    }
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
}
