//! Probes for a load balancer: `/healthz` says the process answers, `/readyz`
//! says it can file claims (the store answers and no shutdown is under way).
//! Neither needs a token or says anything about a client.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::errors::{json_response, ApiError};
use crate::AppState;

/// A store that takes longer than this to answer a ping is not ready.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn healthz() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.shutting_down.load(Ordering::SeqCst) {
        return ApiError::new(
            503,
            sla_rules::wire::ErrorCode::ShuttingDown,
            "the server is shutting down",
        )
        .into_response();
    }
    match tokio::time::timeout(PING_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => json_response(StatusCode::OK, &json!({ "status": "ready" })),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the store does not answer");
            not_ready()
        }
        Err(_) => not_ready(),
    }
}

fn not_ready() -> Response {
    ApiError::new(
        503,
        sla_rules::wire::ErrorCode::StoreUnavailable,
        "the claims store is not answering",
    )
    .into_response()
}
