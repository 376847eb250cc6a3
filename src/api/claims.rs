//! The claims API: the list of the caller's claims and filing one, with the refusals only
//! claims have (`period_already_claimed`, `claim_id_reused`, …) on top of [`ApiError`].

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use sla_rules::claims::{parse_claims_list, ClaimRecord, ClaimRequest, Granted};
use sla_rules::wire::ErrorCode;

use super::transport::{error_body, request, Answer, ApiError, Call, Cancel};
use crate::options::Options;

/// Why a claim was not filed (or its fate is unknown). Kept in the draft, so it is serialisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClaimError {
    /// 409 `period_already_claimed`.
    AlreadyClaimed { periods: Vec<String> },
    /// 409 `claim_id_reused`: this draft's id was filed with another body.
    IdReused,
    /// 422 `period_not_breached`.
    NotBreached { periods: Vec<String> },
    /// 422 `expected_mismatch`: the server's own figures.
    Mismatch { granted: Option<Granted> },
    /// 422 `nothing_to_grant`.
    NothingToGrant,
    /// 429: too many requests; `retry_after` seconds from `Retry-After` or
    /// `details.retry_after`. Nothing was filed, so the draft and its claim_id stay.
    RateLimited { retry_after: Option<u64> },
    /// 401.
    Unauthorized,
    /// 403 `forbidden` / `contract_mismatch`.
    Forbidden,
    /// 400, 413 and other refusals of the request's shape; `message` is the server's text.
    Rejected { status: u16, message: String },
    /// 5xx other than a timeout.
    Server { status: u16 },
    /// No answer in time (the widget's timeout, or the server's 503 `timeout`).
    Timeout,
    /// The network failed (offline, connection reset).
    Offline,
    /// The request was cancelled (its component went away): whether it arrived is
    /// unknown, like a timeout.
    Cancelled,
}

impl ClaimError {
    /// Whether the server may have filed the claim anyway: a retry must re-send the same body.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ClaimError::Timeout
                | ClaimError::Offline
                | ClaimError::Cancelled
                | ClaimError::Server { .. }
        )
    }
}

fn periods_of(details: &serde_json::Value) -> Vec<String> {
    details
        .get("periods")
        .and_then(|p| p.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

impl From<ApiError> for ClaimError {
    fn from(e: ApiError) -> ClaimError {
        match e {
            ApiError::RateLimited { retry_after } => ClaimError::RateLimited { retry_after },
            ApiError::Unauthorized => ClaimError::Unauthorized,
            ApiError::Forbidden => ClaimError::Forbidden,
            ApiError::Rejected { status, message } => ClaimError::Rejected { status, message },
            ApiError::Server { status } => ClaimError::Server { status },
            ApiError::Timeout => ClaimError::Timeout,
            ApiError::Offline => ClaimError::Offline,
            ApiError::Cancelled => ClaimError::Cancelled,
        }
    }
}

/// The error for a non-2xx answer to a claims call, from its status and
/// `{"error":{code,message,details}}` body: the claims' own refusals (409, 422), else what
/// the status means on every endpoint ([`ApiError`]).
pub fn classify(status: u16, body: &[u8]) -> ClaimError {
    refusal_of(status, body, None)
}

/// [`classify`], with a 429's wait taken from `Retry-After` when the server sent it (the
/// header is what proxies and servers agree on; `details.retry_after` is the fallback).
fn refusal_of(status: u16, body: &[u8], retry_after: Option<u64>) -> ClaimError {
    let e = error_body(body);
    let code = e.as_ref().map(|e| e.code).unwrap_or(ErrorCode::Other);
    let details = e
        .as_ref()
        .map(|e| e.details.clone())
        .unwrap_or(serde_json::Value::Null);
    match (status, code) {
        (409, ErrorCode::ClaimIdReused) => ClaimError::IdReused,
        (409, _) => ClaimError::AlreadyClaimed {
            periods: periods_of(&details),
        },
        (422, ErrorCode::PeriodNotBreached) => ClaimError::NotBreached {
            periods: periods_of(&details),
        },
        (422, ErrorCode::NothingToGrant) => ClaimError::NothingToGrant,
        (422, _) => ClaimError::Mismatch {
            granted: details
                .get("granted")
                .and_then(|g| serde_json::from_value(g.clone()).ok()),
        },
        _ => ApiError::of(status, body, retry_after).into(),
    }
}

impl ClaimError {
    /// The code for the `data-sla-claim-error` hook: the server's code where the
    /// error is one of its answers, else what the widget saw.
    pub fn code(&self) -> &'static str {
        match self {
            ClaimError::AlreadyClaimed { .. } => ErrorCode::PeriodAlreadyClaimed.as_str(),
            ClaimError::IdReused => ErrorCode::ClaimIdReused.as_str(),
            ClaimError::NotBreached { .. } => ErrorCode::PeriodNotBreached.as_str(),
            ClaimError::Mismatch { .. } => ErrorCode::ExpectedMismatch.as_str(),
            ClaimError::NothingToGrant => ErrorCode::NothingToGrant.as_str(),
            ClaimError::Unauthorized => ErrorCode::Unauthorized.as_str(),
            ClaimError::Forbidden => ErrorCode::Forbidden.as_str(),
            ClaimError::Timeout => ErrorCode::Timeout.as_str(),
            ClaimError::RateLimited { .. } => "rate_limited",
            ClaimError::Rejected { .. } => "rejected",
            ClaimError::Server { .. } => "server",
            ClaimError::Offline => "offline",
            ClaimError::Cancelled => "cancelled",
        }
    }
}

thread_local! {
    /// The claims URLs a claim is being sent to, once per claim: a widget's documents are not
    /// re-checked meanwhile, so its report never changes under a claim on its way. Per URL,
    /// not per page: a second widget on the page, for another contract, keeps its re-checks;
    /// two widgets of one claims API wait together (their reports are the same contract's).
    static CLAIMS_IN_FLIGHT: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Whether a claim to `claims_url` is on its way (see `CLAIMS_IN_FLIGHT`).
pub fn claim_in_flight(claims_url: Option<&str>) -> bool {
    claims_url.is_some_and(|u| CLAIMS_IN_FLIGHT.with(|v| v.borrow().iter().any(|x| x == u)))
}

/// Counts one claim in flight for as long as it lives, whatever way the send ends.
struct InFlight(String);

impl InFlight {
    fn start(url: &str) -> InFlight {
        CLAIMS_IN_FLIGHT.with(|v| v.borrow_mut().push(url.to_string()));
        InFlight(url.to_string())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        CLAIMS_IN_FLIGHT.with(|v| {
            let mut v = v.borrow_mut();
            if let Some(i) = v.iter().position(|x| *x == self.0) {
                v.swap_remove(i);
            }
        });
    }
}

/// The claims list as read, with its tag for the next conditional read.
pub struct Listed {
    pub claims: Vec<ClaimRecord>,
    /// Each claim's current receipt (docs/SIGNATURES.md), kept apart from the records: the
    /// records are the core's type, shared with the server, and a receipt is no claim field.
    pub receipts: Receipts,
    pub etag: Option<String>,
}

/// A claim's current receipt as an answer carried it: the compact JWS and its JSON path
/// there (`claims[2].receipt`), for the `signature_invalid` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub jws: String,
    pub path: String,
}

/// The receipts of a claims answer, by `claim_id`.
pub type Receipts = std::collections::HashMap<String, Receipt>;

#[derive(Deserialize)]
struct WithReceipt {
    claim_id: String,
    #[serde(default)]
    receipt: Option<String>,
}

#[derive(Deserialize)]
struct ListReceipts {
    claims: Vec<WithReceipt>,
}

/// The `receipt` of each claim in a claims list (none from a server that signs nothing).
pub fn list_receipts(body: &[u8]) -> Receipts {
    let list: Option<ListReceipts> = serde_json::from_slice(body).ok();
    list.map(|l| l.claims)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let jws = c.receipt?;
            Some((
                c.claim_id,
                Receipt {
                    jws,
                    path: format!("claims[{i}].receipt"),
                },
            ))
        })
        .collect()
}

/// The `receipt` of a claim answer (201 or 200), if the server signed it.
pub fn answer_receipt(body: &[u8]) -> Option<Receipt> {
    let c: WithReceipt = serde_json::from_slice(body).ok()?;
    Some(Receipt {
        jws: c.receipt?,
        path: "receipt".into(),
    })
}

/// `GET claimsUrl`: the claims of the caller's contract. With the tag of the list held,
/// `Ok(None)` means it has not changed (304).
pub async fn list_claims(
    opts: &Options,
    url: &str,
    held: Option<&str>,
    cancel: &Cancel,
) -> Result<Option<Listed>, ClaimError> {
    let call = Call {
        if_none_match: held,
        ..Call::get(url)
    };
    let a = request(opts, call, cancel)
        .await
        .map_err(|f| ClaimError::from(ApiError::from(f)))?;
    if a.status == 304 && held.is_some() {
        return Ok(None);
    }
    if !a.ok() {
        return Err(refusal(&a));
    }
    let claims = parse_claims_list(&a.body).map_err(|message| ClaimError::Rejected {
        status: a.status,
        message,
    })?;
    Ok(Some(Listed {
        claims,
        receipts: list_receipts(&a.body),
        etag: a.etag,
    }))
}

/// `POST claimsUrl`: the filed claim on 201 (new) or 200 (the same request again), with
/// its receipt when the server signs.
pub async fn file_claim(
    opts: &Options,
    url: &str,
    claim: &ClaimRequest,
    cancel: &Cancel,
) -> Result<(ClaimRecord, Option<Receipt>), ClaimError> {
    let body = serde_json::to_string(claim).map_err(|e| ClaimError::Rejected {
        status: 0,
        message: e.to_string(),
    })?;
    let _sending = InFlight::start(url);
    let a = request(opts, Call::post_json(url, &body), cancel)
        .await
        .map_err(|f| ClaimError::from(ApiError::from(f)))?;
    if a.status == 200 || a.status == 201 {
        let record = serde_json::from_slice(&a.body).map_err(|e| ClaimError::Rejected {
            status: a.status,
            message: e.to_string(),
        })?;
        Ok((record, answer_receipt(&a.body)))
    } else {
        Err(refusal(&a))
    }
}

/// The error for a non-2xx answer to a claims call.
fn refusal(a: &Answer) -> ClaimError {
    refusal_of(a.status, &a.body, a.retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_map_to_their_meaning() {
        let body = |code: &str, details: &str| {
            format!(r#"{{"error":{{"code":"{code}","message":"m","details":{details}}}}}"#)
        };
        assert_eq!(
            classify(
                409,
                body("period_already_claimed", r#"{"periods":["2026-02"]}"#).as_bytes()
            ),
            ClaimError::AlreadyClaimed {
                periods: vec!["2026-02".into()]
            }
        );
        assert_eq!(
            classify(409, body("claim_id_reused", "{}").as_bytes()),
            ClaimError::IdReused
        );
        // The server's figures travel in details.granted and are kept for the message.
        let m = classify(
            422,
            body(
                "expected_mismatch",
                r#"{"expected":{"units":2},"granted":{"remedy":"contract_credit","units":1,"contract_credit":1433}}"#,
            )
            .as_bytes(),
        );
        match m {
            ClaimError::Mismatch { granted: Some(g) } => {
                assert_eq!(g.units, 1);
                assert_eq!(g.contract_credit, Some(1433));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(classify(401, b""), ClaimError::Unauthorized);
        assert_eq!(
            classify(403, body("contract_mismatch", "{}").as_bytes()),
            ClaimError::Forbidden
        );
        assert_eq!(
            classify(503, body("timeout", "{}").as_bytes()),
            ClaimError::Timeout
        );
        // A proxy's HTML error page: the status still says what happened.
        assert_eq!(
            classify(502, b"<html>bad gateway</html>"),
            ClaimError::Server { status: 502 }
        );
        assert!(ClaimError::Server { status: 502 }.outcome_unknown());
        assert!(!ClaimError::NothingToGrant.outcome_unknown());
    }

    #[test]
    fn unknown_codes_still_classify_by_status() {
        // A code this build does not know reads as `Other`; the status decides.
        let body = br#"{"error":{"code":"teapot","message":"short and stout","details":{}}}"#;
        assert_eq!(
            classify(418, body),
            ClaimError::Rejected {
                status: 418,
                message: "short and stout".into()
            }
        );
        assert_eq!(ClaimError::IdReused.code(), "claim_id_reused");
        assert!(ClaimError::Cancelled.outcome_unknown());
    }

    #[test]
    fn a_claim_in_flight_holds_only_its_own_claims_url() {
        assert!(!claim_in_flight(Some("/a/claims")));
        let first = InFlight::start("/a/claims");
        let second = InFlight::start("/a/claims");
        assert!(claim_in_flight(Some("/a/claims")));
        // Another contract's widget on the page, and a widget without claims, go on.
        assert!(!claim_in_flight(Some("/b/claims")));
        assert!(!claim_in_flight(None));
        drop(first);
        assert!(
            claim_in_flight(Some("/a/claims")),
            "one of two still on its way"
        );
        drop(second);
        assert!(!claim_in_flight(Some("/a/claims")));
    }

    #[test]
    fn receipts_are_read_beside_the_records() {
        // The second claim has none (signed by no key); the third's index is 2.
        let body = br#"{"schema":"sla-portal/claims/v1","claims":[
            {"claim_id":"a","receipt":"h.p.s","receipts":["x.y.z","h.p.s"]},
            {"claim_id":"b"},
            {"claim_id":"c","receipt":"h2.p2.s2"}]}"#;
        let r = list_receipts(body);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r["a"],
            Receipt {
                jws: "h.p.s".into(),
                path: "claims[0].receipt".into()
            }
        );
        assert_eq!(r["c"].path, "claims[2].receipt");
        assert!(list_receipts(b"not json").is_empty());
        assert_eq!(
            answer_receipt(br#"{"claim_id":"a","receipt":"h.p.s"}"#).map(|r| r.path),
            Some("receipt".into())
        );
        assert_eq!(answer_receipt(br#"{"claim_id":"a"}"#), None);
    }

    #[test]
    fn too_many_requests_carries_the_wait() {
        let body = br#"{"error":{"code":"rate_limited","message":"slow down","details":{"retry_after":3}}}"#;
        assert_eq!(
            classify(429, body),
            ClaimError::RateLimited {
                retry_after: Some(3)
            }
        );
        // A proxy's 429 without the error document: still "too many requests", wait unknown.
        assert_eq!(
            classify(429, b"slow down"),
            ClaimError::RateLimited { retry_after: None }
        );
        // Nothing was filed: the same draft is sent again, not an uncertain outcome.
        assert!(!ClaimError::RateLimited { retry_after: None }.outcome_unknown());
    }
}
