//! The embedded store: SQLite in WAL mode with `synchronous=FULL`, so a commit
//! that returned is on disk; schema versions applied from `migrations/`.
//! Claims are written by the group-commit writer (`sqlite/group_commit.rs`) or, in the
//! naive mode kept for the bench and the operator commands, one transaction each.
//! SQLite blocks, so every call runs its statements on a blocking thread here;
//! callers only await.

mod group_commit;
mod queue_rows;
mod rows;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, Connection, TransactionBehavior};
use tokio::sync::{Mutex, OwnedMutexGuard};

use self::rows::err;
use crate::store::{
    Delivery, DeliveryRecord, Event, NewClaim, OutEvent, Outcome, Receipt, RowError, Status, Store,
    StoreError, StoredClaim, Subscription, Tx,
};

pub use self::group_commit::MAX_BATCH;

/// Schema versions in order; `PRAGMA user_version` records the last one applied.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_claims.sql")),
    (2, include_str!("../migrations/0002_webhooks.sql")),
    (3, include_str!("../migrations/0003_contracts.sql")),
    (4, include_str!("../migrations/0004_receipts.sql")),
    (5, include_str!("../migrations/0005_operator_queue.sql")),
    (6, include_str!("../migrations/0006_documents.sql")),
    // The queue's counts per month, kept by the writers (issue 22 follow-up).
    (7, include_str!("../migrations/0007_queue_month_counts.sql")),
    // A rare month's queue page read from the month (issue 22 follow-up).
    (
        8,
        include_str!("../migrations/0008_claimed_periods_by_period.sql"),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 8;

/// How claims are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// One writer thread commits queued claims in batches (`sqlite/group_commit.rs`).
    Group,
    /// One transaction (and one fsync) per claim, on the shared connection.
    Naive,
}

pub struct SqliteStore {
    // One connection for reads, status changes and naive inserts; reads are short
    // point lookups, so a pool would buy little here. SQLite serialises writers
    // anyway, and the group writer has its own connection. An async mutex: a
    // transaction holds it across the awaits of its statements.
    conn: Arc<Mutex<Connection>>,
    writer: Option<group_commit::GroupWriter>,
}

/// The shared connection, locked. A transaction left open when it drops (an early
/// return, a cancelled request) is rolled back right there: a rollback writes
/// nothing to disk, so it is quick, and it releases SQLite's write lock before the
/// next writer waits on it.
struct Locked(OwnedMutexGuard<Connection>);

impl Drop for Locked {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.0.execute_batch("ROLLBACK");
        }
    }
}

fn gone() -> StoreError {
    StoreError::new("a store call did not finish")
}

/// Runs `f` on a blocking thread with the locked connection, and hands the lock back.
async fn on_thread<T: Send + 'static>(
    conn: Locked,
    f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
) -> Result<(Locked, T), StoreError> {
    tokio::task::spawn_blocking(move || {
        let mut conn = conn;
        let r = f(&mut conn.0);
        r.map(|v| (conn, v))
    })
    .await
    .map_err(|_| gone())?
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open_with(path: &Path, mode: WriteMode) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut conn = connect(&path)?;
            migrate(&mut conn)?;
            let writer = match mode {
                WriteMode::Group => Some(group_commit::GroupWriter::start(connect(&path)?)?),
                WriteMode::Naive => None,
            };
            Ok(SqliteStore {
                conn: Arc::new(Mutex::new(conn)),
                writer,
            })
        })
        .await
        .map_err(|_| gone())?
    }

    async fn lock(&self) -> Locked {
        Locked(self.conn.clone().lock_owned().await)
    }

    /// One blocking call on the shared connection.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.lock().await;
        on_thread(conn, f).await.map(|(_, v)| v)
    }
}

/// A connection with the store's pragmas: every connection that writes must have
/// `synchronous=FULL`, or a commit could return before it is on disk.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    {
        let conn = Connection::open(path).map_err(err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::new(format!(
                "{}: journal_mode is {mode}, WAL is required",
                path.display()
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        )
        .map_err(err)?;
        Ok(conn)
    }
}

/// Applies the migrations newer than the database's version in one transaction
/// with the version bump, and refuses a database from a newer binary.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL) STRICT;",
    )
    .map_err(err)?;
    let current: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::new(format!(
            "database schema version {current} is newer than this binary's {SCHEMA_VERSION}"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql)
            .map_err(|e| StoreError::new(format!("migration {version}: {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, crate::clock::now_rfc3339()],
        )
        .map_err(err)?;
        // PRAGMA takes no bound parameters; the version is one of our own integers.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))
            .map_err(err)?;
    }
    tx.commit().map_err(err)
}

#[async_trait]
impl Store for SqliteStore {
    async fn get_claim(&self, claim_id: &str) -> Result<Option<StoredClaim>, StoreError> {
        let id = claim_id.to_string();
        self.call(move |c| rows::get_claim(c, &id)).await
    }

    async fn claimed_periods(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let client = client_id.to_string();
        let id = contract_id.to_string();
        self.call(move |c| rows::claimed_periods(c, &client, &id))
            .await
    }

    async fn list_claims(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<StoredClaim>, StoreError> {
        let (client, contract) = (client_id.to_string(), contract_id.to_string());
        self.call(move |c| rows::list_claims(c, &client, &contract))
            .await
    }

    async fn all_claims(&self) -> Result<Vec<StoredClaim>, StoreError> {
        self.call(|c| rows::all_claims(c)).await
    }

    async fn events(&self, claim_id: &str) -> Result<Vec<Event>, StoreError> {
        let id = claim_id.to_string();
        self.call(move |c| rows::events(c, &id)).await
    }

    async fn queue_page(
        &self,
        q: &crate::queue_sql::QueueQuery,
    ) -> Result<Vec<(StoredClaim, i64)>, StoreError> {
        let (sql, params) = crate::queue_sql::page_sql(q, &crate::queue_sql::SQLITE);
        self.call(move |c| queue_rows::sqlite_page(c, &sql, &params))
            .await
    }

    async fn queue_counts(
        &self,
        q: &crate::queue_sql::QueueQuery,
    ) -> Result<Vec<(Status, i64)>, StoreError> {
        let (sql, params) = crate::queue_sql::counts_sql(q, &crate::queue_sql::SQLITE);
        self.call(move |c| queue_rows::sqlite_counts(c, &sql, &params))
            .await
    }

    async fn receipts(&self, claim_id: &str) -> Result<Vec<Receipt>, StoreError> {
        let id = claim_id.to_string();
        self.call(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT status, at, kid, jws FROM claim_receipts WHERE claim_id = ?1 ORDER BY rowid",
                )
                .map_err(err)?;
            let rows = st
                .query_map(params![id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .map_err(err)?;
            rows.map(|r| {
                let (status, at, kid, jws) = r.map_err(err)?;
                Ok(Receipt {
                    status: crate::store::parse_status(&status, "claim_receipts.status")?,
                    at,
                    kid,
                    jws,
                })
            })
            .collect()
        })
        .await
    }

    async fn put_receipt(&self, claim_id: &str, r: &Receipt) -> Result<(), StoreError> {
        let (id, r) = (claim_id.to_string(), r.clone());
        self.call(move |c| {
            c.prepare_cached(
                "INSERT INTO claim_receipts (claim_id, status, at, kid, jws)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )
            .and_then(|mut st| st.execute(params![id, r.status.as_str(), r.at, r.kid, r.jws]))
            .map(|_| ())
            .map_err(err)
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        if let Some(w) = &self.writer {
            w.alive()?;
        }
        self.call(|c| {
            c.query_row("SELECT count(*) FROM schema_migrations", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(err)
        })
        .await?;
        Ok(())
    }

    async fn create_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        let s = s.clone();
        self.call(move |c| rows::create_subscription(c, &s)).await
    }

    async fn subscriptions(&self, client_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let id = client_id.to_string();
        self.call(move |c| rows::subscriptions(c, &id)).await
    }

    async fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool, StoreError> {
        let (client, id) = (client_id.to_string(), id.to_string());
        self.call(move |c| rows::delete_subscription(c, &client, &id))
            .await
    }

    async fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.call(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            let due = rows::lease_due(&tx, now_ms, lease_ms, limit)?;
            tx.commit().map_err(err)?;
            Ok(due)
        })
        .await
    }

    async fn finish_attempt(&self, delivery_id: i64, outcome: &Outcome) -> Result<(), StoreError> {
        let outcome = outcome.clone();
        self.call(move |c| rows::finish_attempt(c, delivery_id, &outcome))
            .await
    }

    async fn deliveries(
        &self,
        client_id: &str,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let (client, sub) = (client_id.to_string(), subscription_id.to_string());
        self.call(move |c| rows::deliveries(c, &client, &sub, limit))
            .await
    }

    async fn insert_rows(&self, claim: &NewClaim, filed: &Event) -> Result<(), RowError> {
        if let Some(w) = &self.writer {
            return w.insert(claim, filed).await;
        }
        let (claim, filed) = (claim.clone(), filed.clone());
        let conn = self.lock().await;
        let r = tokio::task::spawn_blocking(move || {
            let mut conn = conn;
            let tx = conn
                .0
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            if let Err(r) = rows::insert_rows(&tx, &claim, &filed) {
                // Roll back first, so the periods read next are the ones other
                // claims hold, not this claim's half-written rows.
                drop(tx);
                return Err(rows::refusal(&conn.0, &claim, r));
            }
            tx.commit().map_err(err)?;
            Ok(())
        })
        .await;
        r.map_err(|_| RowError::Store(gone()))?
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let conn = self.lock().await;
        let (conn, ()) =
            on_thread(conn, |c| c.execute_batch("BEGIN IMMEDIATE").map_err(err)).await?;
        Ok(Box::new(SqliteTx { conn: Some(conn) }))
    }
}

/// A write transaction on the shared connection: BEGIN IMMEDIATE takes SQLite's
/// write lock at once, so the claim read first cannot change before the update.
struct SqliteTx {
    // `None` only while a statement runs on its blocking thread.
    conn: Option<Locked>,
}

impl SqliteTx {
    async fn run<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self
            .conn
            .take()
            .ok_or_else(|| StoreError::new("the transaction ended"))?;
        let (conn, v) = on_thread(conn, move |c| f(c)).await?;
        self.conn = Some(conn);
        Ok(v)
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn claim_for_update(
        &mut self,
        claim_id: &str,
    ) -> Result<Option<StoredClaim>, StoreError> {
        let id = claim_id.to_string();
        self.run(move |c| rows::get_claim(c, &id)).await
    }

    async fn update_status(
        &mut self,
        claim_id: &str,
        to: Status,
        at: &str,
    ) -> Result<(), StoreError> {
        let (id, at) = (claim_id.to_string(), at.to_string());
        self.run(move |c| rows::update_status(c, &id, to.as_str(), &at))
            .await
    }

    async fn move_month_counts(
        &mut self,
        claim_id: &str,
        from: Status,
        to: Status,
    ) -> Result<(), StoreError> {
        let id = claim_id.to_string();
        self.run(move |c| rows::move_month_counts(c, &id, from.as_str(), to.as_str()))
            .await
    }

    async fn insert_event(&mut self, claim_id: &str, e: &Event) -> Result<(), StoreError> {
        let (id, e) = (claim_id.to_string(), e.clone());
        self.run(move |c| rows::insert_event(c, &id, &e)).await
    }

    async fn subscriptions_of(
        &mut self,
        client_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let id = client_id.to_string();
        self.run(move |c| rows::subscriptions_of(c, &id)).await
    }

    async fn insert_delivery(
        &mut self,
        subscription_id: &str,
        e: &OutEvent,
    ) -> Result<usize, StoreError> {
        let (id, e) = (subscription_id.to_string(), e.clone());
        self.run(move |c| rows::insert_delivery(c, &id, &e)).await
    }

    async fn record_breach(
        &mut self,
        client_id: &str,
        contract: &str,
        period: &str,
        event_id: &str,
        at: &str,
    ) -> Result<bool, StoreError> {
        let args = [client_id, contract, period, event_id, at].map(str::to_string);
        self.run(move |c| rows::record_breach(c, &args[0], &args[1], &args[2], &args[3], &args[4]))
            .await
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.run(|c| c.execute_batch("COMMIT").map_err(err)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "sla-server-store-{name}-{}-{}",
            std::process::id(),
            crate::clock::unix_nanos()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("claims.db")
    }

    fn claim(id: &str, contract: &str, periods: &[&str]) -> NewClaim {
        NewClaim {
            claim_id: id.into(),
            client_id: "acme".into(),
            contract_id: contract.into(),
            periods: periods.iter().map(|s| s.to_string()).collect(),
            request: "{}".into(),
            granted: "{}".into(),
            at: "2026-11-29T00:00:00Z".into(),
        }
    }

    // The behaviour every store shares is tested against each backend in
    // `tests/store.rs`; these are SQLite's own: the file and its version.

    #[tokio::test]
    async fn reopening_keeps_the_data_and_the_schema_version() {
        let path = temp_db("reopen");
        let s: Arc<dyn Store> = Arc::new(
            SqliteStore::open_with(&path, WriteMode::Naive)
                .await
                .expect("open"),
        );
        s.insert_claim(&claim("a", "K", &["2026-01"]))
            .await
            .expect("claim");
        drop(s);
        let s = SqliteStore::open_with(&path, WriteMode::Naive)
            .await
            .expect("reopen");
        assert!(s.get_claim("a").await.expect("get").is_some());
        let conn = Connection::open(&path).expect("raw");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
        let applied: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .expect("count");
        // Numbered 1..=SCHEMA_VERSION, each recorded once: reopening ran none again.
        assert_eq!(MIGRATIONS.len() as i64, SCHEMA_VERSION);
        assert_eq!(
            applied, SCHEMA_VERSION,
            "each migration ran once, not on every open"
        );
    }

    #[tokio::test]
    async fn a_version_2_database_keeps_its_claims_and_breaches_through_migration_3() {
        let path = temp_db("v2");
        {
            let mut conn = Connection::open(&path).expect("raw");
            let tx = conn.transaction().expect("tx");
            for (_, sql) in &MIGRATIONS[..2] {
                tx.execute_batch(sql).expect("old schema");
            }
            tx.execute_batch(
                "PRAGMA user_version = 2;
                 INSERT INTO claims VALUES ('a', 'acme', 'K', '{}', '{}', 'submitted', 't', 't');
                 INSERT INTO claimed_periods VALUES ('K', '2026-01', 'a');
                 INSERT INTO emitted_breaches VALUES ('acme', '2026-01', 'evt_1', 't');",
            )
            .expect("rows");
            tx.commit().expect("commit");
        }
        let s: Arc<dyn Store> = Arc::new(
            SqliteStore::open_with(&path, WriteMode::Naive)
                .await
                .expect("migrated"),
        );
        // The claimed period took its claim's client; another client may now hold
        // a contract of the same id (ids are directory names) and claim the same month.
        assert_eq!(
            s.claimed_periods("acme", "K").await.expect("periods"),
            vec!["2026-01".to_string()]
        );
        let mut other = claim("b", "K", &["2026-01"]);
        other.client_id = "globex".into();
        s.insert_claim(&other).await.expect("another client's K");
        assert_eq!(
            s.insert_claim(&claim("c", "K", &["2026-01"])).await,
            Err(crate::store::InsertError::PeriodsTaken(vec![
                "2026-01".into()
            ]))
        );
        // Migration 6 counted the old claim in its month; the new one is counted as
        // filed, and the refused one not at all.
        let january = crate::queue_sql::QueueQuery {
            month: Some("2026-01".into()),
            ..Default::default()
        };
        assert_eq!(
            s.queue_counts(&january).await.expect("counts"),
            vec![(Status::Submitted, 2)]
        );
        // The old breach is the one-contract client's (contract ""): not announced again.
        let e = crate::events::event(
            "acme",
            crate::events::PERIOD_BREACHED,
            serde_json::json!({}),
        );
        assert!(!s.emit_breach("", "2026-01", &e).await.expect("old breach"));
        // A group contract's breach of the same month is its own.
        assert!(s
            .emit_breach("acme-cn", "2026-01", &e)
            .await
            .expect("new breach"));
    }

    #[tokio::test]
    async fn a_database_from_a_newer_binary_is_refused() {
        let path = temp_db("newer");
        drop(
            SqliteStore::open_with(&path, WriteMode::Naive)
                .await
                .expect("open"),
        );
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch("PRAGMA user_version = 99")
            .expect("bump");
        drop(conn);
        let e = SqliteStore::open_with(&path, WriteMode::Naive)
            .await
            .err()
            .expect("refused");
        assert!(e.message.contains("newer"), "{e}");
    }
}
