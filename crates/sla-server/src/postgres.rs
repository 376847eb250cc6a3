//! The shared store: PostgreSQL through tokio-postgres and a deadpool pool, so
//! several `sla-server` processes file claims into one database with the same
//! exactly-once answers as SQLite (the UNIQUE keys decide races).

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

use crate::store::{
    wants, Delivery, DeliveryRecord, Event, InsertError, NewClaim, OutEvent, Outcome, PoolStatus,
    Status, StatusError, Store, StoreError, StoredClaim, Subscription,
};

/// Schema versions in order; `schema_migrations` records each one applied.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_claims.sql")),
    (2, include_str!("../migrations/postgres/0002_webhooks.sql")),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = 2;

/// The default number of connections per server process.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Longest wait for a pooled connection, a new connection, or one store call. A
/// database that does not answer in this time is down as far as a client cares.
const WAIT: Duration = Duration::from_secs(5);
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Key of the advisory lock that serialises migrations of processes starting
/// together ("SLA" in ASCII).
const MIGRATION_LOCK: i64 = 0x534c41;

const CLAIM_COLUMNS: &str =
    "claim_id, client_id, contract_id, request, granted, status, submitted_at, updated_at";

/// Whether `--db` names PostgreSQL rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

pub struct PgStore {
    pool: Pool,
    // The pool's connections run on this runtime; the `Store` methods block on it
    // (they are called from `spawn_blocking` threads and from the CLI). `None`
    // only while dropping.
    rt: Option<tokio::runtime::Runtime>,
}

/// One line, whatever the driver put in the message (DETAIL and HINT come on
/// lines of their own).
fn one_line(s: String) -> String {
    s.replace('\n', "; ")
}

fn pg_err(e: tokio_postgres::Error) -> StoreError {
    // No SQLSTATE: the socket closed, the server went away or never answered.
    // Classes 08 (connection), 53 (resources), 57 (operator intervention, e.g. a
    // shutdown) and serialization failures are worth a retry too.
    let unavailable = match e.code() {
        None => true,
        Some(c) => {
            let c = c.code();
            c.starts_with("08") || c.starts_with("53") || c.starts_with("57") || c == "40001"
        }
    };
    StoreError {
        message: one_line(format!("PostgreSQL: {}", with_causes(&e))),
        unavailable,
    }
}

/// The error and its causes: "error connecting to server" alone does not say
/// whether the port was closed or the name did not resolve.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s
}

fn pool_err(e: PoolError) -> StoreError {
    let message = match e {
        PoolError::Backend(e) => return pg_err(e),
        e => format!("PostgreSQL pool: {}", with_causes(&e)),
    };
    StoreError::unavailable(one_line(message))
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

fn row_to_claim(r: &Row) -> Result<StoredClaim, StoreError> {
    let text = |i: usize| r.try_get::<_, String>(i).map_err(pg_err);
    let status = text(5)?;
    Ok(StoredClaim {
        claim_id: text(0)?,
        client_id: text(1)?,
        contract_id: text(2)?,
        request: text(3)?,
        granted: text(4)?,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::new(format!("unknown status {status:?} in claims")))?,
        submitted_at: text(6)?,
        updated_at: text(7)?,
    })
}

impl PgStore {
    /// Parses the URL (`postgres://USER@HOST:PORT/DB`, or `…/DB?host=/socket/dir`),
    /// connects, and brings the schema up to date. Every failure is one line.
    pub fn connect(url: &str, pool_size: usize) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| {
            StoreError::new(one_line(format!(
                "not a PostgreSQL URL: {}",
                with_causes(&e)
            )))
        })?;
        if config.get_hosts().is_empty() {
            return Err(StoreError::new(
                "not a PostgreSQL URL: no host (postgres://USER@HOST:PORT/DB or ?host=/socket/dir)",
            ));
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sla-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::new(format!("runtime: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A connection that closed (a restarted server) is replaced on the
                // next checkout instead of failing one more request.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .recycle_timeout(Some(WAIT))
            .build()
            .map_err(|e| StoreError::new(format!("PostgreSQL pool: {e}")))?;
        let store = PgStore { pool, rt: Some(rt) };
        store.call(migrate(store.pool.clone()))?;
        Ok(store)
    }

    /// Runs one store call to completion on the store's runtime, bounded in time.
    fn call<T>(&self, f: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        let rt = self
            .rt
            .as_ref()
            .ok_or_else(|| StoreError::unavailable("the store is closing"))?;
        rt.block_on(async {
            match tokio::time::timeout(CALL_TIMEOUT, f).await {
                Ok(r) => r,
                Err(_) => Err(StoreError::unavailable(format!(
                    "PostgreSQL did not answer within {} s",
                    CALL_TIMEOUT.as_secs()
                ))),
            }
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(pool_err)
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropped at the end of `serve`, possibly inside the server's runtime,
        // where a blocking shutdown would panic: let the tasks end on their own.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Applies the migrations newer than the database's version in one transaction,
/// under an advisory lock so two servers starting together do not both apply
/// them, and refuses a database from a newer binary.
async fn migrate(pool: Pool) -> Result<(), StoreError> {
    let mut client = pool.get().await.map_err(pool_err)?;
    let tx = client.transaction().await.map_err(pg_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg_err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version integer PRIMARY KEY, applied_at text NOT NULL)",
    )
    .await
    .map_err(pg_err)?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::new(format!(
            "database schema version {current} is newer than this binary's {SCHEMA_VERSION}"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql)
            .await
            .map_err(|e| StoreError::new(one_line(format!("migration {version}: {e}"))))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &crate::clock::now_rfc3339()],
        )
        .await
        .map_err(pg_err)?;
    }
    tx.commit().await.map_err(pg_err)
}

async fn get_claim(
    c: &impl deadpool_postgres::GenericClient,
    claim_id: &str,
    lock: bool,
) -> Result<Option<StoredClaim>, StoreError> {
    let sql = format!(
        "SELECT {CLAIM_COLUMNS} FROM claims WHERE claim_id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let st = c.prepare_cached(&sql).await.map_err(pg_err)?;
    match c.query_opt(&st, &[&claim_id]).await.map_err(pg_err)? {
        Some(r) => Ok(Some(row_to_claim(&r)?)),
        None => Ok(None),
    }
}

async fn periods_of(
    c: &impl deadpool_postgres::GenericClient,
    contract_id: &str,
) -> Result<Vec<String>, StoreError> {
    let st = c
        .prepare_cached("SELECT period FROM claimed_periods WHERE contract_id = $1 ORDER BY period")
        .await
        .map_err(pg_err)?;
    c.query(&st, &[&contract_id])
        .await
        .map_err(pg_err)?
        .iter()
        .map(|r| r.try_get(0).map_err(pg_err))
        .collect()
}

/// Why the inserts of a claim stopped.
enum Conflict {
    ClaimId,
    Periods,
}

impl PgStore {
    async fn insert(&self, c: &NewClaim) -> Result<(), InsertError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let conflict = 'rows: {
            let st = tx
                .prepare_cached(&format!(
                    "INSERT INTO claims ({CLAIM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
                ))
                .await
                .map_err(pg_err)?;
            match tx
                .execute(
                    &st,
                    &[
                        &c.claim_id,
                        &c.client_id,
                        &c.contract_id,
                        &c.request,
                        &c.granted,
                        &Status::Submitted.as_str(),
                        &c.at,
                    ],
                )
                .await
            {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => break 'rows Some(Conflict::ClaimId),
                Err(e) => return Err(pg_err(e).into()),
            }
            let st = tx
                .prepare_cached(
                    "INSERT INTO claimed_periods (contract_id, period, claim_id) VALUES ($1, $2, $3)",
                )
                .await
                .map_err(pg_err)?;
            for p in &c.periods {
                match tx.execute(&st, &[&c.contract_id, p, &c.claim_id]).await {
                    Ok(_) => {}
                    Err(e) if is_unique_violation(&e) => break 'rows Some(Conflict::Periods),
                    Err(e) => return Err(pg_err(e).into()),
                }
            }
            let st = tx
                .prepare_cached(
                    "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
                     VALUES ($1, $2, NULL, $3, $4, '')",
                )
                .await
                .map_err(pg_err)?;
            tx.execute(
                &st,
                &[
                    &c.claim_id,
                    &c.at,
                    &Status::Submitted.as_str(),
                    &format!("client:{}", c.client_id),
                ],
            )
            .await
            .map_err(pg_err)?;
            None
        };
        match conflict {
            // `Ok` only once COMMIT returned: with synchronous_commit on (the
            // default) the claim is then on the server's disk.
            None => tx.commit().await.map_err(|e| pg_err(e).into()),
            Some(conflict) => {
                tx.rollback().await.map_err(pg_err)?;
                match conflict {
                    Conflict::ClaimId => Err(InsertError::ClaimIdTaken),
                    Conflict::Periods => {
                        let held = periods_of(&client, &c.contract_id).await?;
                        Err(InsertError::PeriodsTaken(
                            c.periods
                                .iter()
                                .filter(|p| held.contains(p))
                                .cloned()
                                .collect(),
                        ))
                    }
                }
            }
        }
    }

    async fn claims_where(
        &self,
        filter: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<StoredClaim>, StoreError> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!(
                "SELECT {CLAIM_COLUMNS} FROM claims {filter} ORDER BY seq"
            ))
            .await
            .map_err(pg_err)?;
        client
            .query(&st, params)
            .await
            .map_err(pg_err)?
            .iter()
            .map(row_to_claim)
            .collect()
    }

    async fn change_status(
        &self,
        claim_id: &str,
        to: Status,
        actor: &str,
        note: &str,
        at: &str,
    ) -> Result<StoredClaim, StatusError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        // FOR UPDATE: two operators deciding at once are serialised, and the
        // second one sees the first one's status.
        let Some(claim) = get_claim(&tx, claim_id, true).await? else {
            return Err(StatusError::NotFound);
        };
        if !claim.status.can_move_to(to) {
            return Err(StatusError::NotAllowed {
                from: claim.status,
                to,
            });
        }
        tx.execute(
            "UPDATE claims SET status = $2, updated_at = $3 WHERE claim_id = $1",
            &[&claim_id, &to.as_str(), &at],
        )
        .await
        .map_err(pg_err)?;
        tx.execute(
            "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &claim_id,
                &at,
                &claim.status.as_str(),
                &to.as_str(),
                &actor,
                &note,
            ],
        )
        .await
        .map_err(pg_err)?;
        let from = claim.status;
        let updated = StoredClaim {
            status: to,
            updated_at: at.to_string(),
            ..claim
        };
        // The subscribers' event commits with the change or not at all.
        let event = crate::webhooks::claim_status_changed(&updated, from, note);
        enqueue_rows(&tx, &event).await?;
        tx.commit().await.map_err(pg_err)?;
        Ok(updated)
    }

    async fn events_of(&self, claim_id: &str) -> Result<Vec<Event>, StoreError> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "SELECT at, from_status, to_status, actor, note FROM claim_events
                 WHERE claim_id = $1 ORDER BY id",
            )
            .await
            .map_err(pg_err)?;
        let rows = client.query(&st, &[&claim_id]).await.map_err(pg_err)?;
        rows.iter()
            .map(|r| {
                let from: Option<String> = r.try_get(1).map_err(pg_err)?;
                let to: String = r.try_get(2).map_err(pg_err)?;
                Ok(Event {
                    at: r.try_get(0).map_err(pg_err)?,
                    from: from.as_deref().and_then(Status::parse),
                    to: Status::parse(&to)
                        .ok_or_else(|| StoreError::new(format!("unknown status {to:?}")))?,
                    actor: r.try_get(3).map_err(pg_err)?,
                    note: r.try_get(4).map_err(pg_err)?,
                })
            })
            .collect()
    }
}

/// One outbox row per subscription of the event's client that wants its type.
async fn enqueue_rows(
    c: &impl deadpool_postgres::GenericClient,
    e: &OutEvent,
) -> Result<usize, StoreError> {
    let subs = c
        .query(
            "SELECT id, events FROM webhook_subscriptions WHERE client_id = $1",
            &[&e.client_id],
        )
        .await
        .map_err(pg_err)?;
    let mut n = 0;
    for r in subs {
        let id: String = r.try_get(0).map_err(pg_err)?;
        let events: String = r.try_get(1).map_err(pg_err)?;
        if !wants(&events, &e.event_type) {
            continue;
        }
        n += c
            .execute(
                "INSERT INTO webhook_deliveries
                     (subscription_id, event_id, event_type, body, state, created_ms, next_ms)
                 VALUES ($1, $2, $3, $4, 'pending', $5, $5)
                 ON CONFLICT (subscription_id, event_id) DO NOTHING",
                &[&id, &e.id, &e.event_type, &e.body, &e.created_ms],
            )
            .await
            .map_err(pg_err)? as usize;
    }
    Ok(n)
}

impl PgStore {
    async fn emit(&self, period: &str, event: &OutEvent) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let new = tx
            .execute(
                "INSERT INTO emitted_breaches (client_id, period, event_id, at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[
                    &event.client_id,
                    &period,
                    &event.id,
                    &crate::clock::now_rfc3339(),
                ],
            )
            .await
            .map_err(pg_err)?
            > 0;
        if new {
            enqueue_rows(&tx, event).await?;
        }
        tx.commit().await.map_err(pg_err)?;
        Ok(new)
    }

    async fn lease_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let client = self.client().await?;
        // SKIP LOCKED: servers sharing the database take disjoint rows instead of
        // waiting for (and then re-sending) each other's; the lease keeps a row
        // from being taken again while its attempt is in flight.
        let rows = client
            .query(
                "WITH due AS (
                     SELECT id FROM webhook_deliveries
                     WHERE state = 'pending' AND next_ms <= $1 AND lease_ms <= $1
                     ORDER BY next_ms, id LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 UPDATE webhook_deliveries d SET lease_ms = $2
                 FROM due, webhook_subscriptions s
                 WHERE d.id = due.id AND s.id = d.subscription_id
                 RETURNING d.id, d.subscription_id, s.url, s.secret, d.event_id, d.event_type,
                           d.body, d.attempts, d.created_ms",
                &[&now_ms, &lease_ms, &limit],
            )
            .await
            .map_err(pg_err)?;
        rows.iter()
            .map(|r| {
                let attempts: i32 = r.try_get(7).map_err(pg_err)?;
                Ok(Delivery {
                    id: r.try_get(0).map_err(pg_err)?,
                    subscription_id: r.try_get(1).map_err(pg_err)?,
                    url: r.try_get(2).map_err(pg_err)?,
                    secret: r.try_get(3).map_err(pg_err)?,
                    event_id: r.try_get(4).map_err(pg_err)?,
                    event_type: r.try_get(5).map_err(pg_err)?,
                    body: r.try_get(6).map_err(pg_err)?,
                    attempts: i64::from(attempts),
                    created_ms: r.try_get(8).map_err(pg_err)?,
                })
            })
            .collect()
    }
}

impl Store for PgStore {
    fn get_claim(&self, claim_id: &str) -> Result<Option<StoredClaim>, StoreError> {
        self.call(async {
            let client = self.client().await?;
            get_claim(&client, claim_id, false).await
        })
    }

    fn claimed_periods(&self, contract_id: &str) -> Result<Vec<String>, StoreError> {
        self.call(async {
            let client = self.client().await?;
            periods_of(&client, contract_id).await
        })
    }

    fn insert_claim(&self, claim: &NewClaim) -> Result<(), InsertError> {
        let mut out = Err(InsertError::Store(StoreError::unavailable("not run")));
        let r = self.call(async {
            out = self.insert(claim).await;
            Ok(())
        });
        // A timeout leaves `out` unset: the claim is not acknowledged (it may
        // still commit, and then a retry with the same claim_id answers 200).
        r?;
        out
    }

    fn list_claims(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<StoredClaim>, StoreError> {
        self.call(self.claims_where(
            "WHERE client_id = $1 AND contract_id = $2",
            &[&client_id, &contract_id],
        ))
    }

    fn all_claims(&self) -> Result<Vec<StoredClaim>, StoreError> {
        self.call(self.claims_where("", &[]))
    }

    fn claims_with_status(&self, status: Status) -> Result<Vec<StoredClaim>, StoreError> {
        // Served by the claims_by_status index: the queue stays cheap as the
        // decided claims pile up.
        self.call(self.claims_where("WHERE status = $1", &[&status.as_str()]))
    }

    fn set_status(
        &self,
        claim_id: &str,
        to: Status,
        actor: &str,
        note: &str,
        at: &str,
    ) -> Result<StoredClaim, StatusError> {
        let mut out = Err(StatusError::NotFound);
        self.call(async {
            out = self.change_status(claim_id, to, actor, note, at).await;
            Ok(())
        })?;
        out
    }

    fn events(&self, claim_id: &str) -> Result<Vec<Event>, StoreError> {
        self.call(self.events_of(claim_id))
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.call(async {
            let client = self.client().await?;
            client.simple_query("SELECT 1").await.map_err(pg_err)?;
            Ok(())
        })
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        let s = self.pool.status();
        Some(PoolStatus {
            max_size: s.max_size,
            size: s.size,
            available: s.available,
            waiting: s.waiting,
        })
    }

    fn create_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        let events =
            serde_json::to_string(&s.events).map_err(|e| StoreError::new(e.to_string()))?;
        self.call(async {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO webhook_subscriptions
                         (id, client_id, url, events, description, secret, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &s.id,
                        &s.client_id,
                        &s.url,
                        &events,
                        &s.description,
                        &s.secret,
                        &s.created_at,
                    ],
                )
                .await
                .map_err(pg_err)?;
            Ok(())
        })
    }

    fn subscriptions(&self, client_id: &str) -> Result<Vec<Subscription>, StoreError> {
        self.call(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT id, client_id, url, events, description, secret, created_at
                     FROM webhook_subscriptions WHERE client_id = $1 ORDER BY created_at, id",
                    &[&client_id],
                )
                .await
                .map_err(pg_err)?;
            rows.iter()
                .map(|r| {
                    let events: String = r.try_get(3).map_err(pg_err)?;
                    Ok(Subscription {
                        id: r.try_get(0).map_err(pg_err)?,
                        client_id: r.try_get(1).map_err(pg_err)?,
                        url: r.try_get(2).map_err(pg_err)?,
                        events: serde_json::from_str(&events).unwrap_or_default(),
                        description: r.try_get(4).map_err(pg_err)?,
                        secret: r.try_get(5).map_err(pg_err)?,
                        created_at: r.try_get(6).map_err(pg_err)?,
                    })
                })
                .collect()
        })
    }

    fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool, StoreError> {
        self.call(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "DELETE FROM webhook_subscriptions WHERE client_id = $1 AND id = $2",
                    &[&client_id, &id],
                )
                .await
                .map_err(pg_err)?;
            Ok(n > 0)
        })
    }

    fn enqueue(&self, event: &OutEvent) -> Result<usize, StoreError> {
        self.call(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(pg_err)?;
            let n = enqueue_rows(&tx, event).await?;
            tx.commit().await.map_err(pg_err)?;
            Ok(n)
        })
    }

    fn emit_breach(&self, period: &str, event: &OutEvent) -> Result<bool, StoreError> {
        self.call(self.emit(period, event))
    }

    fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.call(self.lease_due(now_ms, lease_ms, limit))
    }

    fn finish_attempt(&self, delivery_id: i64, outcome: &Outcome) -> Result<(), StoreError> {
        let next = match outcome {
            Outcome::Retry { next_ms, .. } => *next_ms,
            _ => 0,
        };
        self.call(async {
            let client = self.client().await?;
            client
                .execute(
                    "UPDATE webhook_deliveries
                     SET state = $2, attempts = attempts + 1, next_ms = $3, lease_ms = 0,
                         last_result = $4
                     WHERE id = $1",
                    &[&delivery_id, &outcome.state(), &next, &outcome.result()],
                )
                .await
                .map_err(pg_err)?;
            Ok(())
        })
    }

    fn deliveries(
        &self,
        client_id: &str,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.call(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT d.event_id, d.event_type, d.state, d.attempts, d.last_result,
                            d.created_ms, d.next_ms
                     FROM webhook_deliveries d
                     JOIN webhook_subscriptions s ON s.id = d.subscription_id
                     WHERE s.client_id = $1 AND d.subscription_id = $2
                     ORDER BY d.id DESC LIMIT $3",
                    &[&client_id, &subscription_id, &limit],
                )
                .await
                .map_err(pg_err)?;
            rows.iter()
                .map(|r| {
                    let attempts: i32 = r.try_get(3).map_err(pg_err)?;
                    Ok(DeliveryRecord {
                        event_id: r.try_get(0).map_err(pg_err)?,
                        event_type: r.try_get(1).map_err(pg_err)?,
                        state: r.try_get(2).map_err(pg_err)?,
                        attempts: i64::from(attempts),
                        last_result: r.try_get(4).map_err(pg_err)?,
                        created_ms: r.try_get(5).map_err(pg_err)?,
                        next_ms: r.try_get(6).map_err(pg_err)?,
                    })
                })
                .collect()
        })
    }
}
