//! The server's clock: the one place that reads the time, so evaluations and
//! stored timestamps agree on what "now" is.

#[cfg(test)]
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, as `sla_rules::time::Instant`.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Milliseconds since the epoch, for the webhook outbox's schedule.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Now as RFC 3339 in UTC with whole seconds, e.g. `2026-11-29T23:17:07Z`.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Nanoseconds since the epoch, for unique temporary names.
#[cfg(test)]
pub fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}
