//! The shell: loads the documents, computes the report once, and hosts the tabbed views.
//!
//! How a view plugs in (part 2 adds Incidents and Claims this way):
//! 1. write `src/views/<name>.rs` with a `#[component]` taking [`ViewProps`]
//!    (the computed report, the formatters, the selected month, the options);
//! 2. add its strings to `src/i18n.rs` (both languages) and one line to [`TABS`].
//!
//! Views draw only from `props.data.ev.report` (and `sla_rules::timeline` for
//! minute runs); they never re-derive a rule. State changes go through
//! `state::Action` so every view sees the same selected month.

use std::rc::Rc;

use yew::prelude::*;

use crate::fetch::{fetch_bytes, yield_to_browser, Cancel, FetchError};
use crate::i18n::{Key, Locale};
use crate::intl::Formats;
use crate::load::{self, LoadError};
use crate::options::Options;
use crate::state::{Action, Doc, DocProgress, Loaded, Phase, State};
use crate::views;

/// Locale and formatters shared by every view.
#[derive(Debug)]
pub struct Env {
    pub locale: Locale,
    pub fmt: Formats,
}

impl Env {
    pub fn t(&self, k: Key) -> &'static str {
        self.locale.t(k)
    }
    pub fn fill(&self, k: Key, args: &[(&str, &str)]) -> String {
        self.locale.fill(k, args)
    }
}

impl PartialEq for Env {
    fn eq(&self, other: &Self) -> bool {
        self.locale == other.locale && self.fmt.tz_label() == other.fmt.tz_label()
    }
}

impl PartialEq for Loaded {
    /// One computation is one value: views re-render only when a new report arrives.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What every tab's view receives.
#[derive(Properties, PartialEq, Clone)]
pub struct ViewProps {
    pub data: Rc<Loaded>,
    pub env: Rc<Env>,
    /// The selected month (`YYYY-MM`), shared by the periods table and the timeline.
    pub month: Option<AttrValue>,
    pub on_select_month: Callback<String>,
    /// Switches tab by id (e.g. a periods row opens the availability timeline).
    pub on_tab: Callback<&'static str>,
    pub options: Rc<Options>,
}

/// One tab: its id, its label and its view.
pub struct TabDef {
    pub id: &'static str,
    pub label: Key,
    pub view: fn(ViewProps) -> Html,
}

/// The tabs, in order. Adding a tab is one line here.
pub const TABS: &[TabDef] = &[
    TabDef {
        id: "overview",
        label: Key::TabOverview,
        view: |p| html! { <views::overview::Overview ..p /> },
    },
    TabDef {
        id: "availability",
        label: Key::TabAvailability,
        view: |p| html! { <views::availability::Availability ..p /> },
    },
    TabDef {
        id: "periods",
        label: Key::TabPeriods,
        view: |p| html! { <views::periods::Periods ..p /> },
    },
    TabDef {
        id: "incidents",
        label: Key::TabIncidents,
        view: |p| html! { <views::incidents::Incidents ..p /> },
    },
    TabDef {
        id: "claims",
        label: Key::TabClaims,
        view: |p| html! { <views::claims::Claims ..p /> },
    },
    TabDef {
        id: "agreement",
        label: Key::TabAgreement,
        view: |p| html! { <views::agreement::Agreement ..p /> },
    },
];

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub options: Rc<Options>,
}

/// Widget instance ids keep element ids unique when two widgets share a page.
pub fn next_instance() -> u32 {
    thread_local!(static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    N.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let options = props.options.clone();
    let state = use_reducer(|| State::new(options.policy_url.is_some()));
    let instance = use_state(next_instance);
    let root = use_node_ref();
    let loaded_tz = match &state.phase {
        Phase::Ready(l) => l.ev.report.contract.timezone.clone(),
        _ => "+08:00".to_string(),
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
    let on_claim_filed = use_callback(root.clone(), |c: crate::claims_api::FiledClaim, root| {
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
            // Part 2: the claims list, fetched once at load, shared by the periods table and the Claims tab.
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
    };
    let current = TABS.iter().find(|t| t.id == state.tab).unwrap_or(&TABS[0]);
    let ids = |t: &str| {
        (
            format!("slap{instance}-tab-{t}"),
            format!("slap{instance}-panel-{t}"),
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
                    doc.get_element_by_id(&format!("slap{instance}-tab-{}", TABS[to].id))
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
            Some(url) => fetch_bytes(url, &opts, &cancel, true, &pp).await,
            None => Ok(None),
        }
    };
    let (u, i, p) = futures::join!(
        fetch_bytes(&opts.usage_url, &opts, &cancel, false, &pu),
        fetch_bytes(&opts.incidents_url, &opts, &cancel, false, &pi),
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
    crate::fetch::mark("sla-portal:data-received");
    dispatch.dispatch(Action::Computing);
    yield_to_browser().await;
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
            crate::fetch::mark("sla-portal:report-computed");
            dispatch.dispatch(Action::Loaded(Rc::new(Loaded { ev })))
        }
        Err(e) => dispatch.dispatch(Action::Failed(e)),
    }
}
