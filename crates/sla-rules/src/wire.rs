//! The HTTP side of the data contract that the server writes and the widget reads: the
//! error codes of `{"error":{"code",…}}` and the answer each rule refusal becomes. The rules
//! modules know nothing of HTTP; connection limits, draining and webhook egress are here.

use serde::{Deserialize, Serialize};

use crate::claims::Refusal;

/// The error codes of the claims API (`{"error":{"code":…}}`), written by the
/// server and read by the widget. A code this build does not know reads as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    ContractMismatch,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    PeriodAlreadyClaimed,
    ClaimIdReused,
    PeriodNotBreached,
    ExpectedMismatch,
    NothingToGrant,
    DataInvalid,
    Internal,
    Timeout,
    /// An operator asked for a status change the workflow does not allow.
    StatusNotAllowed,
    /// 429: this token's holder sent too many requests.
    RateLimited,
    /// 429: the server has too many open connections.
    TooManyConnections,
    /// 503: the claims store is not answering.
    StoreUnavailable,
    /// 503: the server is draining before it stops.
    ShuttingDown,
    /// 422: a webhook subscription asks for something the server does not offer
    /// (an unknown event type, no event type, a description too long).
    InvalidSubscription,
    /// 422: a webhook URL the egress rules refuse (not https, a private address).
    WebhookUrlRefused,
    /// 409: a statement was asked for a month that is not judged (in progress, partial).
    MonthNotJudged,
    /// 400: a client-wide route asked of a caller who sees several contracts
    /// (`details.contracts` lists them).
    ContractRequired,
    /// 503: a JWT arrived before the identity provider's keys could be loaded.
    IdentityUnavailable,
    /// 412: an operator's decision named a claim version (`If-Match`) that another
    /// decision replaced meanwhile (`details` says who and when).
    ClaimChanged,
    /// 428: an operator's decision came without `If-Match`.
    VersionRequired,
    /// 400: rejecting a claim needs a note for the client.
    NoteRequired,
    /// 409: posted telemetry gives other counts for minutes already stored
    /// (`details.minute` is the first). Server-only: the widget never posts
    /// telemetry, and its build (wasm32) leaves the variant out so the first
    /// paint carries no byte of it.
    #[cfg(not(target_arch = "wasm32"))]
    TelemetryConflict,
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The wire name, as serde writes it (`Other` has none of its own: `"other"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::wire::ErrorCode;
    /// assert_eq!(ErrorCode::PeriodAlreadyClaimed.as_str(), "period_already_claimed");
    /// // A code this build does not know reads as Other.
    /// let c: ErrorCode = serde_json::from_str(r#""brand_new_code""#).unwrap();
    /// assert_eq!(c, ErrorCode::Other);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ContractMismatch => "contract_mismatch",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::PeriodAlreadyClaimed => "period_already_claimed",
            ErrorCode::ClaimIdReused => "claim_id_reused",
            ErrorCode::PeriodNotBreached => "period_not_breached",
            ErrorCode::ExpectedMismatch => "expected_mismatch",
            ErrorCode::NothingToGrant => "nothing_to_grant",
            ErrorCode::DataInvalid => "data_invalid",
            ErrorCode::Internal => "internal",
            ErrorCode::Timeout => "timeout",
            ErrorCode::StatusNotAllowed => "status_not_allowed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooManyConnections => "too_many_connections",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::InvalidSubscription => "invalid_subscription",
            ErrorCode::WebhookUrlRefused => "webhook_url_refused",
            ErrorCode::MonthNotJudged => "month_not_judged",
            ErrorCode::ContractRequired => "contract_required",
            ErrorCode::IdentityUnavailable => "identity_unavailable",
            ErrorCode::ClaimChanged => "claim_changed",
            ErrorCode::VersionRequired => "version_required",
            ErrorCode::NoteRequired => "note_required",
            #[cfg(not(target_arch = "wasm32"))]
            ErrorCode::TelemetryConflict => "telemetry_conflict",
            ErrorCode::Other => "other",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer of the API: its HTTP status and the body's `code`, `message` and
/// `details` (docs/DATA_CONTRACT.md, "claims").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReply {
    pub status: u16,
    pub code: ErrorCode,
    pub message: String,
    pub details: serde_json::Value,
}

impl From<Refusal> for ErrorReply {
    /// The data contract's answer to a refused claim: `403 contract_mismatch`, `409
    /// period_already_claimed`, or a `422` (`period_not_breached`, `nothing_to_grant`,
    /// `expected_mismatch`), with the refusal's periods or figures as details.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::Refusal;
    /// use sla_rules::wire::{ErrorCode, ErrorReply};
    /// let r = ErrorReply::from(Refusal::AlreadyClaimed { periods: vec!["2026-02".into(), "2026-03".into()] });
    /// assert_eq!((r.status, r.code), (409, ErrorCode::PeriodAlreadyClaimed));
    /// assert_eq!(r.message, "already claimed: 2026-02, 2026-03");
    /// assert_eq!(r.details, serde_json::json!({ "periods": ["2026-02", "2026-03"] }));
    /// ```
    fn from(r: Refusal) -> ErrorReply {
        let message = r.to_string();
        let (status, code, details) = match r {
            Refusal::ContractMismatch { contract_id } => (
                403,
                ErrorCode::ContractMismatch,
                serde_json::json!({ "contract_id": contract_id }),
            ),
            Refusal::AlreadyClaimed { periods } => (
                409,
                ErrorCode::PeriodAlreadyClaimed,
                serde_json::json!({ "periods": periods }),
            ),
            Refusal::NotBreached { periods } => (
                422,
                ErrorCode::PeriodNotBreached,
                serde_json::json!({ "periods": periods }),
            ),
            Refusal::NothingToGrant { granted } => (
                422,
                ErrorCode::NothingToGrant,
                serde_json::json!({ "granted": granted }),
            ),
            Refusal::ExpectedMismatch { expected, granted } => (
                422,
                ErrorCode::ExpectedMismatch,
                serde_json::json!({ "expected": expected, "granted": granted }),
            ),
        };
        ErrorReply {
            status,
            code,
            message,
            details,
        }
    }
}
