//! The claims store behind a small trait, so handlers never see SQL and a larger
//! deployment can swap the embedded SQLite store for PostgreSQL (README.md).

use std::fmt;

/// A claim's place in the operator's workflow: the rules core's type, so the
/// server, the store and the widget spell and order it the same way.
pub use sla_rules::claims::ClaimStatus as Status;

/// A claim the server has checked and is about to file.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub claim_id: String,
    pub client_id: String,
    pub contract_id: String,
    pub periods: Vec<String>,
    /// The request as canonical JSON text.
    pub request: String,
    /// `sla_rules::claims::Granted` as JSON text.
    pub granted: String,
    pub at: String,
}

/// A filed claim as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    pub claim_id: String,
    pub client_id: String,
    pub contract_id: String,
    pub request: String,
    pub granted: String,
    pub status: Status,
    pub submitted_at: String,
    pub updated_at: String,
}

/// One row of a claim's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: String,
    pub from: Option<Status>,
    pub to: Status,
    pub actor: String,
    pub note: String,
}

/// The store failed (I/O, corruption, a schema it does not know), or could not be
/// reached (`unavailable`: a lost connection, a database that is down or busy).
/// The second kind is worth a retry and answers 503; the first is a bug or damage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub message: String,
    pub unavailable: bool,
}

impl StoreError {
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            unavailable: false,
        }
    }

    pub fn unavailable(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            unavailable: true,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for crate::errors::ApiError {
    /// A store that does not answer is 503 (the client keeps its draft and retries
    /// with the same claim_id); anything else is a 500. The message stays in the log:
    /// it may name tables or hosts.
    fn from(e: StoreError) -> crate::errors::ApiError {
        if e.unavailable {
            tracing::warn!(error = %e.message, "store unavailable");
            crate::errors::ApiError::new(
                503,
                sla_rules::wire::ErrorCode::StoreUnavailable,
                "the claims store is not answering; nothing was filed by this request unless a retry says so",
            )
        } else {
            tracing::error!(error = %e.message, "store failed");
            crate::errors::ApiError::internal("the claims store failed")
        }
    }
}

impl std::error::Error for StoreError {}

/// A client's webhook subscription. The secret is stored so deliveries can be
/// signed; the API shows it once, in the answer that created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub client_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub secret: String,
    pub created_at: String,
}

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

/// A due delivery, leased to one worker until `lease_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: String,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub event_type: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub created_ms: i64,
}

/// A delivery as its subscriber sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_result: String,
    pub created_ms: i64,
    pub next_ms: i64,
}

/// What one attempt ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx: no more attempts.
    Delivered(String),
    /// Try again at `next_ms`.
    Retry { next_ms: i64, result: String },
    /// The retry window is over: given up, and shown as failed.
    Failed(String),
}

impl Outcome {
    pub fn state(&self) -> &'static str {
        match self {
            Outcome::Delivered(_) => "delivered",
            Outcome::Retry { .. } => "pending",
            Outcome::Failed(_) => "failed",
        }
    }

    pub fn result(&self) -> &str {
        match self {
            Outcome::Delivered(r) | Outcome::Failed(r) | Outcome::Retry { result: r, .. } => r,
        }
    }
}

/// Whether a subscription wants an event type (its `events` are stored as JSON).
pub fn wants(events_json: &str, event_type: &str) -> bool {
    serde_json::from_str::<Vec<String>>(events_json)
        .map(|v| v.iter().any(|e| e == event_type))
        .unwrap_or(false)
}

/// Why a claim was not inserted. The two conflicts come from UNIQUE keys, so they
/// hold across concurrent requests and across server processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertError {
    ClaimIdTaken,
    /// The periods of this claim that another claim of the contract holds.
    PeriodsTaken(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for InsertError {
    fn from(e: StoreError) -> Self {
        InsertError::Store(e)
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusError {
    NotFound,
    NotAllowed { from: Status, to: Status },
    Store(StoreError),
}

impl From<StoreError> for StatusError {
    fn from(e: StoreError) -> Self {
        StatusError::Store(e)
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusError::NotFound => f.write_str("no such claim"),
            StatusError::NotAllowed { from, to } => {
                write!(f, "a {} claim cannot become {}", from.as_str(), to.as_str())
            }
            StatusError::Store(e) => write!(f, "store: {e}"),
        }
    }
}

/// Everything the server and the operator commands need from storage. Calls block:
/// the HTTP handlers run them on `spawn_blocking`. Every method is one transaction;
/// an `Ok` from `insert_claim` or `set_status` means the change is durable.
pub trait Store: Send + Sync + 'static {
    fn get_claim(&self, claim_id: &str) -> Result<Option<StoredClaim>, StoreError>;
    /// The periods of the contract that claims hold.
    fn claimed_periods(&self, contract_id: &str) -> Result<Vec<String>, StoreError>;
    /// Files a claim, its periods and its first audit row, all or nothing.
    fn insert_claim(&self, claim: &NewClaim) -> Result<(), InsertError>;
    /// One client's claims on one contract, oldest first.
    fn list_claims(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<StoredClaim>, StoreError>;
    /// Every claim, oldest first (operator listing).
    fn all_claims(&self) -> Result<Vec<StoredClaim>, StoreError>;
    /// The claims in one status, oldest first (the operator's review queue).
    fn claims_with_status(&self, status: Status) -> Result<Vec<StoredClaim>, StoreError> {
        Ok(self
            .all_claims()?
            .into_iter()
            .filter(|c| c.status == status)
            .collect())
    }
    /// Moves a claim along the workflow, writes an audit row and queues
    /// `claim.status_changed` for the client's subscribers, all in one transaction:
    /// a crash never leaves a change that subscribers are not told of.
    fn set_status(
        &self,
        claim_id: &str,
        to: Status,
        actor: &str,
        note: &str,
        at: &str,
    ) -> Result<StoredClaim, StatusError>;
    fn events(&self, claim_id: &str) -> Result<Vec<Event>, StoreError>;
    /// A cheap round trip, for `/readyz`.
    fn ping(&self) -> Result<(), StoreError>;
    /// Connection pool figures for `/metrics`, when the store has a pool.
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }
    fn create_subscription(&self, s: &Subscription) -> Result<(), StoreError>;
    /// One client's subscriptions, oldest first.
    fn subscriptions(&self, client_id: &str) -> Result<Vec<Subscription>, StoreError>;
    /// Deletes a subscription of this client and its outbox rows; `false` when
    /// the client has no such subscription.
    fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool, StoreError>;
    /// Queues the event for each of the client's subscriptions that wants it;
    /// returns how many deliveries were queued.
    fn enqueue(&self, event: &OutEvent) -> Result<usize, StoreError>;
    /// Records that the client's `period` breached and queues `event`, in one
    /// transaction, unless the breach was recorded before (then `false`, nothing queued).
    fn emit_breach(&self, period: &str, event: &OutEvent) -> Result<bool, StoreError>;
    /// Leases up to `limit` pending deliveries due at `now_ms` until `lease_ms`,
    /// so that no other worker (or server) takes them meanwhile.
    fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Records one attempt's outcome and ends the lease.
    fn finish_attempt(&self, delivery_id: i64, outcome: &Outcome) -> Result<(), StoreError>;
    /// A subscription's deliveries, newest first.
    fn deliveries(
        &self,
        client_id: &str,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
}

/// How busy a connection pool is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
}

#[cfg(test)]
mod tests {
    use super::Status::*;

    #[test]
    fn workflow_moves_forward_only() {
        assert!(Submitted.can_move_to(UnderReview));
        assert!(UnderReview.can_move_to(Approved));
        assert!(Approved.can_move_to(Fulfilled));
        // A rejected claim is final, and fulfilment needs an approval first.
        assert!(!Rejected.can_move_to(Approved));
        assert!(!Submitted.can_move_to(Fulfilled));
        assert!(!UnderReview.can_move_to(Submitted));
        assert!(!Approved.can_move_to(Approved));
    }
}
