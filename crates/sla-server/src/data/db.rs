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
//! version served. Every call is async: PostgreSQL is awaited on the server's own
//! runtime; SQLite, and the CPU work of either (validating a posted year, putting
//! a year's telemetry back together), runs in `spawn_blocking` and is awaited.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

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

/// The documents' database: SQLite (its own connection to the store's file) or
/// PostgreSQL (its own small pool on the store's URL). The store's migrations
/// create the tables.
pub enum DocDb {
    /// rusqlite blocks: every call takes the connection inside its own
    /// `spawn_blocking`, so no async worker waits on the file.
    Sqlite(Arc<Mutex<rusqlite::Connection>>),
    /// tokio-postgres on the server's own runtime: calls are awaited.
    Pg(deadpool_postgres::Pool),
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

/// Runs blocking work (SQLite, decoding or assembling a year of telemetry,
/// validating a posted document) on tokio's blocking pool and awaits it.
async fn off<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::new(format!("documents: a blocking task failed: {e}")))
}

fn lock(
    conn: &Mutex<rusqlite::Connection>,
) -> Result<MutexGuard<'_, rusqlite::Connection>, StoreError> {
    conn.lock()
        .map_err(|_| StoreError::new("documents: a writer panicked"))
}

/// Runs `f` off the async workers in one SQLite transaction of `behavior` on the
/// contract `scope`; commits when `f` answers `(_, true)`, rolls back otherwise (and on
/// any error). The lock is given back before the answer returns.
async fn sq_tx<T, E>(
    conn: &Arc<Mutex<rusqlite::Connection>>,
    behavior: rusqlite::TransactionBehavior,
    scope: String,
    f: impl FnOnce(&SqRows) -> Result<(T, bool), E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let conn = conn.clone();
    off(move || {
        let mut conn = lock(&conn)?;
        let tx = conn.transaction_with_behavior(behavior).map_err(sq)?;
        let (out, commit) = f(&SqRows {
            tx: &tx,
            scope: &scope,
        })?;
        if commit {
            tx.commit().map_err(sq)?;
        }
        Ok(out)
    })
    .await?
}

async fn pg_conn(pool: &deadpool_postgres::Pool) -> Result<deadpool_postgres::Object, StoreError> {
    pool.get()
        .await
        .map_err(|e| StoreError::unavailable(format!("documents: {e}")))
}

/// One PostgreSQL call, failed as unavailable after [`PG_WAIT`].
async fn pg_wait<T>(
    f: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(PG_WAIT, f).await {
        Ok(r) => r.map_err(pg),
        Err(_) => Err(StoreError::unavailable(
            "documents: PostgreSQL did not answer",
        )),
    }
}

/// What a write reads in its transaction before deciding: one part and, for
/// usage's telemetry, the stored days in a range.
struct Need {
    part: &'static str,
    days: Option<(i64, i64)>,
}

/// What a [`Need`] found.
struct Loaded {
    part: Option<Vec<u8>>,
    days: Vec<(i64, Vec<u8>)>,
}

/// What a write stores; nothing at all when it changes nothing.
#[derive(Default)]
struct Plan {
    part: Option<(&'static str, Vec<u8>)>,
    delete_days: Vec<i64>,
    put_days: Vec<(i64, Vec<u8>)>,
}

impl Plan {
    fn changes(&self) -> bool {
        self.part.is_some() || !self.delete_days.is_empty() || !self.put_days.is_empty()
    }
}

/// A document as its transaction read it, before the telemetry is put back in
/// (which is CPU work, done after the transaction ended).
struct RawRead {
    epoch: String,
    version: i64,
    part: Vec<u8>,
    days: Vec<(i64, Vec<u8>)>,
}

impl RawRead {
    fn finish(self, doc: Doc) -> Result<Read, StoreError> {
        let bytes = match doc {
            Doc::Usage => {
                let mut decoded = Vec::with_capacity(self.days.len());
                for (d, b) in self.days {
                    decoded.push((d, decode_day(&b)?));
                }
                assemble_usage(&self.part, &decoded)?
            }
            _ => self.part,
        };
        Ok(Read {
            epoch: self.epoch,
            version: self.version,
            bytes: Bytes::from(bytes),
        })
    }
}

/// The head rows (one per part) as a [`Head`].
fn head_of(rows: Vec<(String, i64, Option<String>)>) -> Option<Head> {
    let (epoch, version, _) = rows.first().cloned()?;
    let mut docs: Vec<Doc> = rows
        .iter()
        .filter_map(|r| r.2.as_deref().and_then(doc_of))
        .collect();
    docs.sort_by_key(|d| part_name(*d));
    Some(Head {
        epoch,
        version,
        docs,
    })
}

fn written(epoch: String, version: i64, changed: bool) -> Written {
    Written {
        version: if changed { version + 1 } else { version },
        epoch,
        changed,
    }
}

/// A parameter of the pull's statements, bound by either driver.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

impl Arg {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        match self {
            Arg::Text(s) => s,
            Arg::Int(i) => i,
        }
    }
    fn postgres(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        match self {
            Arg::Text(s) => s,
            Arg::Int(i) => i,
        }
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
            Ok(DocDb::Pg(pool))
        } else {
            let path = db.to_string();
            let conn = off(move || {
                let conn = rusqlite::Connection::open(&path)?;
                // Like the store's connections: a commit that returned is on disk.
                conn.execute_batch(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; \
                     PRAGMA busy_timeout=5000;",
                )?;
                Ok::<_, rusqlite::Error>(conn)
            })
            .await
            .map_err(|e| format!("--db {db}: {e}"))?
            .map_err(|e| format!("--db {db}: {e}"))?;
            Ok(DocDb::Sqlite(Arc::new(Mutex::new(conn))))
        }
    }

    /// The contract's head row and which documents it has: one statement on one
    /// indexed row (and its parts' keys), what every request checks.
    pub async fn head(&self, scope: &str) -> Result<Option<Head>, StoreError> {
        const SQL: &str = "SELECT c.epoch, c.version, p.doc FROM doc_contracts c \
             LEFT JOIN doc_parts p ON p.scope = c.scope WHERE c.scope = ";
        let rows: Vec<(String, i64, Option<String>)> = match self {
            DocDb::Sqlite(conn) => {
                let (conn, scope) = (conn.clone(), scope.to_string());
                off(move || {
                    let conn = lock(&conn)?;
                    let mut st = conn.prepare_cached(&format!("{SQL}?1")).map_err(sq)?;
                    let rows = st
                        .query_map([&scope], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .map_err(sq)?;
                    rows.map(|r| r.map_err(sq)).collect::<Result<_, _>>()
                })
                .await??
            }
            DocDb::Pg(pool) => {
                let c = pg_conn(pool).await?;
                let rows = pg_wait(c.query(&format!("{SQL}$1"), &[&scope])).await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get(0).map_err(pg)?,
                            r.try_get(1).map_err(pg)?,
                            r.try_get(2).map_err(pg)?,
                        ))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?
            }
        };
        Ok(head_of(rows))
    }

    /// The document as of one version, `None` when the contract or the document
    /// is not there: read in one transaction, so it is one version.
    pub async fn read(&self, scope: &str, doc: Doc) -> Result<Option<Read>, StoreError> {
        match self {
            DocDb::Sqlite(conn) => {
                let behavior = rusqlite::TransactionBehavior::Deferred;
                let raw = sq_tx(conn, behavior, scope.to_string(), move |rows| {
                    let Some((epoch, version)) = rows.head()? else {
                        return Ok((None, false));
                    };
                    let Some(part) = rows.part(part_name(doc))? else {
                        return Ok((None, false));
                    };
                    let days = match doc {
                        Doc::Usage => rows.days(i64::MIN, i64::MAX)?,
                        _ => Vec::new(),
                    };
                    // Rolled back: a read changes nothing.
                    Ok::<_, StoreError>((
                        Some(RawRead {
                            epoch,
                            version,
                            part,
                            days,
                        }),
                        false,
                    ))
                })
                .await?;
                // Put together with the connection given back.
                off(move || raw.map(|r| r.finish(doc)).transpose()).await?
            }
            DocDb::Pg(pool) => {
                let tx =
                    PgTx::begin(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
                let rows = PgRows {
                    client: tx.client(),
                    scope,
                };
                let raw = async {
                    let Some((epoch, version)) = rows.head(false).await? else {
                        return Ok(None);
                    };
                    let Some(part) = rows.part(part_name(doc)).await? else {
                        return Ok(None);
                    };
                    let days = match doc {
                        Doc::Usage => rows.days(i64::MIN, i64::MAX).await?,
                        _ => Vec::new(),
                    };
                    Ok::<_, StoreError>(Some(RawRead {
                        epoch,
                        version,
                        part,
                        days,
                    }))
                }
                .await;
                let raw = match raw {
                    Ok(raw) => {
                        tx.finish("ROLLBACK").await?;
                        raw
                    }
                    Err(e) => {
                        let _ = tx.finish("ROLLBACK").await;
                        return Err(e);
                    }
                };
                // The connection is back in the pool; the year is put together off
                // the async workers.
                match raw {
                    Some(raw) => off(move || raw.finish(doc).map(Some)).await?,
                    None => Ok(None),
                }
            }
        }
    }

    /// The ids of a client's group contracts (those not named after the client), in order.
    pub async fn contracts_of(&self, client: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT contract_id FROM doc_contracts WHERE client_id = ";
        const ORDER: &str = " AND contract_id <> client_id ORDER BY contract_id";
        match self {
            DocDb::Sqlite(conn) => {
                let (conn, client) = (conn.clone(), client.to_string());
                off(move || {
                    let conn = lock(&conn)?;
                    let mut st = conn
                        .prepare_cached(&format!("{SQL}?1{ORDER}"))
                        .map_err(sq)?;
                    let rows = st
                        .query_map([&client], |r| r.get::<_, String>(0))
                        .map_err(sq)?;
                    rows.map(|r| r.map_err(sq)).collect()
                })
                .await?
            }
            DocDb::Pg(pool) => {
                let c = pg_conn(pool).await?;
                let rows = pg_wait(c.query(&format!("{SQL}$1{ORDER}"), &[&client])).await?;
                rows.iter()
                    .map(|r| r.try_get::<_, String>(0).map_err(pg))
                    .collect()
            }
        }
    }

    /// One statement of the pull's state (`pull_state`), on either backend.
    async fn pull_sql(
        &self,
        sqlite: &'static str,
        postgres: &'static str,
        params: Vec<Arg>,
    ) -> Result<Vec<Option<i64>>, StoreError> {
        match self {
            DocDb::Sqlite(conn) => {
                let conn = conn.clone();
                off(move || {
                    let conn = lock(&conn)?;
                    let mut st = conn.prepare_cached(sqlite).map_err(sq)?;
                    let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(Arg::sqlite).collect();
                    let rows = st
                        .query_map(&p[..], |r| r.get::<_, Option<i64>>(0))
                        .map_err(sq)?;
                    rows.map(|r| r.map_err(sq)).collect()
                })
                .await?
            }
            DocDb::Pg(pool) => {
                let c = pg_conn(pool).await?;
                let p: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(Arg::postgres).collect();
                let rows = pg_wait(c.query(postgres, &p)).await?;
                rows.iter()
                    .map(|r| r.try_get::<_, Option<i64>>(0).map_err(pg))
                    .collect()
            }
        }
    }

    /// Takes (or renews) the pull lease of `scope` for `owner` until `until_ms`,
    /// unless another owner holds an unexpired one. `Some(through)`: leased, with
    /// how far the contract is pulled (`None`: not yet); `None`: someone else pulls it.
    pub async fn take_pull_lease(
        &self,
        scope: &str,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<Option<i64>>, StoreError> {
        let rows = self
            .pull_sql(
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
                vec![
                    Arg::Text(scope.into()),
                    Arg::Text(owner.into()),
                    Arg::Int(now_ms),
                    Arg::Int(until_ms),
                ],
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Records that `scope` is pulled up to `through` (exclusive), if `owner`
    /// still holds its lease; `false` when it does not (the lease ran out).
    pub async fn set_pulled(
        &self,
        scope: &str,
        owner: &str,
        through: i64,
    ) -> Result<bool, StoreError> {
        let rows = self
            .pull_sql(
                "UPDATE pull_state SET through_minute = ?3 WHERE scope = ?1 AND owner = ?2 \
                 RETURNING through_minute",
                "UPDATE pull_state SET through_minute = $3 WHERE scope = $1 AND owner = $2 \
                 RETURNING through_minute",
                vec![
                    Arg::Text(scope.into()),
                    Arg::Text(owner.into()),
                    Arg::Int(through),
                ],
            )
            .await?;
        Ok(!rows.is_empty())
    }

    /// Gives the lease up, so another instance may pull at once.
    pub async fn release_pull_lease(&self, scope: &str, owner: &str) -> Result<(), StoreError> {
        self.pull_sql(
            "UPDATE pull_state SET lease_until_ms = 0 WHERE scope = ?1 AND owner = ?2 \
             RETURNING through_minute",
            "UPDATE pull_state SET lease_until_ms = 0 WHERE scope = $1 AND owner = $2 \
             RETURNING through_minute",
            vec![Arg::Text(scope.into()), Arg::Text(owner.into())],
        )
        .await
        .map(|_| ())
    }

    /// How far `scope` is pulled (exclusive minute), if at all.
    pub async fn pulled_through(&self, scope: &str) -> Result<Option<i64>, StoreError> {
        let rows = self
            .pull_sql(
                "SELECT through_minute FROM pull_state WHERE scope = ?1",
                "SELECT through_minute FROM pull_state WHERE scope = $1",
                vec![Arg::Text(scope.into())],
            )
            .await?;
        Ok(rows.into_iter().next().flatten())
    }

    /// One write on the contract `scope` names, in one transaction: the head row
    /// locked, what [`needs`] names read, [`decide`] (off the async workers), and
    /// its plan stored with the version bumped; a write that changes nothing is
    /// rolled back, so even a new contract row is not kept.
    pub async fn write(&self, scope: &Scope, change: Change) -> Result<Written, WriteError> {
        match self {
            DocDb::Sqlite(conn) => {
                // A write holds SQLite's write lock from BEGIN IMMEDIATE on.
                let behavior = rusqlite::TransactionBehavior::Immediate;
                let scope = scope.clone();
                sq_tx(conn, behavior, scope.dir.clone(), move |rows| {
                    let contract = scope.contract.as_deref().unwrap_or(&scope.client);
                    rows.create(&scope.client, contract, &crate::events::random_hex(6))?;
                    let (epoch, version) = rows
                        .head()?
                        .ok_or_else(|| StoreError::new("documents: the contract row vanished"))?;
                    let need = needs(&change);
                    let loaded = Loaded {
                        part: rows.part(need.part)?,
                        days: match need.days {
                            Some((from, to)) => rows.days(from, to)?,
                            None => Vec::new(),
                        },
                    };
                    let plan = decide(&scope, &change, loaded)?;
                    let w = written(epoch, version, plan.changes());
                    if w.changed {
                        if let Some((doc, body)) = &plan.part {
                            rows.put_part(doc, body)?;
                        }
                        for d in &plan.delete_days {
                            rows.delete_day(*d)?;
                        }
                        for (d, counts) in &plan.put_days {
                            rows.put_day(*d, counts)?;
                        }
                        rows.set_version(w.version)?;
                    }
                    // Nothing changed: rolled back, so even a new contract row is not kept.
                    let commit = w.changed;
                    Ok((w, commit))
                })
                .await
            }
            DocDb::Pg(pool) => {
                let tx = PgTx::begin(pool, "BEGIN").await?;
                match pg_write(&tx, scope, change).await {
                    Ok(w) => {
                        tx.finish(if w.changed { "COMMIT" } else { "ROLLBACK" })
                            .await?;
                        Ok(w)
                    }
                    Err(e) => {
                        let _ = tx.finish("ROLLBACK").await;
                        Err(e)
                    }
                }
            }
        }
    }
}

/// [`DocDb::write`]'s statements inside PostgreSQL's transaction `tx`.
async fn pg_write(tx: &PgTx, scope: &Scope, change: Change) -> Result<Written, WriteError> {
    let rows = PgRows {
        client: tx.client(),
        scope: &scope.dir,
    };
    let contract = scope.contract.as_deref().unwrap_or(&scope.client);
    rows.create(&scope.client, contract, &crate::events::random_hex(6))
        .await?;
    let (epoch, version) = rows
        .head(true)
        .await?
        .ok_or_else(|| StoreError::new("documents: the contract row vanished"))?;
    let need = needs(&change);
    let loaded = Loaded {
        part: rows.part(need.part).await?,
        days: match need.days {
            Some((from, to)) => rows.days(from, to).await?,
            None => Vec::new(),
        },
    };
    // Parsing a posted year and merging days is CPU work: off the async workers,
    // awaited while the head row stays locked.
    let s = scope.clone();
    let plan = off(move || decide(&s, &change, loaded)).await??;
    let w = written(epoch, version, plan.changes());
    if w.changed {
        if let Some((doc, body)) = &plan.part {
            rows.put_part(doc, body).await?;
        }
        for d in &plan.delete_days {
            rows.delete_day(*d).await?;
        }
        for (d, counts) in &plan.put_days {
            rows.put_day(*d, counts).await?;
        }
        rows.set_version(w.version).await?;
    }
    Ok(w)
}

/// A PostgreSQL connection in a transaction: one dropped while its transaction is
/// open (a panic between the statements, or the request's future dropped while it
/// waits on PostgreSQL) is taken out of the pool and closed, so the next checkout
/// never inherits it.
struct PgTx {
    obj: Option<deadpool_postgres::Object>,
    open: bool,
}

impl PgTx {
    /// A connection from the pool with `begin` run on it.
    async fn begin(pool: &deadpool_postgres::Pool, begin: &str) -> Result<PgTx, StoreError> {
        let obj = pg_conn(pool).await?;
        // Open from before BEGIN is sent: a future dropped while BEGIN is under
        // way must not hand the connection back half way into a transaction.
        let tx = PgTx {
            obj: Some(obj),
            open: true,
        };
        tx.client().batch_execute(begin).await.map_err(pg)?;
        Ok(tx)
    }

    fn client(&self) -> &tokio_postgres::Client {
        // Some until drop.
        self.obj.as_deref().expect("connection held until drop")
    }

    /// Ends the transaction with `end` (COMMIT or ROLLBACK); the connection goes
    /// back to the pool only when that succeeded.
    async fn finish(mut self, end: &str) -> Result<(), StoreError> {
        self.client().batch_execute(end).await.map_err(pg)?;
        self.open = false;
        Ok(())
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

/// What a change reads before [`decide`] can judge it.
fn needs(change: &Change) -> Need {
    match change {
        Change::Document(Doc::Usage, _) => Need {
            part: "usage",
            days: Some((i64::MIN, i64::MAX)),
        },
        Change::Document(doc, _) => Need {
            part: part_name(*doc),
            days: None,
        },
        Change::Telemetry { segments, .. } => Need {
            part: "usage",
            days: match (
                segments.iter().map(|s| s.start_minute).min(),
                segments
                    .iter()
                    .map(|s| s.start_minute + s.total.len() as i64)
                    .max(),
            ) {
                (Some(lo), Some(hi)) => Some((day_of(lo).0, day_of(hi).0)),
                _ => None,
            },
        },
        Change::PutRecord { kind, .. } | Change::DeleteRecord { kind, .. } => Need {
            part: part_name(kind.doc()),
            days: None,
        },
    }
}

/// The write rules, for both backends: validates `change` against what its
/// [`Need`] loaded and says what to store (an empty plan: nothing changes).
/// Pure CPU work; the caller runs it off the async workers.
fn decide(scope: &Scope, change: &Change, loaded: Loaded) -> Result<Plan, WriteError> {
    let mut plan = Plan::default();
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
            let mut old_days = BTreeMap::new();
            for (d, b) in loaded.days {
                old_days.insert(d, decode_day(&b)?);
            }
            if loaded.part.as_deref() == Some(&part[..]) && old_days == new_days {
                return Ok(plan);
            }
            plan.part = Some(("usage", part));
            plan.delete_days = old_days
                .keys()
                .filter(|d| !new_days.contains_key(d))
                .copied()
                .collect();
            for (d, counts) in &new_days {
                if old_days.get(d) != Some(counts) {
                    plan.put_days.push((*d, encode_day(counts)));
                }
            }
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
            if loaded.part.as_deref() != Some(&bytes[..]) {
                plan.part = Some((part_name(*doc), bytes.clone()));
            }
        }
        Change::Telemetry { segments, replace } => {
            if loaded.part.is_none() {
                return Err(WriteError::NoUsage);
            }
            let mut days: BTreeMap<i64, Day> = BTreeMap::new();
            for (d, b) in loaded.days {
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
            plan.put_days = touched.iter().map(|d| (*d, encode_day(&days[d]))).collect();
        }
        Change::PutRecord { kind, id, record } => {
            plan.part = edit_record(loaded.part, *kind, id, Some(record))?;
        }
        Change::DeleteRecord { kind, id } => {
            plan.part = edit_record(loaded.part, *kind, id, None)?;
        }
    }
    Ok(plan)
}

/// Replaces, appends (`record`) or removes (`None`) the record `id` of `kind` in
/// the stored part `old`, and validates the document it belongs to as the core
/// would read it: the part to store, `None` when it is unchanged.
fn edit_record(
    old: Option<Vec<u8>>,
    kind: RecordKind,
    id: &str,
    record: Option<&Value>,
) -> Result<Option<(&'static str, Vec<u8>)>, WriteError> {
    let doc = kind.doc();
    let file = doc.file_name();
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
        return Ok(None);
    }
    Ok(Some((part_name(doc), bytes)))
}

/// SQLite's row statements inside one transaction (called on a blocking thread).
struct SqRows<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    scope: &'a str,
}

impl SqRows<'_> {
    /// A write whose row count nobody reads.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<(), StoreError> {
        self.tx.execute(sql, params).map(|_| ()).map_err(sq)
    }

    /// The contract's epoch and version (a write holds SQLite's write lock from
    /// BEGIN IMMEDIATE on, so no row lock is needed).
    fn head(&self) -> Result<Option<(String, i64)>, StoreError> {
        use rusqlite::OptionalExtension;
        self.tx
            .prepare_cached("SELECT epoch, version FROM doc_contracts WHERE scope = ?1")
            .and_then(|mut s| {
                s.query_row([self.scope], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(sq)
    }

    fn part(&self, doc: &str) -> Result<Option<Vec<u8>>, StoreError> {
        use rusqlite::OptionalExtension;
        self.tx
            .prepare_cached("SELECT body FROM doc_parts WHERE scope = ?1 AND doc = ?2")
            .and_then(|mut s| {
                s.query_row(rusqlite::params![self.scope, doc], |r| r.get(0))
                    .optional()
            })
            .map_err(sq)
    }

    /// The stored days in `[from, to]`, in order.
    fn days(&self, from: i64, to: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
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

    /// Inserts the contract's row at version 0 unless it exists.
    fn create(&self, client: &str, contract: &str, epoch: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO doc_contracts (scope, client_id, contract_id, epoch, version) \
                 VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (scope) DO NOTHING",
            rusqlite::params![self.scope, client, contract, epoch],
        )
    }

    fn put_part(&self, doc: &str, body: &[u8]) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO doc_parts (scope, doc, body) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (scope, doc) DO UPDATE SET body = excluded.body",
            rusqlite::params![self.scope, doc, body],
        )
    }

    fn put_day(&self, day: i64, counts: &[u8]) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO doc_telemetry (scope, day, counts) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (scope, day) DO UPDATE SET counts = excluded.counts",
            rusqlite::params![self.scope, day, counts],
        )
    }

    fn delete_day(&self, day: i64) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM doc_telemetry WHERE scope = ?1 AND day = ?2",
            rusqlite::params![self.scope, day],
        )
    }

    fn set_version(&self, version: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE doc_contracts SET version = ?2 WHERE scope = ?1",
            rusqlite::params![self.scope, version],
        )
    }
}

/// PostgreSQL's row statements inside one transaction, the same as [`SqRows`]'s.
struct PgRows<'a> {
    client: &'a tokio_postgres::Client,
    scope: &'a str,
}

impl PgRows<'_> {
    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        pg_wait(self.client.query(sql, params)).await
    }

    /// The contract's epoch and version (locked until commit in a write).
    async fn head(&self, lock: bool) -> Result<Option<(String, i64)>, StoreError> {
        let sql = if lock {
            "SELECT epoch, version FROM doc_contracts WHERE scope = $1 FOR UPDATE"
        } else {
            "SELECT epoch, version FROM doc_contracts WHERE scope = $1"
        };
        let rows = self.query(sql, &[&self.scope]).await?;
        rows.first()
            .map(|r| Ok((r.try_get(0).map_err(pg)?, r.try_get(1).map_err(pg)?)))
            .transpose()
    }

    async fn part(&self, doc: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self
            .query(
                "SELECT body FROM doc_parts WHERE scope = $1 AND doc = $2",
                &[&self.scope, &doc],
            )
            .await?;
        rows.first().map(|r| r.try_get(0).map_err(pg)).transpose()
    }

    async fn days(&self, from: i64, to: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let rows = self
            .query(
                "SELECT day, counts FROM doc_telemetry WHERE scope = $1 AND day BETWEEN $2 AND $3 \
                 ORDER BY day",
                &[&self.scope, &from, &to],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(pg)?, r.try_get(1).map_err(pg)?)))
            .collect()
    }

    async fn create(&self, client: &str, contract: &str, epoch: &str) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO doc_contracts (scope, client_id, contract_id, epoch, version) \
             VALUES ($1, $2, $3, $4, 0) ON CONFLICT (scope) DO NOTHING",
            &[&self.scope, &client, &contract, &epoch],
        )
        .await
        .map(|_| ())
    }

    async fn put_part(&self, doc: &str, body: &[u8]) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO doc_parts (scope, doc, body) VALUES ($1, $2, $3) \
             ON CONFLICT (scope, doc) DO UPDATE SET body = excluded.body",
            &[&self.scope, &doc, &body],
        )
        .await
        .map(|_| ())
    }

    async fn put_day(&self, day: i64, counts: &[u8]) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO doc_telemetry (scope, day, counts) VALUES ($1, $2, $3) \
             ON CONFLICT (scope, day) DO UPDATE SET counts = excluded.counts",
            &[&self.scope, &day, &counts],
        )
        .await
        .map(|_| ())
    }

    async fn delete_day(&self, day: i64) -> Result<(), StoreError> {
        self.query(
            "DELETE FROM doc_telemetry WHERE scope = $1 AND day = $2",
            &[&self.scope, &day],
        )
        .await
        .map(|_| ())
    }

    async fn set_version(&self, version: i64) -> Result<(), StoreError> {
        self.query(
            "UPDATE doc_contracts SET version = $2 WHERE scope = $1",
            &[&self.scope, &version],
        )
        .await
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
    fn a_telemetry_write_reads_the_days_it_touches_and_decides_by_minute() {
        // Day 20454 is 2026-01-01 UTC: its first minute is 20454 × 1440 =
        // 29,453,760, its last 29,455,199. Two minutes from that last one cross
        // into day 20455 (its minute 0 is 29,455,200).
        let segments = vec![Segment {
            start_minute: 29_455_199,
            total: vec![5, 6],
            ok: vec![5, 6],
        }];
        let change = |replace| Change::Telemetry {
            segments: segments.clone(),
            replace,
        };
        let need = needs(&change(false));
        assert_eq!((need.part, need.days), ("usage", Some((20454, 20455))));
        let scope = Scope::single("acme");
        // Day 20455 holds (6, 5) at minute 0: the post says (6, 6) there.
        let mut stored: Day = vec![None; DAY_MINUTES];
        stored[0] = Some((6, 5));
        let loaded = || Loaded {
            part: Some(b"{}".to_vec()),
            days: vec![(20455, encode_day(&stored))],
        };
        match decide(&scope, &change(false), loaded()) {
            Err(WriteError::Conflict {
                minute,
                stored,
                posted,
            }) => assert_eq!((minute, stored, posted), (29_455_200, (6, 5), (6, 6))),
            other => panic!("not a conflict: {:?}", other.map(|p| p.changes())),
        }
        // Replacing: both days are written, each with its one minute.
        let plan = decide(&scope, &change(true), loaded()).expect("replaces");
        assert!(plan.part.is_none() && plan.delete_days.is_empty());
        let days: Vec<(i64, Day)> = plan
            .put_days
            .iter()
            .map(|(d, b)| (*d, decode_day(b).expect("day")))
            .collect();
        assert_eq!(days.len(), 2);
        assert_eq!((days[0].0, days[0].1[1439]), (20454, Some((5, 5))));
        assert_eq!((days[1].0, days[1].1[0]), (20455, Some((6, 6))));
        assert_eq!(days[0].1.iter().flatten().count(), 1);
        // The same counts as stored: nothing to write, so no new version.
        stored[0] = Some((6, 6));
        let mut before: Day = vec![None; DAY_MINUTES];
        before[1439] = Some((5, 5));
        let same = Loaded {
            part: Some(b"{}".to_vec()),
            days: vec![(20454, encode_day(&before)), (20455, encode_day(&stored))],
        };
        assert!(!decide(&scope, &change(false), same)
            .expect("same")
            .changes());
        // No usage document yet: refused before anything is merged.
        let none = Loaded {
            part: None,
            days: Vec::new(),
        };
        assert!(matches!(
            decide(&scope, &change(false), none),
            Err(WriteError::NoUsage)
        ));
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
