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
                sla_rules::claims::ErrorCode::StoreUnavailable,
                "the claims store is not answering; nothing was filed by this request unless a retry says so",
            )
        } else {
            tracing::error!(error = %e.message, "store failed");
            crate::errors::ApiError::internal("the claims store failed")
        }
    }
}

impl std::error::Error for StoreError {}

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
    /// Moves a claim along the workflow and writes an audit row in the same transaction.
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
