//! The queue: every client's claims, oldest first, filtered by status, client, month and
//! remedy, with the counts per status and each claim's age, paged by the server (`after`).

use std::rc::Rc;

use sla_rules::claims::ClaimStatus;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::api::{self, ClientEntry, Filters, QueuePage, ReadError};
use super::common::{failed_view, loading_view, status_label, use_focus, valid_month};
use super::options::OpOptions;
use crate::api::Cancel;
use crate::env::Env;
use crate::i18n::Key;
use crate::views::claims::{figures_text, remedy_label};

/// Claims per page: a screen's worth; the server allows up to 500.
pub const PAGE: u32 = 25;

#[derive(Properties, PartialEq, Clone)]
pub struct QueueProps {
    pub options: Rc<OpOptions>,
    pub env: Rc<Env>,
    pub filters: Filters,
    pub on_filters: Callback<Filters>,
    /// The cursors of the pages before this one (`after` of each), kept by the console so
    /// a claim's page and back returns to the same page.
    pub cursors: Vec<String>,
    pub on_cursors: Callback<Vec<String>>,
    pub on_open: Callback<String>,
    pub focus: bool,
    /// The console's instance number, for element ids unique on the page.
    pub uid: u32,
}

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(ReadError),
    Ready(Rc<QueuePage>),
}

#[component]
pub fn Queue(props: &QueueProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let phase = use_state(|| Phase::Loading);
    let attempt = use_state(|| 0u32);
    let clients = use_state(Vec::<ClientEntry>::new);
    let draft = use_state(|| props.filters.clone());
    let month_problem = use_state(|| false);
    let heading = use_node_ref();
    use_focus(&heading, props.focus);
    {
        // The filters applied elsewhere (a count's button) show in the form too.
        let draft = draft.clone();
        use_effect_with(props.filters.clone(), move |f| draft.set(f.clone()));
    }
    {
        let clients = clients.clone();
        let o = props.options.clone();
        use_effect_with(o.api_base.clone(), move |_| {
            let cancel = Cancel::new();
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Only for the client filter's choices: without it the filter is a text field.
                if let Ok(list) = api::clients(&o, &c).await {
                    clients.set(list);
                }
            });
            move || cancel.abort()
        });
    }
    {
        let phase = phase.clone();
        let o = props.options.clone();
        let key = (
            o.clone(),
            props.filters.clone(),
            props.cursors.last().cloned(),
            *attempt,
        );
        use_effect_with(key, move |(o, filters, after, _)| {
            let cancel = Cancel::new();
            let c = cancel.clone();
            let url = api::queue_url(&o.api_base, filters, after.as_deref(), PAGE);
            let o = o.clone();
            phase.set(Phase::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let got = api::queue(&o, &url, &c).await;
                if c.is_cancelled() {
                    return;
                }
                phase.set(match got {
                    Ok(p) => Phase::Ready(Rc::new(p)),
                    Err(e) => Phase::Failed(e),
                });
            });
            move || cancel.abort()
        });
    }

    let set = |apply: fn(&mut Filters, String)| {
        let draft = draft.clone();
        move |v: String| {
            let mut d = (*draft).clone();
            apply(&mut d, v);
            draft.set(d);
        }
    };
    let on_status = {
        let s = set(|d, v| d.status = v);
        Callback::from(move |e: Event| s(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_client_select = {
        let s = set(|d, v| d.client = v);
        Callback::from(move |e: Event| s(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_client_text = {
        let s = set(|d, v| d.client = v.trim().to_string());
        Callback::from(move |e: InputEvent| {
            s(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_month = {
        let s = set(|d, v| d.month = v.trim().to_string());
        let problem = month_problem.clone();
        Callback::from(move |e: InputEvent| {
            problem.set(false);
            s(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_remedy = {
        let s = set(|d, v| d.remedy = v);
        Callback::from(move |e: Event| s(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let onsubmit = {
        let draft = draft.clone();
        let on = props.on_filters.clone();
        let problem = month_problem.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Said here rather than sent: the server would answer 400 for it.
            if !draft.month.is_empty() && !valid_month(&draft.month) {
                problem.set(true);
                return;
            }
            on.emit((*draft).clone());
        })
    };
    let on_clear = {
        let on = props.on_filters.clone();
        Callback::from(move |_: MouseEvent| on.emit(Filters::default()))
    };
    let uid = props.uid;
    let id = |n: &str| crate::env::element_id(uid, &format!("op-{n}"));
    let d = &*draft;
    let form = html! {
        <form class="slap-op-filters" {onsubmit} aria-label={env.t(Key::OpFilters)}>
            <label for={id("f-status")}>{ env.t(Key::Status) }</label>
            <select id={id("f-status")} class="slap-select" onchange={on_status} data-sla-op-filter="status">
                <option value="" selected={d.status.is_empty()}>{ env.t(Key::OpAny) }</option>
                { for ClaimStatus::ALL.into_iter().map(|s| html! {
                    <option value={s.as_str()} selected={d.status == s.as_str()}>{ status_label(env, s) }</option>
                }) }
            </select>
            <label for={id("f-client")}>{ env.t(Key::OpClient) }</label>
            if clients.is_empty() {
                <input id={id("f-client")} class="slap-input" type="text" value={d.client.clone()}
                    oninput={on_client_text} data-sla-op-filter="client" autocomplete="off" />
            } else {
                <select id={id("f-client")} class="slap-select" onchange={on_client_select} data-sla-op-filter="client">
                    <option value="" selected={d.client.is_empty()}>{ env.t(Key::OpAny) }</option>
                    { for clients.iter().map(|c| html! {
                        <option value={c.id.clone()} selected={d.client == c.id}>{ c.id.clone() }</option>
                    }) }
                </select>
            }
            <label for={id("f-month")}>{ env.t(Key::Month) }</label>
            <input id={id("f-month")} class="slap-input" type="text" inputmode="numeric" size="8"
                value={d.month.clone()} oninput={on_month} data-sla-op-filter="month" placeholder="YYYY-MM"
                aria-invalid={month_problem.then_some("true")} aria-describedby={id("f-month-hint")} />
            <span id={id("f-month-hint")} class={if *month_problem { "slap-claim-error" } else { "slap-muted" }}>
                { env.t(if *month_problem { Key::OpMonthInvalid } else { Key::OpMonthHint }) }
            </span>
            <label for={id("f-remedy")}>{ env.t(Key::ClaimRemedy) }</label>
            <select id={id("f-remedy")} class="slap-select" onchange={on_remedy} data-sla-op-filter="remedy">
                <option value="" selected={d.remedy.is_empty()}>{ env.t(Key::OpAny) }</option>
                <option value="service_extension" selected={d.remedy == "service_extension"}>{ env.t(Key::RemedyExtension) }</option>
                <option value="contract_credit" selected={d.remedy == "contract_credit"}>{ env.t(Key::RemedyCredit) }</option>
            </select>
            <div class="slap-op-filter-actions">
                <button type="submit" class="slap-button slap-button--primary" data-sla-op-apply="">{ env.t(Key::OpApply) }</button>
                <button type="button" class="slap-button" onclick={on_clear}>{ env.t(Key::OpClear) }</button>
            </div>
        </form>
    };

    let body = match &*phase {
        Phase::Loading => loading_view(env),
        Phase::Failed(e) => failed_view(env, e, &attempt),
        Phase::Ready(page) => {
            let counts = html! {
                <ul class="slap-op-counts" aria-label={env.t(Key::OpCounts)}>
                    { for ClaimStatus::ALL.into_iter().map(|s| {
                        let n = page.counts.get(s.as_str()).copied().unwrap_or(0);
                        let on = props.on_filters.clone();
                        let mut next = props.filters.clone();
                        let pressed = next.status == s.as_str();
                        next.status = if pressed { String::new() } else { s.as_str().to_string() };
                        let onclick = Callback::from(move |_: MouseEvent| on.emit(next.clone()));
                        html! {
                            <li>
                                <button type="button" class="slap-op-count" aria-pressed={pressed.to_string()}
                                    data-sla-op-count={s.as_str()} data-count={n.to_string()} {onclick}>
                                    <span>{ status_label(env, s) }</span>{ " " }<strong>{ f.int(n) }</strong>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            };
            let rows = if page.claims.is_empty() {
                html! { <p class="slap-muted" data-sla-op-empty="">{ env.t(Key::OpEmpty) }</p> }
            } else {
                html! {
                    <div class="slap-table-wrap" tabindex="0" role="region" aria-label={env.t(Key::OpQueueTitle)}>
                        <table class="slap-table slap-op-queue">
                            <caption>{ env.t(Key::OpQueueCaption) }</caption>
                            <thead><tr>
                                <th scope="col">{ env.t(Key::OpClient) }</th>
                                <th scope="col">{ env.t(Key::ClaimPeriods) }</th>
                                <th scope="col">{ env.t(Key::ClaimRemedy) }</th>
                                <th scope="col">{ env.t(Key::ClaimGranted) }</th>
                                <th scope="col">{ env.t(Key::Status) }</th>
                                <th scope="col">{ env.t(Key::OpAge) }</th>
                                <th scope="col">{ env.t(Key::ClaimId) }</th>
                            </tr></thead>
                            <tbody>
                            { for page.claims.iter().map(|c| {
                                let r = &c.record;
                                let g = &r.granted;
                                let id = r.claim_id.clone();
                                let on = props.on_open.clone();
                                let open = Callback::from(move |_: MouseEvent| on.emit(id.clone()));
                                let periods = r.periods.join(",");
                                let label = env.fill(Key::OpOpenClaim, &[("id", &r.claim_id), ("client", &c.client_id)]);
                                html! {
                                    <tr key={r.claim_id.clone()} data-sla-op-claim={r.claim_id.clone()}
                                        data-status={r.status.as_str()} data-client={c.client_id.clone()} data-periods={periods}>
                                        <td>{ c.client_id.clone() }<br /><span class="slap-muted">{ r.contract_id.clone() }</span></td>
                                        <td>{ r.periods.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(env.t(Key::ListSep)) }</td>
                                        <td>{ remedy_label(env, r.remedy) }</td>
                                        <td>{ figures_text(env, g.remedy, g.units, g.service_extension_months, g.service_end.as_deref(), g.contract_credit) }</td>
                                        <td><span class={format!("slap-badge slap-badge--claim-{}", r.status.as_str())}>{ status_label(env, r.status) }</span></td>
                                        <td data-age-seconds={c.age_seconds.to_string()}>{ crate::views::labels::duration(env, c.age_seconds) }</td>
                                        <td>
                                            <button type="button" class="slap-linkish slap-op-open" aria-label={label} onclick={open}>
                                                <code>{ short(&r.claim_id) }</code>
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }) }
                            </tbody>
                        </table>
                    </div>
                }
            };
            let n = props.cursors.len() + 1;
            let first = {
                let on = props.on_cursors.clone();
                Callback::from(move |_: MouseEvent| on.emit(Vec::new()))
            };
            let next = page.next.clone().map(|cursor| {
                let on = props.on_cursors.clone();
                let mut all = props.cursors.clone();
                all.push(cursor);
                Callback::from(move |_: MouseEvent| on.emit(all.clone()))
            });
            html! {
                <>
                    { counts }
                    { rows }
                    <nav class="slap-op-pages" aria-label={env.t(Key::OpPages)}>
                        <span>{ env.fill(Key::OpPage, &[("n", &f.int(n as u64))]) }</span>
                        if n > 1 {
                            <button type="button" class="slap-button" onclick={first}>{ env.t(Key::OpFirstPage) }</button>
                        }
                        if let Some(onclick) = next {
                            <button type="button" class="slap-button" data-sla-op-next="" {onclick}>{ env.t(Key::OpNextPage) }</button>
                        }
                    </nav>
                </>
            }
        }
    };
    html! {
        <section class="slap-op-view" aria-labelledby={id("queue-title")}>
            <h2 class="slap-h2" id={id("queue-title")} tabindex="-1" ref={heading}>{ env.t(Key::OpQueueTitle) }</h2>
            { form }
            { body }
        </section>
    }
}

/// A claim id's first eight characters: enough to tell claims apart on one screen (the
/// button's label carries the whole id).
fn short(id: &str) -> String {
    id.chars().take(8).collect()
}
