//! What the provider owes across all clients and contracts, per month:
//! `GET /api/v1/operator/exposure?from=&to=[&format=csv]`. Every figure comes from
//! the rules core (the cached report of `DataDir::summary`, `claims::figures_for`);
//! the server only adds them up and says which claim holds each month.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use sla_rules::claims::{figures_for, Remedy};
use sla_rules::wire::ErrorCode;

use crate::api::data_error;
use crate::data::Scope;
use crate::errors::{json_response, ApiError};
use crate::operator::Operator;
use crate::store::{Status, StoredClaim};
use crate::AppState;

/// One month's totals.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MonthTotal {
    /// Contracts below target in this month.
    pub below_target: u64,
    pub units: u64,
    pub service_extension_months: u64,
    pub contract_credit: u64,
    /// Units of this month held by a claim, per the claim's status.
    pub claimed_units: BTreeMap<&'static str, u64>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(400, ErrorCode::BadRequest, message)
}

fn month_arg(v: &str, name: &str) -> Result<String, ApiError> {
    sla_rules::time::Month::parse(v)
        .map(|m| m.to_string())
        .map_err(|_| bad(format!("{name}: YYYY-MM")))
}

/// A contract left out of an operator's overview because its documents could not be read:
/// named with the reason, so that a total never silently lacks a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub client: String,
    /// `None` when not even the client's contract list (or its one `usage.json`) reads.
    pub contract: Option<String>,
    /// The reader's message (file, JSON path and what is wrong), as the client's own
    /// routes would answer it.
    pub error: String,
}

impl Unreadable {
    pub fn json(&self) -> Value {
        json!({ "client": self.client, "contract": self.contract, "error": self.error })
    }
}

/// Every client's contracts, as the sweep and the contracts document see them, and the
/// clients whose contracts could not be listed.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    pub ok: Vec<(String, Scope)>,
    pub unreadable: Vec<Unreadable>,
}

/// Reads every client's contract list. One client's unreadable documents fail that client
/// only: an operator's overview of tens of thousands must not go dark for one bad upload.
pub(crate) async fn all_scopes(state: &AppState) -> Scopes {
    let mut out = Scopes::default();
    let mut clients: Vec<&str> = state.tokens.clients().collect();
    clients.sort_unstable();
    clients.dedup();
    let unreadable = |client: &str, e| Unreadable {
        client: client.to_string(),
        contract: None,
        error: data_error(e).message,
    };
    for client in clients {
        match state.data.group_contracts(client).await {
            Ok(Some(ids)) => out.ok.extend(ids.into_iter().map(|id| {
                let s = Scope::group(client, &id);
                (id, s)
            })),
            Ok(None) => match state.data.usage(client).await {
                Ok(u) => out.ok.push((u.contract_id.clone(), Scope::single(client))),
                Err(e) => out.unreadable.push(unreadable(client, e)),
            },
            Err(e) => out.unreadable.push(unreadable(client, e)),
        }
    }
    out
}

/// Adds one contract's breached months in `[from, to]` to `totals`.
fn add_contract(
    totals: &mut BTreeMap<String, MonthTotal>,
    report: &sla_rules::report::Report,
    claims: &[StoredClaim],
    from: &str,
    to: &str,
) {
    for p in report.periods.iter().filter(|p| p.breached) {
        let month = p.month.to_string();
        if month.as_str() < from || month.as_str() > to {
            continue;
        }
        let one = [month.clone()];
        let ext = figures_for(report, &one, Remedy::ServiceExtension).ok();
        let credit = figures_for(report, &one, Remedy::ContractCredit).ok();
        let units = ext.as_ref().map_or(0, |g| g.units);
        let t = totals.entry(month.clone()).or_default();
        t.below_target += 1;
        t.units += units;
        t.service_extension_months += ext.and_then(|g| g.service_extension_months).unwrap_or(0);
        t.contract_credit += credit.and_then(|g| g.contract_credit).unwrap_or(0);
        let holder = claims.iter().find(|c| {
            serde_json::from_str::<Value>(&c.request)
                .ok()
                .and_then(|r| {
                    r["periods"]
                        .as_array()
                        .map(|ps| ps.iter().any(|m| m == month.as_str()))
                })
                .unwrap_or(false)
        });
        if let Some(c) = holder {
            *t.claimed_units.entry(c.status.as_str()).or_default() += units;
        }
    }
}

/// The months of `[from, to]` with any contract below target, and their totals; the
/// contracts left out because their documents could not be read.
pub async fn exposure(
    state: &Arc<AppState>,
    from: &str,
    to: &str,
) -> Result<(BTreeMap<String, MonthTotal>, Vec<Unreadable>), ApiError> {
    let scopes = all_scopes(state).await;
    let mut unreadable = scopes.unreadable;
    let now = crate::clock::now_unix();
    let mut totals = BTreeMap::new();
    for (id, scope) in scopes.ok {
        let s = state
            .data
            .summary(&scope.dir, now, |r| r.next_judgement_at())
            .await;
        match s {
            Ok(s) => {
                let claims = state.store.list_claims(&scope.client, &id).await?;
                add_contract(&mut totals, &s.report, &claims, from, to);
            }
            Err(e) => unreadable.push(Unreadable {
                client: scope.client.clone(),
                contract: Some(id),
                error: data_error(e).message,
            }),
        }
    }
    Ok((totals, unreadable))
}

fn row_json(month: &str, t: &MonthTotal) -> Value {
    let mut claimed = Map::new();
    for s in Status::ALL {
        let n = t.claimed_units.get(s.as_str()).copied().unwrap_or(0);
        claimed.insert(s.as_str().to_string(), json!(n));
    }
    let held: u64 = t.claimed_units.values().sum();
    json!({
        "month": month,
        "below_target": t.below_target,
        "units": t.units,
        "service_extension_months": t.service_extension_months,
        "contract_credit": t.contract_credit,
        "claimed_units": claimed,
        "unclaimed_units": t.units.saturating_sub(held),
    })
}

/// The CSV export: one line per month, the same columns as the JSON.
pub fn csv(totals: &BTreeMap<String, MonthTotal>) -> String {
    let mut out = String::from("month,below_target,units,service_extension_months,contract_credit");
    for s in Status::ALL {
        out.push_str(&format!(",claimed_{}", s.as_str()));
    }
    out.push_str(",unclaimed_units\r\n");
    for (m, t) in totals {
        out.push_str(&format!(
            "{m},{},{},{},{}",
            t.below_target, t.units, t.service_extension_months, t.contract_credit
        ));
        let mut held = 0;
        for s in Status::ALL {
            let n = t.claimed_units.get(s.as_str()).copied().unwrap_or(0);
            held += n;
            out.push_str(&format!(",{n}"));
        }
        out.push_str(&format!(",{}\r\n", t.units.saturating_sub(held)));
    }
    out
}

/// `GET /api/v1/operator/exposure?from=YYYY-MM&to=YYYY-MM[&format=csv]`.
pub async fn route(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    req: Request,
) -> Result<Response, ApiError> {
    let axum::extract::Query(pairs) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(req.uri())
            .map_err(|_| bad("the query string could not be read"))?;
    let (mut from, mut to, mut as_csv) = (None, None, false);
    for (k, v) in &pairs {
        match k.as_str() {
            "from" => from = Some(month_arg(v, "from")?),
            "to" => to = Some(month_arg(v, "to")?),
            "format" if v == "csv" => as_csv = true,
            "format" if v == "json" => as_csv = false,
            "format" => return Err(bad("format: json or csv")),
            other => {
                return Err(bad(format!(
                    "unknown parameter {other:?}: from, to or format"
                )))
            }
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(bad("from and to: YYYY-MM"));
    };
    if from > to {
        return Err(bad("from: not after to"));
    }
    let (totals, unreadable) = exposure(&state, &from, &to).await?;
    if as_csv {
        let mut r = (StatusCode::OK, csv(&totals)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        // A spreadsheet has no place for them: the count says the rows are not everyone's.
        r.headers_mut().insert(
            "x-sla-unreadable-contracts",
            HeaderValue::from(unreadable.len()),
        );
        return Ok(r);
    }
    let months: Vec<Value> = totals.iter().map(|(m, t)| row_json(m, t)).collect();
    let unreadable: Vec<Value> = unreadable.iter().map(Unreadable::json).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "from": from, "to": to, "months": months, "unreadable": unreadable }),
    ))
}
