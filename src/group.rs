//! A group's contracts (`contractsUrl`): the list read once, a switcher, the group summary, and the selected contract's report drawn by the usual shell.
//!
//! Full build only (`crate::stage::Root`): the first paint hands a group to the full build
//! before drawing anything, so none of this costs the first paint a byte. A shell around the
//! shell (`crate::app`), so it lives beside it, not under `views` (which never use a shell).
//!
//! The report below the summary is an [`App`] keyed by the contract: a switch mounts a new
//! one, so nothing of the other contract (its report, claims list, claim draft in memory)
//! can show under this one's name. The draft itself is kept per contract in storage
//! (`crate::draft::storage_key`), which is how it survives switching back and a reload.

use std::rc::Rc;

use sla_rules::time::Tz;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::api::{fetch_document, Cancel, FetchError, Fetched, Known};
use crate::app::{App, AppProps};
use crate::contracts::{self, Contract, Contracts};
use crate::env::{next_instance, Env};
use crate::host_events;
use crate::i18n::Key;
use crate::intl::Formats;
use crate::load::LoadError;
use crate::options::{default_subscriptions_url, Options};
use crate::tab::Tab;
use crate::views::claims::history::status_text;

/// What a handle renders in the full build: a group with `contractsUrl`, else the report.
#[component]
pub fn Widget(props: &AppProps) -> Html {
    if props.options.contracts_url.is_some() {
        html! { <Group options={props.options.clone()} /> }
    } else {
        html! { <App ..props.clone() /> }
    }
}

/// Where the contracts list stands.
#[derive(Clone)]
enum List {
    Loading,
    Failed(LoadError),
    Ready(Rc<Contracts>),
}

#[derive(Properties, PartialEq)]
pub struct GroupProps {
    pub options: Rc<Options>,
}

/// `link` made absolute against `base` (the contracts list's own URL, itself resolved
/// against the page), so a portal may write its links relative to the list.
fn absolute(link: &str, base: &str) -> String {
    web_sys::Url::new_with_base(link, base).map_or_else(|_| link.to_string(), |u| u.href())
}

/// The page's URL, which a relative `contractsUrl` is relative to.
fn page() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The options the report of contract `c` is drawn with: its links for the documents and
/// claims, the rest as the host gave it.
pub fn contract_options(options: &Options, c: &Contract) -> Options {
    let list = options.contracts_url.as_deref().unwrap_or_default();
    let base = absolute(list, &page());
    let abs = |l: &str| absolute(l, &base);
    // Webhook subscriptions are the client's, not a contract's: the host's URL, else beside
    // its claims URL, else beside the contracts list.
    let subscriptions = options
        .subscriptions_url
        .clone()
        .or_else(|| {
            options
                .claims_url
                .as_deref()
                .and_then(default_subscriptions_url)
        })
        .or_else(|| contracts::subscriptions_beside(&base));
    Options {
        usage_url: abs(&c.links.usage),
        incidents_url: abs(&c.links.incidents),
        policy_url: c.links.policy.as_deref().map(abs),
        claims_url: c.links.claims.as_deref().map(abs),
        subscriptions_url: subscriptions,
        contracts_url: None,
        contract: None,
        ..options.clone()
    }
}

/// The tab on screen in this widget (the panel's `data-sla-tab`), so a switch keeps it.
/// Read from the page, and set again by pressing its tab ([`press_tab`]), rather than
/// threaded through the shell: the first paint shares the shell, and a prop there cost it
/// 90 bytes it does not have.
fn tab_on_screen(root: &NodeRef) -> Option<Tab> {
    let host = host_events::host_of(root)?;
    let panel = host.query_selector(".slap-panel[data-sla-tab]").ok()??;
    Tab::parse(&panel.get_attribute("data-sla-tab")?)
}

/// Presses the tab button of `tab` in this widget, as the user would (the tab bar's ids end
/// in `-panel-ID`, `views::tab_bar::ids`).
fn press_tab(root: &NodeRef, tab: Tab) {
    let Some(host) = host_events::host_of(root) else {
        return;
    };
    let selector = format!("[role=tab][aria-controls$=\"-panel-{}\"]", tab.id());
    if let Ok(Some(b)) = host.query_selector(&selector) {
        if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
            b.click();
        }
    }
}

#[component]
pub fn Group(props: &GroupProps) -> Html {
    let options = props.options.clone();
    let list = use_state(|| List::Loading);
    let attempt = use_state(|| 0u32);
    // Bumped by a claim filed below: the list is read again, quietly, for its new figures.
    let refresh = use_state(|| 0u32);
    let selected = use_state(|| None::<String>);
    // The tab to press once the switched-to contract's report is ready.
    let tab = use_mut_ref(|| None::<Tab>);
    let root = use_node_ref();
    let uid = *use_state(next_instance);
    let env = use_memo(options.locale, |l| Env {
        locale: *l,
        fmt: Formats::new(*l, &Tz::CST.label()),
    });

    {
        let (list, selected, root) = (list.clone(), selected.clone(), root.clone());
        let opts = options.clone();
        let quiet = *refresh > 0;
        use_effect_with(
            (
                options.contracts_url.clone(),
                options.as_of.clone(),
                *attempt,
                *refresh,
            ),
            move |(url, _, _, _)| {
                let cancel = Cancel::new();
                if let Some(url) = url.clone() {
                    if !quiet {
                        list.set(List::Loading);
                    }
                    let c = cancel.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let got =
                            fetch_document(&url, &opts, &c, false, Known::Nothing, &|_, _| {})
                                .await;
                        if c.is_cancelled() {
                            return;
                        }
                        let read = match got {
                            Ok(Fetched::Body { bytes, .. }) => contracts::parse(&bytes, &url),
                            Ok(_) => Err(LoadError::Fetch(FetchError::Http {
                                url: url.clone(),
                                status: 404,
                            })),
                            Err(FetchError::Cancelled) => return,
                            Err(e) => Err(LoadError::Fetch(e)),
                        };
                        match read {
                            Ok(l) => {
                                // The contract on screen stays if the list still has it.
                                let keep = (*selected).clone().filter(|s| l.get(s).is_some());
                                let pick = keep.or_else(|| {
                                    l.initial(opts.contract.as_deref()).map(|c| c.id.clone())
                                });
                                if pick != *selected {
                                    if let Some(id) = &pick {
                                        host_events::contract_selected(&root, id);
                                    }
                                    selected.set(pick);
                                }
                                list.set(List::Ready(Rc::new(l)));
                            }
                            // A quiet re-read that fails keeps the list on screen.
                            Err(_) if quiet => {}
                            Err(e) => {
                                host_events::dispatch(
                                    &root,
                                    host_events::ERROR,
                                    &host_events::error_detail(&e),
                                );
                                list.set(List::Failed(e));
                            }
                        }
                    });
                }
                move || cancel.abort()
            },
        );
    }

    // A refreshed token (`update()`) retries a list that failed, as the report does.
    {
        let (list, attempt) = (list.clone(), attempt.clone());
        use_effect_with((options.headers.clone(), options.credentials), move |_| {
            if matches!(*list, List::Failed(_)) {
                attempt.set(*attempt + 1);
            }
        });
    }

    let select = {
        let (selected, tab, root) = (selected.clone(), tab.clone(), root.clone());
        Callback::from(move |id: String| {
            if selected.as_deref() == Some(id.as_str()) {
                return;
            }
            // No tab on screen (the previous switch's report still loading): its tab stays due.
            if let Some(t) = tab_on_screen(&root) {
                *tab.borrow_mut() = (t != Tab::Overview).then_some(t);
            }
            host_events::contract_selected(&root, &id);
            selected.set(Some(id));
        })
    };

    // The host's `contract` (an update) picks the contract shown, if the list has it.
    {
        let (list, select) = (list.clone(), select.clone());
        use_effect_with(options.contract.clone(), move |wanted| {
            if let (List::Ready(l), Some(w)) = (&*list, wanted) {
                if l.get(w).is_some() {
                    select.emit(w.clone());
                }
            }
        });
    }

    // A claim filed on the contract below changes its summary (claimable units, claims); a
    // switched-to contract's first report goes back to the tab the user was on.
    {
        let (root, refresh, tab) = (root.clone(), refresh.clone(), tab.clone());
        use_effect_with((), move |_| {
            let host = host_events::host_of(&root);
            let on_filed = Closure::<dyn Fn()>::new(move || refresh.set(*refresh + 1));
            let r = root.clone();
            let on_ready = Closure::<dyn Fn()>::new(move || {
                if let Some(t) = tab.take() {
                    press_tab(&r, t);
                }
            });
            let listen = [
                (host_events::CLAIM_FILED, &on_filed),
                (host_events::READY, &on_ready),
            ];
            if let Some(h) = &host {
                for (name, f) in listen {
                    let _ = h.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
                }
            }
            move || {
                if let Some(h) = host {
                    let _ = h.remove_event_listener_with_callback(
                        host_events::CLAIM_FILED,
                        on_filed.as_ref().unchecked_ref(),
                    );
                    let _ = h.remove_event_listener_with_callback(
                        host_events::READY,
                        on_ready.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let locale = options.locale;
    let head = |body: Html| {
        html! {
            <div class="slap slap-group" part="group" lang={locale.tag()} data-sla-group="" ref={root.clone()}>
                { body }
            </div>
        }
    };
    match &*list {
        List::Loading => head(html! {
            <p class="slap-muted" role="status" aria-busy="true" data-sla-group-loading="">{ env.t(Key::GroupLoading) }</p>
        }),
        List::Failed(e) => {
            let attempt = attempt.clone();
            let on_retry = Callback::from(move |_| attempt.set(*attempt + 1));
            head(
                html! { <crate::views::status::ErrorPanel error={e.clone()} env={env.clone()} {on_retry} /> },
            )
        }
        List::Ready(l) => {
            let shown = selected.as_deref().and_then(|id| l.get(id));
            let Some(shown) = shown else {
                return head(
                    html! { <p class="slap-muted" role="status">{ env.t(Key::GroupEmpty) }</p> },
                );
            };
            let report = contract_options(&options, shown);
            html! {
                <>
                    { head(html! {
                        <>
                            if l.contracts.len() > 1 { { switcher(&env, l, &shown.id, uid, &select) } }
                            { summary(&env, l, &shown.id, uid, &select) }
                        </>
                    }) }
                    <App key={shown.id.clone()} options={Rc::new(report)} />
                </>
            }
        }
    }
}

/// The contract switcher: a native `<select>`, so keyboard and screen readers work as
/// everywhere else on the page.
fn switcher(env: &Env, l: &Contracts, shown: &str, uid: u32, select: &Callback<String>) -> Html {
    let id = format!("slap-{uid}-contract");
    let select = select.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            select.emit(s.value());
        }
    });
    html! {
        <div class="slap-switcher">
            <label for={id.clone()}>{ env.t(Key::GroupSwitch) }</label>{ " " }
            <select id={id} class="slap-select" data-sla-contract-switcher="" {onchange}>
                { for l.contracts.iter().map(|c| html! {
                    <option value={c.id.clone()} selected={c.id == shown}>{ format!("{} ({})", c.name, c.id) }</option>
                }) }
            </select>
        </div>
    }
}

/// The group summary: one row per contract with its own report's figures.
fn summary(env: &Env, l: &Contracts, shown: &str, uid: u32, select: &Callback<String>) -> Html {
    let f = &env.fmt;
    let heading = format!("slap-{uid}-group");
    let (months, units) = contracts::totals(l);
    let totals = env.fill(
        Key::GroupTotals,
        &[
            ("n", &f.int(l.contracts.len() as u64)),
            ("months", &f.int(months as u64)),
            ("units", &f.int(units)),
        ],
    );
    let rows = contracts::rows(l, Some(shown));
    html! {
        <section class="slap-group-summary" aria-labelledby={heading.clone()}>
            <h2 class="slap-title" id={heading}>{ env.t(Key::GroupTitle) }</h2>
            <p class="slap-sub" data-sla-group-totals="">{ totals }</p>
            <div class="slap-table-wrap">
                <table class="slap-table slap-group-table">
                    <caption>{ env.t(Key::GroupCaption) }</caption>
                    <thead><tr>
                        <th scope="col">{ env.t(Key::GroupContract) }</th>
                        <th scope="col">{ env.t(Key::GroupTerm) }</th>
                        <th scope="col">{ env.t(Key::GroupLastJudged) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Availability) }</th>
                        <th scope="col">{ env.t(Key::Result) }</th>
                        <th scope="col">{ env.t(Key::GroupBreachedMonths) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::GroupClaimable) }</th>
                        <th scope="col">{ env.t(Key::GroupClaims) }</th>
                        <th scope="col">{ env.t(Key::GroupReport) }</th>
                    </tr></thead>
                    <tbody>
                    { for l.contracts.iter().zip(rows).map(|(c, row)| {
                        let s = &c.summary;
                        let (judged, availability, verdict) = match &s.last_judged {
                            Some(j) => {
                                let (kind, icon, text) = if j.breached {
                                    ("breached", "✕", env.t(Key::VerdictBreached))
                                } else {
                                    ("met", "✓", env.t(Key::VerdictKept))
                                };
                                (
                                    f.month(&j.month),
                                    f.percent(&j.availability),
                                    html! { <span class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ text }</span> },
                                )
                            }
                            None => (env.t(Key::GroupNotJudged).to_string(), "–".to_string(), html! { "–" }),
                        };
                        let breached = if s.breached_months.is_empty() {
                            "–".to_string()
                        } else {
                            s.breached_months.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(", ")
                        };
                        let claims = if row.claims_by_status.is_empty() {
                            env.t(Key::GroupNoClaims).to_string()
                        } else {
                            row.claims_by_status
                                .iter()
                                .map(|(st, n)| format!("{} {}", status_text(env, *st), f.int(*n)))
                                .collect::<Vec<_>>()
                                .join(" · ")
                        };
                        let open = {
                            let (select, id) = (select.clone(), row.id.clone());
                            Callback::from(move |_: MouseEvent| select.emit(id.clone()))
                        };
                        html! {
                            <tr key={row.id.clone()} class={classes!("slap-row", row.selected.then_some("slap-row--selected"))}
                                data-sla-contract={row.id.clone()}
                                data-breached-months={row.breached_months.clone()}
                                data-claimable-units={row.claimable_units.clone()}
                                data-claims={row.claims_total.to_string()}
                                aria-current={row.selected.then_some("true")}>
                                <th scope="row">{ &row.name }<br /><span class="slap-muted">{ &row.id }</span></th>
                                <td>{ env.fill(Key::GroupTermRange, &[("start", &c.service_start), ("end", &c.service_end), ("tz", &c.timezone)]) }</td>
                                <td>{ judged }</td>
                                <td class="slap-num">{ availability }</td>
                                <td>{ verdict }</td>
                                <td>{ breached }</td>
                                <td class="slap-num">{ f.int(s.claimable_units) }</td>
                                <td>{ claims }</td>
                                <td>
                                    if row.selected {
                                        <span class="slap-muted">{ env.t(Key::GroupShown) }</span>
                                    } else {
                                        <button type="button" class="slap-button" data-sla-open-contract={row.id.clone()}
                                            aria-label={env.fill(Key::GroupOpenLabel, &[("name", &row.name)])} onclick={open}>{ env.t(Key::GroupOpen) }</button>
                                    }
                                </td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
