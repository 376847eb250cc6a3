//! `GET /api/v1/contracts`: the contracts a caller sees, each with a summary a
//! group view can show without loading every contract's report in the browser.
//! Every figure comes from the rules core (`sla_rules::evaluate`,
//! `claims::claimable_periods`, `claims::figures_for`), never re-derived here.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use sla_rules::claims::{claimable_periods, figures_for, ClaimStatus, Remedy};
use sla_rules::report::{PeriodStatus, Report};

use crate::api::{check_contract_id, data_error, visible_contracts, Caller};
use crate::errors::{json_response, ApiError};
use crate::store::StoredClaim;
use crate::AppState;

pub const SCHEMA: &str = "sla-portal/contracts/v1";

/// Every claim status, in workflow order: the summary lists each, 0 when none.
const STATUSES: [ClaimStatus; 5] = [
    ClaimStatus::Submitted,
    ClaimStatus::UnderReview,
    ClaimStatus::Approved,
    ClaimStatus::Rejected,
    ClaimStatus::Fulfilled,
];

/// The summary of one contract from its report, the periods its claims hold and
/// its claims.
pub fn summary(report: &Report, claimed: &[String], claims: &[StoredClaim]) -> Value {
    let last_judged = report
        .periods
        .iter()
        .rev()
        .find(|p| p.status == PeriodStatus::Judged)
        .map(|p| {
            json!({ "month": p.month.to_string(), "availability": p.availability,
                    "breached": p.breached,
                    "minutes_after_data_horizon": p.minutes_after_data_horizon })
        });
    let open = claimable_periods(report, claimed);
    // The units a claim of every open breached month would be granted now.
    let claimable_units = if open.is_empty() {
        0
    } else {
        figures_for(report, &open, Remedy::ContractCredit).map_or(0, |g| g.units)
    };
    let mut counts = serde_json::Map::new();
    for s in STATUSES {
        let n = claims.iter().filter(|c| c.status == s).count();
        counts.insert(s.as_str().to_string(), json!(n));
    }
    json!({
        "last_judged": last_judged,
        // How far telemetry reaches (the report's own figure): a stalled feed shows here.
        "data_horizon": report.data_horizon,
        "breached_months": report.entitlement.breached_periods,
        "claimable_units": claimable_units,
        "claims": counts,
    })
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let now = crate::clock::now_unix();
    let mut out = Vec::new();
    for (id, scope) in visible_contracts(&state, &caller).await? {
        // Valid until the instant the sweep would evaluate the contract again.
        let s = state
            .data
            .summary(&scope.dir, now, |r| r.next_judgement_at())
            .await
            .map_err(data_error)?;
        check_contract_id(&scope, &s.report.contract_id)?;
        let r = &s.report;
        let claimed = state.store.claimed_periods(&scope.client, &id).await?;
        let claims = state.store.list_claims(&scope.client, &id).await?;
        let base = format!("/api/v1/contracts/{id}");
        out.push(json!({
            "id": id,
            "name": s.name,
            "service_start": r.contract.service_start,
            "service_end": r.contract.service_end,
            "timezone": r.contract.timezone,
            "links": {
                "usage": format!("{base}/usage"),
                "incidents": format!("{base}/incidents"),
                "policy": format!("{base}/policy"),
                "claims": format!("{base}/claims"),
            },
            "summary": summary(r, &claimed, &claims),
        }));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({ "schema": SCHEMA, "as_of": crate::clock::now_rfc3339(), "contracts": out }),
    ))
}
