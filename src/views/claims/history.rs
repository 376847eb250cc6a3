//! Claim history (every claim with status, remedy, granted figures, dates and the
//! provider's signature on it) and the printable confirmation of one claim.

use sla_rules::claims::{ClaimRecord, ClaimStatus, StatusChange};
use yew::prelude::*;

use super::{figures_text, remedy_label};
use crate::claims_api::{ClaimsCtx, ReceiptsCtx};
use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::signatures::{Expect, Signature};

/// The provider's signature on claim `c` as the claims list (or the claim's answer) carried it.
fn signature(
    env: &std::rc::Rc<Env>,
    ctx: &ReceiptsCtx,
    url: Option<&str>,
    c: &ClaimRecord,
) -> Html {
    let r = ctx.receipts.get(&c.claim_id);
    html! {
        <Signature env={env.clone()} jws={r.map(|r| AttrValue::from(r.jws.clone()))}
            expect={Expect::Claim(c.clone())}
            file={AttrValue::from(url.unwrap_or("").to_string())}
            path={AttrValue::from(r.map(|r| r.path.clone()).unwrap_or_default())} />
    }
}

pub fn status_text(env: &Env, s: ClaimStatus) -> &'static str {
    env.t(match s {
        ClaimStatus::Submitted => Key::CsSubmitted,
        ClaimStatus::UnderReview => Key::CsUnderReview,
        ClaimStatus::Approved => Key::CsApproved,
        ClaimStatus::Rejected => Key::CsRejected,
        ClaimStatus::Fulfilled => Key::CsFulfilled,
    })
}

fn granted(env: &Env, c: &ClaimRecord) -> String {
    let g = &c.granted;
    figures_text(
        env,
        g.remedy,
        g.units,
        g.service_extension_months,
        g.service_end.as_deref(),
        g.contract_credit,
    )
}

/// A claim's status changes, oldest first: status, time in the contract's timezone and the
/// operator's note (text from the server, so a text node). Empty when the server sent none.
pub fn status_history(env: &Env, history: &[StatusChange]) -> Html {
    if history.is_empty() {
        return html! {};
    }
    let f = &env.fmt;
    html! {
        <ol class="slap-status-history" aria-label={env.t(Key::StatusHistory)} data-sla-status-history="">
            { for history.iter().map(|h| html! {
                <li data-status={h.status.as_str()}>
                    <span class="slap-status-history__status">{ status_text(env, h.status) }</span>
                    { " " }
                    <time datetime={h.at.clone()}>{ f.datetime(h.at.as_str()) }</time>
                    if !h.note.is_empty() {
                        { " " }<span class="slap-status-history__note">{ h.note.clone() }</span>
                    }
                </li>
            }) }
        </ol>
    }
}

#[component]
pub fn History(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let shown = use_state(|| None::<String>);
    let Some(ctx) = use_context::<ClaimsCtx>() else {
        return html! {};
    };
    let signed = use_context::<ReceiptsCtx>();
    let mut claims: Vec<ClaimRecord> = (*ctx.claims).clone();
    claims.sort_by(|a, b| b.submitted_at.cmp(&a.submitted_at));
    let open = shown
        .as_ref()
        .and_then(|id| claims.iter().find(|c| &c.claim_id == id))
        .cloned();
    let title_id = props.id("history-title");
    html! {
        <section class="slap-history" aria-labelledby={title_id.clone()}>
            <h2 class="slap-h2" id={title_id}>{ env.t(Key::HistoryTitle) }</h2>
            if claims.is_empty() {
                <p class="slap-muted">{ env.t(Key::HistoryEmpty) }</p>
            } else {
                <div class="slap-table-wrap">
                    <table class="slap-table">
                        <thead><tr>
                            <th scope="col">{ env.t(Key::ClaimSubmitted) }</th>
                            <th scope="col">{ env.t(Key::ClaimPeriods) }</th>
                            <th scope="col">{ env.t(Key::ClaimRemedy) }</th>
                            <th scope="col">{ env.t(Key::ClaimGranted) }</th>
                            <th scope="col">{ env.t(Key::Status) }</th>
                            <th scope="col">{ env.t(Key::ClaimUpdated) }</th>
                            <th scope="col"><span class="slap-live">{ env.t(Key::ClaimOpen) }</span></th>
                        </tr></thead>
                        <tbody>
                        { for claims.iter().map(|c| {
                            let id = c.claim_id.clone();
                            let shown = shown.clone();
                            let onclick = Callback::from(move |_| shown.set(Some(id.clone())));
                            html! {
                                <tr key={c.claim_id.clone()} data-sla-claim={c.claim_id.clone()} data-status={c.status.as_str()}>
                                    <td>{ f.datetime(&c.submitted_at) }</td>
                                    <td>{ c.periods.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(env.t(Key::ListSep)) }</td>
                                    <td>{ remedy_label(env, c.remedy) }</td>
                                    <td>{ granted(env, c) }</td>
                                    <td>
                                        <span class={format!("slap-badge slap-badge--claim-{}", c.status.as_str())}>{ status_text(env, c.status) }</span>
                                        { status_history(env, &c.history) }
                                        if let Some(signed) = &signed {
                                            { signature(env, signed, props.options.claims_url.as_deref(), c) }
                                        }
                                    </td>
                                    <td>{ f.datetime(&c.updated_at) }</td>
                                    <td><button type="button" class="slap-linkish" {onclick}>{ env.t(Key::ClaimOpen) }</button></td>
                                </tr>
                            }
                        }) }
                        </tbody>
                    </table>
                </div>
            }
            if let Some(c) = open {
                <Confirmation view={props.clone()} claim={c} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct ConfirmationProps {
    pub view: ViewProps,
    pub claim: ClaimRecord,
}

/// One claim's confirmation. "Print" marks it so the print stylesheet prints it alone.
#[component]
pub fn Confirmation(props: &ConfirmationProps) -> Html {
    let env = &props.view.env;
    let f = &env.fmt;
    let r = &props.view.data.ev.report;
    let c = &props.claim;
    let printing = use_state(|| false);
    let ctx = use_context::<ReceiptsCtx>();
    let receipt = ctx
        .as_ref()
        .and_then(|x| x.receipts.get(&c.claim_id))
        .map(|r| r.jws.clone());
    // The evidence of the claim's periods from the report on screen, with its receipt:
    // what `sla verify` checks against the receipt's evidence_sha256.
    let on_evidence = {
        let (data, periods, receipt) =
            (props.view.data.clone(), c.periods.clone(), receipt.clone());
        Callback::from(move |_: MouseEvent| {
            let ev = sla_rules::evidence::evidence(&data.ev, &periods);
            let what = format!("evidence-{}", periods.join("_"));
            crate::export::download(
                &crate::export::file_name(&data.ev.report.contract_id, &what, "json"),
                "application/json",
                &crate::export::evidence_download(&ev, receipt.as_deref()),
            );
        })
    };
    {
        let printing = printing.clone();
        use_effect_with(*printing, move |p| {
            if *p {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
                printing.set(false);
            }
        });
    }
    let on_print = {
        let printing = printing.clone();
        Callback::from(move |_| printing.set(true))
    };
    html! {
        <article class={classes!("slap-confirmation", (*printing).then_some("slap-print-claim"))} data-sla-confirmation={c.claim_id.clone()}>
            <h3 class="slap-h2">{ env.t(Key::ConfirmationTitle) }</h3>
            <p>{ env.fill(Key::ContractLine, &[("client", &r.client_name), ("contract", &r.contract_id), ("start", &r.contract.service_start), ("end", &r.contract.service_end)]) }</p>
            <dl class="slap-summary">
                <dt>{ env.t(Key::ClaimId) }</dt><dd><code>{ c.claim_id.clone() }</code></dd>
                <dt>{ env.t(Key::Status) }</dt><dd data-sla-claim-status={c.status.as_str()}>{ status_text(env, c.status) }</dd>
                <dt>{ env.t(Key::ClaimPeriods) }</dt><dd>{ c.periods.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(env.t(Key::ListSep)) }</dd>
                <dt>{ env.t(Key::ClaimRemedy) }</dt><dd>{ remedy_label(env, c.remedy) }</dd>
                <dt>{ env.t(Key::ClaimGranted) }</dt><dd data-sla-granted-units={c.granted.units.to_string()}>{ granted(env, c) }</dd>
                <dt>{ env.t(Key::ClaimSubmitted) }</dt><dd>{ f.datetime(&c.submitted_at) }</dd>
                <dt>{ env.t(Key::ClaimUpdated) }</dt><dd>{ f.datetime(&c.updated_at) }</dd>
                if !c.history.is_empty() {
                    <dt>{ env.t(Key::StatusHistory) }</dt><dd>{ status_history(env, &c.history) }</dd>
                }
                if !c.note.is_empty() { <dt>{ env.t(Key::ContactNote) }</dt><dd>{ c.note.clone() }</dd> }
                if let Some(ctx) = &ctx {
                    <dt>{ env.t(Key::SigTitle) }</dt>
                    <dd>{ signature(env, ctx, props.view.options.claims_url.as_deref(), c) }</dd>
                }
            </dl>
            <p class="slap-muted">{ env.t(Key::ConfirmationNote) }</p>
            <button type="button" class="slap-button slap-noprint" data-sla-action="print" onclick={on_print}>{ env.t(Key::PrintConfirmation) }</button>
            { " " }
            <button type="button" class="slap-button slap-noprint" data-sla-action="evidence-signed" onclick={on_evidence}>{ env.t(Key::DownloadEvidenceSigned) }</button>
        </article>
    }
}
