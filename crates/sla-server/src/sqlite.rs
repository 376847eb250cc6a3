//! The embedded store: SQLite in WAL mode with `synchronous=FULL`, so a commit
//! that returned is on disk; schema versions applied from `migrations/`.
//! Claims are written by the group-commit writer (`group_commit.rs`) or, in the
//! naive mode kept for the bench and the operator commands, one transaction each.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::store::{
    wants, Delivery, DeliveryRecord, Event, InsertError, NewClaim, OutEvent, Outcome, Status,
    StatusError, Store, StoreError, StoredClaim, Subscription,
};

/// Schema versions in order; `PRAGMA user_version` records the last one applied.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_claims.sql")),
    (2, include_str!("../migrations/0002_webhooks.sql")),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 2;

/// How claims are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// One writer thread commits queued claims in batches (`group_commit.rs`).
    Group,
    /// One transaction (and one fsync) per claim, on the shared connection.
    Naive,
}

pub struct SqliteStore {
    // One connection for reads, status changes and naive inserts; reads are short
    // point lookups, so a pool would buy little here. SQLite serialises writers
    // anyway, and the group writer has its own connection.
    conn: Mutex<Connection>,
    writer: Option<crate::group_commit::GroupWriter>,
}

pub(crate) fn err(e: rusqlite::Error) -> StoreError {
    // Busy or locked past busy_timeout, or a file that cannot be opened or
    // written right now: worth a retry, not a bug.
    let unavailable = matches!(&e, rusqlite::Error::SqliteFailure(f, _) if matches!(
        f.code,
        ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure
    ));
    StoreError {
        message: e.to_string(),
        unavailable,
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open_with(path: &Path, mode: WriteMode) -> Result<SqliteStore, StoreError> {
        let mut conn = connect(path)?;
        migrate(&mut conn)?;
        let writer = match mode {
            WriteMode::Group => Some(crate::group_commit::GroupWriter::start(connect(path)?)?),
            WriteMode::Naive => None,
        };
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            writer,
        })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::new("store connection poisoned"))
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

const CLAIM_COLUMNS: &str =
    "claim_id, client_id, contract_id, request, granted, status, submitted_at, updated_at";

fn row_to_claim(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredClaim> {
    let status: String = r.get(5)?;
    Ok(StoredClaim {
        claim_id: r.get(0)?,
        client_id: r.get(1)?,
        contract_id: r.get(2)?,
        request: r.get(3)?,
        granted: r.get(4)?,
        // The CHECK constraint keeps other spellings out of the table.
        status: Status::parse(&status).unwrap_or(Status::Submitted),
        submitted_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

fn get_claim(conn: &Connection, claim_id: &str) -> Result<Option<StoredClaim>, StoreError> {
    conn.query_row(
        &format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE claim_id = ?1"),
        params![claim_id],
        row_to_claim,
    )
    .optional()
    .map_err(err)
}

impl Store for SqliteStore {
    fn get_claim(&self, claim_id: &str) -> Result<Option<StoredClaim>, StoreError> {
        let conn = self.conn()?;
        get_claim(&conn, claim_id)
    }

    fn claimed_periods(&self, contract_id: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached(
                "SELECT period FROM claimed_periods WHERE contract_id = ?1 ORDER BY period",
            )
            .map_err(err)?;
        let rows = st
            .query_map(params![contract_id], |r| r.get::<_, String>(0))
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn insert_claim(&self, c: &NewClaim) -> Result<(), InsertError> {
        if let Some(w) = &self.writer {
            return w.insert(c);
        }
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        match insert_rows(&tx, c) {
            Ok(()) => {}
            Err(conflict) => {
                // Roll back first, so the periods read next are the ones other
                // claims hold, not this claim's half-written rows.
                drop(tx);
                return Err(conflict_answer(&conn, c, conflict));
            }
        }
        tx.commit().map_err(err)?;
        Ok(())
    }

    fn list_claims(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<StoredClaim>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {CLAIM_COLUMNS} FROM claims WHERE client_id = ?1 AND contract_id = ?2
                 ORDER BY rowid"
            ))
            .map_err(err)?;
        let rows = st
            .query_map(params![client_id, contract_id], row_to_claim)
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn all_claims(&self) -> Result<Vec<StoredClaim>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare(&format!(
                "SELECT {CLAIM_COLUMNS} FROM claims ORDER BY rowid"
            ))
            .map_err(err)?;
        let rows = st.query_map([], row_to_claim).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn set_status(
        &self,
        claim_id: &str,
        to: Status,
        actor: &str,
        note: &str,
        at: &str,
    ) -> Result<StoredClaim, StatusError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let Some(claim) = get_claim(&tx, claim_id)? else {
            return Err(StatusError::NotFound);
        };
        if !claim.status.can_move_to(to) {
            return Err(StatusError::NotAllowed {
                from: claim.status,
                to,
            });
        }
        tx.execute(
            "UPDATE claims SET status = ?2, updated_at = ?3 WHERE claim_id = ?1",
            params![claim_id, to.as_str(), at],
        )
        .map_err(err)?;
        tx.execute(
            "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                claim_id,
                at,
                claim.status.as_str(),
                to.as_str(),
                actor,
                note
            ],
        )
        .map_err(err)?;
        let updated = get_claim(&tx, claim_id)?.ok_or(StatusError::NotFound)?;
        // The subscribers' event commits with the change or not at all.
        let event = crate::webhooks::claim_status_changed(&updated, claim.status, note);
        enqueue_rows(&tx, &event)?;
        tx.commit().map_err(err)?;
        Ok(updated)
    }

    fn events(&self, claim_id: &str) -> Result<Vec<Event>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare(
                "SELECT at, from_status, to_status, actor, note FROM claim_events
                 WHERE claim_id = ?1 ORDER BY id",
            )
            .map_err(err)?;
        let rows = st
            .query_map(params![claim_id], |r| {
                let from: Option<String> = r.get(1)?;
                let to: String = r.get(2)?;
                Ok(Event {
                    at: r.get(0)?,
                    from: from.as_deref().and_then(Status::parse),
                    to: Status::parse(&to).unwrap_or(Status::Submitted),
                    actor: r.get(3)?,
                    note: r.get(4)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn ping(&self) -> Result<(), StoreError> {
        if let Some(w) = &self.writer {
            w.alive()?;
        }
        let conn = self.conn()?;
        conn.query_row("SELECT count(*) FROM schema_migrations", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(err)?;
        Ok(())
    }
    fn create_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let events =
            serde_json::to_string(&s.events).map_err(|e| StoreError::new(e.to_string()))?;
        conn.execute(
            "INSERT INTO webhook_subscriptions
                 (id, client_id, url, events, description, secret, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                s.id,
                s.client_id,
                s.url,
                events,
                s.description,
                s.secret,
                s.created_at
            ],
        )
        .map_err(err)?;
        Ok(())
    }

    fn subscriptions(&self, client_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached(
                "SELECT id, client_id, url, events, description, secret, created_at
                 FROM webhook_subscriptions WHERE client_id = ?1 ORDER BY created_at, rowid",
            )
            .map_err(err)?;
        let rows = st
            .query_map(params![client_id], |r| {
                let events: String = r.get(3)?;
                Ok(Subscription {
                    id: r.get(0)?,
                    client_id: r.get(1)?,
                    url: r.get(2)?,
                    events: serde_json::from_str(&events).unwrap_or_default(),
                    description: r.get(4)?,
                    secret: r.get(5)?,
                    created_at: r.get(6)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        // The deliveries go with it (ON DELETE CASCADE, foreign_keys=ON).
        let n = conn
            .execute(
                "DELETE FROM webhook_subscriptions WHERE client_id = ?1 AND id = ?2",
                params![client_id, id],
            )
            .map_err(err)?;
        Ok(n > 0)
    }

    fn enqueue(&self, event: &OutEvent) -> Result<usize, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let n = enqueue_rows(&tx, event)?;
        tx.commit().map_err(err)?;
        Ok(n)
    }

    fn emit_breach(&self, period: &str, event: &OutEvent) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let new = tx
            .execute(
                "INSERT OR IGNORE INTO emitted_breaches (client_id, period, event_id, at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    event.client_id,
                    period,
                    event.id,
                    crate::clock::now_rfc3339()
                ],
            )
            .map_err(err)?
            > 0;
        if new {
            enqueue_rows(&tx, event)?;
        }
        tx.commit().map_err(err)?;
        Ok(new)
    }

    fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        // SQLite has one writer at a time: the IMMEDIATE transaction that reads
        // and leases the rows is the whole of the "claim".
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let due = {
            let mut st = tx
                .prepare_cached(
                    "SELECT d.id, d.subscription_id, s.url, s.secret, d.event_id, d.event_type,
                            d.body, d.attempts, d.created_ms
                     FROM webhook_deliveries d
                     JOIN webhook_subscriptions s ON s.id = d.subscription_id
                     WHERE d.state = 'pending' AND d.next_ms <= ?1 AND d.lease_ms <= ?1
                     ORDER BY d.next_ms, d.id LIMIT ?2",
                )
                .map_err(err)?;
            let rows = st
                .query_map(params![now_ms, limit], |r| {
                    Ok(Delivery {
                        id: r.get(0)?,
                        subscription_id: r.get(1)?,
                        url: r.get(2)?,
                        secret: r.get(3)?,
                        event_id: r.get(4)?,
                        event_type: r.get(5)?,
                        body: r.get(6)?,
                        attempts: r.get(7)?,
                        created_ms: r.get(8)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(err)?
        };
        for d in &due {
            tx.execute(
                "UPDATE webhook_deliveries SET lease_ms = ?2 WHERE id = ?1",
                params![d.id, lease_ms],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(due)
    }

    fn finish_attempt(&self, delivery_id: i64, outcome: &Outcome) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let next = match outcome {
            Outcome::Retry { next_ms, .. } => *next_ms,
            _ => 0,
        };
        conn.execute(
            "UPDATE webhook_deliveries
             SET state = ?2, attempts = attempts + 1, next_ms = ?3, lease_ms = 0, last_result = ?4
             WHERE id = ?1",
            params![delivery_id, outcome.state(), next, outcome.result()],
        )
        .map_err(err)?;
        Ok(())
    }

    fn deliveries(
        &self,
        client_id: &str,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached(
                "SELECT d.event_id, d.event_type, d.state, d.attempts, d.last_result,
                        d.created_ms, d.next_ms
                 FROM webhook_deliveries d
                 JOIN webhook_subscriptions s ON s.id = d.subscription_id
                 WHERE s.client_id = ?1 AND d.subscription_id = ?2
                 ORDER BY d.id DESC LIMIT ?3",
            )
            .map_err(err)?;
        let rows = st
            .query_map(params![client_id, subscription_id, limit], |r| {
                Ok(DeliveryRecord {
                    event_id: r.get(0)?,
                    event_type: r.get(1)?,
                    state: r.get(2)?,
                    attempts: r.get(3)?,
                    last_result: r.get(4)?,
                    created_ms: r.get(5)?,
                    next_ms: r.get(6)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }
}

/// One outbox row per subscription of the event's client that wants its type.
fn enqueue_rows(conn: &Connection, e: &OutEvent) -> Result<usize, StoreError> {
    let subs: Vec<(String, String)> = {
        let mut st = conn
            .prepare_cached("SELECT id, events FROM webhook_subscriptions WHERE client_id = ?1")
            .map_err(err)?;
        let rows = st
            .query_map(params![e.client_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)?
    };
    let mut n = 0;
    for (id, _) in subs.iter().filter(|(_, ev)| wants(ev, &e.event_type)) {
        n += conn
            .execute(
                "INSERT OR IGNORE INTO webhook_deliveries
                     (subscription_id, event_id, event_type, body, state, created_ms, next_ms)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
                params![id, e.id, e.event_type, e.body, e.created_ms],
            )
            .map_err(err)?;
    }
    Ok(n)
}

/// Why `insert_rows` stopped.
pub(crate) enum RowError {
    ClaimId,
    Periods,
    Store(StoreError),
}

/// The claim's rows, its periods and its first audit row, inside a transaction
/// (or savepoint) the caller owns and rolls back on an error.
pub(crate) fn insert_rows(conn: &Connection, c: &NewClaim) -> Result<(), RowError> {
    let store = |e| RowError::Store(err(e));
    match conn
        .prepare_cached(&format!(
            "INSERT INTO claims ({CLAIM_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
        ))
        .and_then(|mut st| {
            st.execute(params![
                c.claim_id,
                c.client_id,
                c.contract_id,
                c.request,
                c.granted,
                Status::Submitted.as_str(),
                c.at
            ])
        }) {
        Ok(_) => {}
        Err(e) if is_constraint(&e) => return Err(RowError::ClaimId),
        Err(e) => return Err(store(e)),
    }
    for p in &c.periods {
        match conn
            .prepare_cached(
                "INSERT INTO claimed_periods (contract_id, period, claim_id) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut st| st.execute(params![c.contract_id, p, c.claim_id]))
        {
            Ok(_) => {}
            Err(e) if is_constraint(&e) => return Err(RowError::Periods),
            Err(e) => return Err(store(e)),
        }
    }
    conn.prepare_cached(
        "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
         VALUES (?1, ?2, NULL, ?3, ?4, '')",
    )
    .and_then(|mut st| {
        st.execute(params![
            c.claim_id,
            c.at,
            Status::Submitted.as_str(),
            format!("client:{}", c.client_id)
        ])
    })
    .map_err(store)?;
    Ok(())
}

/// The answer to a refused insert, read after its rows were rolled back: which of
/// the claim's periods other claims hold.
pub(crate) fn conflict_answer(conn: &Connection, c: &NewClaim, e: RowError) -> InsertError {
    match e {
        RowError::ClaimId => InsertError::ClaimIdTaken,
        RowError::Store(e) => InsertError::Store(e),
        RowError::Periods => match self_claimed(conn, &c.contract_id) {
            Ok(held) => InsertError::PeriodsTaken(
                c.periods
                    .iter()
                    .filter(|p| held.contains(p))
                    .cloned()
                    .collect(),
            ),
            Err(e) => InsertError::Store(e),
        },
    }
}

fn self_claimed(conn: &Connection, contract_id: &str) -> Result<Vec<String>, StoreError> {
    let mut st = conn
        .prepare_cached("SELECT period FROM claimed_periods WHERE contract_id = ?1")
        .map_err(err)?;
    let rows = st
        .query_map(params![contract_id], |r| r.get::<_, String>(0))
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
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
    // `store_tests.rs`; these are SQLite's own: the file and its version.

    #[test]
    fn reopening_keeps_the_data_and_the_schema_version() {
        let path = temp_db("reopen");
        SqliteStore::open_with(&path, WriteMode::Naive)
            .expect("open")
            .insert_claim(&claim("a", "K", &["2026-01"]))
            .expect("claim");
        let s = SqliteStore::open_with(&path, WriteMode::Naive).expect("reopen");
        assert!(s.get_claim("a").expect("get").is_some());
        let conn = s.conn().expect("conn");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
        let applied: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .expect("count");
        assert_eq!(applied, 2, "each migration ran once, not on every open");
    }

    #[test]
    fn a_database_from_a_newer_binary_is_refused() {
        let path = temp_db("newer");
        drop(SqliteStore::open_with(&path, WriteMode::Naive).expect("open"));
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch("PRAGMA user_version = 99")
            .expect("bump");
        drop(conn);
        let e = SqliteStore::open_with(&path, WriteMode::Naive)
            .err()
            .expect("refused");
        assert!(e.message.contains("newer"), "{e}");
    }
}
