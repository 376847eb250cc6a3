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

/// The store failed (I/O, corruption, a schema it does not know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
