//! What the client and the operator claim routes (and the operator commands)
//! share: a stored claim as the data contract's record, its history as a client
//! sees it, and the body limit, so neither route module needs the other.

use sla_rules::claims::{self, ClaimRecord, ClaimRequest, Granted};

use crate::errors::ApiError;
use crate::store::{Event, StoredClaim};

/// A claim body is a few hundred bytes; 64 KiB leaves room for a 2,000-character
/// note in any script and refuses anything that is not a claim.
pub const CLAIM_BODY_LIMIT: usize = 64 * 1024;

/// A stored claim as the data contract shows it: the request's fields plus
/// `status`, `granted`, `submitted_at` and `updated_at`, as the rules core's type.
pub fn claim_record(c: &StoredClaim) -> Result<ClaimRecord, ApiError> {
    let bad =
        |e: serde_json::Error| ApiError::internal(format!("stored claim {}: {e}", c.claim_id));
    let request: ClaimRequest = serde_json::from_str(&c.request).map_err(bad)?;
    let granted: Granted = serde_json::from_str(&c.granted).map_err(bad)?;
    Ok(ClaimRecord::new(
        request,
        c.status,
        granted,
        c.submitted_at.clone(),
        c.updated_at.clone(),
    ))
}

/// A claim's status history as a client sees it: each status, when it was set,
/// and the operator's note (not who set it).
pub fn client_history(events: &[Event]) -> Vec<claims::StatusChange> {
    events
        .iter()
        .map(|e| claims::StatusChange {
            status: e.to,
            at: e.at.clone(),
            note: e.note.clone(),
        })
        .collect()
}
