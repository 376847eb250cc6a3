//! The shell: loads the documents, computes the report once, and hosts the tabbed views.
//!
//! The views and what they receive live apart (`crate::env`, `crate::views::tabs`), so
//! nothing under `views` depends on this shell.
//!
//! Views draw only from `props.data.ev.report` (and `sla_rules::timeline` for
//! minute runs); they never re-derive a rule. State changes go through
//! `state::Action` so every view sees the same selected month.

use std::rc::Rc;

use sla_rules::time::Tz;
use yew::prelude::*;

use crate::api::{fetch_document, Cancel, FetchError};
use crate::env::{element_id, next_instance, Env, ViewProps};
use crate::i18n::Key;
use crate::intl::Formats;
use crate::load::{self, LoadError};
use crate::options::Options;
use crate::state::{Action, Doc, DocProgress, Loaded, Phase, State};
use crate::views;
use crate::views::tabs::TABS;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub options: Rc<Options>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let options = props.options.clone();
    let state = use_reducer(|| State::new(options.policy_url.is_some()));
    let instance = use_state(next_instance);
    let root = use_node_ref();
    let loaded_tz = match &state.phase {
        Phase::Ready(l) => l.ev.report.contract.timezone.clone(),
        _ => Tz::CST.label(),
    };
    let env = use_memo((options.locale, loaded_tz), |(locale, tz)| Env {
        locale: *locale,
        fmt: Formats::new(*locale, tz),
    });

    {
        let dispatch = state.dispatcher();
        // Only the URLs (and asOf) decide what is fetched: `update()` with a new token or
        // locale re-renders without refetching.
        let opts = options.clone();
        use_effect_with((options.fetch_key(), state.attempt), move |_| {
            let cancel = Cancel::new();
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move { run_load(opts, c, dispatch).await });
            move || cancel.abort()
        });
    }

    let (ready_now, failed_now) = match &state.phase {
        Phase::Ready(l) => (Some(l.clone()), None),
        Phase::Failed(e) => (None, Some(e.clone())),
        Phase::Loading(_) => (None, None),
    };
    crate::host_events::use_phase_events(root.clone(), ready_now, failed_now);
    crate::host_events::use_theme(root.clone(), options.theme.clone());
    let on_claim_filed = use_callback(root.clone(), |c: sla_rules::claims::ClaimRecord, root| {
        crate::host_events::claim_filed(root, &c)
    });

    let locale = options.locale;
    let body = match &state.phase {
        Phase::Loading(p) => {
            html! { <views::status::LoadingPanel progress={p.clone()} env={env.clone()} /> }
        }
        Phase::Failed(e) => {
            let dispatch = state.dispatcher();
            let on_retry = Callback::from(move |_| dispatch.dispatch(Action::Retry));
            html! { <views::status::ErrorPanel error={e.clone()} env={env.clone()} {on_retry} /> }
        }
        Phase::Ready(data) => ready(&state, data, &env, &options, *instance, &root),
    };

    html! {
        <div class="slap" part="container" lang={locale.tag()} data-sla-portal="" ref={root}>
            // The claims list, fetched once at load, shared by the periods table and the Claims tab.
            <crate::claims_api::ClaimsProvider options={options.clone()} {on_claim_filed}>
                { body }
            </crate::claims_api::ClaimsProvider>
        </div>
    }
}

fn ready(
    state: &UseReducerHandle<State>,
    data: &Rc<Loaded>,
    env: &Rc<Env>,
    options: &Rc<Options>,
    instance: u32,
    root: &NodeRef,
) -> Html {
    let d = state.dispatcher();
    let host = root.clone();
    let on_select_month = Callback::from(move |m: String| {
        crate::host_events::month_selected(&host, &m);
        d.dispatch(Action::SelectMonth(m))
    });
    let d = state.dispatcher();
    let on_tab = Callback::from(move |t: &'static str| d.dispatch(Action::Tab(t)));
    let props = ViewProps {
        data: data.clone(),
        env: env.clone(),
        month: state.month.clone().map(AttrValue::from),
        on_select_month,
        on_tab: on_tab.clone(),
        options: options.clone(),
        uid: instance,
    };
    let current = TABS.iter().find(|t| t.id == state.tab).unwrap_or(&TABS[0]);
    let ids = |t: &str| {
        (
            element_id(instance, &format!("tab-{t}")),
            element_id(instance, &format!("panel-{t}")),
        )
    };
    let index = TABS.iter().position(|t| t.id == current.id).unwrap_or(0);
    let on_key = {
        let on_tab = on_tab.clone();
        Callback::from(move |e: KeyboardEvent| {
            // WAI-ARIA tabs: arrows move between tabs, the tab list is one tab stop.
            let n = TABS.len();
            let to = match e.key().as_str() {
                "ArrowRight" => (index + 1) % n,
                "ArrowLeft" => (index + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            on_tab.emit(TABS[to].id);
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                if let Some(el) =
                    doc.get_element_by_id(&element_id(instance, &format!("tab-{}", TABS[to].id)))
                {
                    if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                        let _ = el.focus();
                    }
                }
            }
        })
    };
    let (_, panel_id) = ids(current.id);
    let (tab_id, _) = ids(current.id);
    html! {
        <>
            <views::header::Header ..props.clone() />
            <div class="slap-tabs" part="tabs" role="tablist" aria-label={env.t(Key::TabsLabel)} onkeydown={on_key}>
                { for TABS.iter().map(|t| {
                    let (tid, pid) = ids(t.id);
                    let selected = t.id == current.id;
                    let on_tab = on_tab.clone();
                    let id = t.id;
                    html! {
                        <button type="button" role="tab" id={tid} class="slap-tab" part={if selected { "tab tab-selected" } else { "tab" }}
                            aria-selected={selected.to_string()} aria-controls={pid}
                            tabindex={if selected { "0" } else { "-1" }}
                            onclick={move |_| on_tab.emit(id)}>
                            { env.t(t.label) }
                        </button>
                    }
                }) }
            </div>
            <div class="slap-panel" part="panel" role="tabpanel" id={panel_id} aria-labelledby={tab_id} data-sla-tab={current.id}>
                { (current.view)(props.clone()) }
            </div>
            <views::statement::Statement ..props />
        </>
    }
}

/// Fetches the documents concurrently, then evaluates them with the core.
async fn run_load(opts: Rc<Options>, cancel: Cancel, dispatch: UseReducerDispatcher<State>) {
    let progress = |doc: Doc| {
        let d = dispatch.clone();
        let c = cancel.clone();
        move |received: u64, total: Option<u64>| {
            if !c.is_cancelled() {
                d.dispatch(Action::Progress(
                    doc,
                    DocProgress {
                        received,
                        total,
                        started: true,
                    },
                ));
            }
        }
    };
    let (pu, pi, pp) = (
        progress(Doc::Usage),
        progress(Doc::Incidents),
        progress(Doc::Policy),
    );
    let policy = async {
        match &opts.policy_url {
            Some(url) => fetch_document(url, &opts, &cancel, true, &pp).await,
            None => Ok(None),
        }
    };
    let (u, i, p) = futures::join!(
        fetch_document(&opts.usage_url, &opts, &cancel, false, &pu),
        fetch_document(&opts.incidents_url, &opts, &cancel, false, &pi),
        policy
    );
    if cancel.is_cancelled() {
        return;
    }
    let fail = |e: FetchError| {
        if e != FetchError::Cancelled {
            dispatch.dispatch(Action::Failed(LoadError::Fetch(e)));
        }
    };
    let (u, i, p) = match (u, i, p) {
        (Ok(u), Ok(i), Ok(p)) => (u.unwrap_or_default(), i.unwrap_or_default(), p),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return fail(e),
    };
    crate::mark("sla-portal:data-received");
    dispatch.dispatch(Action::Computing);
    // Let the browser paint the "computing" state before the core runs.
    gloo_timers::future::TimeoutFuture::new(0).await;
    if cancel.is_cancelled() {
        return;
    }
    let as_of = opts
        .as_of
        .clone()
        .unwrap_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()));
    let policy_name = opts.policy_url.as_deref().unwrap_or("policy");
    match load::evaluate(
        &u,
        &i,
        p.as_deref(),
        &as_of,
        [&opts.usage_url, &opts.incidents_url, policy_name],
    ) {
        Ok(ev) => {
            crate::mark("sla-portal:report-computed");
            dispatch.dispatch(Action::Loaded(Rc::new(Loaded { ev })))
        }
        Err(e) => dispatch.dispatch(Action::Failed(e)),
    }
}
