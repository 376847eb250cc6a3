//! RFC 8785 canonical JSON (JCS), once for everyone who signs or verifies: the server's
//! receipts and statements, `sla verify` and the widget hash and compare the same bytes.
//!
//! Keys are sorted by their UTF-16 code units, strings keep every character literally but
//! the few the RFC escapes, and integers are written as ECMAScript writes them. An integer
//! beyond ±(2^53 − 1) is refused (a JavaScript verifier would read another number), and so
//! is any other number in a `Value` (see [`JcsError::Float`]); [`es6_number`] is RFC 8785's
//! number serialisation for a double the caller holds exactly.

use std::fmt;

use serde::Serialize;
use serde_json::{Number, Value};

/// The largest integer every double (and so every JCS reader) holds exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JcsError {
    /// An integer a double cannot hold exactly (its decimal text).
    UnsafeInteger(String),
    /// NaN or an infinity.
    NotFinite,
    /// A number with a fraction or an exponent. serde_json's default parse does not always
    /// round to the nearest double (RFC 8785's own 333333333.33333329 reads one ulp off),
    /// so its canonical text could differ from a JavaScript signer's: refused, never guessed.
    /// Nothing this project signs carries one; [`es6_number`] writes a double exactly.
    Float(String),
    /// The value could not be turned into JSON at all.
    Serialize(String),
}

impl fmt::Display for JcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JcsError::UnsafeInteger(n) => {
                write!(f, "{n} is beyond ±2^53−1, which JSON readers round")
            }
            JcsError::NotFinite => f.write_str("a number that is not finite"),
            JcsError::Float(n) => write!(f, "{n} is not an integer (signed payloads hold none)"),
            JcsError::Serialize(m) => write!(f, "not JSON: {m}"),
        }
    }
}

impl std::error::Error for JcsError {}

/// The canonical text of any serialisable value.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JcsError> {
    let v = serde_json::to_value(value).map_err(|e| JcsError::Serialize(e.to_string()))?;
    canonical(&v)
}

/// The canonical text of a JSON value.
///
/// # Examples
///
/// ```
/// let v: serde_json::Value = serde_json::from_str(r#"{"b": [1, "x"], "a": {"d": true, "c": null}}"#).unwrap();
/// assert_eq!(sla_rules::jcs::canonical(&v).unwrap(), r#"{"a":{"c":null,"d":true},"b":[1,"x"]}"#);
/// ```
pub fn canonical(value: &Value) -> Result<String, JcsError> {
    let mut out = String::new();
    write_value(&mut out, value)?;
    Ok(out)
}

/// Whether `bytes` are exactly the canonical text of the JSON they hold.
pub fn is_canonical(bytes: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    canonical(&v).is_ok_and(|c| c.as_bytes() == bytes)
}

fn write_value(out: &mut String, v: &Value) -> Result<(), JcsError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            // RFC 8785 §3.2.3: by UTF-16 code units, which differs from UTF-8 byte order
            // for characters above U+FFFF against U+E000..U+FFFF.
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, &map[k])?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) -> Result<(), JcsError> {
    if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER {
            return Err(JcsError::UnsafeInteger(u.to_string()));
        }
        out.push_str(&u.to_string());
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(JcsError::UnsafeInteger(i.to_string()));
        }
        out.push_str(&i.to_string());
    } else {
        return Err(JcsError::Float(n.to_string()));
    }
    Ok(())
}

/// ECMAScript's `Number.prototype.toString` of a double (ECMA-262 §6.1.6.1.20), from the
/// shortest digits that read back as the same double, which Rust's `{:e}` prints.
pub fn es6_number(x: f64) -> Result<String, JcsError> {
    if !x.is_finite() {
        return Err(JcsError::NotFinite);
    }
    if x == 0.0 {
        return Ok("0".into());
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').ok_or(JcsError::NotFinite)?;
    let exp: i32 = exp.parse().map_err(|_| JcsError::NotFinite)?;
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    // The value is 0.DIGITS × 10^n.
    let n = exp + 1;
    let mut s = String::new();
    if x < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let e = n - 1;
        s.push('e');
        s.push(if e < 0 { '-' } else { '+' });
        s.push_str(&e.abs().to_string());
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jcs(text: &str) -> String {
        canonical(&serde_json::from_str(text).expect("json")).expect("canonical")
    }

    #[test]
    fn rfc8785_section_3_2_2_example() {
        // RFC 8785 §3.2.2's input and its canonical form, byte for byte: the literals and
        // the string through `canonical`, the numbers through `es6_number` from the doubles
        // a correctly rounding parse (std's) reads from the RFC's texts.
        let input = "{\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}";
        assert_eq!(
            jcs(input),
            "{\"literals\":[null,true,false],\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
        let numbers: Vec<String> = [
            "333333333.33333329",
            "1E30",
            "4.50",
            "2e-3",
            "0.000000000000000000000000001",
        ]
        .iter()
        .map(|t| es6_number(t.parse::<f64>().expect("double")).expect("finite"))
        .collect();
        assert_eq!(
            numbers,
            ["333333333.3333333", "1e+30", "4.5", "0.002", "1e-27"]
        );
        let floats: Value = serde_json::from_str("[4.50]").unwrap();
        assert_eq!(canonical(&floats), Err(JcsError::Float("4.5".into())));
    }

    #[test]
    fn rfc8785_section_3_2_3_sorts_by_utf16_code_units() {
        // §3.2.3: the RFC's keys and their order (the values say which key it was).
        let input = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#;
        let text = jcs(input);
        let pos = |needle: &str| text.find(needle).expect(needle);
        let expected = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ];
        for w in expected.windows(2) {
            assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
        }
        assert_eq!(text.matches(':').count(), 8, "7 keys and the one in Emoji:");
    }

    #[test]
    fn rfc8785_appendix_b_numbers() {
        // Appendix B: IEEE 754 doubles (by their bits) and their ECMAScript text.
        let cases: [(u64, &str); 14] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        ];
        for (bits, want) in cases {
            assert_eq!(es6_number(f64::from_bits(bits)).unwrap(), want, "{bits:#x}");
        }
        assert_eq!(es6_number(f64::NAN), Err(JcsError::NotFinite));
        assert_eq!(es6_number(f64::INFINITY), Err(JcsError::NotFinite));
    }

    #[test]
    fn integers_beyond_two_to_the_53_are_refused() {
        assert_eq!(
            jcs("[9007199254740991,-9007199254740991,0,-1]"),
            "[9007199254740991,-9007199254740991,0,-1]"
        );
        let big: Value = serde_json::from_str("9007199254740992").unwrap();
        assert_eq!(
            canonical(&big),
            Err(JcsError::UnsafeInteger("9007199254740992".into()))
        );
        let low: Value = serde_json::from_str("-9007199254740992").unwrap();
        assert!(canonical(&low).is_err());
    }

    #[test]
    fn control_characters_use_the_short_escapes_or_lowercase_hex() {
        assert_eq!(
            canonical(&Value::String(
                "\u{8}\t\n\u{c}\r\u{1}\u{1f}\u{7f}\u{2028}é".into()
            ))
            .unwrap(),
            "\"\\b\\t\\n\\f\\r\\u0001\\u001f\u{7f}\u{2028}é\""
        );
    }

    #[test]
    fn canonical_text_is_recognised_and_anything_else_is_not() {
        assert!(is_canonical(br#"{"a":1,"b":[true]}"#));
        assert!(!is_canonical(br#"{"b":[true],"a":1}"#), "key order");
        assert!(!is_canonical(br#"{"a": 1,"b":[true]}"#), "whitespace");
        assert!(!is_canonical(br#"{"a":"\u0041"}"#), "needless escape");
        assert!(!is_canonical(b"{\"a\":1"), "not JSON");
    }
}
