//! What the console's views share: status labels, what to say when a route fails, the
//! loading and failed-with-retry blocks, the focus moved to a view's heading, the month
//! fields' check.

use sla_rules::claims::ClaimStatus;
use yew::prelude::*;

use super::api::ReadError;
use crate::api::ApiError;
use crate::env::Env;
use crate::i18n::Key;

/// A claim status in words (the widget's own labels: operator and client read the same).
pub fn status_label(env: &Env, s: ClaimStatus) -> &'static str {
    crate::views::claims::history::status_text(env, s)
}

/// What to say when an operator route could not be read.
pub fn read_error_text(env: &Env, e: &ReadError) -> String {
    match e {
        ReadError::Api(a) => api_error_text(env, a),
        ReadError::Malformed { url, message } => env.fill(
            Key::OpErrMalformed,
            &[("url", url.as_str()), ("message", message.as_str())],
        ),
    }
}

pub fn api_error_text(env: &Env, e: &ApiError) -> String {
    let f = &env.fmt;
    match e {
        ApiError::RateLimited {
            retry_after: Some(n),
        } => env.fill(Key::OpErrRateLimited, &[("n", &f.int(*n))]),
        ApiError::RateLimited { retry_after: None } => env.t(Key::OpErrRateLimitedBare).into(),
        ApiError::Unauthorized => env.t(Key::OpErrUnauthorized).into(),
        ApiError::Forbidden => env.t(Key::OpErrForbidden).into(),
        ApiError::Rejected { status, message } => env.fill(
            Key::OpErrRejected,
            &[
                ("status", &status.to_string()),
                ("message", message.as_str()),
            ],
        ),
        ApiError::Server { status } => {
            env.fill(Key::OpErrServer, &[("status", &status.to_string())])
        }
        ApiError::Timeout => env.t(Key::OpErrTimeout).into(),
        ApiError::Offline | ApiError::Cancelled => env.t(Key::OpErrOffline).into(),
    }
}

/// What a view shows while its route is being read.
pub fn loading_view(env: &Env) -> Html {
    html! { <p class="slap-muted" role="status" data-sla-op-loading="">{ env.t(Key::OpLoading) }</p> }
}

/// What a view shows when its route failed: the reason and a retry, which bumps `attempt`
/// (the counter each view's fetch effect depends on, so a retry reads the route again).
pub fn failed_view(env: &Env, e: &ReadError, attempt: &UseStateHandle<u32>) -> Html {
    let attempt = attempt.clone();
    let retry = Callback::from(move |_: MouseEvent| attempt.set(*attempt + 1));
    html! {
        <div class="slap-error" role="alert" data-sla-op-error="">
            <p>{ read_error_text(env, e) }</p>
            <button type="button" class="slap-button" onclick={retry}>{ env.t(Key::Retry) }</button>
        </div>
    }
}

/// Moves the keyboard focus to `heading` when the view was opened by the user (never on
/// the console's first mount: a host page keeps its own focus).
#[hook]
pub fn use_focus(heading: &NodeRef, focus: bool) {
    let heading = heading.clone();
    use_effect_with(focus, move |focus| {
        if *focus {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        }
    });
}

/// `YYYY-MM` with a month from 01 to 12: what the routes accept.
pub fn valid_month(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(m[5..].parse::<u32>(), Ok(1..=12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_field_is_yyyy_mm() {
        assert!(valid_month("2026-02"));
        assert!(!valid_month("2026-2"));
        assert!(!valid_month("2026-13"));
        assert!(!valid_month("2026-00"));
        assert!(!valid_month("26-02"));
        assert!(!valid_month("２０２６-02"));
    }
}
