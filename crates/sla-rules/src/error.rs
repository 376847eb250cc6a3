//! Input errors that name the file, the JSON path and what is wrong.

use std::fmt;

/// A document that cannot be evaluated. Displayed as `FILE: PATH: message`,
/// e.g. `usage.json: telemetry[2].ok[17]: 130 ok requests but only 120 in total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The document's name as the caller gave it (`usage.json`, a URL, ...).
    pub file: String,
    /// A JSON path without a leading `$`, such as `telemetry[2].ok[17]`; `$` for the root.
    pub path: String,
    pub message: String,
}

impl InputError {
    /// An error in `file` at JSON `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::InputError;
    /// let e = InputError::new("usage.json", "telemetry[2].ok[17]", "130 ok requests but only 120 in total");
    /// assert_eq!(e.to_string(), "usage.json: telemetry[2].ok[17]: 130 ok requests but only 120 in total");
    /// ```
    pub fn new(file: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

impl std::error::Error for InputError {}
