//! JSON decoding with a fast path and a second, path-tracking pass for errors.
//!
//! Tracking the JSON path of every value costs time on a 5 MB telemetry
//! document, so documents are decoded once without it; only when that fails are
//! they decoded again with `serde_path_to_error` to say where.

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
            Err(locate::<T>(bytes, file, &fast))
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

fn locate<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    file: &str,
    fast: &serde_json::Error,
) -> InputError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    match result {
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." || path.is_empty() {
                "$".to_string()
            } else {
                path
            };
            InputError::new(file, path, clean_message(&e.inner().to_string()))
        }
        // Trailing characters are caught by `from_slice` but not by `deserialize`.
        Ok(_) => InputError::new(file, "$", clean_message(&fast.to_string())),
    }
}

/// serde's messages are good; this only drops the `, expected u32` jargon noise
/// that would confuse an operator less than it helps, by naming counts plainly.
fn clean_message(msg: &str) -> String {
    msg.replace("expected u32", "expected a non-negative integer count")
        .replace("expected u64", "expected a non-negative integer")
}
