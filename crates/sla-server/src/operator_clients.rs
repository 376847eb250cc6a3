//! The clients' documents for operators, read-only: `GET /api/v1/operator/clients`
//! lists every client's contracts, and `GET /api/v1/operator/clients/{client}/
//! contracts/{id}/{usage|incidents|policy}` serves a contract's document exactly
//! as its client's routes do (same bytes, ETag and codings).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::api::document;
use crate::data::Doc;
use crate::errors::{json_response, ApiError};
use crate::exposure::all_scopes;
use crate::operator::Operator;
use crate::AppState;

/// `GET /api/v1/operator/clients`: `{"clients":[{"id","contracts":[{"id","links"}]}],"unreadable":[…]}`.
pub async fn list(State(state): State<Arc<AppState>>, _op: Operator) -> Result<Response, ApiError> {
    let scopes = all_scopes(&state).await;
    let mut clients: Vec<Value> = Vec::new();
    for (id, scope) in scopes.ok {
        let base = format!("/api/v1/operator/clients/{}/contracts/{id}", scope.client);
        let contract = json!({
            "id": id,
            "links": {
                "usage": format!("{base}/usage"),
                "incidents": format!("{base}/incidents"),
                "policy": format!("{base}/policy"),
            },
        });
        match clients.last_mut() {
            Some(c) if c["id"] == scope.client.as_str() => {
                if let Some(list) = c["contracts"].as_array_mut() {
                    list.push(contract);
                }
            }
            _ => clients.push(json!({ "id": scope.client, "contracts": [contract] })),
        }
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "clients": clients,
            "unreadable": scopes.unreadable.iter().map(|u| u.json()).collect::<Vec<_>>(),
        }),
    ))
}

/// `GET /api/v1/operator/clients/{client}/contracts/{id}/{usage|incidents|policy}`.
/// Only a client of `tokens.json` and one of its contracts are looked up, so a path
/// names no other directory; anything else is 404.
pub async fn document_of(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    Path((client, id, doc)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let doc = Doc::from_route(&doc)?;
    let scope = all_scopes(&state)
        .await
        .ok
        .into_iter()
        .find(|(c, s)| *c == id && s.client == client)
        .map(|(_, s)| s)
        .ok_or_else(ApiError::not_found)?;
    document(state, scope, headers, doc).await
}
