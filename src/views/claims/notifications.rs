//! The Notifications panel of the Claims tab: the client's webhook subscriptions, listed, added and removed.
//!
//! The signing secret of a new subscription lives only in this component's state: it is shown
//! once, with a copy button, and is gone when the client dismisses it or leaves the tab. It is
//! never written to localStorage (the claim draft is the only thing the widget stores).

use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::error_text;
use crate::api::{self, Cancel, NewSubscription, SubsError, Subscription};
use crate::env::{Env, ViewProps};
use crate::i18n::Key;

/// The events a client can subscribe to (the server's contract), in the order shown.
pub const EVENTS: [&str; 2] = ["period.breached", "claim.status_changed"];

fn event_label(env: &Env, e: &str) -> String {
    match e {
        "period.breached" => env.t(Key::EventPeriodBreached).to_string(),
        "claim.status_changed" => env.t(Key::EventClaimStatus).to_string(),
        // An event this build does not know: its name, as text.
        other => other.to_string(),
    }
}

#[derive(Clone, PartialEq)]
enum ListState {
    Loading,
    /// 404 on the collection: an older server without subscriptions.
    Unavailable,
    Failed(SubsError),
    Ready(Rc<Vec<Subscription>>),
}

/// Copies `text` with the asynchronous clipboard API; `false` when the browser has none.
fn copy_to_clipboard(text: &str) -> bool {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsCast;
    let Some(w) = web_sys::window() else {
        return false;
    };
    let clipboard = Reflect::get(&w, &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"clipboard".into()))
        .unwrap_or(JsValue::UNDEFINED);
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    match Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        Some(f) => f.call1(&clipboard, &JsValue::from_str(text)).is_ok(),
        None => false,
    }
}

/// The panel's state: the list, a request on its way, what went wrong, the new secret and
/// the form. One reducer, so each request's ending is one action, whatever it changes.
#[derive(Clone, PartialEq)]
struct Panel {
    list: ListState,
    /// A create or a remove on its way: one at a time.
    busy: bool,
    problem: Option<String>,
    /// The secret of the subscription just made: (id, secret). Memory only.
    secret: Option<(String, String)>,
    copied: bool,
    url: String,
    desc: String,
    events: Vec<String>,
}

enum Act {
    Loading,
    Listed(Result<Vec<Subscription>, SubsError>),
    Url(String),
    Desc(String),
    Toggle(&'static str),
    /// A remove starts.
    Removing,
    /// A create starts: the last problem goes.
    Sending,
    Removed(String),
    Created(Subscription, String),
    /// The collection answered 404 meanwhile.
    Unavailable,
    Problem(String),
    Copied(bool),
    SecretDone,
}

impl Reducible for Panel {
    type Action = Act;

    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        let mut p = (*self).clone();
        // A request's answer ends its being on its way.
        if matches!(
            act,
            Act::Removed(_) | Act::Created(..) | Act::Unavailable | Act::Problem(_)
        ) {
            p.busy = false;
        }
        match act {
            Act::Loading => p.list = ListState::Loading,
            Act::Listed(Ok(v)) => p.list = ListState::Ready(Rc::new(v)),
            Act::Listed(Err(SubsError::Unavailable)) | Act::Unavailable => {
                p.list = ListState::Unavailable
            }
            Act::Listed(Err(e)) => p.list = ListState::Failed(e),
            Act::Url(v) => p.url = v,
            Act::Desc(v) => p.desc = v,
            Act::Toggle(ev) => {
                if p.events.iter().any(|x| x == ev) {
                    p.events.retain(|x| x != ev);
                } else {
                    p.events.push(ev.to_string());
                }
            }
            Act::Removing => p.busy = true,
            Act::Sending => {
                p.busy = true;
                p.problem = None;
            }
            Act::Removed(id) => {
                if let ListState::Ready(v) = &p.list {
                    let kept = v.iter().filter(|s| s.id != id).cloned().collect();
                    p.list = ListState::Ready(Rc::new(kept));
                }
                p.problem = None;
            }
            Act::Created(sub, key) => {
                if let ListState::Ready(v) = &p.list {
                    let mut v: Vec<Subscription> = (**v).clone();
                    v.retain(|s| s.id != sub.id);
                    v.push(sub.clone());
                    p.list = ListState::Ready(Rc::new(v));
                }
                p.copied = false;
                p.secret = Some((sub.id, key));
                p.url.clear();
                p.desc.clear();
            }
            Act::Problem(text) => p.problem = Some(text),
            Act::Copied(ok) => p.copied = ok,
            Act::SecretDone => p.secret = None,
        }
        Rc::new(p)
    }
}

/// What a failed create or remove does to the panel.
fn refused(env: &Env, e: SubsError) -> Act {
    match e {
        SubsError::Unavailable => Act::Unavailable,
        SubsError::Failed(e) => Act::Problem(error_text(env, &e.into())),
    }
}

#[component]
pub fn Notifications(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let f = &env.fmt;
    let url = props.options.subscriptions();
    let panel = use_reducer(|| Panel {
        list: ListState::Loading,
        busy: false,
        problem: None,
        secret: None,
        copied: false,
        url: String::new(),
        desc: String::new(),
        events: EVENTS.iter().map(|e| e.to_string()).collect(),
    });
    let generation = use_state(|| 0u32);
    // Requests of this panel stop when it goes away (another tab, unmount).
    let cancel = use_memo((), |_| Cancel::new());
    {
        let cancel = cancel.clone();
        use_effect_with((), move |_| move || cancel.abort());
    }
    {
        let (d, opts, cancel) = (panel.dispatcher(), props.options.clone(), cancel.clone());
        use_effect_with((url.clone(), *generation), move |(url, _)| {
            if let Some(url) = url.clone() {
                d.dispatch(Act::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let r = api::list_subscriptions(&opts, &url, &cancel).await;
                    if !cancel.is_cancelled() {
                        d.dispatch(Act::Listed(r));
                    }
                });
            }
        });
    }
    let Some(url) = url else {
        return html! {};
    };
    let title_id = props.id("notif-title");
    let failed_text = |e: &SubsError| match e {
        SubsError::Unavailable => env.t(Key::NotifUnavailable).to_string(),
        SubsError::Failed(e) => error_text(&env, &e.clone().into()),
    };
    let busy = panel.busy;

    let body = match &panel.list {
        ListState::Loading => {
            html! { <p class="slap-muted" role="status">{ env.t(Key::NotifLoading) }</p> }
        }
        ListState::Unavailable => html! {
            <p class="slap-muted" data-sla-notifications-unavailable="">{ env.t(Key::NotifUnavailable) }</p>
        },
        ListState::Failed(e) => {
            let g = generation.clone();
            html! {
                <div class="slap-claim-error" role="alert">
                    <p>{ failed_text(e) }</p>
                    <button type="button" class="slap-button" onclick={move |_| g.set(*g + 1)}>{ env.t(Key::Retry) }</button>
                </div>
            }
        }
        ListState::Ready(subs) => {
            let remove = |id: String| {
                let (d, opts, url, cancel, env) = (
                    panel.dispatcher(),
                    props.options.clone(),
                    url.clone(),
                    (*cancel).clone(),
                    env.clone(),
                );
                Callback::from(move |_: MouseEvent| {
                    if busy {
                        return;
                    }
                    d.dispatch(Act::Removing);
                    let (d, opts, url, cancel, env, id) = (
                        d.clone(),
                        opts.clone(),
                        url.clone(),
                        cancel.clone(),
                        env.clone(),
                        id.clone(),
                    );
                    wasm_bindgen_futures::spawn_local(async move {
                        let r = api::delete_subscription(&opts, &url, &id, &cancel).await;
                        if !cancel.is_cancelled() {
                            d.dispatch(match r {
                                Ok(()) => Act::Removed(id),
                                Err(e) => refused(&env, e),
                            });
                        }
                    });
                })
            };
            if subs.is_empty() {
                html! { <p class="slap-muted">{ env.t(Key::NotifEmpty) }</p> }
            } else {
                html! {
                    <ul class="slap-subscriptions">
                        { for subs.iter().map(|s| html! {
                            <li key={s.id.clone()} data-sla-subscription={s.id.clone()}>
                                <code class="slap-subscription-url">{ s.url.clone() }</code>
                                if !s.description.is_empty() {
                                    { " " }<span>{ s.description.clone() }</span>
                                }
                                <br />
                                <span class="slap-muted">
                                    { s.events.iter().map(|e| event_label(&env, e)).collect::<Vec<_>>().join(env.t(Key::ListSep)) }
                                    if !s.created_at.is_empty() {
                                        { " · " }{ env.fill(Key::NotifCreated, &[("when", &f.datetime(s.created_at.as_str()))]) }
                                    }
                                </span>
                                { " " }
                                <button type="button" class="slap-linkish" data-sla-action="remove-subscription"
                                    aria-label={env.fill(Key::NotifRemoveLabel, &[("url", &s.url)])}
                                    disabled={busy} onclick={remove(s.id.clone())}>
                                    { env.t(Key::NotifRemove) }
                                </button>
                            </li>
                        }) }
                    </ul>
                }
            }
        }
    };

    let ready = matches!(&panel.list, ListState::Ready(_));
    let on_submit = {
        let (d, opts, url, cancel, env) = (
            panel.dispatcher(),
            props.options.clone(),
            url.clone(),
            (*cancel).clone(),
            env.clone(),
        );
        let (target, desc, events) = (
            panel.url.trim().to_string(),
            panel.desc.trim().to_string(),
            panel.events.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if busy {
                return;
            }
            if target.is_empty() {
                d.dispatch(Act::Problem(env.t(Key::NotifNeedUrl).to_string()));
                return;
            }
            if events.is_empty() {
                d.dispatch(Act::Problem(env.t(Key::NotifNeedEvent).to_string()));
                return;
            }
            let body = NewSubscription {
                url: target.clone(),
                // The contract's order, whatever order the boxes were ticked in.
                events: EVENTS
                    .iter()
                    .filter(|e| events.iter().any(|x| x == *e))
                    .map(|e| e.to_string())
                    .collect(),
                description: desc.clone(),
            };
            d.dispatch(Act::Sending);
            let (d, opts, url, cancel, env) = (
                d.clone(),
                opts.clone(),
                url.clone(),
                cancel.clone(),
                env.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::create_subscription(&opts, &url, &body, &cancel).await;
                if !cancel.is_cancelled() {
                    d.dispatch(match r {
                        Ok((sub, key)) => Act::Created(sub, key),
                        Err(e) => refused(&env, e),
                    });
                }
            });
        })
    };

    let secret_box = panel.secret.clone().map(|(id, key)| {
        let (d, k) = (panel.dispatcher(), key.clone());
        let on_copy = Callback::from(move |_: MouseEvent| d.dispatch(Act::Copied(copy_to_clipboard(&k))));
        let d = panel.dispatcher();
        let on_done = Callback::from(move |_: MouseEvent| d.dispatch(Act::SecretDone));
        let sid = props.id("notif-secret");
        html! {
            <div class="slap-secret" role="status" data-sla-subscription-secret={id}>
                <p id={sid.clone()}>{ env.t(Key::NotifSecretOnce) }</p>
                <code class="slap-secret-value" aria-describedby={sid}>{ key }</code>
                { " " }
                <button type="button" class="slap-button" data-sla-action="copy-secret" onclick={on_copy}>
                    { env.t(if panel.copied { Key::NotifCopied } else { Key::NotifCopy }) }
                </button>
                { " " }
                <button type="button" class="slap-button" data-sla-action="secret-done" onclick={on_done}>{ env.t(Key::NotifSecretDone) }</button>
            </div>
        }
    });

    let (url_id, desc_id) = (props.id("notif-url"), props.id("notif-desc"));
    let form = ready.then(|| {
        let text = |act: fn(String) -> Act| {
            let d = panel.dispatcher();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                d.dispatch(act(input.value()));
            })
        };
        let (on_url, on_desc) = (text(Act::Url), text(Act::Desc));
        html! {
            <form class="slap-subscription-form" onsubmit={on_submit} novalidate=true>
                <div class="slap-field">
                    <label for={url_id.clone()}>{ env.t(Key::NotifUrl) }</label>
                    <input id={url_id} name="url" type="url" inputmode="url" autocomplete="off"
                        placeholder="https://" value={panel.url.clone()} oninput={on_url} />
                </div>
                <fieldset class="slap-fieldset">
                    <legend>{ env.t(Key::NotifEvents) }</legend>
                    { for EVENTS.iter().map(|ev| {
                        let checked = panel.events.iter().any(|x| x == ev);
                        let d = panel.dispatcher();
                        let onchange = Callback::from(move |_: Event| d.dispatch(Act::Toggle(ev)));
                        html! {
                            <label class="slap-check">
                                <input type="checkbox" name="events" value={*ev} {checked} {onchange} />
                                { " " }{ event_label(&env, ev) }
                            </label>
                        }
                    }) }
                </fieldset>
                <div class="slap-field">
                    <label for={desc_id.clone()}>{ env.t(Key::NotifDescription) }</label>
                    <input id={desc_id} name="description" type="text" autocomplete="off"
                        value={panel.desc.clone()} oninput={on_desc} />
                </div>
                <button type="submit" class="slap-button" data-sla-action="add-subscription" disabled={busy}>{ env.t(Key::NotifAdd) }</button>
            </form>
        }
    });

    html! {
        <section class="slap-notifications" aria-labelledby={title_id.clone()} data-sla-notifications="">
            <h2 class="slap-h2" id={title_id}>{ env.t(Key::NotifTitle) }</h2>
            <p class="slap-muted">{ env.t(Key::NotifIntro) }</p>
            { body }
            { secret_box.unwrap_or_default() }
            if let Some(p) = &panel.problem {
                <p class="slap-claim-error" role="alert" data-sla-notifications-error="">{ p.clone() }</p>
            }
            { form.unwrap_or_default() }
        </section>
    }
}
