//! The shell: loads the documents, computes the report once, and hosts the tabbed views.
//!
//! The views and what they receive live apart (`crate::env`, `crate::views::tabs`), so
//! nothing under `views` depends on this shell.
//!
//! The same shell runs in both builds (see `crate::stage`): on a cold visit the first paint
//! loads and draws the overview, then hands its documents to the full build, which resumes
//! from them without fetching again. What differs between the two, the shell asks `stage` for.
//!
//! Views draw only from `props.data.ev.report` (and `sla_rules::timeline` for
//! minute runs); they never re-derive a rule. State changes go through
//! `state::Action` so every view sees the same selected month.

use std::cell::RefCell;
use std::rc::Rc;

use sla_rules::time::Tz;
use yew::prelude::*;

use crate::api::{Cancel, FetchError, Known, Responses};
use crate::env::{element_id, next_instance, Env, ViewProps};
use crate::i18n::Key;
use crate::intl::Formats;
use crate::load::LoadError;
use crate::options::Options;
use crate::refresh::{self, Held};
use crate::stage::{self, Resume};
use crate::state::{Action, Doc, DocProgress, Loaded, Phase, State};
use crate::tab::Tab;
use crate::views;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub options: Rc<Options>,
    /// The full build taking over from the first paint: start from these documents.
    #[prop_or_default]
    pub resume: Option<Rc<Resume>>,
    /// Responses the host requested for the documents itself, read by the first load.
    #[prop_or_default]
    pub responses: Option<Rc<Responses>>,
    /// First paint: called once, when the full build has loaded, with what it resumes from.
    #[prop_or_default]
    pub on_handover: Option<Callback<(wasm_bindgen::JsValue, Resume)>>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let options = props.options.clone();
    let resume = props.resume.clone();
    // A resumed widget starts from the handed documents, evaluated once, at mount.
    let start = use_mut_ref(|| resume.as_ref().and_then(|r| r.state(&options)));
    let is_resumed = *use_state(|| start.borrow().is_some());
    let state = use_reducer(|| {
        start
            .borrow_mut()
            .take()
            .unwrap_or_else(|| State::new(options.policy_url.is_some()))
    });
    let instance = use_state(|| resume.as_ref().map_or_else(next_instance, |r| r.uid));
    let root = use_node_ref();
    // The documents behind the report on screen, for re-checks with If-None-Match.
    let held = use_mut_ref(|| match &resume {
        Some(r) if is_resumed => r.held.clone(),
        _ => Held::default(),
    });
    // A resumed widget has its report already: its first load is the first paint's.
    let skip_load = use_mut_ref(|| is_resumed);
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
        let held = held.clone();
        let skip = skip_load.clone();
        let responses = props.responses.clone();
        use_effect_with((options.fetch_key(), state.attempt), move |_| {
            let cancel = Cancel::new();
            if skip.replace(false) {
                return Box::new(move || cancel.abort()) as Box<dyn FnOnce()>;
            }
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                run_load(opts, c, dispatch, held, responses).await
            });
            Box::new(move || cancel.abort())
        });
    }

    // The options as of the last render: re-checks read them at each tick, so a token
    // refreshed with `update()` is the one they send (it restarts nothing).
    let current = use_mut_ref(|| options.clone());
    let before = current.replace(options.clone());
    // A refreshed token after a 401 should not need a click on Retry: new headers or
    // credentials retry a failed load (decided here, at render, because it is derived from
    // the props change itself; an effect costs the first paint 0.6 KB).
    if (before.headers != options.headers || before.credentials != options.credentials)
        && matches!(state.phase, Phase::Failed(_))
    {
        state.dispatch(Action::Retry);
    }

    // Re-checks while a report is shown: restarted by anything that restarts the load,
    // and by a new `refreshSeconds`.
    {
        let dispatch = state.dispatcher();
        let opts = current.clone();
        let held = held.clone();
        let ready = matches!(state.phase, Phase::Ready(_));
        use_effect_with(
            (
                options.fetch_key(),
                state.attempt,
                options.refresh_seconds,
                ready,
            ),
            move |(_, _, seconds, ready)| {
                let live = (*ready && *seconds > 0)
                    .then(|| stage::recheck(*seconds, opts, held, dispatch));
                move || {
                    let _stop = live;
                }
            },
        );
    }

    let (ready_now, failed_now) = match &state.phase {
        Phase::Ready(l) => (Some(l.clone()), None),
        Phase::Failed(e) => (None, Some(e.clone())),
        Phase::Loading(_) => (None, None),
    };
    // A resumed widget's first report is the one the first paint announced already. Held
    // weakly: a later report replaces it, and its minutes need not stay in memory.
    let announced = use_mut_ref(|| match &state.phase {
        Phase::Ready(l) if is_resumed => Rc::downgrade(l),
        _ => std::rc::Weak::new(),
    });
    let ready_now = ready_now.filter(|l| !std::ptr::eq(announced.borrow().as_ptr(), Rc::as_ptr(l)));
    crate::host_events::use_phase_events(root.clone(), ready_now, failed_now);
    let handover = stage::use_handover(&props.on_handover, &state, &held, *instance);
    crate::host_events::use_theme(root.clone(), options.theme.clone());
    let providers = stage::use_providers(&root);

    // Made once: the same callbacks every render keep the views' props equal, so a
    // re-check that changes only "updated N s ago" re-renders no view.
    let callbacks = {
        let d = state.dispatcher();
        let host = root.clone();
        let on_select_month = use_callback((), move |m: String, _| {
            crate::host_events::month_selected(&host, &m);
            d.dispatch(Action::SelectMonth(m))
        });
        let d = state.dispatcher();
        let on_tab = use_callback((), move |t: Tab, _| d.dispatch(Action::Tab(t)));
        (on_select_month, on_tab)
    };
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
        Phase::Ready(data) => ready(
            &state, data, &env, &options, *instance, &callbacks, &handover,
        ),
    };

    // The documents' age and the claims list, for the views that read them (full build).
    let body = providers.wrap(body, &options, state.checked_at);
    html! {
        // `data-sla-stage`: which build draws it (`stage::NAME`).
        <div class="slap" part="container" lang={locale.tag()} data-sla-portal="" data-sla-stage={stage::NAME} ref={root}>
            { body }
        </div>
    }
}

fn ready(
    state: &UseReducerHandle<State>,
    data: &Rc<Loaded>,
    env: &Rc<Env>,
    options: &Rc<Options>,
    instance: u32,
    callbacks: &(Callback<String>, Callback<Tab>),
    handover: &stage::Handover,
) -> Html {
    let on_select_month = callbacks.0.clone();
    let on_tab = callbacks.1.clone();
    let props = ViewProps {
        data: data.clone(),
        env: env.clone(),
        month: state.month.clone().map(AttrValue::from),
        on_select_month,
        on_tab: on_tab.clone(),
        options: options.clone(),
        uid: instance,
    };
    let current = state.tab;
    let ids = |t: Tab| {
        (
            element_id(instance, &format!("tab-{}", t.id())),
            element_id(instance, &format!("panel-{}", t.id())),
        )
    };
    let index = current.index();
    let on_key = {
        let on_tab = on_tab.clone();
        Callback::from(move |e: KeyboardEvent| {
            // WAI-ARIA tabs: arrows move between tabs, the tab list is one tab stop.
            let n = Tab::ALL.len();
            let to = match e.key().as_str() {
                "ArrowRight" => (index + 1) % n,
                "ArrowLeft" => (index + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            on_tab.emit(Tab::ALL[to]);
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                if let Some(el) = doc
                    .get_element_by_id(&element_id(instance, &format!("tab-{}", Tab::ALL[to].id())))
                {
                    if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                        let _ = el.focus();
                    }
                }
            }
        })
    };
    let (_, panel_id) = ids(current);
    let panel = stage::panel(current, props.clone(), handover);
    let (tab_id, _) = ids(current);
    html! {
        <>
            <views::header::Header ..props.clone() />
            <div class="slap-tabs" part="tabs" role="tablist" aria-label={env.t(Key::TabsLabel)} onkeydown={on_key}>
                { for Tab::ALL.into_iter().map(|t| {
                    let (tid, pid) = ids(t);
                    let selected = t == current;
                    let on_tab = on_tab.clone();
                    html! {
                        <button type="button" role="tab" id={tid} class="slap-tab" part={if selected { "tab tab-selected" } else { "tab" }}
                            aria-selected={selected.to_string()} aria-controls={pid}
                            tabindex={if selected { "0" } else { "-1" }}
                            onclick={move |_| on_tab.emit(t)}>
                            { env.t(t.label()) }
                        </button>
                    }
                }) }
            </div>
            <div class="slap-panel" part="panel" role="tabpanel" id={panel_id} aria-labelledby={tab_id} data-sla-tab={current.id()}>
                { panel }
            </div>
            { stage::statement(props) }
        </>
    }
}

/// Fetches the documents concurrently, then evaluates them with the core.
async fn run_load(
    opts: Rc<Options>,
    cancel: Cancel,
    dispatch: UseReducerDispatcher<State>,
    held: Rc<RefCell<Held>>,
    responses: Option<Rc<Responses>>,
) {
    let given = |doc: &str| responses.as_ref().and_then(|r| r.take(doc));
    let (gu, gi, gp) = (given("usage"), given("incidents"), given("policy"));
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
    let got = refresh::fetch_all(
        &opts,
        &cancel,
        [
            Known::response(gu.as_ref()),
            Known::response(gi.as_ref()),
            Known::response(gp.as_ref()),
        ],
        [&pu, &pi, &pp],
    )
    .await;
    if cancel.is_cancelled() {
        return;
    }
    let (u, i, p) = match got {
        Ok(d) => d,
        Err(FetchError::Cancelled) => return,
        Err(e) => return dispatch.dispatch(Action::Failed(LoadError::Fetch(e))),
    };
    let docs = Held::loaded(u, i, p, opts.fetch_key());
    crate::mark("sla-portal:data-received");
    dispatch.dispatch(Action::Computing);
    // Let the browser paint the "computing" state before the core runs.
    gloo_timers::future::TimeoutFuture::new(0).await;
    if cancel.is_cancelled() {
        return;
    }
    match refresh::evaluate(&docs, &opts) {
        Ok(ev) => {
            crate::mark("sla-portal:report-computed");
            *held.borrow_mut() = docs;
            dispatch.dispatch(Action::Loaded(Rc::new(Loaded { ev })));
            dispatch.dispatch(Action::Checked(js_sys::Date::now()));
        }
        Err(e) => dispatch.dispatch(Action::Failed(e)),
    }
}
