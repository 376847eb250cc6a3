//! Limits that keep one caller from starving the others: a token bucket per
//! token holder and a cap on open connections. Both answer 429 with
//! `Retry-After` and the usual JSON error body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sla_rules::wire::ErrorCode;

use crate::auth::Role;
use crate::errors::ApiError;
use crate::AppState;

/// Requests per second per token holder, by default; the burst is twice that, so
/// a page load (four documents and the claims list) never waits.
pub const DEFAULT_RATE: u32 = 100;
/// Open connections per process, by default; well below the usual 1,024 file
/// descriptors, so the database and the data files still get theirs.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A token bucket per holder (client or operator). Keyed by valid identities
/// only, so unknown tokens cannot grow the map.
pub struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<(Role, String), Bucket>>,
}

impl RateLimiter {
    /// `per_sec = 0` turns the limit off.
    pub fn new(per_sec: u32) -> RateLimiter {
        RateLimiter {
            per_sec: f64::from(per_sec),
            burst: f64::from(per_sec) * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the holder's bucket, or says in how many whole
    /// seconds (at least 1) the next one will be allowed.
    pub fn check(&self, role: Role, id: &str, now: Instant) -> Result<(), u64> {
        if self.per_sec <= 0.0 {
            return Ok(());
        }
        // A poisoned map only holds counters; carry on with it.
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = buckets.entry((role, id.to_string())).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_sec).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - b.tokens) / self.per_sec;
            Err((wait.ceil() as u64).max(1))
        }
    }
}

/// 429 with `Retry-After` (seconds) and the usual error body; `details` carries
/// the same number for clients that cannot read headers.
pub fn too_many(code: ErrorCode, message: &str, retry_after: u64) -> Response {
    let mut r = ApiError::new(429, code, message)
        .with_details(json!({ "retry_after": retry_after }))
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// The answer on a connection over the cap; the connection closes after it.
pub fn over_capacity() -> Response {
    crate::metrics::connection_refused();
    let mut r = too_many(
        ErrorCode::TooManyConnections,
        "the server has too many open connections; try again shortly",
        1,
    );
    let h = r.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Middleware: requests with a valid token spend from its holder's bucket.
/// Requests without one are not limited here (they get 401 or a static file).
pub async fn rate_limit(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let id = crate::auth::identify(
        req.headers(),
        req.extensions(),
        &state.tokens,
        state.jwt.as_deref(),
    )
    .await;
    req.extensions_mut()
        .insert(crate::auth::Identified(id.clone()));
    if let crate::auth::Identity::Known(p) = id {
        if let Err(secs) = state.rate.check(p.role, &p.key, Instant::now()) {
            return too_many(
                ErrorCode::RateLimited,
                &format!("too many requests; try again in {secs} s"),
                secs,
            );
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_the_rate() {
        let r = RateLimiter::new(2); // 2 per second, burst 4
        let t0 = Instant::now();
        for _ in 0..4 {
            assert_eq!(r.check(Role::Client, "a", t0), Ok(()));
        }
        // Empty: one more token needs 1/2 s, rounded up to a whole second.
        assert_eq!(r.check(Role::Client, "a", t0), Err(1));
        // Another holder has its own bucket.
        assert_eq!(r.check(Role::Client, "b", t0), Ok(()));
        assert_eq!(r.check(Role::Operator, "a", t0), Ok(()));
        // After 1 s, 2 tokens are back: two requests, then refused again.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(r.check(Role::Client, "a", t1), Ok(()));
        assert_eq!(r.check(Role::Client, "a", t1), Ok(()));
        assert_eq!(r.check(Role::Client, "a", t1), Err(1));
    }

    #[test]
    fn a_slow_rate_asks_for_a_longer_wait_and_zero_means_off() {
        let r = RateLimiter::new(0);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert_eq!(r.check(Role::Client, "a", t0), Ok(()));
        }
        let mut r = RateLimiter::new(1);
        r.per_sec = 0.25; // one request per 4 s, burst 2
        r.burst = 2.0;
        assert_eq!(r.check(Role::Client, "a", t0), Ok(()));
        assert_eq!(r.check(Role::Client, "a", t0), Ok(()));
        assert_eq!(r.check(Role::Client, "a", t0), Err(4));
    }
}
