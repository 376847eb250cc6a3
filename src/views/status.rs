//! Loading progress and the translated error panels with Retry.

use std::rc::Rc;

use yew::prelude::*;

use crate::api::FetchError;
use crate::env::Env;
use crate::i18n::Key;
use crate::load::LoadError;
use crate::state::{DocProgress, Progress};

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    pub progress: Progress,
    pub env: Rc<Env>,
}

fn bytes_text(env: &Env, p: &DocProgress) -> String {
    let f = &env.fmt;
    if !p.started {
        return env.t(Key::Waiting).to_string();
    }
    match p.total {
        // A compressed transfer's Content-Length is smaller than the body: show no total then.
        Some(t) if t >= p.received => env.fill(
            Key::BytesOf,
            &[("received", &f.bytes(p.received)), ("total", &f.bytes(t))],
        ),
        _ => env.fill(Key::BytesReceived, &[("received", &f.bytes(p.received))]),
    }
}

#[component]
pub fn LoadingPanel(props: &LoadingProps) -> Html {
    let env = &props.env;
    let p = &props.progress;
    let row = |label: Key, d: &DocProgress| {
        let (value, max) = match d.total {
            Some(t) if t >= d.received && t > 0 => (d.received.to_string(), t.to_string()),
            _ => (String::new(), String::new()),
        };
        html! {
            <li class="slap-progress-row">
                <span class="slap-progress-label">{ env.t(label) }</span>
                if max.is_empty() {
                    <progress class="slap-progress" aria-label={env.t(label)}></progress>
                } else {
                    <progress class="slap-progress" aria-label={env.t(label)} value={value} max={max}></progress>
                }
                <span class="slap-progress-bytes" data-sla-bytes={d.received.to_string()}>{ bytes_text(env, d) }</span>
            </li>
        }
    };
    html! {
        <section class="slap-loading" part="status" aria-busy="true">
            <h2 class="slap-h2">{ env.t(Key::LoadingTitle) }</h2>
            <ul class="slap-progress-list" role="status" aria-live="polite">
                { row(Key::LoadingUsage, &p.usage) }
                { row(Key::LoadingIncidents, &p.incidents) }
                if let Some(pp) = &p.policy { { row(Key::LoadingPolicy, pp) } }
            </ul>
            if p.computing {
                <p class="slap-computing" role="status">{ env.t(Key::Computing) }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    pub error: LoadError,
    pub env: Rc<Env>,
    pub on_retry: Callback<()>,
}

#[component]
pub fn ErrorPanel(props: &ErrorProps) -> Html {
    let env = &props.env;
    let (kind, text, details) = match &props.error {
        LoadError::Fetch(FetchError::Http { url, status }) => (
            "http",
            env.fill(
                Key::ErrorHttp,
                &[("url", url), ("status", &status.to_string())],
            ),
            None,
        ),
        LoadError::Fetch(FetchError::Timeout { url, seconds }) => (
            "timeout",
            env.fill(
                Key::ErrorTimeout,
                &[("url", url), ("seconds", &seconds.to_string())],
            ),
            None,
        ),
        LoadError::Fetch(FetchError::Network { url, detail }) => (
            "network",
            env.fill(Key::ErrorNetwork, &[("url", url), ("detail", detail)]),
            None,
        ),
        LoadError::Fetch(FetchError::Cancelled) => ("cancelled", String::new(), None),
        LoadError::NotJson { file, detail } => (
            "not-json",
            env.fill(Key::ErrorNotJson, &[("url", file), ("detail", detail)]),
            None,
        ),
        LoadError::Contract(e) => (
            "contract",
            env.t(Key::ErrorContract).to_string(),
            Some(e.clone()),
        ),
        LoadError::Options(detail) => (
            "options",
            env.fill(Key::ErrorOptions, &[("detail", detail)]),
            None,
        ),
    };
    let retry = props.on_retry.clone();
    html! {
        <section class="slap-error" part="status error" role="alert" data-sla-error={kind}>
            <h2 class="slap-h2"><span class="slap-icon" aria-hidden="true">{ "⚠" }</span>{ " " }{ env.t(Key::ErrorTitle) }</h2>
            <p class="slap-error-text">{ text }</p>
            if let Some(e) = details {
                <dl class="slap-error-details">
                    <dt>{ env.t(Key::ErrorFile) }</dt><dd><code>{ e.file }</code></dd>
                    <dt>{ env.t(Key::ErrorPath) }</dt><dd><code data-sla-error-path="">{ e.path }</code></dd>
                    <dt>{ env.t(Key::ErrorProblem) }</dt><dd>{ e.message }</dd>
                </dl>
            }
            <button type="button" class="slap-button slap-retry" onclick={move |_| retry.emit(())}>{ env.t(Key::Retry) }</button>
        </section>
    }
}
