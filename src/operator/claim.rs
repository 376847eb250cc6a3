//! A claim's page: the claim as filed (periods, remedy, expected and granted figures,
//! contact, the client's note), its full status history with each operator's note, the
//! decision, and the client's evidence recomputed here, in the wasm, from the client's own
//! documents, by the widget's loading path and drawn by the widget's own views, read-only.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::api::{self, OpClaim, ReadError};
use super::common::{failed_view, loading_view, read_error_text, status_label, use_focus};
use super::options::OpOptions;
use crate::api::Cancel;
use crate::env::{next_instance, Env, ViewProps};
use crate::i18n::Key;
use crate::intl::Formats;
use crate::options::Options;
use crate::refresh::Held;
use crate::state::{Action, Phase, State};
use crate::views;
use crate::views::claims::{figures_text, remedy_label};

#[derive(Properties, PartialEq, Clone)]
pub struct ClaimPageProps {
    pub options: Rc<OpOptions>,
    pub env: Rc<Env>,
    pub id: String,
    pub on_back: Callback<()>,
    pub focus: bool,
    pub uid: u32,
    /// The console's root, which the decision's event is dispatched from.
    pub root: NodeRef,
}

#[component]
pub fn ClaimPage(props: &ClaimPageProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    // Kept while a reload runs: the decision's note and message stay on screen.
    let claim = use_state(|| None::<Result<Rc<OpClaim>, ReadError>>);
    let reloads = use_state(|| 0u32);
    let heading = use_node_ref();
    use_focus(&heading, props.focus);
    {
        let claim = claim.clone();
        let o = props.options.clone();
        let id = props.id.clone();
        use_effect_with((o.clone(), *reloads), move |_| {
            let cancel = Cancel::new();
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let got = api::claim(&o, &id, &c).await;
                if !c.is_cancelled() {
                    claim.set(Some(got.map(Rc::new)));
                }
            });
            move || cancel.abort()
        });
    }
    let id = |n: &str| crate::env::element_id(props.uid, &format!("op-{n}"));
    let back = {
        let on = props.on_back.clone();
        Callback::from(move |_: MouseEvent| on.emit(()))
    };
    let body = match &*claim {
        None => loading_view(env),
        Some(Err(e)) => failed_view(env, e, &reloads),
        Some(Ok(c)) => {
            let r = &c.record;
            let g = &r.granted;
            let e = &r.expected;
            let on_changed = {
                let (claim, reloads) = (claim.clone(), reloads.clone());
                Callback::from(move |now: Option<OpClaim>| match now {
                    Some(now) => claim.set(Some(Ok(Rc::new(now)))),
                    None => reloads.set(*reloads + 1),
                })
            };
            let dash = |s: &str| {
                if s.is_empty() {
                    "–".to_string()
                } else {
                    s.to_string()
                }
            };
            html! {
                <>
                <dl class="slap-op-facts" data-sla-op-detail={r.claim_id.clone()} data-status={r.status.as_str()}
                    data-version={c.version.clone()}>
                    <dt>{ env.t(Key::ClaimId) }</dt><dd><code>{ r.claim_id.clone() }</code></dd>
                    <dt>{ env.t(Key::OpClient) }</dt><dd>{ c.client_id.clone() }{ " · " }{ r.contract_id.clone() }</dd>
                    <dt>{ env.t(Key::Status) }</dt>
                    <dd><span class={format!("slap-badge slap-badge--claim-{}", r.status.as_str())} data-sla-op-status={r.status.as_str()}>{ status_label(env, r.status) }</span></dd>
                    <dt>{ env.t(Key::ClaimPeriods) }</dt><dd>{ r.periods.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(env.t(Key::ListSep)) }</dd>
                    <dt>{ env.t(Key::ClaimRemedy) }</dt><dd>{ remedy_label(env, r.remedy) }</dd>
                    <dt>{ env.t(Key::ClaimFigures) }</dt>
                    <dd>{ figures_text(env, r.remedy, e.units, e.service_extension_months, None, e.contract_credit) }</dd>
                    <dt>{ env.t(Key::ClaimGranted) }</dt>
                    <dd data-sla-op-granted="" data-units={g.units.to_string()}
                        data-contract-credit={g.contract_credit.unwrap_or(0).to_string()}
                        data-service-extension-months={g.service_extension_months.unwrap_or(0).to_string()}>
                        { figures_text(env, g.remedy, g.units, g.service_extension_months, g.service_end.as_deref(), g.contract_credit) }
                    </dd>
                    <dt>{ env.t(Key::ContactDetails) }</dt>
                    <dd>{ dash(&r.contact.name) }{ " · " }{ dash(&r.contact.email) }{ " · " }{ dash(&r.contact.phone) }</dd>
                    <dt>{ env.t(Key::OpClientNote) }</dt>
                    <dd class="slap-op-note" data-sla-op-client-note="">{ dash(&r.note) }</dd>
                    <dt>{ env.t(Key::ClaimSubmitted) }</dt>
                    <dd>{ f.datetime(&r.submitted_at) }{ " · " }{ env.fill(Key::OpAgeOf, &[("age", &views::labels::duration(env, c.age_seconds))]) }</dd>
                </dl>
                <section class="slap-op-history" aria-labelledby={id("history-title")}>
                    <h3 class="slap-h3" id={id("history-title")}>{ env.t(Key::StatusHistory) }</h3>
                    <ol data-sla-op-history="">
                        { for c.audit.iter().map(|h| html! {
                            <li data-status={h.status.as_str()} data-actor={h.actor.clone()}>
                                <span class={format!("slap-badge slap-badge--claim-{}", h.status.as_str())}>{ status_label(env, h.status) }</span>
                                { " " }<time datetime={h.at.clone()}>{ f.datetime(h.at.as_str()) }</time>
                                { " · " }<span class="slap-op-actor">{ h.actor.clone() }</span>
                                if !h.note.is_empty() {
                                    <p class="slap-op-note" data-sla-op-note="">{ h.note.clone() }</p>
                                }
                            </li>
                        }) }
                    </ol>
                </section>
                <super::decision::Decision options={props.options.clone()} env={env.clone()} claim={c.clone()}
                    {on_changed} uid={props.uid} root={props.root.clone()} />
                <Evidence key={r.claim_id.clone()} options={props.options.clone()} locale_env={env.clone()}
                    client={c.client_id.clone()} contract={r.contract_id.clone()} periods={r.periods.clone()} uid={props.uid} />
                </>
            }
        }
    };
    html! {
        <section class="slap-op-view" aria-labelledby={id("claim-title")}>
            <p><button type="button" class="slap-button" onclick={back} data-sla-op-back="">{ env.t(Key::OpBack) }</button></p>
            <h2 class="slap-h2" id={id("claim-title")} tabindex="-1" ref={heading}>{ env.t(Key::OpClaimTitle) }</h2>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct EvidenceProps {
    pub options: Rc<OpOptions>,
    pub locale_env: Rc<Env>,
    pub client: String,
    pub contract: String,
    pub periods: Vec<String>,
    pub uid: u32,
}

/// The contract's documents as the operator routes serve them, or why not.
async fn documents_of(
    o: &OpOptions,
    client: &str,
    contract: &str,
    cancel: &Cancel,
) -> Result<Options, ReadError> {
    let list = api::clients(o, cancel).await?;
    let found = list
        .iter()
        .find(|c| c.id == client)
        .and_then(|c| {
            c.contracts
                .iter()
                .find(|k| k.id == contract)
                .or_else(|| (contract.is_empty()).then(|| c.contracts.first()).flatten())
        })
        .ok_or_else(|| ReadError::Malformed {
            url: format!("{}/operator/clients", o.api_base),
            message: format!("no contract {contract:?} of client {client:?}"),
        })?;
    let l = &found.links;
    Ok(Options {
        usage_url: api::resolve(&o.api_base, &l.usage),
        incidents_url: api::resolve(&o.api_base, &l.incidents),
        // A 404 here is the agreement's default policy, as for the client's own widget.
        policy_url: Some(api::resolve(&o.api_base, &l.policy)),
        claims_url: None,
        refresh_seconds: 0,
        ..o.http.clone()
    })
}

/// The client's report for the claimed months, as the client's widget computes and draws it.
#[component]
pub fn Evidence(props: &EvidenceProps) -> Html {
    let env0 = &props.locale_env;
    let state = use_reducer(|| State::new(true));
    let opts = use_state(|| None::<Result<Rc<Options>, ReadError>>);
    let month = use_state(|| props.periods.first().cloned());
    let instance = *use_state(next_instance);
    let held = use_mut_ref(Held::default);
    {
        let opts = opts.clone();
        let o = props.options.clone();
        let (client, contract) = (props.client.clone(), props.contract.clone());
        use_effect_with((), move |_| {
            let cancel = Cancel::new();
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let got = documents_of(&o, &client, &contract, &c).await;
                if !c.is_cancelled() {
                    opts.set(Some(got.map(Rc::new)));
                }
            });
            move || cancel.abort()
        });
    }
    {
        // The widget's own load: the same requests, progress, core evaluation and errors.
        let dispatch = state.dispatcher();
        let held: Rc<RefCell<Held>> = held.clone();
        let ready = match &*opts {
            Some(Ok(o)) => Some(o.clone()),
            _ => None,
        };
        use_effect_with((ready, state.attempt), move |(ready, _)| {
            let cancel = Cancel::new();
            if let Some(o) = ready.clone() {
                let c = cancel.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    crate::documents::load(o, c, dispatch, held, None).await
                });
            }
            move || cancel.abort()
        });
    }
    let tz = match &state.phase {
        Phase::Ready(l) => l.ev.report.contract.timezone.clone(),
        _ => String::new(),
    };
    let locale = env0.locale;
    let env = use_memo((locale, tz), |(l, tz)| Env {
        locale: *l,
        fmt: Formats::new(*l, if tz.is_empty() { "+08:00" } else { tz }),
    });
    let title_id = crate::env::element_id(props.uid, "op-evidence-title");
    let body = match (&*opts, &state.phase) {
        (None, _) => loading_view(&env),
        (Some(Err(e)), _) => html! {
            <div class="slap-error" role="alert" data-sla-op-error=""><p>{ read_error_text(&env, e) }</p></div>
        },
        (Some(Ok(_)), Phase::Loading(p)) => html! {
            <views::status::LoadingPanel progress={p.clone()} env={env.clone()} />
        },
        (Some(Ok(_)), Phase::Failed(e)) => {
            let d = state.dispatcher();
            let on_retry = Callback::from(move |_| d.dispatch(Action::Retry));
            html! { <views::status::ErrorPanel error={e.clone()} env={env.clone()} {on_retry} /> }
        }
        (Some(Ok(o)), Phase::Ready(data)) => {
            let m = month.clone();
            let on_select_month = Callback::from(move |v: String| m.set(Some(v)));
            let view = ViewProps {
                data: data.clone(),
                env: env.clone(),
                month: (*month).clone().map(AttrValue::from),
                on_select_month,
                // Read-only: the periods table's rows only pick the month shown below.
                on_tab: Callback::noop(),
                options: o.clone(),
                uid: instance,
            };
            let r = &data.ev.report;
            html! {
                <>
                    <p class="slap-muted">{ env.fill(Key::ContractLine, &[("client", &r.client_name), ("contract", &r.contract_id),
                        ("start", &r.contract.service_start), ("end", &r.contract.service_end)]) }
                        { " · " }{ env.fill(Key::TimesIn, &[("tz", &r.contract.timezone)]) }</p>
                    <views::monthly::MonthlyFigure ..view.clone() />
                    <views::periods::Periods ..view.clone() />
                    <views::availability::MonthPicker ..view.clone() />
                    <views::figures::TimelineFigure ..view.clone() />
                    <views::availability::MonthOutages ..view.clone() />
                    <views::exclusions::MonthExclusions ..view.clone() />
                    <views::claims::entitlement::EntitlementPanel view={view.clone()} open={props.periods.clone()}
                        title={Key::OpEntTitle} periods_text={Key::OpEntPeriods} />
                </>
            }
        }
    };
    html! {
        <section class="slap-op-evidence" aria-labelledby={title_id.clone()} data-sla-op-evidence="">
            <h3 class="slap-h3" id={title_id}>{ env.t(Key::OpEvidenceTitle) }</h3>
            <p class="slap-explain">{ env.t(Key::OpEvidenceWhy) }</p>
            { body }
        </section>
    }
}
