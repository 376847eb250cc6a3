//! JSON decoding with a fast path; on failure, the error's JSON path is found by a scan.
//!
//! Tracking the JSON path of every value costs time on a 5 MB telemetry
//! document, so documents are decoded once without it. When that fails, serde_json's
//! error position (line and column) is turned into a JSON path by [`path_at`], a small
//! scanner over the bytes before it: no second decode, and no path-tracking deserializer
//! in the widget's wasm (that was ~74 KB of code, a tenth of the bundle's).

use serde::Deserialize;

use crate::error::InputError;

#[derive(Deserialize)]
struct SchemaOnly {
    schema: Option<serde_json::Value>,
}

/// Decodes `bytes` as `T` after checking the document's `schema` tag.
pub fn decode<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    file: &str,
    schema: &str,
) -> Result<T, InputError> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(fast) => {
            check_schema(bytes, file, schema)?;
            Err(locate(bytes, file, &fast))
        }
    }
}

/// Verifies a decoded document's `schema` field.
pub fn expect_schema(found: &str, file: &str, schema: &str) -> Result<(), InputError> {
    if found == schema {
        Ok(())
    } else {
        Err(InputError::new(
            file,
            "schema",
            format!("unknown schema \"{found}\" (expected \"{schema}\")"),
        ))
    }
}

/// Verifies the `schema` field on the error path, so that a document of a
/// future schema version is reported as such rather than by its first odd field.
fn check_schema(bytes: &[u8], file: &str, schema: &str) -> Result<(), InputError> {
    if let Ok(doc) = serde_json::from_slice::<SchemaOnly>(bytes) {
        match doc.schema {
            Some(serde_json::Value::String(s)) if s == schema => Ok(()),
            Some(serde_json::Value::String(s)) => Err(InputError::new(
                file,
                "schema",
                format!("unknown schema \"{s}\" (expected \"{schema}\")"),
            )),
            Some(_) => Err(InputError::new(file, "schema", "must be a string")),
            None => Err(InputError::new(
                file,
                "schema",
                format!("missing (expected \"{schema}\")"),
            )),
        }
    } else {
        Ok(())
    }
}

fn locate(bytes: &[u8], file: &str, fast: &serde_json::Error) -> InputError {
    let path = path_at(bytes, error_offset(bytes, fast), peeked(fast));
    InputError::new(file, path, clean_message(&fast.to_string()))
}

/// Whether serde_json's position counts the byte it stopped at (syntax and end-of-input
/// errors are raised on a peeked byte; type and value errors just before the value).
fn peeked(e: &serde_json::Error) -> bool {
    !matches!(e.classify(), serde_json::error::Category::Data)
}

fn error_offset(bytes: &[u8], e: &serde_json::Error) -> usize {
    offset_of(bytes, e.line(), e.column())
}

/// The byte offset serde_json's `line`/`column` point at: the end of what it had read.
fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    if line > 1 {
        let mut seen = 1;
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                seen += 1;
                if seen == line {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    (start + column).min(bytes.len())
}

enum Frame {
    /// An object; `key` is the member being read (set once its name has been read).
    Object { key: Option<String> },
    /// An array; `index` is the element being read.
    Array { index: usize },
}

/// The JSON path (`telemetry[2].ok[17]`, `$` for the root) of the value being read when
/// a parser stopped at byte `offset`: the containers open there, with the member name or
/// element index each was at. `peeked`: the byte before `offset` belongs to the offending
/// value (a bracket there opens that value, it is not a container around it). The same
/// paths `serde_path_to_error` gives (a test checks).
pub fn path_at(bytes: &[u8], offset: usize, peeked: bool) -> String {
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    // In an object: true between `{` or `,` and the member's `:`, when a string is a name.
    let mut want_key = false;
    // A container whose opening bracket is the last thing read: the parser stopped at the
    // container itself (a list where a string belongs), not inside it.
    let mut just_opened = false;
    let mut i = 0;
    while i < end {
        let b = bytes[i];
        if !b.is_ascii_whitespace() {
            just_opened = matches!(b, b'{' | b'[');
        }
        match b {
            b'{' => {
                stack.push(Frame::Object { key: None });
                want_key = true;
            }
            b'[' => {
                stack.push(Frame::Array { index: 0 });
                want_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                want_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key }) => {
                    *key = None;
                    want_key = true;
                }
                None => {}
            },
            b':' => want_key = false,
            b'"' => {
                let (text, next) = string_at(bytes, i + 1, end);
                if want_key {
                    if let Some(Frame::Object { key }) = stack.last_mut() {
                        *key = Some(text);
                    }
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if just_opened && peeked {
        stack.pop();
    }
    let mut path = String::new();
    for f in &stack {
        match f {
            Frame::Object { key: Some(k) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    if path.is_empty() {
        path.push('$');
    }
    path
}

/// The text of the string starting after its opening quote at `from`, and the index after
/// its closing quote (or `end`). Escapes other than `\"` and `\\` are kept as written.
fn string_at(bytes: &[u8], from: usize, end: usize) -> (String, usize) {
    let mut out = Vec::new();
    let mut i = from;
    while i < end {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b'\\' if i + 1 < end && matches!(bytes[i + 1], b'"' | b'\\') => {
                out.push(bytes[i + 1]);
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), end)
}

/// serde's messages are good; this only drops the `, expected u32` jargon noise
/// that would confuse an operator less than it helps, by naming counts plainly.
fn clean_message(msg: &str) -> String {
    msg.replace("expected u32", "expected a non-negative integer count")
        .replace("expected u64", "expected a non-negative integer")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Upgrade,
        ScaleOut,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Segment {
        start: String,
        total: Vec<u32>,
        ok: Vec<u32>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Window {
        id: String,
        kind: Kind,
        note: Option<String>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Level {
        response_minutes: u32,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Doc {
        schema: String,
        contract: BTreeMap<String, String>,
        telemetry: Vec<Segment>,
        #[serde(default)]
        maintenance: Vec<Window>,
        #[serde(default)]
        levels: BTreeMap<String, Level>,
        flag: Option<bool>,
    }

    const GOOD: &str = r#"{
  "schema": "x",
  "contract": { "id": "K-1", "tz": "+08:00" },
  "telemetry": [
    { "start": "a", "total": [1, 2, 3], "ok": [1, 2, 3] },
    { "start": "b", "total": [4, 5], "ok": [4, 5] }
  ],
  "maintenance": [ { "id": "MW-\\\"1", "kind": "upgrade", "note": null }, { "id": "MW-2", "kind": "scale_out" } ],
  "levels": { "1": { "response_minutes": 15 }, "2": { "response_minutes": 30 } },
  "flag": true
}"#;

    fn tracked_path(bytes: &[u8]) -> Option<String> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match serde_path_to_error::deserialize::<_, Doc>(&mut de) {
            Err(e) => {
                let p = e.path().to_string();
                Some(if p == "." || p.is_empty() {
                    "$".into()
                } else {
                    p
                })
            }
            Ok(_) => None,
        }
    }

    /// Every value of a document replaced, one at a time, by something of the wrong type:
    /// the scanned path equals the one a path-tracking deserializer gives.
    #[test]
    fn scanned_paths_equal_tracked_paths() {
        assert!(serde_json::from_str::<Doc>(GOOD).is_ok());
        let replacements = ["\"?\"", "-1", "{}", "[true]", "1.5", "null"];
        let bytes = GOOD.as_bytes();
        let mut checked = 0;
        // Where each value starts: after a `:`, or after `[` or `,` inside an array.
        let mut starts = Vec::new();
        let mut in_str = false;
        let mut prev = b' ';
        let mut open = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            if in_str {
                if b == b'"' && bytes[i - 1] != b'\\' {
                    in_str = false;
                }
                continue;
            }
            if !b.is_ascii_whitespace() {
                let in_array = open.last() == Some(&b'[');
                if prev == b':' || (in_array && matches!(prev, b'[' | b',')) {
                    starts.push(i);
                }
                prev = b;
            }
            match b {
                b'"' => in_str = true,
                b'{' | b'[' => open.push(b),
                b'}' | b']' => {
                    open.pop();
                }
                _ => {}
            }
        }
        for &s in &starts {
            // Where the value starting at `s` ends: read one value from there.
            let mut one =
                serde_json::Deserializer::from_slice(&bytes[s..]).into_iter::<serde_json::Value>();
            if !matches!(one.next(), Some(Ok(_))) {
                continue;
            }
            let e = s + one.byte_offset();
            for r in replacements {
                let mut doc = bytes[..s].to_vec();
                doc.extend_from_slice(r.as_bytes());
                doc.extend_from_slice(&bytes[e..]);
                let Err(fast) = serde_json::from_slice::<Doc>(&doc) else {
                    continue;
                };
                let scanned = path_at(&doc, error_offset(&doc, &fast), peeked(&fast));
                assert_eq!(
                    Some(scanned),
                    tracked_path(&doc),
                    "{}",
                    String::from_utf8_lossy(&doc)
                );
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked}");
    }

    #[test]
    fn paths_of_truncated_and_trailing_documents() {
        assert_eq!(path_at(b"", 0, true), "$");
        assert_eq!(path_at(br#"{"a": [1, 2, {"b": "#, 19, true), "a[2].b");
        assert_eq!(path_at(br#"{"a": 1} x"#, 10, true), "$");
        assert_eq!(path_at(br#"{"a\"b": [0, 1]"#, 13, false), "a\"b[1]");
        assert_eq!(path_at(br#"{"a": [1, ["#, 11, true), "a[1]");
        assert_eq!(path_at(br#"{"a": [1, ["#, 11, false), "a[1][0]");
    }
}
