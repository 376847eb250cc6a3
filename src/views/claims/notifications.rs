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

#[component]
pub fn Notifications(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let f = &env.fmt;
    let url = props.options.subscriptions();
    let list = use_state(|| ListState::Loading);
    let generation = use_state(|| 0u32);
    // The secret of the subscription just made: (id, secret). Memory only.
    let secret = use_state(|| None::<(String, String)>);
    let copied = use_state(|| false);
    let new_url = use_state(String::new);
    let new_desc = use_state(String::new);
    let events = use_state(|| EVENTS.iter().map(|e| e.to_string()).collect::<Vec<_>>());
    let busy = use_state(|| false);
    let problem = use_state(|| None::<String>);
    // Requests of this panel stop when it goes away (another tab, unmount).
    let cancel = use_memo((), |_| Cancel::new());
    {
        let cancel = cancel.clone();
        use_effect_with((), move |_| move || cancel.abort());
    }
    {
        let (list, opts, cancel) = (list.clone(), props.options.clone(), cancel.clone());
        use_effect_with((url.clone(), *generation), move |(url, _)| {
            if let Some(url) = url.clone() {
                list.set(ListState::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let r = api::list_subscriptions(&opts, &url, &cancel).await;
                    if cancel.is_cancelled() {
                        return;
                    }
                    list.set(match r {
                        Ok(v) => ListState::Ready(Rc::new(v)),
                        Err(SubsError::Unavailable) => ListState::Unavailable,
                        Err(e) => ListState::Failed(e),
                    });
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
        SubsError::Failed(e) => error_text(&env, e),
    };

    let body = match &*list {
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
                let (list, opts, url, cancel, busy, problem, env) = (
                    list.clone(),
                    props.options.clone(),
                    url.clone(),
                    (*cancel).clone(),
                    busy.clone(),
                    problem.clone(),
                    env.clone(),
                );
                Callback::from(move |_: MouseEvent| {
                    if *busy {
                        return;
                    }
                    busy.set(true);
                    let (list, opts, url, cancel, busy, problem, env, id) = (
                        list.clone(),
                        opts.clone(),
                        url.clone(),
                        cancel.clone(),
                        busy.clone(),
                        problem.clone(),
                        env.clone(),
                        id.clone(),
                    );
                    wasm_bindgen_futures::spawn_local(async move {
                        let r = api::delete_subscription(&opts, &url, &id, &cancel).await;
                        if cancel.is_cancelled() {
                            return;
                        }
                        busy.set(false);
                        match r {
                            Ok(()) => {
                                if let ListState::Ready(v) = &*list {
                                    let kept: Vec<Subscription> =
                                        v.iter().filter(|s| s.id != id).cloned().collect();
                                    list.set(ListState::Ready(Rc::new(kept)));
                                }
                                problem.set(None);
                            }
                            Err(SubsError::Unavailable) => list.set(ListState::Unavailable),
                            Err(SubsError::Failed(e)) => problem.set(Some(error_text(&env, &e))),
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
                                    disabled={*busy} onclick={remove(s.id.clone())}>
                                    { env.t(Key::NotifRemove) }
                                </button>
                            </li>
                        }) }
                    </ul>
                }
            }
        }
    };

    let ready = matches!(&*list, ListState::Ready(_));
    let on_submit = {
        let (list, opts, url, cancel) = (
            list.clone(),
            props.options.clone(),
            url.clone(),
            (*cancel).clone(),
        );
        let (new_url, new_desc, events, busy, problem, secret, copied, env) = (
            new_url.clone(),
            new_desc.clone(),
            events.clone(),
            busy.clone(),
            problem.clone(),
            secret.clone(),
            copied.clone(),
            env.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let target = new_url.trim().to_string();
            if target.is_empty() {
                problem.set(Some(env.t(Key::NotifNeedUrl).to_string()));
                return;
            }
            if events.is_empty() {
                problem.set(Some(env.t(Key::NotifNeedEvent).to_string()));
                return;
            }
            let body = NewSubscription {
                url: target,
                // The contract's order, whatever order the boxes were ticked in.
                events: EVENTS
                    .iter()
                    .filter(|e| events.iter().any(|x| x == *e))
                    .map(|e| e.to_string())
                    .collect(),
                description: new_desc.trim().to_string(),
            };
            busy.set(true);
            problem.set(None);
            let (list, opts, url, cancel) =
                (list.clone(), opts.clone(), url.clone(), cancel.clone());
            let (new_url, new_desc, busy, problem, secret, copied, env) = (
                new_url.clone(),
                new_desc.clone(),
                busy.clone(),
                problem.clone(),
                secret.clone(),
                copied.clone(),
                env.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::create_subscription(&opts, &url, &body, &cancel).await;
                if cancel.is_cancelled() {
                    return;
                }
                busy.set(false);
                match r {
                    Ok((sub, key)) => {
                        if let ListState::Ready(v) = &*list {
                            let mut v: Vec<Subscription> = (**v).clone();
                            v.retain(|s| s.id != sub.id);
                            v.push(sub.clone());
                            list.set(ListState::Ready(Rc::new(v)));
                        }
                        copied.set(false);
                        secret.set(Some((sub.id, key)));
                        new_url.set(String::new());
                        new_desc.set(String::new());
                    }
                    Err(SubsError::Unavailable) => list.set(ListState::Unavailable),
                    Err(SubsError::Failed(e)) => problem.set(Some(error_text(&env, &e))),
                }
            });
        })
    };

    let secret_box = (*secret).clone().map(|(id, key)| {
        let (copied_now, secret_h) = (copied.clone(), secret.clone());
        let k = key.clone();
        let on_copy = Callback::from(move |_: MouseEvent| copied_now.set(copy_to_clipboard(&k)));
        let on_done = Callback::from(move |_: MouseEvent| secret_h.set(None));
        let sid = props.id("notif-secret");
        html! {
            <div class="slap-secret" role="status" data-sla-subscription-secret={id}>
                <p id={sid.clone()}>{ env.t(Key::NotifSecretOnce) }</p>
                <code class="slap-secret-value" aria-describedby={sid}>{ key }</code>
                { " " }
                <button type="button" class="slap-button" data-sla-action="copy-secret" onclick={on_copy}>
                    { env.t(if *copied { Key::NotifCopied } else { Key::NotifCopy }) }
                </button>
                { " " }
                <button type="button" class="slap-button" data-sla-action="secret-done" onclick={on_done}>{ env.t(Key::NotifSecretDone) }</button>
            </div>
        }
    });

    let (url_id, desc_id) = (props.id("notif-url"), props.id("notif-desc"));
    let form = ready.then(|| {
        let on_url = {
            let v = new_url.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                v.set(input.value());
            })
        };
        let on_desc = {
            let v = new_desc.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                v.set(input.value());
            })
        };
        html! {
            <form class="slap-subscription-form" onsubmit={on_submit} novalidate=true>
                <div class="slap-field">
                    <label for={url_id.clone()}>{ env.t(Key::NotifUrl) }</label>
                    <input id={url_id} name="url" type="url" inputmode="url" autocomplete="off"
                        placeholder="https://" value={(*new_url).clone()} oninput={on_url} />
                </div>
                <fieldset class="slap-fieldset">
                    <legend>{ env.t(Key::NotifEvents) }</legend>
                    { for EVENTS.iter().map(|ev| {
                        let checked = events.iter().any(|x| x == ev);
                        let events = events.clone();
                        let onchange = Callback::from(move |_: Event| {
                            let mut v = (*events).clone();
                            if v.iter().any(|x| x == ev) {
                                v.retain(|x| x != ev);
                            } else {
                                v.push(ev.to_string());
                            }
                            events.set(v);
                        });
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
                        value={(*new_desc).clone()} oninput={on_desc} />
                </div>
                <button type="submit" class="slap-button" data-sla-action="add-subscription" disabled={*busy}>{ env.t(Key::NotifAdd) }</button>
            </form>
        }
    });

    html! {
        <section class="slap-notifications" aria-labelledby={title_id.clone()} data-sla-notifications="">
            <h2 class="slap-h2" id={title_id}>{ env.t(Key::NotifTitle) }</h2>
            <p class="slap-muted">{ env.t(Key::NotifIntro) }</p>
            { body }
            { secret_box.unwrap_or_default() }
            if let Some(p) = &*problem {
                <p class="slap-claim-error" role="alert" data-sla-notifications-error="">{ p.clone() }</p>
            }
            { form.unwrap_or_default() }
        </section>
    }
}
