//! The operator queue's rows on SQLite: the SQL of `queue_sql` run on a connection
//! and decoded into stored claims.

use super::rows::err;
use crate::queue_sql::Param;
use crate::store::{parse_status, Status, StoreError, StoredClaim};

fn sqlite_params(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => rusqlite::types::Value::Text(s.clone()),
            Param::Int(i) => rusqlite::types::Value::Integer(*i),
        })
        .collect()
}

pub fn sqlite_page(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Param],
) -> Result<Vec<(StoredClaim, i64)>, StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(err)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(sqlite_params(params)), |r| {
            Ok((
                StoredClaim {
                    claim_id: r.get(0)?,
                    client_id: r.get(1)?,
                    contract_id: r.get(2)?,
                    request: r.get(3)?,
                    granted: r.get(4)?,
                    status: Status::Submitted,
                    submitted_at: r.get(6)?,
                    updated_at: r.get(7)?,
                },
                r.get::<_, String>(5)?,
                r.get::<_, i64>(8)?,
            ))
        })
        .map_err(err)?;
    rows.map(|r| {
        let (mut c, status, seq) = r.map_err(err)?;
        c.status = parse_status(&status, "claims.status")?;
        Ok((c, seq))
    })
    .collect()
}

pub fn sqlite_counts(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Param],
) -> Result<Vec<(Status, i64)>, StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(err)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(sqlite_params(params)), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(err)?;
    rows.map(|r| {
        let (s, n) = r.map_err(err)?;
        Ok((parse_status(&s, "claims.status")?, n))
    })
    .collect()
}
