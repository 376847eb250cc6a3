//! Who is an operator, and a claim as an operator sees it (the routes are in
//! `operator_queue.rs`). Only operator tokens get in; they in turn can do nothing
//! a client token can.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use serde_json::{json, Value};
use sla_rules::claims::ClaimRecord;

use crate::auth::Role;
use crate::claims_http::claim_record;
use crate::errors::ApiError;
use crate::store::{Event, Status, Store, StoredClaim};
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

pub async fn operator_claim(store: &dyn Store, c: &StoredClaim) -> Result<Value, ApiError> {
    let events = store.events(&c.claim_id).await?;
    let v = OperatorClaim {
        // The record's own (client) history stays empty, so the audit trail is the one written.
        claim: claim_record(c)?,
        client_id: c.client_id.clone(),
        history: audit_history(&events),
    };
    serde_json::to_value(v).map_err(|e| ApiError::internal(e.to_string()))
}
