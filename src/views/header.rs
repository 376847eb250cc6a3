//! The widget's header: who and what the report is about, as of when, and the exports.

use yew::prelude::*;

use sla_rules::report::PeriodStatus;

use crate::env::{Checked, Env, ViewProps};
use crate::i18n::Key;
use crate::stage;

#[component]
pub fn Header(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let checked = stage::use_checked();
    let contract_line = env.fill(
        Key::ContractLine,
        &[
            ("client", &r.client_name),
            ("contract", &r.contract_id),
            ("start", &r.contract.service_start),
            ("end", &r.contract.service_end),
        ],
    );
    // The first paint draws the buttons disabled and leaves the exports to the full build,
    // which takes over a moment later (crate::stage).
    let dl = |what: &'static str| stage::export(&props.data, what);
    let (periods, outages, json) = (dl("periods"), dl("outages"), dl("json"));
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    html! {
        <header class="slap-header" part="header">
            <div class="slap-header-text">
                <h2 class="slap-title">{ env.t(Key::Title) }</h2>
                <p class="slap-sub">{ contract_line }</p>
                <p class="slap-sub">
                    { env.fill(Key::AsOf, &[("when", &f.datetime(&r.as_of))]) }
                    { " · " }
                    <span data-sla-timezone={r.contract.timezone.clone()}>{ env.fill(Key::TimesIn, &[("tz", &f.tz_label())]) }</span>
                    if let Some(Checked(at)) = checked.filter(|c| c.0 > 0.0) {
                        { " · " }<Ago env={env.clone()} {at} />
                    }
                </p>
                // The core says whether the month in progress can still meet its target.
                { for r.periods.iter().filter(|p| p.status == PeriodStatus::InProgress && p.target_out_of_reach).map(|p| html! {
                    <p class="slap-notice" role="status" data-sla-out-of-reach={p.month.to_string()}>
                        { env.fill(Key::OutOfReach, &[("target", &f.percent(&p.target))]) }
                    </p>
                }) }
            </div>
            <div class="slap-actions" role="group" aria-label={env.t(Key::Exports)}>
                <button type="button" class="slap-button" disabled={periods.is_none()} onclick={periods} data-sla-export="periods">{ env.t(Key::ExportPeriods) }</button>
                <button type="button" class="slap-button" disabled={outages.is_none()} onclick={outages} data-sla-export="outages">{ env.t(Key::ExportOutages) }</button>
                <button type="button" class="slap-button" disabled={json.is_none()} onclick={json} data-sla-export="json">{ env.t(Key::ExportJson) }</button>
                <button type="button" class="slap-button" onclick={print}>{ env.t(Key::Print) }</button>
            </div>
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct AgoProps {
    env: std::rc::Rc<Env>,
    /// ms since the epoch.
    at: f64,
}

/// "Updated 12 s ago", counting up by itself (its own second timer re-renders only this text).
#[component]
fn Ago(props: &AgoProps) -> Html {
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        use_effect_with(props.at, move |_| {
            now.set(js_sys::Date::now());
            let tick =
                gloo_timers::callback::Interval::new(1000, move || now.set(js_sys::Date::now()));
            move || drop(tick)
        });
    }
    let seconds = ((*now - props.at) / 1000.0).max(0.0).floor() as u64;
    let env = &props.env;
    let text = if seconds < 120 {
        env.fill(Key::UpdatedSecondsAgo, &[("n", &env.fmt.int(seconds))])
    } else {
        env.fill(Key::UpdatedMinutesAgo, &[("n", &env.fmt.int(seconds / 60))])
    };
    html! { <span data-sla-updated-ago={seconds.to_string()}>{ text }</span> }
}
