//! The shell: starts the load (`crate::documents`) and the re-checks (`crate::live`), and
//! hosts the tab bar (`views::tab_bar`) and the tabbed views.
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

use std::rc::Rc;

use sla_rules::time::Tz;
use yew::prelude::*;

use crate::api::{Cancel, Responses};
use crate::env::{next_instance, Env, ViewProps};
use crate::intl::Formats;
use crate::options::Options;
use crate::refresh::Held;
use crate::stage::{self, Resume};
use crate::state::{Action, Loaded, Phase, State};
use crate::tab::Tab;
use crate::views;

#[derive(Properties, PartialEq, Clone)]
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
                crate::documents::load(opts, c, dispatch, held, responses).await
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
    let ids = views::tab_bar::ids(instance);
    let (_, panel_id) = ids(current);
    let panel = stage::panel(current, props.clone(), handover);
    let (tab_id, _) = ids(current);
    html! {
        <>
            <views::header::Header ..props.clone() />
            { views::tab_bar::tab_bar(env, current, instance, &on_tab) }
            <div class="slap-panel" part="panel" role="tabpanel" id={panel_id} aria-labelledby={tab_id} data-sla-tab={current.id()}>
                { panel }
            </div>
            { stage::statement(props) }
        </>
    }
}
