//! Availability: monthly chart, 90-day strip, the selected month's minute timeline, metering.

use yew::prelude::*;

use crate::env::ViewProps;
use crate::i18n::Key;
use crate::views::figures::{DailyFigure, MeteringFigure, TimelineFigure};
use crate::views::monthly::MonthlyFigure;
use crate::views::{explain, verdict};

/// The outages with counted minutes in the selected month, as a table.
#[component]
pub fn MonthOutages(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let Some(month) = props.month.as_deref() else {
        return html! {};
    };
    let Some(period) = r.period(month) else {
        return html! {};
    };
    let outages: Vec<_> = r
        .outages
        .iter()
        .filter(|o| period.outages.contains(&o.id))
        .collect();
    let (kind, icon, text) = verdict(env, period);
    html! {
        <section class="slap-month-outages" data-sla-selected-month={month.to_string()}>
            <h3 class="slap-h3">{ env.fill(Key::OutagesOfMonth, &[("month", &f.month(month))]) }</h3>
            <p><span class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ text }</span>
               { " " }{ f.percent(&period.availability) }{ " " }{ explain(env, period) }</p>
            // The month's own data horizon, where the reader checks its minutes: a feed
            // that stopped early must not pass for a good month here either.
            if crate::views::periods::data_short(period) {
                <p class="slap-badge slap-badge--open" role="note" data-sla-data-short="">
                    <span aria-hidden="true">{ "⚠ " }</span>{ crate::views::periods::data_short_why(env, r, period) }</p>
            }
            if outages.is_empty() {
                <p class="slap-muted">{ env.t(Key::NoOutages) }</p>
            } else {
                <table class="slap-table">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::OutageId) }</th>
                        <th scope="col">{ env.t(Key::Start) }</th>
                        <th scope="col">{ env.t(Key::End) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Minutes) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Counted) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Excluded) }</th>
                        <th scope="col">{ env.t(Key::Compensable) }</th>
                    </tr></thead>
                    <tbody>
                    { for outages.iter().map(|o| html! {
                        <tr key={o.id.clone()} data-sla-outage={o.id.clone()} data-counted-minutes={o.counted_minutes.to_string()}>
                            <th scope="row"><code>{ o.id.clone() }</code></th>
                            <td>{ f.datetime(&o.start) }</td>
                            <td>{ f.datetime(&o.end) }</td>
                            <td class="slap-num">{ f.int(o.minutes) }</td>
                            <td class="slap-num">{ f.int(o.counted_minutes) }</td>
                            <td class="slap-num">{ f.int(o.excluded_minutes) }</td>
                            <td>{ env.t(if o.compensable { Key::Yes } else { Key::No }) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

/// A month picker over the report's periods.
#[component]
pub fn MonthPicker(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let on = props.on_select_month.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            on.emit(sel.value());
        }
    });
    html! {
        <label class="slap-picker">
            { env.t(Key::SelectMonth) }{ " " }
            <select class="slap-select" {onchange}>
                { for r.periods.iter().rev().map(|p| html! {
                    <option value={p.month.to_string()} selected={props.month.as_deref() == Some(p.month.to_string().as_str())}>{ f.month(&p.month) }</option>
                }) }
            </select>
        </label>
    }
}

#[component]
pub fn Availability(props: &ViewProps) -> Html {
    html! {
        <div class="slap-availability">
            <MonthlyFigure ..props.clone() />
            <DailyFigure ..props.clone() />
            <h3 class="slap-h3">{ props.env.t(Key::SelectMonth) }</h3>
            <MonthPicker ..props.clone() />
            <TimelineFigure ..props.clone() />
            <MonthOutages ..props.clone() />
            <crate::views::exclusions::MonthVersion ..props.clone() />
            <crate::views::exclusions::MonthExclusions ..props.clone() />
            <MeteringFigure ..props.clone() />
        </div>
    }
}
