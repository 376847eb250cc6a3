//! SQLite's SQL text and row decoding, as blocking functions over a connection (or
//! a transaction, which derefs to one): what the store and the group-commit writer
//! both run, so neither needs the other.

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

use crate::store::{
    parse_status, Delivery, DeliveryRecord, Event, NewClaim, OutEvent, Outcome, RowError,
    StoreError, StoredClaim, Subscription,
};

pub fn err(e: rusqlite::Error) -> StoreError {
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

const CLAIM_COLUMNS: &str =
    "claim_id, client_id, contract_id, request, granted, status, submitted_at, updated_at";

/// A `claims` row; its status text is kept for `parse_status`, which rusqlite's
/// row callback cannot return as a `StoreError`.
type ClaimRow = (StoredClaim, String);

fn row_to_claim(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClaimRow> {
    Ok((
        StoredClaim {
            claim_id: r.get(0)?,
            client_id: r.get(1)?,
            contract_id: r.get(2)?,
            request: r.get(3)?,
            granted: r.get(4)?,
            status: crate::store::Status::Submitted,
            submitted_at: r.get(6)?,
            updated_at: r.get(7)?,
        },
        r.get(5)?,
    ))
}

fn decode_claim((mut c, status): ClaimRow) -> Result<StoredClaim, StoreError> {
    c.status = parse_status(&status, "claims.status")?;
    Ok(c)
}

fn claims(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<StoredClaim>, StoreError> {
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} FROM claims {filter} ORDER BY rowid"
        ))
        .map_err(err)?;
    let rows = st.query_map(args, row_to_claim).map_err(err)?;
    rows.map(|r| r.map_err(err).and_then(decode_claim))
        .collect()
}

pub fn get_claim(conn: &Connection, claim_id: &str) -> Result<Option<StoredClaim>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {CLAIM_COLUMNS} FROM claims WHERE claim_id = ?1"
    ))
    .and_then(|mut st| st.query_row(params![claim_id], row_to_claim).optional())
    .map_err(err)?
    .map(decode_claim)
    .transpose()
}

pub fn list_claims(
    conn: &Connection,
    client_id: &str,
    contract_id: &str,
) -> Result<Vec<StoredClaim>, StoreError> {
    claims(
        conn,
        "WHERE client_id = ?1 AND contract_id = ?2",
        params![client_id, contract_id],
    )
}

pub fn all_claims(conn: &Connection) -> Result<Vec<StoredClaim>, StoreError> {
    claims(conn, "", [])
}

pub fn claimed_periods(
    conn: &Connection,
    client_id: &str,
    contract_id: &str,
) -> Result<Vec<String>, StoreError> {
    let mut st = conn
        .prepare_cached(
            "SELECT period FROM claimed_periods WHERE client_id = ?1 AND contract_id = ?2 \
             ORDER BY period",
        )
        .map_err(err)?;
    let rows = st
        .query_map(params![client_id, contract_id], |r| r.get::<_, String>(0))
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

pub fn events(conn: &Connection, claim_id: &str) -> Result<Vec<Event>, StoreError> {
    let mut st = conn
        .prepare_cached(
            "SELECT at, from_status, to_status, actor, note FROM claim_events
             WHERE claim_id = ?1 ORDER BY id",
        )
        .map_err(err)?;
    let rows = st
        .query_map(params![claim_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(err)?;
    rows.map(|r| {
        let (at, from, to, actor, note) = r.map_err(err)?;
        Ok(Event {
            at,
            from: from
                .map(|f| parse_status(&f, "claim_events.from_status"))
                .transpose()?,
            to: parse_status(&to, "claim_events.to_status")?,
            actor,
            note,
        })
    })
    .collect()
}

/// Which UNIQUE key refused a claim's rows.
pub enum Refused {
    ClaimId,
    Periods,
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

/// The claim's rows, its periods and its first audit row, inside a transaction
/// (or savepoint) the caller owns and rolls back on an error, before `refusal`.
pub fn insert_rows(conn: &Connection, c: &NewClaim, filed: &Event) -> Result<(), Refused> {
    let store = |e| Refused::Store(err(e));
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
                filed.to.as_str(),
                c.at
            ])
        }) {
        Ok(_) => {}
        Err(e) if is_constraint(&e) => return Err(Refused::ClaimId),
        Err(e) => return Err(store(e)),
    }
    for p in &c.periods {
        match conn
            .prepare_cached(
                "INSERT INTO claimed_periods (client_id, contract_id, period, claim_id) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| st.execute(params![c.client_id, c.contract_id, p, c.claim_id]))
        {
            Ok(_) => {}
            Err(e) if is_constraint(&e) => return Err(Refused::Periods),
            Err(e) => return Err(store(e)),
        }
    }
    // One more in the queue's counts for each month, under the filed status.
    let mut count = conn
        .prepare_cached(
            "INSERT INTO queue_month_counts (period, client_id, remedy, status, n) \
             VALUES (?1, ?2, coalesce(json_extract(?3, '$.remedy'), ''), ?4, 1) \
             ON CONFLICT (period, client_id, remedy, status) DO UPDATE SET n = n + 1",
        )
        .map_err(store)?;
    for p in &c.periods {
        count
            .execute(params![p, c.client_id, c.request, filed.to.as_str()])
            .map_err(store)?;
    }
    insert_event(conn, &c.claim_id, filed)?;
    Ok(())
}

/// One less under `from` and one more under `to` for each month the claim holds,
/// in `queue_month_counts`.
pub fn move_month_counts(
    conn: &Connection,
    claim_id: &str,
    from: &str,
    to: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "WITH s(status, d) AS (VALUES (?2, -1), (?3, 1))
         INSERT INTO queue_month_counts (period, client_id, remedy, status, n)
         SELECT p.period, c.client_id, coalesce(json_extract(c.request, '$.remedy'), ''),
                s.status, s.d
         FROM claimed_periods p JOIN claims c ON c.claim_id = p.claim_id JOIN s
         WHERE p.claim_id = ?1
         ORDER BY 1, 2, 3, 4
         ON CONFLICT (period, client_id, remedy, status) DO UPDATE SET n = n + excluded.n",
    )
    .and_then(|mut st| st.execute(params![claim_id, from, to]))
    .map_err(err)?;
    Ok(())
}

/// A refusal as the store reports it, read after the refused rows were rolled
/// back: for a period conflict, the periods other claims hold.
pub fn refusal(conn: &Connection, c: &NewClaim, r: Refused) -> RowError {
    match r {
        Refused::ClaimId => RowError::ClaimId,
        Refused::Store(e) => RowError::Store(e),
        Refused::Periods => match claimed_periods(conn, &c.client_id, &c.contract_id) {
            Ok(held) => RowError::Periods(held),
            Err(e) => RowError::Store(e),
        },
    }
}

pub fn update_status(
    conn: &Connection,
    claim_id: &str,
    to: &str,
    at: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE claims SET status = ?2, updated_at = ?3 WHERE claim_id = ?1")
        .and_then(|mut st| st.execute(params![claim_id, to, at]))
        .map_err(err)?;
    Ok(())
}

pub fn insert_event(conn: &Connection, claim_id: &str, e: &Event) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO claim_events (claim_id, at, from_status, to_status, actor, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut st| {
        st.execute(params![
            claim_id,
            e.at,
            e.from.map(|s| s.as_str()),
            e.to.as_str(),
            e.actor,
            e.note
        ])
    })
    .map_err(err)?;
    Ok(())
}

pub fn subscriptions_of(
    conn: &Connection,
    client_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut st = conn
        .prepare_cached("SELECT id, events FROM webhook_subscriptions WHERE client_id = ?1")
        .map_err(err)?;
    let rows = st
        .query_map(params![client_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

pub fn insert_delivery(
    conn: &Connection,
    subscription_id: &str,
    e: &OutEvent,
) -> Result<usize, StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO webhook_deliveries
             (subscription_id, event_id, event_type, body, state, created_ms, next_ms)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
    )
    .and_then(|mut st| {
        st.execute(params![
            subscription_id,
            e.id,
            e.event_type,
            e.body,
            e.created_ms
        ])
    })
    .map_err(err)
}

pub fn record_breach(
    conn: &Connection,
    client_id: &str,
    contract: &str,
    period: &str,
    event_id: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let n = conn
        .execute(
            "INSERT OR IGNORE INTO emitted_breaches (client_id, contract_id, period, event_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![client_id, contract, period, event_id, at],
        )
        .map_err(err)?;
    Ok(n > 0)
}

pub fn create_subscription(conn: &Connection, s: &Subscription) -> Result<(), StoreError> {
    let events = serde_json::to_string(&s.events).map_err(|e| StoreError::new(e.to_string()))?;
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

pub fn subscriptions(conn: &Connection, client_id: &str) -> Result<Vec<Subscription>, StoreError> {
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

pub fn delete_subscription(
    conn: &Connection,
    client_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    // The deliveries go with it (ON DELETE CASCADE, foreign_keys=ON).
    let n = conn
        .execute(
            "DELETE FROM webhook_subscriptions WHERE client_id = ?1 AND id = ?2",
            params![client_id, id],
        )
        .map_err(err)?;
    Ok(n > 0)
}

/// Reads and leases the due rows; the caller's IMMEDIATE transaction makes that
/// one step (SQLite has one writer at a time).
pub fn lease_due(
    conn: &Connection,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let due = {
        let mut st = conn
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
        conn.execute(
            "UPDATE webhook_deliveries SET lease_ms = ?2 WHERE id = ?1",
            params![d.id, lease_ms],
        )
        .map_err(err)?;
    }
    Ok(due)
}

pub fn finish_attempt(
    conn: &Connection,
    delivery_id: i64,
    outcome: &Outcome,
) -> Result<(), StoreError> {
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

pub fn deliveries(
    conn: &Connection,
    client_id: &str,
    subscription_id: &str,
    limit: i64,
) -> Result<Vec<DeliveryRecord>, StoreError> {
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
