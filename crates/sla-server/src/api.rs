//! The per-client API of DATA_CONTRACT.md: the three documents, the claims list,
//! and filing a claim after the rules core has recomputed it.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sla_rules::claims::{check_claim, parse_claim, ClaimRecord, ClaimRequest};
use sla_rules::wire::ErrorCode;

use crate::auth::{Identity, Principal, Role};
use crate::claims_http::{claim_record, client_history, CLAIM_BODY_LIMIT};
use crate::data::{Coding, DataError, Doc, Scope};
use crate::errors::{json_response, ApiError};
use crate::store::{InsertError, NewClaim, StoredClaim};
use crate::AppState;

/// The query a document or claims request may carry.
#[derive(Deserialize)]
struct ClientQuery {
    client: Option<String>,
}

/// The authenticated client of a request, and what its identity allows.
pub struct Caller {
    pub client: String,
    pub principal: Principal,
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Caller, ApiError> {
        let id = crate::auth::identify(
            &parts.headers,
            &parts.extensions,
            &state.tokens,
            state.jwt.as_deref(),
        )
        .await;
        let principal = match id {
            Identity::Known(p) if p.role == Role::Client => p,
            Identity::Known(_) => {
                return Err(ApiError::new(
                    403,
                    ErrorCode::Forbidden,
                    "an operator token cannot use client routes",
                ))
            }
            other => {
                return Err(crate::auth::refusal(&other).unwrap_or_else(ApiError::unauthorized))
            }
        };
        let client = principal.name.clone();
        // `?client=ID` lets a host name the client it means; naming another is refused.
        // axum's `Query` percent-decodes, so `?client=ac%6De` names `acme`.
        let Query(named) = Query::<ClientQuery>::try_from_uri(&parts.uri).map_err(|e| {
            ApiError::new(
                400,
                ErrorCode::BadRequest,
                format!("query: {}", e.body_text()),
            )
        })?;
        if named.client.is_some_and(|other| other != client) {
            return Err(ApiError::new(
                403,
                ErrorCode::Forbidden,
                "the token does not grant access to that client",
            ));
        }
        Ok(Caller { client, principal })
    }
}

/// The contracts the caller sees, as scopes with their ids, in the contracts
/// document's order. A one-contract client's id is its usage.json's
/// `contract.id`, so listing it parses that document (cached).
pub(crate) async fn visible_contracts(
    state: &Arc<AppState>,
    caller: &Caller,
) -> Result<Vec<(String, Scope)>, ApiError> {
    let client = &caller.client;
    let all = match state
        .data
        .group_contracts(client)
        .await
        .map_err(data_error)?
    {
        Some(ids) => ids
            .into_iter()
            .map(|id| (id.clone(), Scope::group(client, &id)))
            .collect::<Vec<_>>(),
        None => {
            let u = state.data.usage(client).await.map_err(data_error)?;
            vec![(u.contract_id.clone(), Scope::single(client))]
        }
    };
    Ok(all
        .into_iter()
        .filter(|(id, _)| caller.principal.sees(id))
        .collect())
}

/// The contract a client-wide route (`/api/v1/usage`, …) means: the caller's only
/// one. Several: 400 `contract_required` with their ids.
pub(crate) async fn only_contract(
    state: &Arc<AppState>,
    caller: &Caller,
) -> Result<Scope, ApiError> {
    let group = state
        .data
        .group_contracts(&caller.client)
        .await
        .map_err(data_error)?;
    if group.is_none() && caller.principal.contracts.is_none() {
        // The one-contract layout as before: its documents are served unparsed.
        return Ok(Scope::single(&caller.client));
    }
    let mut seen = visible_contracts(state, caller).await?;
    match seen.len() {
        1 => Ok(seen.remove(0).1),
        0 => Err(ApiError::contract_forbidden()),
        _ => Err(ApiError::new(
            400,
            ErrorCode::ContractRequired,
            "this client has several contracts: use /api/v1/contracts/{id}/…",
        )
        .with_details(
            json!({ "contracts": seen.into_iter().map(|(id, _)| id).collect::<Vec<_>>() }),
        )),
    }
}

/// Contract `id` of the caller's client, if the caller sees it; 403 otherwise
/// (also for an id that does not exist: the answer tells nothing of other ids).
pub(crate) async fn named_contract(
    state: &Arc<AppState>,
    caller: &Caller,
    id: &str,
) -> Result<Scope, ApiError> {
    visible_contracts(state, caller)
        .await?
        .into_iter()
        .find(|(c, _)| c == id)
        .map(|(_, s)| s)
        .ok_or_else(ApiError::contract_forbidden)
}

/// A group contract's usage.json must name the contract its directory does: a
/// claim's `contract_id` is checked against it.
pub(crate) fn check_contract_id(scope: &Scope, contract_id: &str) -> Result<(), ApiError> {
    match &scope.contract {
        Some(dir) if dir != contract_id => Err(ApiError::new(
            500,
            ErrorCode::DataInvalid,
            format!(
                "{}/usage.json: contract.id is {contract_id:?}, not the directory's name {dir:?}",
                scope.dir
            ),
        )),
        _ => Ok(()),
    }
}

/// Runs CPU work a route does besides the data layer's (which goes off the async
/// workers itself: files, parsing, evaluation) on a blocking thread.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::internal("the request's work did not finish"))?
}

pub(crate) fn data_error(e: DataError) -> ApiError {
    match e {
        DataError::Missing(doc) => ApiError::new(
            404,
            ErrorCode::NotFound,
            format!("no {} for this client", doc.file_name()),
        ),
        DataError::Io(m) => {
            tracing::error!(error = %m, "reading client data");
            ApiError::internal("client data could not be read")
        }
        DataError::Invalid(e) => ApiError::new(500, ErrorCode::DataInvalid, e.to_string()),
    }
}

/// Whether `If-None-Match` names this entity tag (weak comparison, RFC 9110 §13.1.2).
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let want = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == want)
}

/// A body with a validator: `304 Not Modified` when the caller has it already.
pub fn conditional(
    headers: &HeaderMap,
    etag: &str,
    body: Bytes,
    content_type: &'static str,
    cache_control: &'static str,
) -> Response {
    let tag = HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"\""));
    let mut r = if none_match(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let h = r.headers_mut();
    h.insert(header::ETAG, tag);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    r
}

pub(crate) async fn document(
    state: Arc<AppState>,
    scope: Scope,
    headers: HeaderMap,
    doc: Doc,
) -> Result<Response, ApiError> {
    let client = scope.dir;
    let coding = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(Coding::choose);
    let f = state.data.file(&client, doc).await.map_err(data_error)?;
    // A document read from files is hashed on first use (a SHA-256 of a year):
    // off the async workers, like its read and its compression.
    let etag = match f.etag_ready() {
        Some(e) => e.to_string(),
        None => {
            let f = f.clone();
            blocking(move || Ok(f.etag().to_string())).await?
        }
    };
    let body = match coding {
        // A revalidation that will answer 304 needs no compressed body.
        Some(c) if !none_match(&headers, &format!("W/{etag}")) => {
            state.data.encoded(&client, doc, &f, c).await
        }
        _ => f.bytes.clone(),
    };
    // Weak: the same document goes out in several codings.
    let etag = format!("W/{etag}");
    let mut r = conditional(
        &headers,
        &etag,
        body,
        "application/json",
        // Per client (it needs the token) and worth revalidating on every view.
        "private, no-cache",
    );
    let ok = r.status() == StatusCode::OK;
    let h = r.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let (Some(c), true) = (coding, ok) {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c.name()));
    }
    Ok(r)
}

pub async fn usage(
    State(s): State<Arc<AppState>>,
    c: Caller,
    h: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = only_contract(&s, &c).await?;
    document(s, scope, h, Doc::Usage).await
}

pub async fn incidents(
    State(s): State<Arc<AppState>>,
    c: Caller,
    h: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = only_contract(&s, &c).await?;
    document(s, scope, h, Doc::Incidents).await
}

pub async fn policy(
    State(s): State<Arc<AppState>>,
    c: Caller,
    h: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = only_contract(&s, &c).await?;
    document(s, scope, h, Doc::Policy).await
}

/// `GET /api/v1/contracts/{id}/{usage|incidents|policy}`.
pub async fn contract_document(
    State(s): State<Arc<AppState>>,
    Path((id, doc)): Path<(String, String)>,
    c: Caller,
    h: HeaderMap,
) -> Result<Response, ApiError> {
    let doc = Doc::from_route(&doc)?;
    let scope = named_contract(&s, &c, &id).await?;
    document(s, scope, h, doc).await
}

pub async fn list_claims(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
    let scope = only_contract(&state, &caller).await?;
    claims_of(state, headers, scope).await
}

/// `GET /api/v1/contracts/{id}/claims`.
pub async fn list_contract_claims(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
    let scope = named_contract(&state, &caller, &id).await?;
    claims_of(state, headers, scope).await
}

/// The claims list of one contract.
async fn claims_of(
    state: Arc<AppState>,
    headers: HeaderMap,
    scope: Scope,
) -> Result<Response, ApiError> {
    let client = scope.client.clone();
    let usage = state.data.usage(&scope.dir).await.map_err(data_error)?;
    check_contract_id(&scope, &usage.contract_id)?;
    let stored = state.store.list_claims(&client, &usage.contract_id).await?;
    let mut claims = Vec::with_capacity(stored.len());
    for c in &stored {
        let mut record = claim_record(c)?;
        record.history = client_history(&state.store.events(&c.claim_id).await?);
        let receipts = crate::receipts::current(&state, &record, &scope).await;
        claims.push((record, receipts));
    }
    let (body, etag) = blocking(move || {
        let claims: Vec<_> = claims
            .iter()
            .map(|(record, (receipt, kept))| crate::receipts::WithReceipt {
                record,
                receipt: receipt.as_deref(),
                receipts: kept.iter().map(|r| r.jws.as_str()).collect(),
            })
            .collect();
        let list = crate::receipts::ListWithReceipts {
            schema: sla_rules::claims::CLAIMS_SCHEMA,
            claims,
        };
        // Off the async workers too: every open widget asks for the list each minute.
        let body = Bytes::from(crate::errors::json_text(&list));
        // Weak, like the documents': the compression layer sends it in several codings.
        let etag = format!("W/{}", crate::data::content_etag(&body));
        Ok((body, etag))
    })
    .await?;
    // The widget reads the list again with each re-check of the documents (every minute by
    // default), sending the tag it holds: an unchanged list costs a 304 and no parsing.
    // Still `no-store`: the list names the client's contact people.
    Ok(conditional(
        &headers,
        &etag,
        body,
        "application/json; charset=utf-8",
        "no-store",
    ))
}

async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            413,
            ErrorCode::PayloadTooLarge,
            format!("a claim body is at most {CLAIM_BODY_LIMIT} bytes"),
        )
    };
    axum::body::to_bytes(body, CLAIM_BODY_LIMIT)
        .await
        .map_err(|e| {
            let mut src: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = src {
                if s.is::<http_body_util::LengthLimitError>() {
                    return too_large();
                }
                src = s.source();
            }
            ApiError::new(400, ErrorCode::BadRequest, "the body could not be read")
        })
}

pub async fn post_claim(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    let scope = only_contract(&state, &caller).await?;
    post_claim_to(state, scope, req).await
}

/// `POST /api/v1/contracts/{id}/claims`.
pub async fn post_contract_claim(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    let scope = named_contract(&state, &caller, &id).await?;
    post_claim_to(state, scope, req).await
}

async fn post_claim_to(
    state: Arc<AppState>,
    scope: Scope,
    req: Request,
) -> Result<Response, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > CLAIM_BODY_LIMIT as u64) {
        return Err(ApiError::new(
            413,
            ErrorCode::PayloadTooLarge,
            format!("a claim body is at most {CLAIM_BODY_LIMIT} bytes"),
        ));
    }
    let body = read_body(req.into_body()).await?;
    let claim = parse_claim(&body, "claim").map_err(|e| {
        ApiError::new(400, ErrorCode::BadRequest, e.to_string())
            .with_details(json!({ "path": e.path }))
    })?;
    let (status, v) = file_claim(&state, &scope, &claim).await?;
    // A claim filed just now has no kept receipt: without a key, no store round trip.
    let receipt = if status == StatusCode::CREATED && state.signing.current.is_none() {
        None
    } else {
        crate::receipts::current(&state, &v, &scope).await.0
    };
    let answer = crate::receipts::WithReceipt {
        record: &v,
        receipt: receipt.as_deref(),
        receipts: Vec::new(),
    };
    Ok(json_response(status, &answer))
}

/// The answer to a claim_id seen before: the stored claim for a retry of the same
/// request by the same client, 409 for anything else.
fn replay(
    stored: &StoredClaim,
    client: &str,
    canonical: &str,
) -> Result<(StatusCode, ClaimRecord), ApiError> {
    if stored.client_id == client && stored.request == canonical {
        Ok((StatusCode::OK, claim_record(stored)?))
    } else {
        Err(ApiError::new(
            409,
            ErrorCode::ClaimIdReused,
            "this claim_id was filed before with another body",
        )
        .with_details(json!({ "claim_id": stored.claim_id })))
    }
}

/// Checks a claim with the rules core against the store and files it. The UNIQUE
/// keys make the outcome right under concurrency; the lookups before them only
/// choose the friendliest answer.
async fn file_claim(
    state: &Arc<AppState>,
    scope: &Scope,
    claim: &ClaimRequest,
) -> Result<(StatusCode, ClaimRecord), ApiError> {
    let client = scope.client.as_str();
    let store = state.store.as_ref();
    let canonical = serde_json::to_string(claim).map_err(|e| ApiError::internal(e.to_string()))?;
    let lookup = || async { Ok::<_, ApiError>(store.get_claim(&claim.claim_id).await?) };
    if let Some(stored) = lookup().await? {
        return replay(&stored, client, &canonical);
    }
    let report = state
        .data
        .report(&scope.dir, crate::clock::now_unix())
        .await
        .map_err(|e| match e {
            DataError::Missing(d) => {
                ApiError::internal(format!("no {} for this client", d.file_name()))
            }
            e => data_error(e),
        })?;
    check_contract_id(scope, &report.contract_id)?;
    let claimed = store.claimed_periods(client, &report.contract_id).await?;
    let granted = match check_claim(&report, &claimed, claim) {
        Ok(g) => g,
        Err(refusal) => {
            // A concurrent retry of this very claim may have filed it meanwhile.
            if let Some(stored) = lookup().await? {
                return replay(&stored, client, &canonical);
            }
            let refusal = ApiError::from(refusal);
            tracing::info!(claim_id = %claim.claim_id, client, code = %refusal.code, "claim refused");
            return Err(refusal);
        }
    };
    let new = NewClaim {
        claim_id: claim.claim_id.clone(),
        client_id: client.to_string(),
        contract_id: report.contract_id.clone(),
        periods: claim.periods.clone(),
        request: canonical.clone(),
        granted: serde_json::to_string(&granted).map_err(|e| ApiError::internal(e.to_string()))?,
        at: crate::clock::now_rfc3339(),
    };
    match store.insert_claim(&new).await {
        Ok(()) => {
            tracing::info!(claim_id = %new.claim_id, client, periods = ?new.periods, "claim filed");
            let record = ClaimRecord::new(
                claim.clone(),
                crate::store::Status::Submitted,
                granted,
                new.at.clone(),
                new.at,
            );
            Ok((StatusCode::CREATED, record))
        }
        Err(InsertError::ClaimIdTaken) => match lookup().await? {
            Some(stored) => replay(&stored, client, &canonical),
            None => Err(ApiError::internal("claim_id conflict without a claim")),
        },
        Err(InsertError::PeriodsTaken(taken)) => {
            if let Some(stored) = lookup().await? {
                return replay(&stored, client, &canonical);
            }
            Err(ApiError::new(
                409,
                ErrorCode::PeriodAlreadyClaimed,
                format!("already claimed: {}", taken.join(", ")),
            )
            .with_details(json!({ "periods": taken })))
        }
        Err(InsertError::Store(e)) => Err(e.into()),
    }
}

/// The query of `GET /demo/token`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoTokenQuery {
    client: Option<String>,
    role: Option<String>,
}

/// `GET /demo/token[?client=globex | ?role=operator]` (with `--demo` only): a demo
/// client's token for the demo page (acme's by default; `globex`, the group, by name),
/// or the demo operator's for the console's page, so that no token is written into a
/// page or the widget bundle.
pub async fn demo_token(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let Query(q) = Query::<DemoTokenQuery>::try_from_uri(&uri).map_err(|e| {
        ApiError::new(
            400,
            ErrorCode::BadRequest,
            format!("query: {}", e.body_text()),
        )
    })?;
    let bad = |m: &str| ApiError::new(400, ErrorCode::BadRequest, m);
    let found = match (q.role.as_deref(), q.client) {
        (Some("operator"), None) => state.demo_operator_token.as_ref(),
        (Some("operator"), Some(_)) => return Err(bad("role=operator names no client")),
        (Some("client") | None, None) => state.demo_tokens.first().map(|(_, t)| t),
        (Some("client") | None, Some(c)) => state
            .demo_tokens
            .iter()
            .find(|(id, _)| *id == c)
            .map(|(_, t)| t),
        (Some(_), _) => return Err(bad("role: client or operator")),
    };
    match found {
        Some(t) => Ok(json_response(StatusCode::OK, &json!({ "token": t }))),
        None => Err(ApiError::not_found()),
    }
}
