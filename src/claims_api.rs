//! The claims API of docs/DATA_CONTRACT.md from the widget's side: list and file claims,
//! classify every answer into a [`ClaimError`] the views translate, and share the
//! claims list with every tab through a context ([`ClaimsProvider`]).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use sla_rules::claims::{ClaimRequest, Contact, Expected, Granted, Remedy, CLAIMS_SCHEMA};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::options::{Credentials, Options};

/// A claim as the server stores it: the request's fields plus its workflow state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledClaim {
    pub claim_id: String,
    #[serde(default)]
    pub contract_id: String,
    pub periods: Vec<String>,
    pub remedy: Remedy,
    #[serde(default)]
    pub expected: Expected,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub note: String,
    /// `submitted` | `under_review` | `approved` | `rejected` | `fulfilled`.
    pub status: String,
    pub granted: Granted,
    #[serde(default)]
    pub submitted_at: String,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Deserialize)]
struct ClaimsDoc {
    schema: String,
    claims: Vec<FiledClaim>,
}

/// Reads a `GET claimsUrl` answer; an unknown schema is an error (docs/DATA_CONTRACT.md).
pub fn parse_claims(bytes: &[u8]) -> Result<Vec<FiledClaim>, String> {
    let doc: ClaimsDoc = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if doc.schema != CLAIMS_SCHEMA {
        return Err(format!("schema \"{}\" is not {CLAIMS_SCHEMA}", doc.schema));
    }
    Ok(doc.claims)
}

/// Every period named by a filed claim: a period is claimed once, whatever became of the claim.
pub fn claimed_periods(claims: &[FiledClaim]) -> Vec<String> {
    let mut v: Vec<String> = claims.iter().flat_map(|c| c.periods.clone()).collect();
    v.sort();
    v.dedup();
    v
}

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
}

impl ClaimError {
    /// Whether the server may have filed the claim anyway: a retry must re-send the same body.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ClaimError::Timeout | ClaimError::Offline | ClaimError::Server { .. }
        )
    }
}

#[derive(Deserialize)]
struct ErrorDoc {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: serde_json::Value,
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
    let code = e.as_ref().map(|e| e.code.as_str()).unwrap_or("");
    let details = e
        .as_ref()
        .map(|e| e.details.clone())
        .unwrap_or(serde_json::Value::Null);
    match (status, code) {
        (409, "claim_id_reused") => ClaimError::IdReused,
        (409, _) => ClaimError::AlreadyClaimed {
            periods: periods_of(&details),
        },
        (422, "period_not_breached") => ClaimError::NotBreached {
            periods: periods_of(&details),
        },
        (422, "nothing_to_grant") => ClaimError::NothingToGrant,
        (422, _) => ClaimError::Mismatch {
            granted: details
                .get("granted")
                .and_then(|g| serde_json::from_value(g.clone()).ok()),
        },
        (401, _) => ClaimError::Unauthorized,
        (403, _) => ClaimError::Forbidden,
        (503, "timeout") | (504, _) | (408, _) => ClaimError::Timeout,
        (s, _) if s >= 500 => ClaimError::Server { status: s },
        (s, _) => ClaimError::Rejected {
            status: s,
            message: e.map(|e| e.message).unwrap_or_default(),
        },
    }
}

/// A `setTimeout` that aborts a request unless dropped first, remembering whether it fired.
struct Deadline {
    fired: Rc<Cell<bool>>,
    _timer: crate::fetch::Timer,
}

impl Deadline {
    fn new(ms: u32, controller: &web_sys::AbortController) -> Option<Deadline> {
        let fired = Rc::new(Cell::new(false));
        let (f, c) = (fired.clone(), controller.clone());
        let timer = crate::fetch::Timer::new(ms, move || {
            f.set(true);
            c.abort();
        })?;
        Some(Deadline {
            fired,
            _timer: timer,
        })
    }
}

/// One request to the claims URL: status and body bytes, or the transport failure.
async fn request(
    opts: &Options,
    url: &str,
    body: Option<&str>,
) -> Result<(u16, Vec<u8>), ClaimError> {
    let window = web_sys::window().ok_or(ClaimError::Offline)?;
    let controller = web_sys::AbortController::new().map_err(|_| ClaimError::Offline)?;
    let deadline = Deadline::new(opts.timeout_ms, &controller);
    let timed_out = || deadline.as_ref().is_some_and(|d| d.fired.get());
    let run = async {
        let init = web_sys::RequestInit::new();
        init.set_method(if body.is_some() { "POST" } else { "GET" });
        init.set_credentials(match opts.credentials {
            Credentials::Omit => web_sys::RequestCredentials::Omit,
            Credentials::SameOrigin => web_sys::RequestCredentials::SameOrigin,
            Credentials::Include => web_sys::RequestCredentials::Include,
        });
        let headers = web_sys::Headers::new()?;
        headers.set("Accept", "application/json")?;
        for (k, v) in &opts.headers {
            headers.set(k, v)?;
        }
        if let Some(b) = body {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&JsValue::from_str(b));
        }
        init.set_headers(&headers);
        init.set_signal(Some(&controller.signal()));
        let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await?
            .dyn_into()?;
        let buf = JsFuture::from(resp.array_buffer()?).await?;
        Ok::<_, JsValue>((resp.status(), Uint8Array::new(&buf).to_vec()))
    };
    match run.await {
        Ok(r) => Ok(r),
        Err(_) if timed_out() => Err(ClaimError::Timeout),
        Err(_) => Err(ClaimError::Offline),
    }
}

/// `GET claimsUrl`.
pub async fn list(opts: &Options, url: &str) -> Result<Vec<FiledClaim>, ClaimError> {
    let (status, body) = request(opts, url, None).await?;
    if !(200..300).contains(&status) {
        return Err(classify(status, &body));
    }
    parse_claims(&body).map_err(|message| ClaimError::Rejected { status, message })
}

/// `POST claimsUrl`: the filed claim on 201 (new) or 200 (the same request again).
pub async fn file(
    opts: &Options,
    url: &str,
    claim: &ClaimRequest,
) -> Result<FiledClaim, ClaimError> {
    let body = serde_json::to_string(claim).map_err(|e| ClaimError::Rejected {
        status: 0,
        message: e.to_string(),
    })?;
    let (status, bytes) = request(opts, url, Some(&body)).await?;
    if status == 200 || status == 201 {
        serde_json::from_slice(&bytes).map_err(|e| ClaimError::Rejected {
            status,
            message: e.to_string(),
        })
    } else {
        Err(classify(status, &bytes))
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
    pub claims: Rc<Vec<FiledClaim>>,
    /// Fetches the list again.
    pub reload: Callback<()>,
    /// Adds (or replaces, by claim_id) a claim the server just confirmed.
    pub confirmed: Callback<FiledClaim>,
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
    pub on_claim_filed: Callback<FiledClaim>,
}

/// Fetches the claims list once at mount (and on `reload`) and provides [`ClaimsCtx`].
#[component]
pub fn ClaimsProvider(props: &ClaimsProviderProps) -> Html {
    let status = use_state(|| {
        if props.options.claims_url.is_some() {
            ClaimsStatus::Loading
        } else {
            ClaimsStatus::Disabled
        }
    });
    let claims = use_state(|| Rc::new(Vec::<FiledClaim>::new()));
    let generation = use_state(|| 0u32);
    {
        let (status, claims) = (status.clone(), claims.clone());
        // Keyed on the URL: a refreshed token (`update()`) does not refetch the list.
        let opts = props.options.clone();
        use_effect_with((props.options.claims_url.clone(), *generation), move |_| {
            let alive = Rc::new(Cell::new(true));
            if let Some(url) = opts.claims_url.clone() {
                let (opts, a) = (opts.clone(), alive.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let r = list(&opts, &url).await;
                    if !a.get() {
                        return;
                    }
                    match r {
                        Ok(list) => {
                            claims.set(Rc::new(list));
                            status.set(ClaimsStatus::Ready);
                        }
                        Err(e) => status.set(ClaimsStatus::Failed(e)),
                    }
                });
            }
            move || alive.set(false)
        });
    }
    let reload = {
        let g = generation.clone();
        Callback::from(move |_| g.set(*g + 1))
    };
    let confirmed = {
        let claims = claims.clone();
        let told = props.on_claim_filed.clone();
        Callback::from(move |c: FiledClaim| {
            told.emit(c.clone());
            let mut v: Vec<FiledClaim> = (**claims).clone();
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
    fn claims_list_and_claimed_periods() {
        let doc = br#"{"schema":"sla-portal/claims/v1","claims":[
          {"claim_id":"a","periods":["2026-03","2026-02"],"remedy":"contract_credit","status":"rejected",
           "granted":{"remedy":"contract_credit","units":2,"contract_credit":10}},
          {"claim_id":"b","periods":["2026-05"],"remedy":"service_extension","status":"submitted",
           "granted":{"remedy":"service_extension","units":1,"service_extension_months":1,"service_end":"2026-12-30"}}]}"#;
        let v = parse_claims(doc).unwrap();
        // A rejected claim keeps its periods claimed (sla-server README).
        assert_eq!(claimed_periods(&v), ["2026-02", "2026-03", "2026-05"]);
        assert!(parse_claims(br#"{"schema":"sla-portal/claims/v2","claims":[]}"#).is_err());
    }
}
