//! The claims API of docs/DATA_CONTRACT.md from the widget's side: classify every answer into
//! a [`ClaimError`] the views translate, and share the claims list with every tab through
//! a context ([`ClaimsProvider`]). The requests themselves go through `crate::api`; the
//! wire types (`ClaimRecord`, `wire::ErrorCode`) are the rules core's.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use sla_rules::claims::{claimed_periods, ClaimRecord, Granted};
use sla_rules::wire::ErrorCode;
use yew::prelude::*;

use crate::api::{self, Cancel};
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

#[derive(Deserialize)]
struct ErrorDoc {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    // A body without a code still has a message to show.
    #[serde(default = "other_code")]
    code: ErrorCode,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: serde_json::Value,
}

fn other_code() -> ErrorCode {
    ErrorCode::Other
}

/// `error.message` of an error body, or nothing (a proxy's page is not shown).
pub fn server_message(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorDoc>(body)
        .map(|d| d.error.message)
        .unwrap_or_default()
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

/// The error for a non-2xx answer, from its status and `{"error":{code,message,details}}` body.
/// A body that is not the error document (a proxy's HTML page) still yields the status's meaning.
pub fn classify(status: u16, body: &[u8]) -> ClaimError {
    let e = serde_json::from_slice::<ErrorDoc>(body)
        .ok()
        .map(|d| d.error);
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
        (429, _) => ClaimError::RateLimited {
            retry_after: details.get("retry_after").and_then(|v| v.as_u64()),
        },
        (401, _) => ClaimError::Unauthorized,
        (403, _) => ClaimError::Forbidden,
        (503, ErrorCode::Timeout) | (504, _) | (408, _) => ClaimError::Timeout,
        (s, _) if s >= 500 => ClaimError::Server { status: s },
        (s, _) => ClaimError::Rejected {
            status: s,
            message: e.map(|e| e.message).unwrap_or_default(),
        },
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

/// Where the claims list stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimsStatus {
    /// No `claimsUrl`: claiming is not offered.
    Disabled,
    Loading,
    Ready,
    Failed(ClaimError),
}

/// The claims of the caller's contract, shared by the periods table, the entitlement and the flow.
#[derive(Clone, PartialEq)]
pub struct ClaimsCtx {
    pub status: ClaimsStatus,
    pub claims: Rc<Vec<ClaimRecord>>,
    /// Fetches the list again.
    pub reload: Callback<()>,
    /// Adds (or replaces, by claim_id) a claim the server just confirmed.
    pub confirmed: Callback<ClaimRecord>,
}

impl ClaimsCtx {
    pub fn claimed(&self) -> Vec<String> {
        claimed_periods(&self.claims)
    }
}

#[derive(Properties, PartialEq)]
pub struct ClaimsProviderProps {
    pub options: Rc<Options>,
    pub children: Children,
    /// Told of every claim the server confirms (the host's `sla-portal:claim-filed`).
    #[prop_or_default]
    pub on_claim_filed: Callback<ClaimRecord>,
    /// When the shell last found the documents current (ms since the epoch; 0 before the
    /// first load). Each later re-check reads the claims list again, so an operator's
    /// decision shows without a reload.
    #[prop_or_default]
    pub checked_at: f64,
}

/// Fetches the claims list at mount (and on `reload`, and again with each re-check of the
/// documents, conditionally on its `ETag`) and provides [`ClaimsCtx`].
#[component]
pub fn ClaimsProvider(props: &ClaimsProviderProps) -> Html {
    let status = use_state(|| {
        if props.options.claims_url.is_some() {
            ClaimsStatus::Loading
        } else {
            ClaimsStatus::Disabled
        }
    });
    let claims = use_state(|| Rc::new(Vec::<ClaimRecord>::new()));
    let generation = use_state(|| 0u32);
    // The `ETag` of the list last read, for the re-checks' conditional reads.
    let tag = use_mut_ref(|| None::<String>);
    {
        let (status, claims, tag) = (status.clone(), claims.clone(), tag.clone());
        // Keyed on the URL: a refreshed token (`update()`) does not refetch the list.
        let opts = props.options.clone();
        use_effect_with((props.options.claims_url.clone(), *generation), move |_| {
            let cancel = Cancel::new();
            if let Some(url) = opts.claims_url.clone() {
                let (opts, c) = (opts.clone(), cancel.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    // Without a tag: this read must bring the list.
                    let r = api::list_claims(&opts, &url, None, &c).await;
                    if c.is_cancelled() {
                        return;
                    }
                    match r {
                        Ok(Some(list)) => {
                            *tag.borrow_mut() = list.etag;
                            claims.set(Rc::new(list.claims));
                            status.set(ClaimsStatus::Ready);
                        }
                        Ok(None) => {}
                        Err(e) => status.set(ClaimsStatus::Failed(e)),
                    }
                });
            }
            // Unmount or reload: the request is aborted, not merely ignored.
            move || cancel.abort()
        });
    }
    // A refreshed token (`update()`) re-reads a list that failed; a list on screen stays.
    {
        let (status, generation) = (status.clone(), generation.clone());
        use_effect_with(
            (props.options.headers.clone(), props.options.credentials),
            move |_| {
                if matches!(*status, ClaimsStatus::Failed(_)) {
                    generation.set(*generation + 1);
                }
            },
        );
    }
    // The re-checks: quiet, so a failure keeps the list on screen (the next tick tries again)
    // and only a list that was never read says so. The first load's list (0 → a time, or
    // the time a resumed widget starts with) is the one the effect above reads.
    let last = use_mut_ref(|| props.checked_at);
    {
        let (status, claims, tag) = (status.clone(), claims.clone(), tag.clone());
        let opts = props.options.clone();
        use_effect_with(props.checked_at, move |at| {
            let cancel = Cancel::new();
            let again = *last.borrow() > 0.0 && *last.borrow() != *at;
            *last.borrow_mut() = *at;
            if let (true, Some(url)) = (again, opts.claims_url.clone()) {
                let c = cancel.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    // With the list's tag: an unchanged list is a 304 and changes nothing.
                    let held = tag.borrow().clone();
                    let r = api::list_claims(&opts, &url, held.as_deref(), &c).await;
                    if let (Ok(Some(list)), false) = (r, c.is_cancelled()) {
                        *tag.borrow_mut() = list.etag;
                        claims.set(Rc::new(list.claims));
                        status.set(ClaimsStatus::Ready);
                    }
                });
            }
            move || cancel.abort()
        });
    }
    let reload = {
        let g = generation.clone();
        Callback::from(move |_| g.set(*g + 1))
    };
    let confirmed = {
        let claims = claims.clone();
        let told = props.on_claim_filed.clone();
        Callback::from(move |c: ClaimRecord| {
            told.emit(c.clone());
            let mut v: Vec<ClaimRecord> = (**claims).clone();
            v.retain(|x| x.claim_id != c.claim_id);
            v.push(c);
            claims.set(Rc::new(v));
        })
    };
    let ctx = ClaimsCtx {
        status: (*status).clone(),
        claims: (*claims).clone(),
        reload,
        confirmed,
    };
    html! {
        <ContextProvider<ClaimsCtx> context={ctx}>
            { props.children.clone() }
        </ContextProvider<ClaimsCtx>>
    }
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
