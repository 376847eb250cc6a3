//! The shell: loads the documents, computes the report once, and hosts the tabbed views.
//!
//! The views and what they receive live apart (`crate::env`, `crate::views::tabs`), so
//! nothing under `views` depends on this shell.
//!
//! The same shell runs twice on a cold visit (see `crate::handover`): the first-paint build
//! loads and draws the overview, then hands its documents to the full build, which resumes
//! from them without fetching again.
//!
//! Views draw only from `props.data.ev.report` (and `sla_rules::timeline` for
//! minute runs); they never re-derive a rule. State changes go through
//! `state::Action` so every view sees the same selected month.

use std::cell::{Cell, RefCell};
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
use crate::state::{Action, Doc, DocProgress, Loaded, Phase, State};
use crate::tab::Tab;
use crate::views;

/// Which build draws this widget (`data-sla-stage` on its root).
const STAGE: &str = if cfg!(feature = "first-paint") {
    "first-paint"
} else {
    "full"
};

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

/// What the full build resumes from: the documents read (with their tags, so re-checks stay
/// conditional), the tab and month on screen, and the element ids' instance number.
#[derive(Debug, Clone)]
pub struct Resume {
    pub held: Held,
    pub tab: Tab,
    pub month: Option<String>,
    pub checked_at: f64,
    pub uid: u32,
}

impl PartialEq for Resume {
    /// One hand-over is one value; comparing megabytes of documents on every render is not.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// The state a resumed widget starts in: the report of the held documents, on the same tab
/// and month. `None`, so the widget loads afresh, when the options ask for other documents
/// than those handed over (a URL changed while the full build was loading), or when they no
/// longer evaluate (they did a moment ago, so never in practice).
fn resumed(r: &Resume, options: &Options) -> Option<State> {
    if r.held.source.as_ref() != Some(&options.fetch_key()) {
        return None;
    }
    let ev = refresh::evaluate(&r.held, options).ok()?;
    let mut s = State::new(options.policy_url.is_some());
    // The same reducer steps as a load: the month stays if the report still has it.
    s.month = r.month.clone();
    s.tab = r.tab;
    s.checked_at = r.checked_at;
    Some(Rc::unwrap_or_clone(
        Rc::new(s).reduce(Action::Loaded(Rc::new(Loaded { ev }))),
    ))
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let options = props.options.clone();
    let resume = props.resume.clone();
    // A resumed widget starts from the handed documents, evaluated once, at mount.
    let start = use_mut_ref(|| resume.as_ref().and_then(|r| resumed(r, &options)));
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
                // The first paint hands over before a re-check is due: the full build re-checks.
                let live = (!cfg!(feature = "first-paint") && *ready && *seconds > 0)
                    .then(|| Live::start(*seconds, opts, held, dispatch));
                move || drop(live)
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
    use_handover(&props.on_handover, &state, &held, *instance);
    crate::host_events::use_theme(root.clone(), options.theme.clone());
    #[cfg(not(feature = "first-paint"))]
    let on_claim_filed = use_callback(root.clone(), |c: sla_rules::claims::ClaimRecord, root| {
        crate::host_events::claim_filed(root, &c)
    });

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
        Phase::Ready(data) => ready(&state, data, &env, &options, *instance, &callbacks),
    };

    // How long ago the documents were found current, for "updated N s ago" (full build only:
    // the first paint re-checks nothing).
    #[cfg(not(feature = "first-paint"))]
    let body = html! {
        <ContextProvider<crate::env::Checked> context={crate::env::Checked(state.checked_at)}>
            { body }
        </ContextProvider<crate::env::Checked>>
    };
    // The claims list, fetched once at load, shared by the periods table and the Claims tab.
    // The first paint shows neither: the full build fetches it when it takes over.
    #[cfg(not(feature = "first-paint"))]
    let body = html! {
        <crate::claims_api::ClaimsProvider options={options.clone()} {on_claim_filed} checked_at={state.checked_at}>
            { body }
        </crate::claims_api::ClaimsProvider>
    };
    html! {
        // `data-sla-stage`: "first-paint" until the full build has taken over (hosts' tests
        // wait for "full" before they look at anything beyond the overview).
        <div class="slap" part="container" lang={locale.tag()} data-sla-portal="" data-sla-stage={STAGE} ref={root}>
            { body }
        </div>
    }
}

/// First paint only: once the report is on screen, loads the full build in the background and
/// hands it the documents and the view ([`AppProps::on_handover`]). A failed load is retried
/// when the user opens a tab only the full build draws.
#[hook]
fn use_handover(
    on_handover: &Option<Callback<(wasm_bindgen::JsValue, Resume)>>,
    state: &UseReducerHandle<State>,
    held: &Rc<RefCell<Held>>,
    uid: u32,
) {
    // The view as of the last render: the hand-over happens later, and carries the latest.
    let view = use_mut_ref(|| (state.tab, state.month.clone(), state.checked_at));
    *view.borrow_mut() = (state.tab, state.month.clone(), state.checked_at);
    let ready = matches!(state.phase, Phase::Ready(_));
    let on_handover = on_handover.clone();
    let held = held.clone();
    let dispatch = state.dispatcher();
    use_effect_with((ready, state.full_attempt), move |(ready, _)| {
        let cancel = Cancel::new();
        if let (true, Some(on_handover)) = (*ready, on_handover) {
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = crate::handover::load_full().await;
                if c.is_cancelled() {
                    return;
                }
                let Ok(full) = loaded else {
                    return dispatch.dispatch(Action::FullFailed);
                };
                let (tab, month, checked_at) = view.borrow().clone();
                let resume = Resume {
                    held: held.borrow().clone(),
                    tab,
                    month,
                    checked_at,
                    uid,
                };
                on_handover.emit((full, resume));
            });
        }
        move || cancel.abort()
    });
}

fn ready(
    state: &UseReducerHandle<State>,
    data: &Rc<Loaded>,
    env: &Rc<Env>,
    options: &Rc<Options>,
    instance: u32,
    callbacks: &(Callback<String>, Callback<Tab>),
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
    let panel = if cfg!(feature = "first-paint") && current != Tab::Overview {
        let retry = state.dispatcher();
        html! {
            if state.full_failed {
                <div class="slap-error" role="alert" data-sla-pending-tab={current.id()}>
                    <p>{ env.t(Key::TabLoadFailed) }</p>
                    <button type="button" class="slap-button slap-retry" onclick={move |_| retry.dispatch(Action::RetryFull)}>{ env.t(Key::Retry) }</button>
                </div>
            } else {
                <p class="slap-muted" role="status" aria-busy="true" data-sla-pending-tab={current.id()}>{ env.t(Key::TabLoading) }</p>
            }
        }
    } else {
        views::tabs::view(current, props.clone())
    };
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
            { statement(props) }
        </>
    }
}

/// The printable statement under every tab; the first paint leaves it to the full build.
#[cfg(not(feature = "first-paint"))]
fn statement(props: ViewProps) -> Html {
    html! { <views::statement::Statement ..props /> }
}

#[cfg(feature = "first-paint")]
fn statement(_: ViewProps) -> Html {
    Html::default()
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

/// The running re-checks of one shown report; dropping it stops them (unmount, reload,
/// another `refreshSeconds`) and aborts a re-check on its way.
struct Live {
    _tick: gloo_timers::callback::Interval,
    cancel: Cancel,
    on_visible: Option<wasm_bindgen::closure::Closure<dyn Fn()>>,
}

impl Live {
    fn start(
        seconds: u32,
        opts: Rc<RefCell<Rc<Options>>>,
        held: Rc<RefCell<Held>>,
        dispatch: UseReducerDispatcher<State>,
    ) -> Live {
        use wasm_bindgen::JsCast;
        let cancel = Cancel::new();
        let busy = Rc::new(Cell::new(false));
        let last = Rc::new(Cell::new(js_sys::Date::now()));
        let check = {
            let cancel = cancel.clone();
            let last = last.clone();
            Rc::new(move || {
                // Hidden page: no request at all. A claim on its way: the report stays as
                // the claim saw it. A check still running: it will report for both.
                if page_hidden() || crate::api::claim_in_flight() || busy.get() {
                    return;
                }
                busy.set(true);
                let opts = opts.borrow().clone();
                let (held, dispatch) = (held.clone(), dispatch.clone());
                let (cancel, busy, last) = (cancel.clone(), busy.clone(), last.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let r = refresh::recheck(&opts, &held, &cancel).await;
                    busy.set(false);
                    if cancel.is_cancelled() {
                        return;
                    }
                    match r {
                        Ok(Some(ev)) => dispatch.dispatch(Action::Loaded(Rc::new(Loaded { ev }))),
                        Ok(None) => {}
                        // The last good report stays; "updated N s ago" shows its age.
                        Err(_) => return,
                    }
                    let now = js_sys::Date::now();
                    last.set(now);
                    dispatch.dispatch(Action::Checked(now));
                });
            })
        };
        let period_ms = f64::from(seconds) * 1000.0;
        let tick = {
            let check = check.clone();
            gloo_timers::callback::Interval::new(seconds.saturating_mul(1000), move || check())
        };
        // Back to a visible page after a missed tick: check now rather than up to a period later.
        let on_visible = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if !page_hidden() && js_sys::Date::now() - last.get() >= period_ms {
                check();
            }
        });
        let listening = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| {
                d.add_event_listener_with_callback(
                    "visibilitychange",
                    on_visible.as_ref().unchecked_ref(),
                )
                .is_ok()
            })
            .unwrap_or(false);
        Live {
            _tick: tick,
            cancel,
            on_visible: listening.then_some(on_visible),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        self.cancel.abort();
        if let (Some(f), Some(d)) = (
            self.on_visible.as_ref(),
            web_sys::window().and_then(|w| w.document()),
        ) {
            let _ = d.remove_event_listener_with_callback(
                "visibilitychange",
                f.as_ref().unchecked_ref(),
            );
        }
    }
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}
