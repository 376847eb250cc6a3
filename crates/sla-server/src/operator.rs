//! Operator review over HTTP: list claims by status and move a claim along the
//! workflow, with the same rules and audit rows as `claims set-status`. Only
//! operator tokens get in; they in turn can do nothing a client token can.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sla_rules::claims::ClaimRecord;

use crate::auth::Role;
use crate::claims_http::{claim_record, CLAIM_BODY_LIMIT};
use crate::errors::{json_response, ApiError};
use crate::store::{Event, Status, StatusError, Store, StoredClaim};
use crate::AppState;

/// An operator's note is for the client to read; a few paragraphs at most.
pub const NOTE_LIMIT: usize = 2000;

/// The authenticated operator of a request.
pub struct Operator(pub String);

impl FromRequestParts<Arc<AppState>> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Operator, ApiError> {
        let id = crate::auth::identify(
            &parts.headers,
            &parts.extensions,
            &state.tokens,
            state.jwt.as_deref(),
        )
        .await;
        if let Some(e) = crate::auth::refusal(&id) {
            return Err(e);
        }
        match id {
            crate::auth::Identity::Known(p) if p.role == Role::Operator => Ok(Operator(p.name)),
            _ => Err(ApiError::new(
                403,
                sla_rules::wire::ErrorCode::Forbidden,
                "operator routes need an operator token",
            )),
        }
    }
}

/// The full audit trail, for operators.
fn audit_history(events: &[Event]) -> Value {
    Value::Array(
        events
            .iter()
            .map(|e| {
                json!({ "status": e.to.as_str(), "from": e.from.map(Status::as_str),
                        "at": e.at, "actor": e.actor, "note": e.note })
            })
            .collect(),
    )
}

/// A claim as an operator sees it: the client's record, whose it is, and the full audit trail.
#[derive(Serialize)]
struct OperatorClaim {
    #[serde(flatten)]
    claim: ClaimRecord,
    client_id: String,
    history: Value,
}

async fn operator_claim(store: &dyn Store, c: &StoredClaim) -> Result<Value, ApiError> {
    let events = store.events(&c.claim_id).await?;
    let v = OperatorClaim {
        // The record's own (client) history stays empty, so the audit trail is the one written.
        claim: claim_record(c)?,
        client_id: c.client_id.clone(),
        history: audit_history(&events),
    };
    serde_json::to_value(v).map_err(|e| ApiError::internal(e.to_string()))
}

/// `GET /api/v1/operator/claims[?status=S]`: every claim (of every client),
/// oldest first, with its audit trail.
pub async fn list(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    req: Request,
) -> Result<Response, ApiError> {
    let mut filter = None;
    for (k, v) in req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|p| p.split_once('='))
    {
        if k == "status" {
            filter = Some(Status::parse(v).ok_or_else(|| {
                ApiError::new(
                    400,
                    sla_rules::wire::ErrorCode::BadRequest,
                    format!("status: one of {}", crate::statuses::all().join(", ")),
                )
            })?);
        }
    }
    let store = state.store.as_ref();
    let claims = match filter {
        Some(s) => store.claims_with_status(s).await?,
        None => store.all_claims().await?,
    };
    let mut out = Vec::with_capacity(claims.len());
    for c in &claims {
        out.push(operator_claim(store, c).await?);
    }
    Ok(json_response(StatusCode::OK, &json!({ "claims": out })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    status: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/operator/claims/{claim_id}/status` with `{"status", "note"}`.
pub async fn set_status(
    State(state): State<Arc<AppState>>,
    op: Operator,
    Path(claim_id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = axum::body::to_bytes(body, CLAIM_BODY_LIMIT)
        .await
        .map_err(|_| {
            ApiError::new(
                400,
                sla_rules::wire::ErrorCode::BadRequest,
                "the body could not be read",
            )
        })?;
    let change: StatusChange = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            400,
            sla_rules::wire::ErrorCode::BadRequest,
            format!("status change: {e}"),
        )
    })?;
    let to = Status::parse(&change.status).ok_or_else(|| {
        ApiError::new(
            400,
            sla_rules::wire::ErrorCode::BadRequest,
            format!("status: one of {}", crate::statuses::targets().join(", ")),
        )
    })?;
    if change.note.chars().count() > NOTE_LIMIT {
        return Err(ApiError::new(
            400,
            sla_rules::wire::ErrorCode::BadRequest,
            format!("note: at most {NOTE_LIMIT} characters"),
        ));
    }
    let actor = format!("operator:{}", op.0);
    let store = state.store.as_ref();
    let at = crate::clock::now_rfc3339();
    let v = match store
        .set_status(&claim_id, to, &actor, &change.note, &at)
        .await
    {
        Ok(c) => {
            tracing::info!(claim_id = %c.claim_id, status = to.as_str(), actor = %actor, "claim status changed");
            // Each state is signed as it is reached, so the client's history keeps them all.
            crate::receipts::of_stored(&state, &c).await;
            operator_claim(store, &c).await?
        }
        Err(StatusError::NotFound) => {
            return Err(ApiError::new(
                404,
                sla_rules::wire::ErrorCode::NotFound,
                "no such claim",
            ))
        }
        Err(StatusError::NotAllowed { from, to }) => {
            return Err(ApiError::new(
                409,
                sla_rules::wire::ErrorCode::StatusNotAllowed,
                format!("a {} claim cannot become {}", from.as_str(), to.as_str()),
            )
            .with_details(json!({ "from": from.as_str(), "to": to.as_str() })))
        }
        Err(StatusError::Store(e)) => return Err(e.into()),
    };
    Ok(json_response(StatusCode::OK, &v))
}
