//! The outbox's events: their types and their bodies, made in one place for the
//! store (which queues `claim.status_changed` with the change) and for the breach
//! evaluator, so neither needs the other to build one.

use serde_json::{json, Value};

pub const PERIOD_BREACHED: &str = "period.breached";
pub const CLAIM_STATUS_CHANGED: &str = "claim.status_changed";
/// The event types a subscription may ask for.
pub const EVENT_TYPES: [&str; 2] = [PERIOD_BREACHED, CLAIM_STATUS_CHANGED];

/// An event for a client's subscribers: one outbox row per subscription that
/// wants `event_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutEvent {
    pub id: String,
    pub client_id: String,
    pub event_type: String,
    /// The JSON body `{id, type, created_at, data}`, sent as is on every attempt.
    pub body: String,
    /// Milliseconds since the epoch.
    pub created_ms: i64,
}

/// An event for the outbox: its body is `{id, type, created_at, data}`.
pub fn event(client_id: &str, event_type: &str, data: Value) -> OutEvent {
    let id = format!("evt_{}", random_hex(16));
    let created_ms = crate::clock::now_millis();
    let body = json!({
        "id": id,
        "type": event_type,
        "created_at": crate::clock::now_rfc3339(),
        "data": data,
    });
    OutEvent {
        id,
        client_id: client_id.to_string(),
        event_type: event_type.to_string(),
        body: body.to_string(),
        created_ms,
    }
}

/// `n` random bytes as lowercase hex, from the operating system's generator.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // The OS generator failing means no safe secret can be made: fall back to a
    // clock-derived value only for ids, never silently for secrets (see
    // webhooks::new_secret).
    if getrandom::getrandom(&mut b).is_err() {
        let t = crate::clock::now_millis().to_le_bytes();
        for (i, x) in b.iter_mut().enumerate() {
            *x = t[i % t.len()] ^ (i as u8);
        }
    }
    hex(&b)
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
