//! The data contract's error body, `{"error":{"code","message","details"}}`, as
//! JSON that cannot be read as markup even by a browser that ignores its type.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};
use sla_rules::wire::ErrorCode;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// One of the codes the widget reads (`sla_rules::wire::ErrorCode`).
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
    /// `Retry-After` in seconds, for a 503 the caller should retry.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
            details: json!({}),
            retry_after: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = details;
        self
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            401,
            ErrorCode::Unauthorized,
            "a valid Bearer token is required",
        )
    }

    /// 503 `identity_unavailable`: a JWT arrived before the identity provider's
    /// keys could be loaded. Static tokens are not affected.
    pub fn identity_unavailable(retry_after: u64) -> ApiError {
        let mut e = ApiError::new(
            503,
            ErrorCode::IdentityUnavailable,
            "the identity provider's keys are not available yet; try again shortly",
        )
        .with_details(json!({ "retry_after": retry_after }));
        e.retry_after = Some(retry_after);
        e
    }

    /// 403 `forbidden` for a contract the caller may not see (another client's,
    /// one outside its `sla_contracts`, or none at all: the answer is the same).
    pub fn contract_forbidden() -> ApiError {
        ApiError::new(
            403,
            ErrorCode::Forbidden,
            "the token does not grant access to that contract",
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(404, ErrorCode::NotFound, "no such resource")
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(500, ErrorCode::Internal, message)
    }
}

impl From<sla_rules::claims::Refusal> for ApiError {
    fn from(r: sla_rules::claims::Refusal) -> ApiError {
        let r = sla_rules::wire::ErrorReply::from(r);
        ApiError::new(r.status, r.code, r.message).with_details(r.details)
    }
}

/// JSON text with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`. The
/// three can only occur inside JSON strings, where the escapes mean the same text,
/// so a message that quotes the caller's input never contains a tag.
pub fn json_text(v: &impl Serialize) -> String {
    // Serialising derived types and `Value`s cannot fail (string keys only); an
    // empty object is still JSON if it ever did.
    let s = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON response with headers that keep it out of shared caches.
pub fn json_response(status: StatusCode, v: &impl Serialize) -> Response {
    let mut r = (status, json_text(v)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": {
            "code": self.code, "message": self.message, "details": self.details } });
        let mut r = json_response(self.status, &body);
        r.extensions_mut()
            .insert(crate::metrics::ErrorCodeTag(self.code.to_string()));
        if let Some(v) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_message_is_escaped_and_still_the_same_json_text() {
        let v = json!({"message": "unknown variant `<img src=x onerror=alert(1)>` & more"});
        let s = json_text(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }
}
