//! The shared store: PostgreSQL through tokio-postgres and a deadpool pool, on the
//! server's own runtime, so several `sla-server` processes file claims into one
//! database with the same exactly-once answers as SQLite (the UNIQUE keys decide
//! races).

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::store::{
    parse_status, Delivery, DeliveryRecord, Event, NewClaim, OutEvent, Outcome, PoolStatus,
    Receipt, RowError, Status, Store, StoreError, StoredClaim, Subscription, Tx,
};

/// Schema versions in order; `schema_migrations` records each one applied.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_claims.sql")),
    (2, include_str!("../migrations/postgres/0002_webhooks.sql")),
    (
        3,
        include_str!("../migrations/postgres/0003_sweep_leases.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_contracts.sql")),
    (5, include_str!("../migrations/postgres/0005_receipts.sql")),
    (
        6,
        include_str!("../migrations/postgres/0006_operator_queue.sql"),
    ),
    (7, include_str!("../migrations/postgres/0007_documents.sql")),
    // The queue's counts per month, kept by the writers (issue 22 follow-up).
    (
        8,
        include_str!("../migrations/postgres/0008_queue_month_counts.sql"),
    ),
    // A rare month's queue page read from the month (issue 22 follow-up).
    (
        9,
        include_str!("../migrations/postgres/0009_claimed_periods_by_period.sql"),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = 9;

/// The default number of connections per server process.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Connections opened at start (at most the pool size).
const WARM_CONNECTIONS: usize = 8;

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

/// The table whose UNIQUE key refused a statement, if that is what happened.
fn unique_violation(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error()
        .filter(|d| d.code() == &SqlState::UNIQUE_VIOLATION)
        .and_then(|d| d.table())
}

fn row_to_claim(r: &Row) -> Result<StoredClaim, StoreError> {
    let text = |i: usize| r.try_get::<_, String>(i).map_err(pg_err);
    Ok(StoredClaim {
        claim_id: text(0)?,
        client_id: text(1)?,
        contract_id: text(2)?,
        request: text(3)?,
        granted: text(4)?,
        status: parse_status(&text(5)?, "claims.status")?,
        submitted_at: text(6)?,
        updated_at: text(7)?,
    })
}

fn row_to_event(r: &Row) -> Result<Event, StoreError> {
    let from: Option<String> = r.try_get(1).map_err(pg_err)?;
    let to: String = r.try_get(2).map_err(pg_err)?;
    Ok(Event {
        at: r.try_get(0).map_err(pg_err)?,
        from: from
            .map(|f| parse_status(&f, "claim_events.from_status"))
            .transpose()?,
        to: parse_status(&to, "claim_events.to_status")?,
        actor: r.try_get(3).map_err(pg_err)?,
        note: r.try_get(4).map_err(pg_err)?,
    })
}

/// Bounds one store call in time: a database that does not answer is down as far
/// as a client cares. A claim whose call timed out is not acknowledged (it may
/// still commit, and then a retry with the same claim_id answers 200).
async fn timed<T, E: From<StoreError>>(f: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(r) => r,
        Err(_) => Err(StoreError::unavailable(format!(
            "PostgreSQL did not answer within {} s",
            CALL_TIMEOUT.as_secs()
        ))
        .into()),
    }
}

/// Filing a claim in one statement, so one round trip and PostgreSQL's implicit
/// transaction: the claim, its periods and its first audit row commit together,
/// and a UNIQUE key that refuses any of them undoes all three. The periods and
/// the audit row select from the claim's RETURNING, so the claim's key is tried
/// first (as on SQLite) and a refused claim inserts nothing else. Each period adds
/// one to the queue's counts per month, in the key's order (no deadlock between
/// two filings of the same months).
const INSERT_CLAIM: &str = "WITH claim AS (
         INSERT INTO claims
             (claim_id, client_id, contract_id, request, granted, status, submitted_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         RETURNING claim_id),
     periods AS (
         INSERT INTO claimed_periods (client_id, contract_id, period, claim_id)
         SELECT $2, $3, p.period, claim.claim_id FROM claim, unnest($8::text[]) AS p(period)),
     counts AS (
         INSERT INTO queue_month_counts (period, client_id, remedy, status, n)
         SELECT p.period, $2, coalesce(($4::text)::jsonb ->> 'remedy', ''), $6, 1
         FROM claim, unnest($8::text[]) AS p(period) ORDER BY 1
         ON CONFLICT (period, client_id, remedy, status)
         DO UPDATE SET n = queue_month_counts.n + 1)
     INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
     SELECT claim_id, $9::text, $10::text, $6, $11::text, $12::text FROM claim";

impl PgStore {
    /// Parses the URL (`postgres://USER@HOST:PORT/DB`, or `…/DB?host=/socket/dir`),
    /// connects, and brings the schema up to date. Every failure is one line.
    pub async fn connect(url: &str, pool_size: usize) -> Result<PgStore, StoreError> {
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
            // deadpool's timeouts use the tokio runtime the caller runs on.
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .recycle_timeout(Some(WAIT))
            .build()
            .map_err(|e| StoreError::new(format!("PostgreSQL pool: {e}")))?;
        let store = PgStore { pool };
        timed(migrate(&store.pool)).await?;
        timed(store.warm(pool_size.clamp(1, WARM_CONNECTIONS))).await?;
        Ok(store)
    }

    /// Opens `n` connections and prepares a claim's statements on each, before the
    /// server listens: a new PostgreSQL backend and its first prepares cost
    /// milliseconds of CPU, which the first claims after a start would otherwise
    /// wait for. The pool opens more on demand, up to its size.
    async fn warm(&self, n: usize) -> Result<(), StoreError> {
        let mut open = Vec::with_capacity(n);
        for _ in 0..n {
            let client = self.client().await?;
            for sql in [GET_CLAIM, PERIODS_OF, INSERT_CLAIM] {
                client.prepare_cached(sql).await.map_err(pg_err)?;
            }
            // Held until all are open, so each `get` opens a new one.
            open.push(client);
        }
        Ok(())
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(pool_err)
    }

    async fn claims_where(
        &self,
        filter: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<StoredClaim>, StoreError> {
        timed(async {
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
        })
        .await
    }

    /// Rows of one prepared (and per connection cached) statement.
    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        timed(async {
            let client = self.client().await?;
            query(&client, sql, params).await
        })
        .await
    }

    /// A statement built by `queue_sql` (its parameters are owned values, not references).
    async fn query_built(
        &self,
        sql: &str,
        params: &[crate::queue_sql::Param],
    ) -> Result<Vec<Row>, StoreError> {
        let owned = crate::queue_sql::pg_params(params);
        let refs: Vec<&(dyn ToSql + Sync)> = owned
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.query(sql, &refs).await
    }

    async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        timed(async {
            let client = self.client().await?;
            let st = client.prepare_cached(sql).await.map_err(pg_err)?;
            client.execute(&st, params).await.map_err(pg_err)
        })
        .await
    }
}

async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let st = c.prepare_cached(sql).await.map_err(pg_err)?;
    c.query(&st, params).await.map_err(pg_err)
}

/// Applies the migrations newer than the database's version in one transaction,
/// under an advisory lock so two servers starting together do not both apply
/// them, and refuses a database from a newer binary.
async fn migrate(pool: &Pool) -> Result<(), StoreError> {
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

const PERIODS_OF: &str =
    "SELECT period FROM claimed_periods WHERE client_id = $1 AND contract_id = $2 ORDER BY period";
const GET_CLAIM: &str = "SELECT claim_id, client_id, contract_id, request, granted, status, \
     submitted_at, updated_at FROM claims WHERE claim_id = $1";

fn texts(rows: &[Row]) -> Result<Vec<String>, StoreError> {
    rows.iter().map(|r| r.try_get(0).map_err(pg_err)).collect()
}

#[async_trait]
impl Store for PgStore {
    async fn get_claim(&self, claim_id: &str) -> Result<Option<StoredClaim>, StoreError> {
        self.query(GET_CLAIM, &[&claim_id])
            .await?
            .first()
            .map(row_to_claim)
            .transpose()
    }

    async fn claimed_periods(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        texts(&self.query(PERIODS_OF, &[&client_id, &contract_id]).await?)
    }

    async fn list_claims(
        &self,
        client_id: &str,
        contract_id: &str,
    ) -> Result<Vec<StoredClaim>, StoreError> {
        self.claims_where(
            "WHERE client_id = $1 AND contract_id = $2",
            &[&client_id, &contract_id],
        )
        .await
    }

    async fn all_claims(&self) -> Result<Vec<StoredClaim>, StoreError> {
        self.claims_where("", &[]).await
    }

    async fn claims_with_status(&self, status: Status) -> Result<Vec<StoredClaim>, StoreError> {
        // Served by the claims_by_status index: the queue stays cheap as the
        // decided claims pile up.
        self.claims_where("WHERE status = $1", &[&status.as_str()])
            .await
    }

    async fn events(&self, claim_id: &str) -> Result<Vec<Event>, StoreError> {
        self.query(
            "SELECT at, from_status, to_status, actor, note FROM claim_events
             WHERE claim_id = $1 ORDER BY id",
            &[&claim_id],
        )
        .await?
        .iter()
        .map(row_to_event)
        .collect()
    }

    async fn queue_page(
        &self,
        q: &crate::queue_sql::QueueQuery,
    ) -> Result<Vec<(StoredClaim, i64)>, StoreError> {
        let (sql, params) = crate::queue_sql::page_sql(q, &crate::queue_sql::POSTGRES);
        self.query_built(&sql, &params)
            .await?
            .iter()
            .map(|r| Ok((row_to_claim(r)?, r.try_get::<_, i64>(8).map_err(pg_err)?)))
            .collect()
    }

    async fn queue_counts(
        &self,
        q: &crate::queue_sql::QueueQuery,
    ) -> Result<Vec<(Status, i64)>, StoreError> {
        let (sql, params) = crate::queue_sql::counts_sql(q, &crate::queue_sql::POSTGRES);
        self.query_built(&sql, &params)
            .await?
            .iter()
            .map(|r| {
                let s: String = r.try_get(0).map_err(pg_err)?;
                Ok((
                    parse_status(&s, "claims.status")?,
                    r.try_get::<_, i64>(1).map_err(pg_err)?,
                ))
            })
            .collect()
    }

    async fn receipts(&self, claim_id: &str) -> Result<Vec<Receipt>, StoreError> {
        self.query(
            "SELECT status, at, kid, jws FROM claim_receipts WHERE claim_id = $1 ORDER BY seq",
            &[&claim_id],
        )
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get(0).map_err(pg_err)?;
            Ok(Receipt {
                status: parse_status(&status, "claim_receipts.status")?,
                at: r.try_get(1).map_err(pg_err)?,
                kid: r.try_get(2).map_err(pg_err)?,
                jws: r.try_get(3).map_err(pg_err)?,
            })
        })
        .collect()
    }

    async fn put_receipt(&self, claim_id: &str, r: &Receipt) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO claim_receipts (claim_id, status, at, kid, jws)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[&claim_id, &r.status.as_str(), &r.at, &r.kid, &r.jws],
        )
        .await
        .map(|_| ())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        timed(async {
            let client = self.client().await?;
            client.simple_query("SELECT 1").await.map_err(pg_err)?;
            Ok(())
        })
        .await
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

    async fn create_subscription(&self, s: &Subscription) -> Result<(), StoreError> {
        let events =
            serde_json::to_string(&s.events).map_err(|e| StoreError::new(e.to_string()))?;
        self.execute(
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
        .await?;
        Ok(())
    }

    async fn subscriptions(&self, client_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let rows = self
            .query(
                "SELECT id, client_id, url, events, description, secret, created_at
                 FROM webhook_subscriptions WHERE client_id = $1 ORDER BY created_at, id",
                &[&client_id],
            )
            .await?;
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
    }

    async fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool, StoreError> {
        let n = self
            .execute(
                "DELETE FROM webhook_subscriptions WHERE client_id = $1 AND id = $2",
                &[&client_id, &id],
            )
            .await?;
        Ok(n > 0)
    }

    fn shared_sweep(&self) -> bool {
        true
    }

    async fn take_sweep_leases(
        &self,
        clients: &[String],
        owner: &str,
        now_ms: i64,
        until_ms: i64,
        limit: i64,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        self.execute(
            "INSERT INTO sweep_leases (client_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
            &[&clients],
        )
        .await?;
        // SKIP LOCKED, like the outbox: instances taking leases at the same moment
        // take disjoint rows instead of waiting for each other.
        let rows = self
            .query(
                "WITH free AS (
                     SELECT client_id FROM sweep_leases
                     WHERE client_id = ANY($1) AND lease_until_ms <= $3
                     ORDER BY client_id LIMIT $5
                     FOR UPDATE SKIP LOCKED)
                 UPDATE sweep_leases l SET owner = $2, lease_until_ms = $4
                 FROM free WHERE l.client_id = free.client_id
                 RETURNING l.client_id, l.done",
                &[&clients, &owner, &now_ms, &until_ms, &limit],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(pg_err)?, r.try_get(1).map_err(pg_err)?)))
            .collect()
    }

    async fn release_sweep_lease(
        &self,
        client: &str,
        owner: &str,
        done: Option<&str>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sweep_leases SET lease_until_ms = 0, done = COALESCE($3, done)
             WHERE client_id = $1 AND owner = $2",
            &[&client, &owner, &done],
        )
        .await?;
        Ok(())
    }

    async fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        // SKIP LOCKED: servers sharing the database take disjoint rows instead of
        // waiting for (and then re-sending) each other's; the lease keeps a row
        // from being taken again while its attempt is in flight.
        let rows = self
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
            .await?;
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

    async fn finish_attempt(&self, delivery_id: i64, outcome: &Outcome) -> Result<(), StoreError> {
        let next = match outcome {
            Outcome::Retry { next_ms, .. } => *next_ms,
            _ => 0,
        };
        self.execute(
            "UPDATE webhook_deliveries
             SET state = $2, attempts = attempts + 1, next_ms = $3, lease_ms = 0,
                 last_result = $4
             WHERE id = $1",
            &[&delivery_id, &outcome.state(), &next, &outcome.result()],
        )
        .await?;
        Ok(())
    }

    async fn deliveries(
        &self,
        client_id: &str,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = self
            .query(
                "SELECT d.event_id, d.event_type, d.state, d.attempts, d.last_result,
                        d.created_ms, d.next_ms
                 FROM webhook_deliveries d
                 JOIN webhook_subscriptions s ON s.id = d.subscription_id
                 WHERE s.client_id = $1 AND d.subscription_id = $2
                 ORDER BY d.id DESC LIMIT $3",
                &[&client_id, &subscription_id, &limit],
            )
            .await?;
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
    }

    async fn insert_rows(&self, c: &NewClaim, filed: &Event) -> Result<(), RowError> {
        timed(async {
            let client = self.client().await?;
            let st = client.prepare_cached(INSERT_CLAIM).await.map_err(pg_err)?;
            let from = filed.from.map(Status::as_str);
            let r = client
                .execute(
                    &st,
                    &[
                        &c.claim_id,
                        &c.client_id,
                        &c.contract_id,
                        &c.request,
                        &c.granted,
                        &filed.to.as_str(),
                        &c.at,
                        &c.periods,
                        &filed.at,
                        &from,
                        &filed.actor,
                        &filed.note,
                    ],
                )
                .await;
            // `Ok` only once the statement returned: it committed, and with
            // synchronous_commit on (the default) it is on the server's disk.
            match r {
                Ok(_) => Ok(()),
                Err(e) => match unique_violation(&e) {
                    Some("claims") => Err(RowError::ClaimId),
                    Some("claimed_periods") => {
                        // The statement was undone whole: these are other claims' periods.
                        let held =
                            query(&client, PERIODS_OF, &[&c.client_id, &c.contract_id]).await?;
                        Err(RowError::Periods(texts(&held)?))
                    }
                    _ => Err(RowError::Store(pg_err(e))),
                },
            }
        })
        .await
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        timed(async {
            let client = self.client().await?;
            client.batch_execute("BEGIN").await.map_err(pg_err)?;
            Ok(Box::new(PgTx {
                client: Some(client),
            }) as Box<dyn Tx>)
        })
        .await
    }
}

/// A transaction on one pooled connection. tokio-postgres's own `Transaction`
/// borrows its client, so it cannot be kept beside the pooled object; this one
/// owns the object and sends BEGIN, COMMIT and (when dropped open) ROLLBACK itself.
struct PgTx {
    // `None` once committed.
    client: Option<Object>,
}

impl PgTx {
    fn client(&self) -> Result<&Object, StoreError> {
        self.client
            .as_ref()
            .ok_or_else(|| StoreError::new("the transaction ended"))
    }

    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let c = self.client()?;
        timed(query(c, sql, params)).await
    }

    async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        let c = self.client()?;
        timed(async {
            let st = c.prepare_cached(sql).await.map_err(pg_err)?;
            c.execute(&st, params).await.map_err(pg_err)
        })
        .await
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        // Not committed (an early return, an error, a cancelled request): the
        // ROLLBACK is queued on the connection, which goes back to the pool after it.
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    if client.batch_execute("ROLLBACK").await.is_err() {
                        // A connection that cannot roll back must not be reused.
                        let _ = Object::take(client);
                    }
                });
            }
            // No runtime to send it on: close the connection, which ends the
            // transaction on the server's side.
            Err(_) => drop(Object::take(client)),
        }
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn claim_for_update(
        &mut self,
        claim_id: &str,
    ) -> Result<Option<StoredClaim>, StoreError> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE claim_id = $1 FOR UPDATE");
        self.query(&sql, &[&claim_id])
            .await?
            .first()
            .map(row_to_claim)
            .transpose()
    }

    async fn update_status(
        &mut self,
        claim_id: &str,
        to: Status,
        at: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE claims SET status = $2, updated_at = $3 WHERE claim_id = $1",
            &[&claim_id, &to.as_str(), &at],
        )
        .await?;
        Ok(())
    }

    async fn move_month_counts(
        &mut self,
        claim_id: &str,
        from: Status,
        to: Status,
    ) -> Result<(), StoreError> {
        // One statement whose rows are sorted by the key: the row locks are taken
        // in that order, as by every other writer of the table.
        self.execute(
            "INSERT INTO queue_month_counts (period, client_id, remedy, status, n)
             SELECT p.period, c.client_id, coalesce(c.request::jsonb ->> 'remedy', ''),
                    s.status, s.d
             FROM claimed_periods p JOIN claims c ON c.claim_id = p.claim_id,
                  (VALUES ($2::text, -1::bigint), ($3::text, 1::bigint)) AS s(status, d)
             WHERE p.claim_id = $1
             ORDER BY 1, 2, 3, 4
             ON CONFLICT (period, client_id, remedy, status)
             DO UPDATE SET n = queue_month_counts.n + EXCLUDED.n",
            &[&claim_id, &from.as_str(), &to.as_str()],
        )
        .await?;
        Ok(())
    }

    async fn insert_event(&mut self, claim_id: &str, e: &Event) -> Result<(), StoreError> {
        let from = e.from.map(Status::as_str);
        self.execute(
            "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&claim_id, &e.at, &from, &e.to.as_str(), &e.actor, &e.note],
        )
        .await?;
        Ok(())
    }

    async fn subscriptions_of(
        &mut self,
        client_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .query(
                "SELECT id, events FROM webhook_subscriptions WHERE client_id = $1",
                &[&client_id],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(pg_err)?, r.try_get(1).map_err(pg_err)?)))
            .collect()
    }

    async fn insert_delivery(
        &mut self,
        subscription_id: &str,
        e: &OutEvent,
    ) -> Result<usize, StoreError> {
        let n = self
            .execute(
                "INSERT INTO webhook_deliveries
                     (subscription_id, event_id, event_type, body, state, created_ms, next_ms)
                 VALUES ($1, $2, $3, $4, 'pending', $5, $5)
                 ON CONFLICT (subscription_id, event_id) DO NOTHING",
                &[
                    &subscription_id,
                    &e.id,
                    &e.event_type,
                    &e.body,
                    &e.created_ms,
                ],
            )
            .await?;
        Ok(n as usize)
    }

    async fn record_breach(
        &mut self,
        client_id: &str,
        contract: &str,
        period: &str,
        event_id: &str,
        at: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .execute(
                "INSERT INTO emitted_breaches (client_id, contract_id, period, event_id, at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[&client_id, &contract, &period, &event_id, &at],
            )
            .await?;
        Ok(n > 0)
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let client = self.client()?;
        timed(async { client.batch_execute("COMMIT").await.map_err(pg_err) }).await?;
        // Committed: nothing for Drop to roll back.
        self.client = None;
        Ok(())
    }
}
