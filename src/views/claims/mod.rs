//! The Claims tab: the entitlement, the claim flow and the claim history.

pub mod entitlement;
pub mod flow;
pub mod history;
pub mod notifications;

pub use history::Confirmation;

use sla_rules::claims::{claimable_periods, Remedy};
use yew::prelude::*;

use crate::api::ClaimError;
use crate::claims_api::{ClaimsCtx, ClaimsStatus};
use crate::env::{Env, ViewProps};
use crate::i18n::Key;

pub fn remedy_label(env: &Env, r: Remedy) -> &'static str {
    env.t(match r {
        Remedy::ServiceExtension => Key::RemedyExtension,
        Remedy::ContractCredit => Key::RemedyCredit,
    })
}

/// A claim's figures in words: "1 unit: 1 month, service until 2026-12-30" / "1 unit: 1,433 contracts".
pub fn figures_text(
    env: &Env,
    remedy: Remedy,
    units: u64,
    months: Option<u64>,
    end: Option<&str>,
    credit: Option<u64>,
) -> String {
    let f = &env.fmt;
    let units = f.int(units);
    match remedy {
        Remedy::ServiceExtension => {
            let mut s = env.fill(
                Key::FiguresExtension,
                &[("units", &units), ("n", &f.int(months.unwrap_or(0)))],
            );
            if let Some(e) = end {
                s.push_str(&env.fill(Key::FiguresEnd, &[("end", e)]));
            }
            s
        }
        Remedy::ContractCredit => env.fill(
            Key::FiguresCredit,
            &[("units", &units), ("n", &f.int(credit.unwrap_or(0)))],
        ),
    }
}

/// The translated message for a claim error, with the server's figures where it sent them.
pub fn error_text(env: &Env, e: &ClaimError) -> String {
    let f = &env.fmt;
    let months = |v: &[String]| {
        v.iter()
            .map(|m| f.month(m))
            .collect::<Vec<_>>()
            .join(env.t(Key::ListSep))
    };
    match e {
        ClaimError::AlreadyClaimed { periods } => {
            env.fill(Key::ErrAlreadyClaimed, &[("months", &months(periods))])
        }
        ClaimError::IdReused => env.t(Key::ErrIdReused).to_string(),
        ClaimError::NotBreached { periods } => {
            env.fill(Key::ErrNotBreached, &[("months", &months(periods))])
        }
        ClaimError::Mismatch { granted: Some(g) } => env.fill(
            Key::ErrMismatch,
            &[(
                "figures",
                &figures_text(
                    env,
                    g.remedy,
                    g.units,
                    g.service_extension_months,
                    g.service_end.as_deref(),
                    g.contract_credit,
                ),
            )],
        ),
        ClaimError::Mismatch { granted: None } => env.t(Key::ErrMismatchBare).to_string(),
        ClaimError::NothingToGrant => env.t(Key::ErrNothingToGrant).to_string(),
        ClaimError::RateLimited {
            retry_after: Some(n),
        } => env.fill(Key::ErrRateLimited, &[("n", &f.int(*n))]),
        ClaimError::RateLimited { retry_after: None } => env.t(Key::ErrRateLimitedBare).to_string(),
        ClaimError::Unauthorized => env.t(Key::ErrUnauthorized).to_string(),
        ClaimError::Forbidden => env.t(Key::ErrForbidden).to_string(),
        ClaimError::Rejected { status, message } => env.fill(
            Key::ErrRejected,
            &[("status", &status.to_string()), ("message", message)],
        ),
        ClaimError::Server { status } => {
            env.fill(Key::ErrServer, &[("status", &status.to_string())])
        }
        ClaimError::Timeout => env.t(Key::ErrTimeout).to_string(),
        ClaimError::Offline => env.t(Key::ErrOffline).to_string(),
        // An abandoned request is as uncertain as a lost answer.
        ClaimError::Cancelled => env.t(Key::ErrTimeout).to_string(),
    }
}

#[component]
pub fn Claims(props: &ViewProps) -> Html {
    let env = &props.env;
    let ctx = use_context::<ClaimsCtx>();
    let r = &props.data.ev.report;
    let Some(ctx) = ctx.filter(|c| c.status != ClaimsStatus::Disabled) else {
        return html! {
            <>
                <p class="slap-muted">{ env.t(Key::ClaimsDisabled) }</p>
                <notifications::Notifications ..props.clone() />
            </>
        };
    };
    let open = claimable_periods(r, &ctx.claimed());
    html! {
        <div class="slap-claims">
            if ctx.status == ClaimsStatus::Loading {
                <p class="slap-muted" role="status">{ env.t(Key::ClaimsLoading) }</p>
            } else {
                if let ClaimsStatus::Failed(e) = &ctx.status {
                    <div class="slap-claim-error" role="alert">
                        <p>{ env.t(Key::ClaimsListFailed) }{ " " }{ error_text(env, e) }</p>
                        <button type="button" class="slap-button" onclick={ctx.reload.reform(|_| ())}>{ env.t(Key::Retry) }</button>
                    </div>
                }
                <entitlement::EntitlementPanel view={props.clone()} open={open.clone()} />
                // Keyed by contract: another contract (a host's update()) gets its own form and draft.
                <flow::ClaimFlow key={r.contract_id.clone()} view={props.clone()} open={open} />
                <history::History ..props.clone() />
            }
            <notifications::Notifications ..props.clone() />
        </div>
    }
}
