//! A client's webhook subscriptions: create (the signing secret is in that one
//! answer only), list with each one's latest delivery, delete, and a
//! subscription's recent deliveries. Client tokens only, like filing a claim.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use sla_rules::wire::ErrorCode;

use crate::api::Caller;
use crate::errors::{json_response, ApiError};
use crate::events::{random_hex, EVENT_TYPES};
use crate::store::{DeliveryRecord, Subscription};
use crate::webhooks;
use crate::AppState;

/// A subscription body is a URL and a few words.
const BODY_LIMIT: usize = 16 * 1024;
pub const DESCRIPTION_LIMIT: usize = 200;
/// Subscriptions per client: each one multiplies every event's deliveries.
pub const MAX_SUBSCRIPTIONS: usize = 20;
/// Deliveries shown by `GET /api/v1/subscriptions/{id}/deliveries`.
const DELIVERIES_SHOWN: i64 = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSubscription {
    url: String,
    events: Vec<String>,
    #[serde(default)]
    description: String,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(422, ErrorCode::InvalidSubscription, message)
}

fn rfc3339_ms(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn delivery_json(d: &DeliveryRecord) -> Value {
    json!({
        "event_id": d.event_id,
        "type": d.event_type,
        "state": d.state,
        "attempts": d.attempts,
        "last_result": d.last_result,
        "created_at": rfc3339_ms(d.created_ms),
        "next_attempt_at": if d.state == "pending" { rfc3339_ms(d.next_ms) } else { None },
    })
}

/// A subscription as its client sees it: never the secret.
fn subscription_json(s: &Subscription, last: Option<&DeliveryRecord>) -> Value {
    json!({
        "id": s.id,
        "url": s.url,
        "events": s.events,
        "description": s.description,
        "created_at": s.created_at,
        "last_delivery": last.map(delivery_json),
    })
}

/// The client of a caller who sees all its contracts. A caller narrowed by
/// `sla_contracts` gets 403: a subscription receives every contract's events.
fn whole_client(caller: &Caller) -> Result<String, ApiError> {
    match caller.principal.contracts {
        None => Ok(caller.client.clone()),
        Some(_) => Err(ApiError::new(
            403,
            ErrorCode::Forbidden,
            "a token limited to some contracts cannot manage the client's webhooks",
        )),
    }
}

/// `POST /api/v1/subscriptions` with `{url, events, description}`: 201 with the
/// subscription and its secret, shown this once.
pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            413,
            ErrorCode::PayloadTooLarge,
            format!("a subscription body is at most {BODY_LIMIT} bytes"),
        )
    })?;
    let new: NewSubscription = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(400, ErrorCode::BadRequest, format!("subscription: {e}")))?;
    webhooks::parse_url(new.url.trim(), &state.webhooks)
        .map_err(|m| ApiError::new(422, ErrorCode::WebhookUrlRefused, m))?;
    if new.events.is_empty() {
        return Err(invalid(format!(
            "events: at least one of {}",
            EVENT_TYPES.join(", ")
        )));
    }
    let mut events: Vec<String> = Vec::new();
    for e in &new.events {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err(invalid(format!(
                "events: unknown event type {e:?} (known: {})",
                EVENT_TYPES.join(", ")
            ))
            .with_details(json!({ "event": e })));
        }
        if !events.contains(e) {
            events.push(e.clone());
        }
    }
    if new.description.chars().count() > DESCRIPTION_LIMIT {
        return Err(invalid(format!(
            "description: at most {DESCRIPTION_LIMIT} characters"
        )));
    }
    let secret = webhooks::new_secret()
        .ok_or_else(|| ApiError::internal("no randomness for a signing secret"))?;
    let sub = Subscription {
        id: format!("sub_{}", random_hex(12)),
        client_id: whole_client(&caller)?,
        url: new.url.trim().to_string(),
        events,
        description: new.description,
        secret: secret.clone(),
        created_at: crate::clock::now_rfc3339(),
    };
    let store = state.store.as_ref();
    if store.subscriptions(&sub.client_id).await?.len() >= MAX_SUBSCRIPTIONS {
        return Err(invalid(format!(
            "at most {MAX_SUBSCRIPTIONS} subscriptions per client"
        )));
    }
    store.create_subscription(&sub).await?;
    tracing::info!(client = %sub.client_id, subscription = %sub.id, "webhook subscription created");
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "subscription": subscription_json(&sub, None), "secret": secret }),
    ))
}

/// `GET /api/v1/subscriptions`: the caller's subscriptions, oldest first, each
/// with its latest delivery (`null` before the first).
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let store = state.store.as_ref();
    let client = whole_client(&caller)?;
    let subs = store.subscriptions(&client).await?;
    let mut out = Vec::with_capacity(subs.len());
    for s in &subs {
        let last = store.deliveries(&client, &s.id, 1).await?;
        out.push(subscription_json(s, last.first()));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({ "subscriptions": out }),
    ))
}

/// `DELETE /api/v1/subscriptions/{id}`: 204, or 404 for another client's or
/// an unknown id. Pending deliveries go with it.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let client = whole_client(&caller)?;
    let gone = state.store.delete_subscription(&client, &id).await?;
    if gone {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::new(
            404,
            ErrorCode::NotFound,
            "no such subscription",
        ))
    }
}

/// `GET /api/v1/subscriptions/{id}/deliveries`: the latest deliveries, newest first.
pub async fn deliveries(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let client = whole_client(&caller)?;
    let store = state.store.as_ref();
    if !store
        .subscriptions(&client)
        .await?
        .iter()
        .any(|s| s.id == id)
    {
        return Err(ApiError::new(
            404,
            ErrorCode::NotFound,
            "no such subscription",
        ));
    }
    let ds = store.deliveries(&client, &id, DELIVERIES_SHOWN).await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "deliveries": ds.iter().map(delivery_json).collect::<Vec<_>>() }),
    ))
}
