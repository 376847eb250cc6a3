//! Documents in the claims database (`--documents db`), so every instance on one
//! PostgreSQL serves the same documents without a shared filesystem.
//!
//! A contract is one `doc_contracts` row whose `version` every write bumps in the
//! write's own transaction; readers check that one indexed row per request (the
//! cache in `data/` is keyed by it) and read a document inside one transaction, so
//! a read is one version, never half of an append. usage.json is stored without its
//! telemetry; the telemetry is one row per UTC day holding that day's 1,440 counts
//! ([`DAY_BYTES`]), and a read puts the two back together. Writes are validated by
//! the rules core before anything is stored, so a refused write leaves the previous
//! version served. Every call blocks: from async code, call it in `spawn_blocking`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use serde_json::{Map, Value};
use sla_rules::InputError;

use super::{Doc, Scope};
use crate::store::StoreError;

/// Minutes in a UTC day.
pub const DAY_MINUTES: usize = 1440;
const BITMAP_BYTES: usize = DAY_MINUTES / 8;
/// One day's blob: a bitmap of the minutes that have data (bit `m % 8` of byte
/// `m / 8`), then `total` and `ok` of each minute as little-endian `u32`s (zero
/// where the bitmap says no data). 11,700 bytes, whatever the day holds.
pub const DAY_BYTES: usize = BITMAP_BYTES + DAY_MINUTES * 8;

/// A minute's `(total, ok)`.
pub type Counts = (u32, u32);

/// One UTC day's counts, `None` for a minute without data.
pub type Day = Vec<Option<Counts>>;

/// The row name of a document's part (`doc_parts.doc`).
fn part_name(doc: Doc) -> &'static str {
    match doc {
        Doc::Usage => "usage",
        Doc::Incidents => "incidents",
        Doc::Policy => "policy",
    }
}

fn doc_of(name: &str) -> Option<Doc> {
    match name {
        "usage" => Some(Doc::Usage),
        "incidents" => Some(Doc::Incidents),
        "policy" => Some(Doc::Policy),
        _ => None,
    }
}

pub fn encode_day(day: &[Option<(u32, u32)>]) -> Vec<u8> {
    let mut out = vec![0u8; DAY_BYTES];
    for (m, v) in day.iter().enumerate().take(DAY_MINUTES) {
        if let Some((total, ok)) = v {
            out[m / 8] |= 1 << (m % 8);
            let at = BITMAP_BYTES + m * 8;
            out[at..at + 4].copy_from_slice(&total.to_le_bytes());
            out[at + 4..at + 8].copy_from_slice(&ok.to_le_bytes());
        }
    }
    out
}

pub fn decode_day(bytes: &[u8]) -> Result<Day, StoreError> {
    if bytes.len() != DAY_BYTES {
        return Err(StoreError::new(format!(
            "doc_telemetry.counts: {} bytes, not {DAY_BYTES}",
            bytes.len()
        )));
    }
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Ok((0..DAY_MINUTES)
        .map(|m| {
            (bytes[m / 8] & (1 << (m % 8)) != 0).then(|| {
                let at = BITMAP_BYTES + m * 8;
                (word(at), word(at + 4))
            })
        })
        .collect())
}

/// Which day (since the epoch, UTC) and which minute of it an epoch minute is.
fn day_of(minute: i64) -> (i64, usize) {
    (
        minute.div_euclid(DAY_MINUTES as i64),
        minute.rem_euclid(DAY_MINUTES as i64) as usize,
    )
}

/// A contract's head row: what a request checks before using what it cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub epoch: String,
    pub version: i64,
    /// The documents it has.
    pub docs: Vec<Doc>,
}

/// One document as of one version.
#[derive(Debug, Clone)]
pub struct Read {
    pub epoch: String,
    pub version: i64,
    pub bytes: Bytes,
}

/// The strong entity tag of a contract's version: the same for its three
/// documents, new at every write.
pub fn version_etag(epoch: &str, version: i64) -> String {
    format!("\"{epoch}-{version}\"")
}

/// The records `PUT/DELETE records/{kind}/{id}` addresses, and where each lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Maintenance,
    Outages,
    Exclusions,
    Signing,
    Durability,
    Incidents,
}

impl RecordKind {
    pub fn parse(s: &str) -> Option<RecordKind> {
        Some(match s {
            "maintenance" => RecordKind::Maintenance,
            "outages" => RecordKind::Outages,
            "exclusions" => RecordKind::Exclusions,
            "signing" => RecordKind::Signing,
            "durability" => RecordKind::Durability,
            "incidents" => RecordKind::Incidents,
            _ => return None,
        })
    }

    /// The array of its document the record is an element of.
    fn array(self) -> &'static str {
        match self {
            RecordKind::Maintenance => "maintenance",
            RecordKind::Outages => "outages",
            RecordKind::Exclusions => "exclusions",
            RecordKind::Signing => "signing",
            RecordKind::Durability => "durability",
            RecordKind::Incidents => "incidents",
        }
    }

    /// The field the route's id names: the month for the monthly counts.
    fn key(self) -> &'static str {
        match self {
            RecordKind::Signing | RecordKind::Durability => "month",
            _ => "id",
        }
    }

    fn doc(self) -> Doc {
        match self {
            RecordKind::Incidents => Doc::Incidents,
            _ => Doc::Usage,
        }
    }
}

/// One minute of telemetry, posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start_minute: i64,
    pub total: Vec<u32>,
    pub ok: Vec<u32>,
}

/// One write: each is one transaction and, if it changes anything, one new version.
#[derive(Debug, Clone)]
pub enum Change {
    /// A whole document (validated by the core; usage's telemetry replaces all stored).
    Document(Doc, Vec<u8>),
    /// Segments merged into the stored telemetry (already validated by the core).
    Telemetry {
        segments: Vec<Segment>,
        replace: bool,
    },
    PutRecord {
        kind: RecordKind,
        id: String,
        record: Value,
    },
    DeleteRecord {
        kind: RecordKind,
        id: String,
    },
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub version: i64,
    pub epoch: String,
    /// `false`: the write asked for what was already stored; no new version.
    pub changed: bool,
}

impl Written {
    pub fn etag(&self) -> String {
        version_etag(&self.epoch, self.version)
    }
}

/// Why a write was refused; nothing was stored.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// The core refused the document (`FILE: PATH: message`).
    Invalid(InputError),
    /// Minutes already stored with other counts (the first one).
    Conflict {
        minute: i64,
        stored: (u32, u32),
        posted: (u32, u32),
    },
    /// Telemetry or usage records for a contract without a usage document.
    NoUsage,
    /// DELETE of a record that is not there.
    NoRecord,
    Store(StoreError),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        WriteError::Store(e)
    }
}

/// The row operations of one transaction on one contract, written once for both
/// backends; the logic above them is in [`apply`] and [`read_in`].
trait Rows {
    /// The contract's epoch and version (locked until commit in a write).
    fn head(&mut self, lock: bool) -> Result<Option<(String, i64)>, StoreError>;
    fn part(&mut self, doc: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The stored days in `[from, to]`, in order.
    fn days(&mut self, from: i64, to: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    /// Inserts the contract's row at version 0 unless it exists.
    fn create(&mut self, client: &str, contract: &str, epoch: &str) -> Result<(), StoreError>;
    fn put_part(&mut self, doc: &str, body: &[u8]) -> Result<(), StoreError>;
    fn put_day(&mut self, day: i64, counts: &[u8]) -> Result<(), StoreError>;
    fn delete_day(&mut self, day: i64) -> Result<(), StoreError>;
    fn set_version(&mut self, version: i64) -> Result<(), StoreError>;
}

/// The documents' database: SQLite (its own connection to the store's file) or
/// PostgreSQL (its own small pool on the store's URL). The store's migrations
/// create the tables.
pub enum DocDb {
    Sqlite(std::sync::Mutex<rusqlite::Connection>),
    Pg {
        pool: deadpool_postgres::Pool,
        rt: tokio::runtime::Handle,
    },
}

/// Runs a PostgreSQL future to completion from blocking code. Callers are on
/// `spawn_blocking` threads; one on an async worker by mistake would otherwise
/// panic ("cannot start a runtime from within a runtime"), so there it first
/// tells tokio the worker blocks.
fn block<F: std::future::Future>(rt: &tokio::runtime::Handle, f: F) -> F::Output {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| rt.block_on(f))
        }
        _ => rt.block_on(f),
    }
}

/// How long a PostgreSQL call may take before the read or write fails.
const PG_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn sq(e: rusqlite::Error) -> StoreError {
    if matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    ) {
        StoreError::unavailable(format!("documents: {e}"))
    } else {
        StoreError::new(format!("documents: {e}"))
    }
}

fn pg(e: tokio_postgres::Error) -> StoreError {
    if e.is_closed() || e.as_db_error().is_none() {
        StoreError::unavailable(format!("documents: {e}"))
    } else {
        StoreError::new(format!("documents: {e}"))
    }
}

impl DocDb {
    /// Opens the documents' side of `--db` (after [`crate::open_store`] migrated it).
    pub async fn open(db: &str) -> Result<DocDb, String> {
        if crate::postgres::is_url(db) {
            let config: tokio_postgres::Config = db
                .parse()
                .map_err(|e| format!("--db: not a PostgreSQL URL: {e}"))?;
            let manager = deadpool_postgres::Manager::from_config(
                config,
                tokio_postgres::NoTls,
                deadpool_postgres::ManagerConfig {
                    recycling_method: deadpool_postgres::RecyclingMethod::Fast,
                },
            );
            let pool = deadpool_postgres::Pool::builder(manager)
                .max_size(4)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(PG_WAIT))
                .create_timeout(Some(PG_WAIT))
                .build()
                .map_err(|e| format!("--db: documents pool: {e}"))?;
            Ok(DocDb::Pg {
                pool,
                rt: tokio::runtime::Handle::current(),
            })
        } else {
            let conn = rusqlite::Connection::open(db).map_err(|e| format!("--db {db}: {e}"))?;
            // Like the store's connections: a commit that returned is on disk.
            conn.execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; \
                 PRAGMA busy_timeout=5000;",
            )
            .map_err(|e| format!("--db {db}: {e}"))?;
            Ok(DocDb::Sqlite(std::sync::Mutex::new(conn)))
        }
    }

    /// Runs `f` in one transaction on `scope`; commits when it returns `(_, true)`,
    /// rolls back otherwise (and on any error).
    fn with_tx<T, E: From<StoreError>>(
        &self,
        scope: &str,
        write: bool,
        f: impl FnOnce(&mut dyn Rows) -> Result<(T, bool), E>,
    ) -> Result<T, E> {
        match self {
            DocDb::Sqlite(conn) => {
                let mut conn = conn
                    .lock()
                    .map_err(|_| StoreError::new("documents: a writer panicked"))?;
                let behavior = if write {
                    rusqlite::TransactionBehavior::Immediate
                } else {
                    rusqlite::TransactionBehavior::Deferred
                };
                let tx = conn.transaction_with_behavior(behavior).map_err(sq)?;
                let (out, commit) = f(&mut SqRows { tx: &tx, scope })?;
                if commit {
                    tx.commit().map_err(sq)?;
                }
                Ok(out)
            }
            DocDb::Pg { pool, rt } => {
                let obj = rt
                    .block_on(pool.get())
                    .map_err(|e| StoreError::unavailable(format!("documents: {e}")))?;
                let begin = if write {
                    "BEGIN"
                } else {
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                };
                let mut guard = PgTx {
                    obj: Some(obj),
                    open: false,
                };
                let client: &tokio_postgres::Client = guard.client();
                block(rt, client.batch_execute(begin)).map_err(pg)?;
                guard.open = true;
                let res = f(&mut PgRows {
                    client: guard.client(),
                    rt,
                    scope,
                });
                match res {
                    Ok((out, commit)) => {
                        let end = if commit { "COMMIT" } else { "ROLLBACK" };
                        block(rt, guard.client().batch_execute(end)).map_err(pg)?;
                        guard.open = false;
                        Ok(out)
                    }
                    Err(e) => {
                        if rt
                            .block_on(guard.client().batch_execute("ROLLBACK"))
                            .is_ok()
                        {
                            guard.open = false;
                        }
                        Err(e)
                    }
                }
            }
        }
    }

    /// The contract's head row and which documents it has: one statement on one
    /// indexed row (and its parts' keys), what every request checks.
    pub fn head(&self, scope: &str) -> Result<Option<Head>, StoreError> {
        const SQL: &str = "SELECT c.epoch, c.version, p.doc FROM doc_contracts c \
             LEFT JOIN doc_parts p ON p.scope = c.scope WHERE c.scope = ";
        let rows: Vec<(String, i64, Option<String>)> = match self {
            DocDb::Sqlite(conn) => {
                let conn = conn
                    .lock()
                    .map_err(|_| StoreError::new("documents: a writer panicked"))?;
                let mut st = conn.prepare_cached(&format!("{SQL}?1")).map_err(sq)?;
                let rows = st
                    .query_map([scope], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .map_err(sq)?;
                rows.map(|r| r.map_err(sq)).collect::<Result<_, _>>()?
            }
            DocDb::Pg { pool, rt } => block(rt, async {
                let c = pool
                    .get()
                    .await
                    .map_err(|e| StoreError::unavailable(format!("documents: {e}")))?;
                let rows = tokio::time::timeout(PG_WAIT, c.query(&format!("{SQL}$1"), &[&scope]))
                    .await
                    .map_err(|_| StoreError::unavailable("documents: PostgreSQL did not answer"))?
                    .map_err(pg)?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get(0).map_err(pg)?,
                            r.try_get(1).map_err(pg)?,
                            r.try_get(2).map_err(pg)?,
                        ))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            })?,
        };
        let Some((epoch, version, _)) = rows.first().cloned() else {
            return Ok(None);
        };
        let mut docs: Vec<Doc> = rows
            .iter()
            .filter_map(|r| r.2.as_deref().and_then(doc_of))
            .collect();
        docs.sort_by_key(|d| part_name(*d));
        Ok(Some(Head {
            epoch,
            version,
            docs,
        }))
    }

    /// The document as of one version, `None` when the contract or the document
    /// is not there.
    pub fn read(&self, scope: &str, doc: Doc) -> Result<Option<Read>, StoreError> {
        self.with_tx(scope, false, |rows| {
            Ok::<_, StoreError>((read_in(rows, doc)?, false))
        })
    }

    /// The ids of a client's group contracts (those not named after the client), in order.
    pub fn contracts_of(&self, client: &str) -> Result<Vec<String>, StoreError> {
        match self {
            DocDb::Sqlite(conn) => {
                let conn = conn
                    .lock()
                    .map_err(|_| StoreError::new("documents: a writer panicked"))?;
                let mut st = conn
                    .prepare_cached(
                        "SELECT contract_id FROM doc_contracts WHERE client_id = ?1 \
                         AND contract_id <> client_id ORDER BY contract_id",
                    )
                    .map_err(sq)?;
                let rows = st
                    .query_map([client], |r| r.get::<_, String>(0))
                    .map_err(sq)?;
                rows.map(|r| r.map_err(sq)).collect()
            }
            DocDb::Pg { pool, rt } => block(rt, async {
                let c = pool
                    .get()
                    .await
                    .map_err(|e| StoreError::unavailable(format!("documents: {e}")))?;
                let rows = c
                    .query(
                        "SELECT contract_id FROM doc_contracts WHERE client_id = $1 \
                         AND contract_id <> client_id ORDER BY contract_id",
                        &[&client],
                    )
                    .await
                    .map_err(pg)?;
                rows.iter()
                    .map(|r| r.try_get::<_, String>(0).map_err(pg))
                    .collect()
            }),
        }
    }

    /// One statement of the pull's state (`pull_state`), on either backend.
    fn pull_sql(
        &self,
        sqlite: &str,
        postgres: &str,
        params: &[&dyn PullParam],
    ) -> Result<Vec<Option<i64>>, StoreError> {
        match self {
            DocDb::Sqlite(conn) => {
                let conn = conn
                    .lock()
                    .map_err(|_| StoreError::new("documents: a writer panicked"))?;
                let mut st = conn.prepare_cached(sqlite).map_err(sq)?;
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.sqlite()).collect();
                let rows = st
                    .query_map(&p[..], |r| r.get::<_, Option<i64>>(0))
                    .map_err(sq)?;
                rows.map(|r| r.map_err(sq)).collect()
            }
            DocDb::Pg { pool, rt } => block(rt, async {
                let c = pool
                    .get()
                    .await
                    .map_err(|e| StoreError::unavailable(format!("documents: {e}")))?;
                let p: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p.postgres()).collect();
                let rows = tokio::time::timeout(PG_WAIT, c.query(postgres, &p))
                    .await
                    .map_err(|_| StoreError::unavailable("documents: PostgreSQL did not answer"))?
                    .map_err(pg)?;
                rows.iter()
                    .map(|r| r.try_get::<_, Option<i64>>(0).map_err(pg))
                    .collect()
            }),
        }
    }

    /// Takes (or renews) the pull lease of `scope` for `owner` until `until_ms`,
    /// unless another owner holds an unexpired one. `Some(through)`: leased, with
    /// how far the contract is pulled (`None`: not yet); `None`: someone else pulls it.
    pub fn take_pull_lease(
        &self,
        scope: &str,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<Option<i64>>, StoreError> {
        let rows = self.pull_sql(
            "INSERT INTO pull_state (scope, through_minute, owner, lease_until_ms) \
             VALUES (?1, NULL, ?2, ?4) ON CONFLICT (scope) DO UPDATE \
             SET owner = excluded.owner, lease_until_ms = excluded.lease_until_ms \
             WHERE pull_state.lease_until_ms < ?3 OR pull_state.owner = excluded.owner \
             RETURNING through_minute",
            "INSERT INTO pull_state (scope, through_minute, owner, lease_until_ms) \
             VALUES ($1, NULL, $2, $4) ON CONFLICT (scope) DO UPDATE \
             SET owner = excluded.owner, lease_until_ms = excluded.lease_until_ms \
             WHERE pull_state.lease_until_ms < $3 OR pull_state.owner = excluded.owner \
             RETURNING through_minute",
            &[&scope.to_string(), &owner.to_string(), &now_ms, &until_ms],
        )?;
        Ok(rows.into_iter().next())
    }

    /// Records that `scope` is pulled up to `through` (exclusive), if `owner`
    /// still holds its lease; `false` when it does not (the lease ran out).
    pub fn set_pulled(&self, scope: &str, owner: &str, through: i64) -> Result<bool, StoreError> {
        let rows = self.pull_sql(
            "UPDATE pull_state SET through_minute = ?3 WHERE scope = ?1 AND owner = ?2 \
             RETURNING through_minute",
            "UPDATE pull_state SET through_minute = $3 WHERE scope = $1 AND owner = $2 \
             RETURNING through_minute",
            &[&scope.to_string(), &owner.to_string(), &through],
        )?;
        Ok(!rows.is_empty())
    }

    /// Gives the lease up, so another instance may pull at once.
    pub fn release_pull_lease(&self, scope: &str, owner: &str) -> Result<(), StoreError> {
        self.pull_sql(
            "UPDATE pull_state SET lease_until_ms = 0 WHERE scope = ?1 AND owner = ?2 \
             RETURNING through_minute",
            "UPDATE pull_state SET lease_until_ms = 0 WHERE scope = $1 AND owner = $2 \
             RETURNING through_minute",
            &[&scope.to_string(), &owner.to_string()],
        )
        .map(|_| ())
    }

    /// How far `scope` is pulled (exclusive minute), if at all.
    pub fn pulled_through(&self, scope: &str) -> Result<Option<i64>, StoreError> {
        let rows = self.pull_sql(
            "SELECT through_minute FROM pull_state WHERE scope = ?1",
            "SELECT through_minute FROM pull_state WHERE scope = $1",
            &[&scope.to_string()],
        )?;
        Ok(rows.into_iter().next().flatten())
    }

    /// One write on the contract `scope` names, in one transaction.
    pub fn write(&self, scope: &Scope, change: &Change) -> Result<Written, WriteError> {
        let contract = scope.contract.as_deref().unwrap_or(&scope.client);
        self.with_tx(&scope.dir, true, |rows| {
            rows.create(&scope.client, contract, &crate::events::random_hex(6))?;
            let (epoch, version) = rows
                .head(true)?
                .ok_or_else(|| StoreError::new("documents: the contract row vanished"))?;
            let changed = apply(rows, scope, change)?;
            if changed {
                rows.set_version(version + 1)?;
            }
            let w = Written {
                version: if changed { version + 1 } else { version },
                epoch,
                changed,
            };
            // Nothing changed: rolled back, so even a new contract row is not kept.
            Ok((w, changed))
        })
    }
}

/// A parameter of the pull's statements, bound by either driver.
trait PullParam {
    fn sqlite(&self) -> &dyn rusqlite::ToSql;
    fn postgres(&self) -> &(dyn tokio_postgres::types::ToSql + Sync);
}

impl PullParam for String {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn postgres(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        self
    }
}

impl PullParam for i64 {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn postgres(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        self
    }
}

/// A PostgreSQL connection in a transaction: one dropped while its transaction is
/// open (a panic between the statements) is taken out of the pool and closed, so
/// the next checkout never inherits it.
struct PgTx {
    obj: Option<deadpool_postgres::Object>,
    open: bool,
}

impl PgTx {
    fn client(&self) -> &tokio_postgres::Client {
        // Some until drop.
        self.obj.as_deref().expect("connection held until drop")
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if self.open {
            if let Some(o) = self.obj.take() {
                drop(deadpool_postgres::Object::take(o));
            }
        }
    }
}

fn read_in(rows: &mut dyn Rows, doc: Doc) -> Result<Option<Read>, StoreError> {
    let Some((epoch, version)) = rows.head(false)? else {
        return Ok(None);
    };
    let Some(part) = rows.part(part_name(doc))? else {
        return Ok(None);
    };
    let bytes = match doc {
        Doc::Usage => {
            let days = rows.days(i64::MIN, i64::MAX)?;
            let mut decoded = Vec::with_capacity(days.len());
            for (d, b) in days {
                decoded.push((d, decode_day(&b)?));
            }
            assemble_usage(&part, &decoded)?
        }
        _ => part,
    };
    Ok(Some(Read {
        epoch,
        version,
        bytes: Bytes::from(bytes),
    }))
}

/// `2026-01-01T00:00:00Z` for an epoch minute.
fn minute_text(minute: i64) -> String {
    chrono::DateTime::from_timestamp(minute * 60, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// usage.json as served: the stored part with `telemetry` made of the stored days,
/// one segment per run of consecutive minutes with data.
pub fn assemble_usage(part: &[u8], days: &[(i64, Day)]) -> Result<Vec<u8>, StoreError> {
    use std::fmt::Write;
    let mut obj: Map<String, Value> = serde_json::from_slice(part)
        .map_err(|e| StoreError::new(format!("doc_parts usage: {e}")))?;
    obj.remove("telemetry");
    let head = serde_json::to_string(&obj).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(head.len() + days.len() * 20_000);
    out.push_str(&head[..head.len() - 1]);
    if !obj.is_empty() {
        out.push(',');
    }
    out.push_str("\"telemetry\":[");
    let mut run: Option<(i64, Vec<u32>, Vec<u32>)> = None;
    let mut first = true;
    let mut flush = |run: &mut Option<(i64, Vec<u32>, Vec<u32>)>, out: &mut String| {
        if let Some((start, total, ok)) = run.take() {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "{{\"start\":\"{}\",\"total\":[", minute_text(start));
            for (i, t) in total.iter().enumerate() {
                let _ = write!(out, "{}{t}", if i == 0 { "" } else { "," });
            }
            out.push_str("],\"ok\":[");
            for (i, o) in ok.iter().enumerate() {
                let _ = write!(out, "{}{o}", if i == 0 { "" } else { "," });
            }
            out.push_str("]}");
        }
    };
    for (day, counts) in days {
        for (m, v) in counts.iter().enumerate() {
            let minute = day * DAY_MINUTES as i64 + m as i64;
            match v {
                Some((t, o)) => match &mut run {
                    Some((start, total, ok)) if *start + total.len() as i64 == minute => {
                        total.push(*t);
                        ok.push(*o);
                    }
                    _ => {
                        flush(&mut run, &mut out);
                        run = Some((minute, vec![*t], vec![*o]));
                    }
                },
                None => flush(&mut run, &mut out),
            }
        }
    }
    flush(&mut run, &mut out);
    out.push_str("]}");
    Ok(out.into_bytes())
}

/// Days of a usage document's telemetry.
fn days_of(segments: &[sla_rules::usage::Segment]) -> BTreeMap<i64, Day> {
    let mut days: BTreeMap<i64, Day> = BTreeMap::new();
    for s in segments {
        for (i, (t, o)) in s.total.iter().zip(&s.ok).enumerate() {
            let (d, m) = day_of(s.start_minute + i as i64);
            days.entry(d).or_insert_with(|| vec![None; DAY_MINUTES])[m] = Some((*t, *o));
        }
    }
    days
}

fn invalid(file: &str, path: &str, message: String) -> WriteError {
    WriteError::Invalid(InputError::new(file, path, message))
}

/// usage.json's part as stored: the document with an empty `telemetry`, in
/// serde_json's key order, so the same document always gives the same bytes.
fn usage_part(v: &Value) -> Vec<u8> {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.insert("telemetry".into(), Value::Array(Vec::new()));
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Applies one change in `rows`' transaction; `true` when it changed anything.
fn apply(rows: &mut dyn Rows, scope: &Scope, change: &Change) -> Result<bool, WriteError> {
    match change {
        Change::Document(Doc::Usage, bytes) => {
            let file = Doc::Usage.file_name();
            let usage = sla_rules::usage::parse_usage(bytes, file).map_err(WriteError::Invalid)?;
            if let Some(id) = &scope.contract {
                if usage.contract_id != *id {
                    return Err(invalid(
                        file,
                        "contract.id",
                        format!(
                            "is {:?}, but the route names contract {id:?}",
                            usage.contract_id
                        ),
                    ));
                }
            }
            let v: Value =
                serde_json::from_slice(bytes).map_err(|e| invalid(file, "$", e.to_string()))?;
            let part = usage_part(&v);
            let new_days = days_of(&usage.telemetry);
            let old_part = rows.part("usage")?;
            let mut old_days = BTreeMap::new();
            for (d, b) in rows.days(i64::MIN, i64::MAX)? {
                old_days.insert(d, decode_day(&b)?);
            }
            if old_part.as_deref() == Some(&part[..]) && old_days == new_days {
                return Ok(false);
            }
            rows.put_part("usage", &part)?;
            for d in old_days.keys().filter(|d| !new_days.contains_key(d)) {
                rows.delete_day(*d)?;
            }
            for (d, counts) in &new_days {
                if old_days.get(d) != Some(counts) {
                    rows.put_day(*d, &encode_day(counts))?;
                }
            }
            Ok(true)
        }
        Change::Document(doc, bytes) => {
            let file = doc.file_name();
            match doc {
                Doc::Incidents => {
                    sla_rules::incidents::parse_incidents(bytes, file)
                        .map_err(WriteError::Invalid)?;
                }
                _ => {
                    sla_rules::policy::parse_policy(bytes, file).map_err(WriteError::Invalid)?;
                }
            }
            if rows.part(part_name(*doc))?.as_deref() == Some(&bytes[..]) {
                return Ok(false);
            }
            rows.put_part(part_name(*doc), bytes)?;
            Ok(true)
        }
        Change::Telemetry { segments, replace } => {
            if rows.part("usage")?.is_none() {
                return Err(WriteError::NoUsage);
            }
            let (Some(lo), Some(hi)) = (
                segments.iter().map(|s| s.start_minute).min(),
                segments
                    .iter()
                    .map(|s| s.start_minute + s.total.len() as i64)
                    .max(),
            ) else {
                return Ok(false);
            };
            let mut days: BTreeMap<i64, Day> = BTreeMap::new();
            for (d, b) in rows.days(day_of(lo).0, day_of(hi).0)? {
                days.insert(d, decode_day(&b)?);
            }
            let mut touched = std::collections::BTreeSet::new();
            // (minute, stored, posted) of the earliest conflict.
            let mut conflict: Option<(i64, Counts, Counts)> = None;
            for s in segments {
                for (i, (t, o)) in s.total.iter().zip(&s.ok).enumerate() {
                    let minute = s.start_minute + i as i64;
                    let (d, m) = day_of(minute);
                    let day = days.entry(d).or_insert_with(|| vec![None; DAY_MINUTES]);
                    match day[m] {
                        Some(v) if v == (*t, *o) => {}
                        Some(v) if !replace => {
                            if conflict.is_none_or(|c| minute < c.0) {
                                conflict = Some((minute, v, (*t, *o)));
                            }
                        }
                        _ => {
                            day[m] = Some((*t, *o));
                            touched.insert(d);
                        }
                    }
                }
            }
            if let Some((minute, stored, posted)) = conflict {
                return Err(WriteError::Conflict {
                    minute,
                    stored,
                    posted,
                });
            }
            for d in &touched {
                rows.put_day(*d, &encode_day(&days[d]))?;
            }
            Ok(!touched.is_empty())
        }
        Change::PutRecord { kind, id, record } => edit_record(rows, *kind, id, Some(record)),
        Change::DeleteRecord { kind, id } => edit_record(rows, *kind, id, None),
    }
}

/// Replaces, appends (`record`) or removes (`None`) the record `id` of `kind`, and
/// validates the document it belongs to as the core would read it.
fn edit_record(
    rows: &mut dyn Rows,
    kind: RecordKind,
    id: &str,
    record: Option<&Value>,
) -> Result<bool, WriteError> {
    let doc = kind.doc();
    let file = doc.file_name();
    let old = rows.part(part_name(doc))?;
    let mut v: Value = match (&old, doc) {
        (Some(b), _) => serde_json::from_slice(b)
            .map_err(|e| StoreError::new(format!("doc_parts {}: {e}", part_name(doc))))?,
        (None, Doc::Incidents) => {
            serde_json::json!({"schema": sla_rules::incidents::INCIDENTS_SCHEMA, "incidents": []})
        }
        (None, _) => return Err(WriteError::NoUsage),
    };
    let key = kind.key();
    let Some(obj) = v.as_object_mut() else {
        return Err(WriteError::Store(StoreError::new(format!(
            "doc_parts {}: not an object",
            part_name(doc)
        ))));
    };
    let list = obj
        .entry(kind.array())
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(list) = list.as_array_mut() else {
        return Err(invalid(file, kind.array(), "is not an array".into()));
    };
    let at = list
        .iter()
        .position(|e| e.get(key).and_then(Value::as_str) == Some(id));
    match record {
        Some(r) => {
            let Some(mut r) = r.as_object().cloned() else {
                return Err(invalid("record", "$", "is not a JSON object".into()));
            };
            match r.get(key) {
                Some(Value::String(s)) if s != id => {
                    return Err(invalid(
                        "record",
                        key,
                        format!("is {s:?}, but the route names {id:?}"),
                    ))
                }
                Some(Value::String(_)) | None => {}
                Some(_) => return Err(invalid("record", key, "is not a string".into())),
            }
            r.insert(key.into(), Value::String(id.into()));
            match at {
                Some(i) => list[i] = Value::Object(r),
                None => list.push(Value::Object(r)),
            }
        }
        None => match at {
            Some(i) => {
                list.remove(i);
            }
            None => return Err(WriteError::NoRecord),
        },
    }
    let bytes = match doc {
        Doc::Usage => {
            let part = usage_part(&v);
            sla_rules::usage::parse_usage(&part, file).map_err(WriteError::Invalid)?;
            part
        }
        _ => {
            let b = serde_json::to_vec(&v).unwrap_or_default();
            sla_rules::incidents::parse_incidents(&b, file).map_err(WriteError::Invalid)?;
            b
        }
    };
    if old.as_deref() == Some(&bytes[..]) {
        return Ok(false);
    }
    rows.put_part(part_name(doc), &bytes)?;
    Ok(true)
}

struct SqRows<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    scope: &'a str,
}

impl SqRows<'_> {
    /// A write whose row count nobody reads.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<(), StoreError> {
        self.tx.execute(sql, params).map(|_| ()).map_err(sq)
    }
}

impl Rows for SqRows<'_> {
    fn head(&mut self, _lock: bool) -> Result<Option<(String, i64)>, StoreError> {
        // A write holds SQLite's write lock from BEGIN IMMEDIATE on.
        use rusqlite::OptionalExtension;
        self.tx
            .prepare_cached("SELECT epoch, version FROM doc_contracts WHERE scope = ?1")
            .and_then(|mut s| {
                s.query_row([self.scope], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(sq)
    }

    fn part(&mut self, doc: &str) -> Result<Option<Vec<u8>>, StoreError> {
        use rusqlite::OptionalExtension;
        self.tx
            .prepare_cached("SELECT body FROM doc_parts WHERE scope = ?1 AND doc = ?2")
            .and_then(|mut s| {
                s.query_row(rusqlite::params![self.scope, doc], |r| r.get(0))
                    .optional()
            })
            .map_err(sq)
    }

    fn days(&mut self, from: i64, to: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut s = self
            .tx
            .prepare_cached(
                "SELECT day, counts FROM doc_telemetry WHERE scope = ?1 AND day BETWEEN ?2 AND ?3 \
                 ORDER BY day",
            )
            .map_err(sq)?;
        let rows = s
            .query_map(rusqlite::params![self.scope, from, to], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(sq)?;
        rows.map(|r| r.map_err(sq)).collect()
    }

    fn create(&mut self, client: &str, contract: &str, epoch: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO doc_contracts (scope, client_id, contract_id, epoch, version) \
                 VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (scope) DO NOTHING",
            rusqlite::params![self.scope, client, contract, epoch],
        )
    }

    fn put_part(&mut self, doc: &str, body: &[u8]) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO doc_parts (scope, doc, body) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (scope, doc) DO UPDATE SET body = excluded.body",
            rusqlite::params![self.scope, doc, body],
        )
    }

    fn put_day(&mut self, day: i64, counts: &[u8]) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO doc_telemetry (scope, day, counts) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (scope, day) DO UPDATE SET counts = excluded.counts",
            rusqlite::params![self.scope, day, counts],
        )
    }

    fn delete_day(&mut self, day: i64) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM doc_telemetry WHERE scope = ?1 AND day = ?2",
            rusqlite::params![self.scope, day],
        )
    }

    fn set_version(&mut self, version: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE doc_contracts SET version = ?2 WHERE scope = ?1",
            rusqlite::params![self.scope, version],
        )
    }
}

struct PgRows<'a> {
    client: &'a tokio_postgres::Client,
    rt: &'a tokio::runtime::Handle,
    scope: &'a str,
}

impl PgRows<'_> {
    fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        block(self.rt, async {
            match tokio::time::timeout(PG_WAIT, self.client.query(sql, params)).await {
                Ok(r) => r.map_err(pg),
                Err(_) => Err(StoreError::unavailable(
                    "documents: PostgreSQL did not answer",
                )),
            }
        })
    }
}

impl Rows for PgRows<'_> {
    fn head(&mut self, lock: bool) -> Result<Option<(String, i64)>, StoreError> {
        let sql = if lock {
            "SELECT epoch, version FROM doc_contracts WHERE scope = $1 FOR UPDATE"
        } else {
            "SELECT epoch, version FROM doc_contracts WHERE scope = $1"
        };
        let rows = self.query(sql, &[&self.scope])?;
        rows.first()
            .map(|r| Ok((r.try_get(0).map_err(pg)?, r.try_get(1).map_err(pg)?)))
            .transpose()
    }

    fn part(&mut self, doc: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self.query(
            "SELECT body FROM doc_parts WHERE scope = $1 AND doc = $2",
            &[&self.scope, &doc],
        )?;
        rows.first().map(|r| r.try_get(0).map_err(pg)).transpose()
    }

    fn days(&mut self, from: i64, to: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let rows = self.query(
            "SELECT day, counts FROM doc_telemetry WHERE scope = $1 AND day BETWEEN $2 AND $3 \
             ORDER BY day",
            &[&self.scope, &from, &to],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(pg)?, r.try_get(1).map_err(pg)?)))
            .collect()
    }

    fn create(&mut self, client: &str, contract: &str, epoch: &str) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO doc_contracts (scope, client_id, contract_id, epoch, version) \
             VALUES ($1, $2, $3, $4, 0) ON CONFLICT (scope) DO NOTHING",
            &[&self.scope, &client, &contract, &epoch],
        )
        .map(|_| ())
    }

    fn put_part(&mut self, doc: &str, body: &[u8]) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO doc_parts (scope, doc, body) VALUES ($1, $2, $3) \
             ON CONFLICT (scope, doc) DO UPDATE SET body = excluded.body",
            &[&self.scope, &doc, &body],
        )
        .map(|_| ())
    }

    fn put_day(&mut self, day: i64, counts: &[u8]) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO doc_telemetry (scope, day, counts) VALUES ($1, $2, $3) \
             ON CONFLICT (scope, day) DO UPDATE SET counts = excluded.counts",
            &[&self.scope, &day, &counts],
        )
        .map(|_| ())
    }

    fn delete_day(&mut self, day: i64) -> Result<(), StoreError> {
        self.query(
            "DELETE FROM doc_telemetry WHERE scope = $1 AND day = $2",
            &[&self.scope, &day],
        )
        .map(|_| ())
    }

    fn set_version(&mut self, version: i64) -> Result<(), StoreError> {
        self.query(
            "UPDATE doc_contracts SET version = $2 WHERE scope = $1",
            &[&self.scope, &version],
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_round_trips_with_its_gaps() {
        let mut day: Day = vec![None; DAY_MINUTES];
        day[0] = Some((120, 118));
        day[7] = Some((0, 0));
        day[1439] = Some((u32::MAX, 3));
        let b = encode_day(&day);
        assert_eq!(b.len(), 11_700);
        assert_eq!(decode_day(&b).expect("decodes"), day);
        assert!(decode_day(&b[1..]).is_err());
    }

    #[test]
    fn assembled_telemetry_joins_days_and_splits_at_gaps() {
        // Day 20454 is 2026-01-01 UTC. Its last two minutes and the next day's
        // first are one run; a gap, then one minute.
        let mut d1: Day = vec![None; DAY_MINUTES];
        d1[1438] = Some((10, 9));
        d1[1439] = Some((11, 11));
        let mut d2: Day = vec![None; DAY_MINUTES];
        d2[0] = Some((12, 2));
        d2[5] = Some((1, 1));
        let part = br#"{"schema":"sla-portal/usage/v1","telemetry":[]}"#;
        let out = assemble_usage(part, &[(20454, d1), (20455, d2)]).expect("assembles");
        let v: Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(
            v["telemetry"],
            serde_json::json!([
                {"start": "2026-01-01T23:58:00Z", "total": [10, 11, 12], "ok": [9, 11, 2]},
                {"start": "2026-01-02T00:05:00Z", "total": [1], "ok": [1]}
            ])
        );
        assert_eq!(v["schema"], "sla-portal/usage/v1");
    }
}
