//! The console's shell: its three views (the queue, a claim's page, what the provider
//! owes) and the navigation between them.

use std::rc::Rc;

use sla_rules::time::Tz;
use yew::prelude::*;

use super::api::Filters;
use super::options::OpOptions;
use crate::env::{next_instance, Env};
use crate::i18n::Key;
use crate::intl::Formats;

#[derive(Properties, PartialEq, Clone)]
pub struct ConsoleProps {
    pub options: Rc<OpOptions>,
}

/// Which view the console shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Queue,
    Claim(String),
    Exposure,
}

impl View {
    /// `data-sla-op-view` on the console's root.
    fn id(&self) -> &'static str {
        match self {
            View::Queue => "queue",
            View::Claim(_) => "claim",
            View::Exposure => "exposure",
        }
    }
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let o = props.options.clone();
    let locale = o.http.locale;
    // The queue's times in the agreement's timezone (China Standard Time); a claim's page
    // draws its evidence in its contract's own.
    let env = use_memo(locale, |l| Env {
        locale: *l,
        fmt: Formats::new(*l, &Tz::CST.label()),
    });
    let uid = *use_state(next_instance);
    let view = use_state(|| View::Queue);
    let moved = use_state(|| false);
    let filters = use_state(Filters::default);
    let cursors = use_state(Vec::<String>::new);
    let root = use_node_ref();
    crate::host_events::use_theme(root.clone(), o.http.theme.clone());

    let go = {
        let (view, moved) = (view.clone(), moved.clone());
        Callback::from(move |v: View| {
            moved.set(true);
            view.set(v);
        })
    };
    let on_filters = {
        let (filters, cursors) = (filters.clone(), cursors.clone());
        Callback::from(move |f: Filters| {
            // New filters start at the first page: a cursor belongs to the filters it came from.
            cursors.set(Vec::new());
            filters.set(f);
        })
    };
    let on_cursors = {
        let cursors = cursors.clone();
        Callback::from(move |c: Vec<String>| cursors.set(c))
    };
    let on_open = {
        let go = go.clone();
        Callback::from(move |id: String| go.emit(View::Claim(id)))
    };
    let nav_button = |target: View, key: Key| {
        let current = matches!(
            (&*view, &target),
            (View::Exposure, View::Exposure) | (View::Queue | View::Claim(_), View::Queue)
        );
        let go = go.clone();
        let onclick = Callback::from(move |_: MouseEvent| go.emit(target.clone()));
        html! {
            <button type="button" class="slap-op-tab" aria-current={current.then_some("page")} {onclick}
                data-sla-op-nav={if key == Key::OpNavQueue { "queue" } else { "exposure" }}>
                { env.t(key) }
            </button>
        }
    };
    let focus = *moved;
    let body = match &*view {
        View::Queue => html! {
            <super::queue::Queue options={o.clone()} env={env.clone()} filters={(*filters).clone()}
                {on_filters} cursors={(*cursors).clone()} {on_cursors} {on_open} {focus} {uid} />
        },
        View::Claim(id) => {
            let go = go.clone();
            let on_back = Callback::from(move |_| go.emit(View::Queue));
            html! {
                <super::claim::ClaimPage key={id.clone()} options={o.clone()} env={env.clone()} id={id.clone()}
                    {on_back} {focus} {uid} root={root.clone()} />
            }
        }
        View::Exposure => html! {
            <super::exposure::Exposure options={o.clone()} env={env.clone()} {focus} {uid} />
        },
    };
    html! {
        <div class="slap slap-op" part="container" lang={locale.tag()} data-sla-operator=""
            data-sla-op-view={view.id()} ref={root}>
            <header class="slap-op-header">
                <h1 class="slap-op-title">{ env.t(Key::OpTitle) }</h1>
                <nav class="slap-op-nav" aria-label={env.t(Key::OpNav)}>
                    { nav_button(View::Queue, Key::OpNavQueue) }
                    { nav_button(View::Exposure, Key::OpNavExposure) }
                </nav>
            </header>
            { body }
        </div>
    }
}
