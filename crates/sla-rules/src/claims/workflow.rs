//! A filed claim's life: its status and the operator's workflow, the record a server
//! answers with, and the claims listing the widget reads (docs/DATA_CONTRACT.md, "claims").

use serde::{Deserialize, Serialize};

use super::check::Granted;
use super::request::{ClaimRequest, Contact, Expected, Remedy, CLAIM_SCHEMA};

/// The schema tag of a claims listing.
pub const CLAIMS_SCHEMA: &str = "sla-portal/claims/v1";

/// A claim's place in the operator's workflow (DATA_CONTRACT.md, "claims").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Submitted,
    UnderReview,
    Approved,
    Rejected,
    Fulfilled,
}

impl ClaimStatus {
    /// Every status, in workflow order.
    pub const ALL: [ClaimStatus; 5] = [
        ClaimStatus::Submitted,
        ClaimStatus::UnderReview,
        ClaimStatus::Approved,
        ClaimStatus::Rejected,
        ClaimStatus::Fulfilled,
    ];

    /// The wire name, as serde writes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ClaimStatus;
    /// assert_eq!(ClaimStatus::UnderReview.as_str(), "under_review");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "submitted",
            ClaimStatus::UnderReview => "under_review",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Fulfilled => "fulfilled",
        }
    }

    /// The status named by its wire name.
    ///
    /// # Errors
    ///
    /// `None` for a name that is not one of the five statuses.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ClaimStatus;
    /// assert_eq!(ClaimStatus::parse("under_review"), Some(ClaimStatus::UnderReview));
    /// assert_eq!(ClaimStatus::parse("Approved"), None);
    /// ```
    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The operator's workflow: review is optional, a decision is final, and only
    /// an approved claim can be fulfilled. Nothing moves back to `submitted`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ClaimStatus::*;
    /// assert!(Submitted.can_move_to(Approved));
    /// assert!(!Rejected.can_move_to(Approved));
    /// assert!(!Submitted.can_move_to(Fulfilled));
    /// ```
    pub fn can_move_to(self, to: ClaimStatus) -> bool {
        use ClaimStatus::*;
        matches!(
            (self, to),
            (Submitted, UnderReview)
                | (Submitted, Approved)
                | (Submitted, Rejected)
                | (UnderReview, Approved)
                | (UnderReview, Rejected)
                | (Approved, Fulfilled)
        )
    }
}

/// A filed claim as the server answers it: the request's fields plus `status`,
/// `granted` (the server's figures), `submitted_at` and `updated_at`.
///
/// The server writes it and the widget reads it, so the two cannot drift; the
/// fields a listing may leave out default, so an older server's answer still reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    #[serde(default = "claim_schema")]
    pub schema: String,
    pub claim_id: String,
    #[serde(default)]
    pub contract_id: String,
    pub periods: Vec<String>,
    pub remedy: Remedy,
    #[serde(default)]
    pub expected: Expected,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub note: String,
    pub status: ClaimStatus,
    pub granted: Granted,
    #[serde(default)]
    pub submitted_at: String,
    #[serde(default)]
    pub updated_at: String,
    /// The claim's status changes as the client sees them, oldest first (in the claims
    /// list; a POST answer carries none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StatusChange>,
}

/// One status change of a claim as its client sees it: the status, when it was set,
/// and the operator's note (never who set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ClaimStatus,
    pub at: String,
    #[serde(default)]
    pub note: String,
}

fn claim_schema() -> String {
    CLAIM_SCHEMA.to_string()
}

impl ClaimRecord {
    /// The record of `request` as filed, in its current `status`: the server's answer.
    pub fn new(
        request: ClaimRequest,
        status: ClaimStatus,
        granted: Granted,
        submitted_at: String,
        updated_at: String,
    ) -> ClaimRecord {
        let ClaimRequest {
            schema,
            claim_id,
            contract_id,
            periods,
            remedy,
            expected,
            contact,
            note,
        } = request;
        ClaimRecord {
            schema,
            claim_id,
            contract_id,
            periods,
            remedy,
            expected,
            contact,
            note,
            status,
            granted,
            submitted_at,
            updated_at,
            history: Vec::new(),
        }
    }
}

/// The `GET claimsUrl` answer: `{ "schema": "sla-portal/claims/v1", "claims": [ … ] }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsList {
    pub schema: String,
    pub claims: Vec<ClaimRecord>,
}

impl ClaimsList {
    /// The listing of `claims` under the current schema tag.
    pub fn new(claims: Vec<ClaimRecord>) -> ClaimsList {
        ClaimsList {
            schema: CLAIMS_SCHEMA.to_string(),
            claims,
        }
    }
}

/// Reads a `GET claimsUrl` answer.
///
/// # Errors
///
/// The decoder's message when the bytes are not a claims list, or a message naming
/// the schema when it is not `sla-portal/claims/v1` (DATA_CONTRACT.md: an unknown
/// schema is an error, never a guess).
///
/// # Examples
///
/// ```
/// use sla_rules::claims::parse_claims_list;
/// assert_eq!(parse_claims_list(br#"{"schema":"sla-portal/claims/v1","claims":[]}"#), Ok(vec![]));
/// assert!(parse_claims_list(br#"{"schema":"sla-portal/claims/v2","claims":[]}"#).is_err());
/// ```
pub fn parse_claims_list(bytes: &[u8]) -> Result<Vec<ClaimRecord>, String> {
    let doc: ClaimsList = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if doc.schema != CLAIMS_SCHEMA {
        return Err(format!("schema \"{}\" is not {CLAIMS_SCHEMA}", doc.schema));
    }
    Ok(doc.claims)
}

/// Every period named by a filed claim, sorted, each once: a period is claimed
/// once, whatever became of the claim (a rejected claim keeps its periods).
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{claimed_periods, parse_claims_list};
/// let list = parse_claims_list(br#"{"schema":"sla-portal/claims/v1","claims":[
///   {"claim_id":"a","periods":["2026-03","2026-02"],"remedy":"contract_credit","status":"rejected",
///    "granted":{"remedy":"contract_credit","units":2,"contract_credit":10}},
///   {"claim_id":"b","periods":["2026-02"],"remedy":"service_extension","status":"submitted",
///    "granted":{"remedy":"service_extension","units":1,"service_extension_months":1}}]}"#).unwrap();
/// assert_eq!(claimed_periods(&list), ["2026-02", "2026-03"]);
/// ```
pub fn claimed_periods(claims: &[ClaimRecord]) -> Vec<String> {
    let mut v: Vec<String> = claims.iter().flat_map(|c| c.periods.clone()).collect();
    v.sort();
    v.dedup();
    v
}
