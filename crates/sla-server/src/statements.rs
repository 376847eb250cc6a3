//! Signed monthly statements (docs/SIGNATURES.md): a judged month's figures exactly as the
//! report has them, the documents they were computed from, and a JWS over their canonical
//! JSON, so a client's finance or legal team holds numbers the provider has signed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use sla_rules::report::{PeriodStatus, Report};
use sla_rules::wire::ErrorCode;

use crate::api::{blocking, Caller};
use crate::data::{DataError, Doc, Scope};
use crate::errors::{json_response, ApiError};
use crate::AppState;

/// The schema tag of a statement.
pub const STATEMENT_SCHEMA: &str = "sla-portal/statement/v1";

/// `GET /api/v1/statements/{month}`: the caller's statement of `month`.
pub async fn statement(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(month): Path<String>,
) -> Result<Response, ApiError> {
    let scope = crate::api::only_contract(&state, &caller).await?;
    answer(state, scope, month).await
}

/// `GET /api/v1/contracts/{id}/statements/{month}`: 403 unless `id` is one of the contracts
/// the caller sees, like every per-contract route.
pub async fn contract_statement(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((contract, month)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let scope = crate::api::named_contract(&state, &caller, &contract).await?;
    answer(state, scope, month).await
}

/// The statement answer for the contract of `scope` and `month`.
pub async fn answer(
    state: Arc<AppState>,
    scope: Scope,
    month: String,
) -> Result<Response, ApiError> {
    let report = state
        .data
        .report(&scope.dir, crate::clock::now_unix())
        .await
        .map_err(data_error)?;
    let mut files = Vec::with_capacity(3);
    for d in [Doc::Usage, Doc::Incidents, Doc::Policy] {
        files.push(match state.data.file(&scope.dir, d).await {
            Ok(f) => Some(f),
            Err(DataError::Missing(_)) => None,
            Err(e) => return Err(data_error(e)),
        });
    }
    // A file's tag is a SHA-256 of it (a year of telemetry): off the async workers.
    let documents = blocking(move || {
        let etag = |f: &Option<Arc<crate::data::FileDoc>>| {
            f.as_ref()
                .map_or(Value::Null, |f| Value::String(f.etag().to_string()))
        };
        Ok(json!({
            "usage": etag(&files[0]),
            "incidents": etag(&files[1]),
            "policy": etag(&files[2]),
        }))
    })
    .await?;
    crate::api::check_contract_id(&scope, &report.contract_id)?;
    let statement = build(&report, &month, documents)?;
    let jws = match &state.signing.current {
        Some(s) => Value::String(
            s.sign(crate::signing::STATEMENT_TYP, &statement)
                .map_err(ApiError::internal)?,
        ),
        None => Value::Null,
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({ "statement": statement, "jws": jws }),
    ))
}

fn data_error(e: DataError) -> ApiError {
    match e {
        DataError::Missing(d) => ApiError::new(
            404,
            ErrorCode::NotFound,
            format!("no {} for this client", d.file_name()),
        ),
        DataError::Io(m) => {
            tracing::error!(error = %m, "reading client data");
            ApiError::internal("client data could not be read")
        }
        DataError::Invalid(e) => ApiError::new(500, ErrorCode::DataInvalid, e.to_string()),
    }
}

/// The statement of `month` from the report: the period's figures, its outages with this
/// month's share of each, the exclusion records that touch it, and the units it earns.
/// 404 for a month the report has no period for, 409 `month_not_judged` for one that is
/// in progress or partial.
pub fn build(report: &Report, month: &str, documents: Value) -> Result<Value, ApiError> {
    let Some(p) = report.periods.iter().find(|p| p.month == *month) else {
        return Err(ApiError::new(
            404,
            ErrorCode::NotFound,
            format!("{month} is no service period of this contract"),
        ));
    };
    if p.status != PeriodStatus::Judged {
        return Err(ApiError::new(
            409,
            ErrorCode::MonthNotJudged,
            format!("{month} is not judged yet: a statement covers a judged month only"),
        )
        .with_details(json!({ "month": month, "status": p.status })));
    }
    let outages: Vec<Value> = p
        .outage_minutes
        .iter()
        .map(|share| {
            let o = report.outages.iter().find(|o| o.id == share.id);
            json!({
                "id": share.id,
                "start": o.map(|o| &o.start),
                "end": o.map(|o| &o.end),
                "minutes": o.map(|o| o.minutes),
                "counted_minutes": share.counted_minutes,
                "excluded_minutes": share.excluded_minutes,
                "compensable": o.map(|o| o.compensable),
            })
        })
        .collect();
    let exclusions: Vec<Value> = report
        .exclusions
        .iter()
        .filter_map(|x| {
            let here = x.periods.iter().find(|e| e.month == *month);
            // A record that was not applied holds no period; it is listed for the month it
            // starts in, so the statement shows why those minutes were not excluded.
            let starts_here = x.start.to_string().get(..7) == Some(month);
            (here.is_some() || (!x.applied && starts_here)).then(|| {
                json!({
                    "id": x.id,
                    "source": x.source,
                    "title": x.title,
                    "start": x.start,
                    "end": x.end,
                    "announced_at": x.announced_at,
                    "applied": x.applied,
                    "reason": x.reason,
                    "excluded_minutes": here.map(|e| e.excluded_minutes).unwrap_or(0),
                })
            })
        })
        .collect();
    let units = report
        .entitlement
        .contract_credit
        .per_period
        .iter()
        .find(|c| c.month == *month)
        .map(|c| c.units)
        .unwrap_or(0);
    Ok(json!({
        "schema": STATEMENT_SCHEMA,
        "client": report.client_id,
        "client_name": report.client_name,
        "contract": report.contract_id,
        "month": month,
        "policy_version": p.policy_version,
        "documents": documents,
        "availability": p.availability,
        "target": p.target,
        "minutes": p.minutes,
        "excluded_minutes": p.excluded_minutes,
        "measured_minutes": p.measured_minutes,
        "available_minutes": p.measured_minutes.saturating_sub(p.unavailable_minutes),
        "unavailable_minutes": p.unavailable_minutes,
        "no_data_minutes": p.no_data_minutes,
        // Where telemetry stops, so a month met only because its data stopped shows it.
        "data_horizon": report.data_horizon,
        "minutes_after_data_horizon": p.minutes_after_data_horizon,
        "breached": p.breached,
        "units": units,
        "outages": outages,
        "exclusions": exclusions,
    }))
}
