//! The operator's queue, claim page and decisions over HTTP: keyset paging over every
//! client's claims with counts per status (the SQL is `queue_sql.rs`), and status
//! changes guarded by `If-Match` on the claim's version.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sla_rules::claims::Remedy;
use sla_rules::wire::ErrorCode;

use crate::claims_http::CLAIM_BODY_LIMIT;
use crate::errors::{json_response, ApiError};
use crate::operator::{operator_claim, Operator, NOTE_LIMIT};
use crate::store::{Status, StatusError, Store, StoredClaim};
use crate::AppState;

pub use crate::queue_sql::{Cursor, MonthPlan, QueueQuery, DEFAULT_LIMIT, MAX_LIMIT, RARE_MONTH};

/// Seconds since the claim was filed (0 for a time that does not parse, or ahead).
pub fn age_seconds(submitted_at: &str, now: i64) -> i64 {
    chrono::DateTime::parse_from_rfc3339(submitted_at)
        .map(|t| (now - t.timestamp()).max(0))
        .unwrap_or(0)
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(400, ErrorCode::BadRequest, message)
}

fn valid_month(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(m[5..].parse::<u32>(), Ok(1..=12))
}

/// Reads `?status=&client=&month=&remedy=&after=&limit=`; anything else is a 400,
/// so a misspelt filter is not silently ignored.
pub fn parse_query(pairs: &[(String, String)]) -> Result<QueueQuery, ApiError> {
    let mut q = QueueQuery::default();
    for (k, v) in pairs {
        match k.as_str() {
            "status" => {
                q.status = Some(Status::parse(v).ok_or_else(|| {
                    bad(format!(
                        "status: one of {}",
                        crate::statuses::all().join(", ")
                    ))
                })?)
            }
            "client" if !v.is_empty() && v.len() <= 200 => q.client = Some(v.clone()),
            "client" => return Err(bad("client: a client id")),
            "month" if valid_month(v) => q.month = Some(v.clone()),
            "month" => return Err(bad("month: YYYY-MM")),
            "remedy" => {
                let r: Remedy = serde_json::from_value(Value::String(v.clone()))
                    .map_err(|_| bad("remedy: service_extension or contract_credit"))?;
                q.remedy = serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
            }
            "after" => {
                q.after = Some(Cursor::decode(v).ok_or_else(|| bad("after: a cursor from `next`"))?)
            }
            "limit" => {
                q.limit = v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad(format!("limit: 1 to {MAX_LIMIT}")))?
            }
            other => {
                return Err(bad(format!(
                    "unknown parameter {other:?}: status, client, month, remedy, after or limit"
                )))
            }
        }
    }
    Ok(q)
}

/// One page of the queue and the counts, as the route answers it.
pub async fn queue(store: &dyn Store, q: &QueueQuery, now: i64) -> Result<Value, ApiError> {
    // The counts first: under `month=` they say how many claims the page can come
    // from, which picks the plan (both give the same rows).
    let found = store.queue_counts(q).await?;
    let mut q = q.clone();
    if q.month.is_some() && q.plan == MonthPlan::Auto {
        let held: i64 = found
            .iter()
            .filter(|(s, _)| q.status.is_none_or(|want| want == *s))
            .map(|(_, n)| n)
            .sum();
        // Under `client=` the walk reads that client's claims only (its index),
        // where the month's periods would be read whole before the client's are
        // kept (69 ms for 100 of 100,000 in the bench).
        q.plan = if held < RARE_MONTH && q.client.is_none() {
            MonthPlan::FromPeriods
        } else {
            MonthPlan::WalkClaims
        };
    }
    let q = &q;
    let mut rows = store.queue_page(q).await?;
    let more = rows.len() as i64 > q.limit;
    rows.truncate(q.limit as usize);
    let next = match rows.last() {
        Some((c, seq)) if more => Value::String(
            Cursor {
                submitted_at: c.submitted_at.clone(),
                seq: *seq,
            }
            .encode(),
        ),
        _ => Value::Null,
    };
    let mut claims = Vec::with_capacity(rows.len());
    for (c, _) in &rows {
        let mut v = operator_claim(store, c).await?;
        v["age_seconds"] = json!(age_seconds(&c.submitted_at, now));
        v["version"] = json!(c.version());
        claims.push(v);
    }
    // Every status appears, 0 when none, so a tab never has to guess.
    let mut counts = Map::new();
    for s in Status::ALL {
        let n = found.iter().find(|(f, _)| *f == s).map_or(0, |(_, n)| *n);
        counts.insert(s.as_str().to_string(), json!(n));
    }
    Ok(json!({ "claims": claims, "counts": counts, "next": next }))
}

/// `GET /api/v1/operator/claims?status=&client=&month=&remedy=&after=&limit=`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    req: Request,
) -> Result<Response, ApiError> {
    let axum::extract::Query(pairs) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(req.uri())
            .map_err(|_| bad("the query string could not be read"))?;
    let q = parse_query(&pairs)?;
    let v = queue(state.store.as_ref(), &q, crate::clock::now_unix()).await?;
    Ok(json_response(StatusCode::OK, &v))
}

fn with_etag(mut r: Response, c: &StoredClaim) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", c.version())) {
        r.headers_mut().insert(axum::http::header::ETAG, v);
    }
    r
}

fn not_found() -> ApiError {
    ApiError::new(404, ErrorCode::NotFound, "no such claim")
}

/// A claim as the operator's page shows it.
async fn detail_value(store: &dyn Store, c: &StoredClaim) -> Result<Value, ApiError> {
    let mut v = operator_claim(store, c).await?;
    v["age_seconds"] = json!(age_seconds(&c.submitted_at, crate::clock::now_unix()));
    v["version"] = json!(c.version());
    Ok(v)
}

/// `GET /api/v1/operator/claims/{claim_id}`: the claim, its audit trail and version
/// (also as `ETag`).
pub async fn detail(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    Path(claim_id): Path<String>,
) -> Result<Response, ApiError> {
    let store = state.store.as_ref();
    let c = store.get_claim(&claim_id).await?.ok_or_else(not_found)?;
    let v = detail_value(store, &c).await?;
    Ok(with_etag(json_response(StatusCode::OK, &v), &c))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    status: String,
    #[serde(default)]
    note: String,
}

/// The version `If-Match` names: `None` for `*` (any), `Some(None)` when absent.
/// Weak tags never match (RFC 9110: If-Match compares strongly).
fn if_match(headers: &HeaderMap) -> Result<Option<Option<String>>, ApiError> {
    let Some(h) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = h
        .to_str()
        .map_err(|_| bad("If-Match: a quoted version"))?
        .trim();
    if text == "*" {
        return Ok(Some(None));
    }
    let tag = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    // A weak tag is kept as written: it cannot equal a version.
    Ok(Some(Some(tag.to_string())))
}

/// `POST /api/v1/operator/claims/{claim_id}/status` with `If-Match` and
/// `{"status", "note"}`: the workflow's next statuses only, a note to reject.
pub async fn set_status(
    State(state): State<Arc<AppState>>,
    op: Operator,
    Path(claim_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = axum::body::to_bytes(body, CLAIM_BODY_LIMIT)
        .await
        .map_err(|_| bad("the body could not be read"))?;
    let change: StatusChange =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("status change: {e}")))?;
    let to = Status::parse(&change.status).ok_or_else(|| {
        bad(format!(
            "status: one of {}",
            crate::statuses::targets().join(", ")
        ))
    })?;
    if change.note.chars().count() > NOTE_LIMIT {
        return Err(bad(format!("note: at most {NOTE_LIMIT} characters")));
    }
    if to == Status::Rejected && change.note.trim().is_empty() {
        return Err(ApiError::new(
            400,
            ErrorCode::NoteRequired,
            "a rejection needs a note for the client",
        ));
    }
    let store = state.store.as_ref();
    let expected = if_match(&headers)?;
    let Some(expected) = expected else {
        // A claim that does not exist is a 404 whether or not the caller sent a version.
        store.get_claim(&claim_id).await?.ok_or_else(not_found)?;
        return Err(ApiError::new(
            428,
            ErrorCode::VersionRequired,
            "a decision needs If-Match with the claim's version (its ETag)",
        ));
    };
    let actor = format!("operator:{}", op.0);
    let at = crate::clock::now_rfc3339();
    match store
        .set_status_if(
            &claim_id,
            to,
            &actor,
            &change.note,
            &at,
            expected.as_deref(),
        )
        .await
    {
        Ok(c) => {
            tracing::info!(claim_id = %c.claim_id, status = to.as_str(), actor = %actor, "claim status changed");
            // Each state is signed as it is reached, so the client's history keeps them all.
            crate::receipts::of_stored(&state, &c).await;
            let v = detail_value(store, &c).await?;
            Ok(with_etag(json_response(StatusCode::OK, &v), &c))
        }
        Err(StatusError::NotFound) => Err(not_found()),
        Err(StatusError::NotAllowed { from, to }) => Err(ApiError::new(
            409,
            ErrorCode::StatusNotAllowed,
            format!("a {} claim cannot become {}", from.as_str(), to.as_str()),
        )
        .with_details(json!({ "from": from.as_str(), "to": to.as_str() }))),
        Err(StatusError::Stale(c)) => {
            let events = store.events(&c.claim_id).await?;
            let last = events.last();
            Err(ApiError::new(
                412,
                ErrorCode::ClaimChanged,
                format!(
                    "the claim was changed by {} at {}; reload it",
                    last.map_or("someone", |e| e.actor.as_str()),
                    c.updated_at
                ),
            )
            .with_details(json!({
                "status": c.status.as_str(),
                "version": c.version(),
                "changed_by": last.map(|e| e.actor.clone()),
                "changed_at": c.updated_at,
            })))
        }
        Err(StatusError::Store(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_strict() {
        let pairs = |s: &[(&str, &str)]| -> Vec<(String, String)> {
            s.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let q = parse_query(&pairs(&[("month", "2025-12"), ("limit", "500")])).expect("ok");
        assert_eq!((q.month.as_deref(), q.limit), (Some("2025-12"), 500));
        for bad in [
            ("month", "2025-13"),
            ("month", "2025-1"),
            ("limit", "0"),
            ("limit", "501"),
            ("remedy", "cash"),
            ("status", "done"),
            ("after", "x"),
            ("sort", "desc"),
        ] {
            assert!(parse_query(&pairs(&[bad])).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn age_is_whole_seconds_since_filing() {
        // 2026-12-04T00:00:00Z is 1_796_342_400; one hour and one second later.
        assert_eq!(age_seconds("2026-12-04T00:00:00Z", 1_796_346_001), 3601);
        assert_eq!(age_seconds("garbage", 5), 0);
        assert_eq!(age_seconds("2026-12-04T00:00:00Z", 0), 0);
    }
}
