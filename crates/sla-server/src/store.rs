//! The claims store behind a small async trait, so handlers never see SQL and a
//! larger deployment can swap the embedded SQLite store for PostgreSQL (README.md).
//! The workflows that write (filing a claim and its conflict answers, a status change,
//! a breach, the outbox fan-out) are written once here, over per-backend row
//! functions that hold only SQL text and row decoding.

use std::fmt;

use async_trait::async_trait;

pub use crate::events::OutEvent;

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

impl StoredClaim {
    /// The claim's version, for `ETag` and `If-Match`: its status and when it was
    /// set. A status only moves forward and never returns, so every change makes a
    /// new version.
    pub fn version(&self) -> String {
        format!("{}.{}", self.status.as_str(), self.updated_at)
    }
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

/// The signed receipt of one state of a claim (`receipts.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub status: Status,
    /// The claim's `updated_at` in that state.
    pub at: String,
    pub kid: String,
    pub jws: String,
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

/// Why a claim was not filed.
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
    NotAllowed {
        from: Status,
        to: Status,
    },
    /// The claim is no longer at the version the caller read (`If-Match`): here it is.
    Stale(Box<StoredClaim>),
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
            StatusError::Stale(c) => write!(f, "claim {} changed meanwhile", c.claim_id),
            StatusError::Store(e) => write!(f, "store: {e}"),
        }
    }
}

/// Reads a status stored by either backend. `claims` has a CHECK on its spelling,
/// `claim_events` has none, and a row written by hand or by a newer binary can carry
/// any text: that is damage to report, never a status to guess.
pub fn parse_status(text: &str, column: &str) -> Result<Status, StoreError> {
    Status::parse(text).ok_or_else(|| StoreError::new(format!("{column}: unknown status {text:?}")))
}

/// Why a claim's rows were refused: which UNIQUE key, or the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    ClaimId,
    /// The contract's periods that other claims held, read right after the
    /// refused rows were rolled back.
    Periods(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for RowError {
    fn from(e: StoreError) -> Self {
        RowError::Store(e)
    }
}

/// The answer to a refused insert: for a period conflict, which of the claim's
/// own periods other claims held.
pub fn refusal(c: &NewClaim, e: RowError) -> InsertError {
    match e {
        RowError::ClaimId => InsertError::ClaimIdTaken,
        RowError::Store(e) => InsertError::Store(e),
        RowError::Periods(held) => InsertError::PeriodsTaken(
            c.periods
                .iter()
                .filter(|p| held.contains(p))
                .cloned()
                .collect(),
        ),
    }
}

/// The first audit row of a filed claim.
pub fn filed_event(c: &NewClaim) -> Event {
    Event {
        at: c.at.clone(),
        from: None,
        to: Status::Submitted,
        actor: format!("client:{}", c.client_id),
        note: String::new(),
    }
}

/// Everything the server and the operator commands need from storage. Each
/// backend does its blocking work (if any) inside its own methods, so callers
/// just await them. Every method is one transaction.
///
/// The methods under "rows" serve the workflows of `impl dyn Store` below, which
/// are the only writers of claims, statuses and the outbox.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn get_claim(&self, claim_id: &str) -> Result<Option<StoredClaim>, StoreError>;
    /// The periods of the client's contract that claims hold, in order.
    async fn claimed_periods(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<String>, StoreError>;
    /// One client's claims on one contract, oldest first.
    async fn list_claims(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<StoredClaim>, StoreError>;
    /// Every claim, oldest first (operator listing).
    async fn all_claims(&self) -> Result<Vec<StoredClaim>, StoreError>;
    /// The claims in one status, oldest first (the operator's review queue).
    async fn claims_with_status(&self, status: Status) -> Result<Vec<StoredClaim>, StoreError> {
        Ok(self
            .all_claims()
            .await?
            .into_iter()
            .filter(|c| c.status == status)
            .collect())
    }
    async fn events(&self, claim_id: &str) -> Result<Vec<Event>, StoreError>;
    /// One keyset page of the operator queue, oldest first, each claim with its
    /// filing sequence (the cursor's tie-breaker); SQL from `queue_sql`.
    async fn queue_page(
        &self,
        q: &crate::queue_sql::QueueQuery,
    ) -> Result<Vec<(StoredClaim, i64)>, StoreError>;
    /// The number of claims in each status under the queue's filters (not its
    /// status filter or cursor).
    async fn queue_counts(
        &self,
        q: &crate::queue_sql::QueueQuery,
    ) -> Result<Vec<(Status, i64)>, StoreError>;
    /// The claim's receipts, oldest first.
    async fn receipts(&self, claim_id: &str) -> Result<Vec<Receipt>, StoreError>;
    /// Keeps a receipt unless the claim has one for that status already.
    async fn put_receipt(&self, claim_id: &str, r: &Receipt) -> Result<(), StoreError>;
    /// A cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Connection pool figures for `/metrics`, when the store has a pool.
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }
    async fn create_subscription(&self, s: &Subscription) -> Result<(), StoreError>;
    /// One client's subscriptions, oldest first.
    async fn subscriptions(&self, client_id: &str) -> Result<Vec<Subscription>, StoreError>;
    /// Deletes a subscription of this client and its outbox rows; `false` when
    /// the client has no such subscription.
    async fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool, StoreError>;
    /// Whether several instances share this store's breach sweep through leases
    /// (PostgreSQL). On SQLite one instance sweeps everything.
    fn shared_sweep(&self) -> bool {
        false
    }
    /// Leases up to `limit` of `clients` whose sweep lease is free at `now_ms`,
    /// until `until_ms`, for `owner`; answers each with what its last evaluation
    /// recorded (`release_sweep_lease`'s `done`). Without shared leases: all of them.
    async fn take_sweep_leases(
        &self,
        clients: &[String],
        _owner: &str,
        _now_ms: i64,
        _until_ms: i64,
        _limit: i64,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        Ok(clients.iter().map(|c| (c.clone(), None)).collect())
    }
    /// Ends `owner`'s lease of `client`, recording `done` when given.
    async fn release_sweep_lease(
        &self,
        _client: &str,
        _owner: &str,
        _done: Option<&str>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    /// Leases up to `limit` pending deliveries due at `now_ms` until `lease_ms`,
    /// so that no other worker (or server) takes them meanwhile.
    async fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Records one attempt's outcome and ends the lease.
    async fn finish_attempt(&self, delivery_id: i64, outcome: &Outcome) -> Result<(), StoreError>;
    /// A subscription's deliveries, newest first.
    async fn deliveries(
        &self,
        client_id: &str,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    // Rows.

    /// Writes the claim, its periods, `filed` (its first audit row) and one more
    /// in `queue_month_counts` for each period, all or nothing, and says which UNIQUE key refused them (with the periods held
    /// then, for a period conflict). An `Ok` is durable.
    async fn insert_rows(&self, claim: &NewClaim, filed: &Event) -> Result<(), RowError>;
    /// Starts a write transaction. Dropping it without `commit` rolls it back.
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError>;
}

/// The rows of one write transaction, per backend.
#[async_trait]
pub trait Tx: Send {
    /// The claim, locked until the transaction ends, so two operators deciding at
    /// once are serialised and the second sees the first one's status.
    async fn claim_for_update(&mut self, claim_id: &str)
        -> Result<Option<StoredClaim>, StoreError>;
    async fn update_status(
        &mut self,
        claim_id: &str,
        to: Status,
        at: &str,
    ) -> Result<(), StoreError>;
    /// Moves the claim's months in `queue_month_counts` from `from` to `to` (one
    /// less, one more per month it holds), in the order of the table's key, so two
    /// transactions moving counts of the same months wait for each other and
    /// never deadlock.
    async fn move_month_counts(
        &mut self,
        claim_id: &str,
        from: Status,
        to: Status,
    ) -> Result<(), StoreError>;
    /// Appends a row to the claim's audit trail.
    async fn insert_event(&mut self, claim_id: &str, e: &Event) -> Result<(), StoreError>;
    /// The client's subscriptions as `(id, events as JSON)`.
    async fn subscriptions_of(
        &mut self,
        client_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Queues the event for one subscription; 0 when it was queued before.
    async fn insert_delivery(
        &mut self,
        subscription_id: &str,
        e: &OutEvent,
    ) -> Result<usize, StoreError>;
    /// Records that the client's contract's `period` breached; `false` when it was
    /// before. `contract` is a group contract's id, `""` for a client with one
    /// contract (migration 0003/0004).
    async fn record_breach(
        &mut self,
        client_id: &str,
        contract: &str,
        period: &str,
        event_id: &str,
        at: &str,
    ) -> Result<bool, StoreError>;
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// The workflows, written once for every backend. An inherent impl on the trait
/// object, so no backend can override one of them with its own variant.
impl dyn Store {
    /// Files a claim, its periods and its first audit row, all or nothing. The
    /// two conflicts come from UNIQUE keys, so they hold across concurrent
    /// requests and across server processes.
    pub async fn insert_claim(&self, c: &NewClaim) -> Result<(), InsertError> {
        self.insert_rows(c, &filed_event(c))
            .await
            .map_err(|e| refusal(c, e))
    }

    /// Moves a claim along the workflow, writes an audit row and queues
    /// `claim.status_changed` for the client's subscribers, all in one transaction:
    /// a crash never leaves a change that subscribers are not told of.
    pub async fn set_status(
        &self,
        claim_id: &str,
        to: Status,
        actor: &str,
        note: &str,
        at: &str,
    ) -> Result<StoredClaim, StatusError> {
        self.set_status_if(claim_id, to, actor, note, at, None)
            .await
    }

    /// `set_status`, refused with `Stale` unless the claim, read in the same
    /// transaction, is still at `version` (`StoredClaim::version`): two
    /// operators deciding at once cannot both win.
    pub async fn set_status_if(
        &self,
        claim_id: &str,
        to: Status,
        actor: &str,
        note: &str,
        at: &str,
        version: Option<&str>,
    ) -> Result<StoredClaim, StatusError> {
        let mut tx = self.begin().await?;
        let Some(claim) = tx.claim_for_update(claim_id).await? else {
            return Err(StatusError::NotFound);
        };
        if version.is_some_and(|v| v != claim.version()) {
            return Err(StatusError::Stale(Box::new(claim)));
        }
        let from = claim.status;
        if !from.can_move_to(to) {
            return Err(StatusError::NotAllowed { from, to });
        }
        tx.update_status(claim_id, to, at).await?;
        // The queue's counts per month change with the status, in the same
        // transaction, so they never disagree with the claims.
        tx.move_month_counts(claim_id, from, to).await?;
        let audit = Event {
            at: at.to_string(),
            from: Some(from),
            to,
            actor: actor.to_string(),
            note: note.to_string(),
        };
        tx.insert_event(claim_id, &audit).await?;
        let updated = StoredClaim {
            status: to,
            updated_at: at.to_string(),
            ..claim
        };
        // The subscribers' event commits with the change or not at all.
        enqueue_rows(tx.as_mut(), &status_changed(&updated, from, note)).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Records that the client's `period` breached and queues `event`, in one
    /// transaction, unless the breach was recorded before (then `false`, nothing queued).
    pub async fn emit_breach(
        &self,
        contract: &str,
        period: &str,
        event: &OutEvent,
    ) -> Result<bool, StoreError> {
        let new = self
            .emit_breaches(contract, &[(period.to_string(), event.clone())])
            .await?;
        Ok(new.first().copied().unwrap_or(false))
    }

    /// [`Self::emit_breach`] for each of a contract's breached periods, in one transaction:
    /// a client's first sweep finds every breached month of its year at once, and one
    /// commit (one fsync) for all of them, rather than one each, is what lets a first sweep
    /// of 10,000 clients keep up. Whether each was new, in order.
    pub async fn emit_breaches(
        &self,
        contract: &str,
        breaches: &[(String, OutEvent)],
    ) -> Result<Vec<bool>, StoreError> {
        if breaches.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let at = crate::clock::now_rfc3339();
        let mut out = Vec::with_capacity(breaches.len());
        // One client's breaches: its subscriptions are read once, not once per month
        // (the first sweep records six a client; each read is a round trip).
        let mut subs: Option<(String, Vec<(String, String)>)> = None;
        for (period, event) in breaches {
            let new = tx
                .record_breach(&event.client_id, contract, period, &event.id, &at)
                .await?;
            if new {
                if subs.as_ref().is_none_or(|(c, _)| *c != event.client_id) {
                    let list = tx.subscriptions_of(&event.client_id).await?;
                    subs = Some((event.client_id.clone(), list));
                }
                if let Some((_, list)) = &subs {
                    enqueue_to(tx.as_mut(), list, event).await?;
                }
            }
            out.push(new);
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// Queues the event for each of the client's subscriptions that wants it, inside
/// the caller's transaction; returns how many deliveries were queued.
pub async fn enqueue_rows(tx: &mut dyn Tx, e: &OutEvent) -> Result<usize, StoreError> {
    let subs = tx.subscriptions_of(&e.client_id).await?;
    enqueue_to(tx, &subs, e).await
}

/// `enqueue_rows` with the client's subscriptions (id, events) already read.
async fn enqueue_to(
    tx: &mut dyn Tx,
    subs: &[(String, String)],
    e: &OutEvent,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for (id, events) in subs {
        if wants(events, &e.event_type) {
            n += tx.insert_delivery(id, e).await?;
        }
    }
    Ok(n)
}

/// The `claim.status_changed` event of a status change.
fn status_changed(claim: &StoredClaim, from: Status, note: &str) -> OutEvent {
    crate::events::event(
        &claim.client_id,
        crate::events::CLAIM_STATUS_CHANGED,
        serde_json::json!({
            "claim_id": claim.claim_id,
            "contract_id": claim.contract_id,
            "from": from.as_str(),
            "to": claim.status.as_str(),
            "at": claim.updated_at,
            "note": note,
        }),
    )
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
