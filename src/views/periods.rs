//! The periods table: one row per period with the data contract's `data-sla-*` hooks.

use yew::prelude::*;

use sla_rules::report::{Period, PeriodStatus, Report};

use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::views::{status_label, verdict};

/// How far the report's data reaches ("数据截至 …"), with the `data-sla-data-horizon` hook
/// (the report's `data_horizon`, empty when there is no telemetry): under the default
/// `missing_data = up` a stalled feed would otherwise pass for a good month.
pub fn horizon_note(env: &Env, r: &Report) -> Html {
    let (value, text) = match &r.data_horizon {
        Some(h) => (
            h.to_string(),
            env.fill(Key::DataHorizon, &[("when", &env.fmt.datetime(h))]),
        ),
        None => (String::new(), env.t(Key::DataHorizonNone).to_string()),
    };
    html! { <p data-sla-data-horizon={value}>{ text }</p> }
}

/// A month that has ended with minutes after the data horizon: its data stops before its
/// end, so its verdict may only reflect the missing data. The count is the core's.
pub fn data_short(p: &Period) -> bool {
    p.status != PeriodStatus::InProgress && p.minutes_after_data_horizon > 0
}

/// Why a data-short month's verdict may only reflect the missing data: where the data
/// stopped, how many of the month's minutes have none, and how the policy counts them.
pub fn data_short_why(env: &Env, r: &Report, p: &Period) -> String {
    let f = &env.fmt;
    let when = r
        .data_horizon
        .as_ref()
        .map(|h| f.datetime(h))
        .unwrap_or_else(|| env.t(Key::DataHorizonNone).to_string());
    env.fill(
        Key::DataShortWhy,
        &[
            ("when", &when),
            ("minutes", &f.int(p.minutes_after_data_horizon)),
            ("fill", fill_word(env, r, p)),
        ],
    )
}

/// The policy's `missing_data` fill in words, for the data-short explanation.
pub fn fill_word(env: &Env, r: &Report, p: &Period) -> &'static str {
    let fill = r
        .rules_for(p.policy_version.as_deref())
        .map_or(r.rules.missing_data, |x| x.missing_data);
    env.t(match fill {
        sla_rules::policy::Fill::Up => Key::FillUp,
        sla_rules::policy::Fill::Down => Key::FillDown,
    })
}

#[component]
pub fn Periods(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let selected = props.month.as_deref();
    let opt = |v: Option<u64>| v.map(|n| f.int(n)).unwrap_or_else(|| "–".into());
    // Periods named by a filed claim are marked (and cannot be chosen again in the claim flow).
    let claimed = use_context::<crate::claims_api::ClaimsCtx>()
        .map(|c| c.claimed())
        .unwrap_or_default();
    html! {
        <>
        { horizon_note(env, r) }
        <div class="slap-table-wrap">
            <table class="slap-table slap-periods">
                <caption>{ env.t(Key::RowSelectHint) }</caption>
                <thead><tr>
                    <th scope="col">{ env.t(Key::Month) }</th>
                    <th scope="col">{ env.t(Key::Status) }</th>
                    <th scope="col">{ env.t(Key::Availability) }</th>
                    <th scope="col">{ env.t(Key::Result) }</th>
                    <th scope="col" class="slap-num">{ env.t(Key::Unavailable) }</th>
                    <th scope="col" class="slap-num">{ env.t(Key::Excluded) }</th>
                    <th scope="col" class="slap-num">{ env.t(Key::NoDataMin) }</th>
                    <th scope="col" class="slap-num">{ env.t(Key::Outages) }</th>
                    <th scope="col" class="slap-num">{ env.t(Key::Signed) }</th>
                    <th scope="col" class="slap-num">{ env.t(Key::Failed) }</th>
                    <th scope="col">{ env.t(Key::Durability) }</th>
                </tr></thead>
                <tbody>
                { for r.periods.iter().map(|p| {
                    let (kind, icon, text) = verdict(env, p);
                    let month = p.month.to_string();
                    let select = {
                        let on = props.on_select_month.clone();
                        let tab = props.on_tab.clone();
                        let m = month.clone();
                        move || { on.emit(m.clone()); tab.emit(crate::tab::Tab::Availability); }
                    };
                    let onclick = { let s = select.clone(); Callback::from(move |_: MouseEvent| s()) };
                    let onkeydown = Callback::from(move |e: KeyboardEvent| {
                        if e.key() == "Enter" || e.key() == " " { e.prevent_default(); select(); }
                    });
                    let month_id = p.month.to_string();
                    let is_claimed = claimed.contains(&month_id);
                    let is_sel = selected == Some(month_id.as_str());
                    html! {
                        <tr key={month_id.clone()} class={classes!("slap-row", format!("slap-row--{kind}"), is_sel.then_some("slap-row--selected"))}
                            data-sla-month={month_id.clone()}
                            data-availability={p.availability.clone()}
                            data-breached={p.breached.to_string()}
                            data-unavailable-minutes={p.unavailable_minutes.to_string()}
                            data-claimed={is_claimed.to_string()}
                            data-minutes-after-data-horizon={p.minutes_after_data_horizon.to_string()}
                            data-status={match p.status { sla_rules::report::PeriodStatus::Judged => "judged", sla_rules::report::PeriodStatus::Partial => "partial", sla_rules::report::PeriodStatus::InProgress => "in_progress" }}
                            tabindex="0" aria-current={is_sel.then_some("true")} {onclick} {onkeydown}>
                            <th scope="row">{ f.month(&month) }</th>
                            <td>{ status_label(env, p) }</td>
                            <td class="slap-num">{ f.percent(&p.availability) }</td>
                            <td><span class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ text }</span>
                                if is_claimed { { " " }<span class="slap-badge slap-badge--claimed" data-sla-claimed="">{ env.t(Key::PeriodClaimedBadge) }</span> }
                                { " " }{ crate::views::exclusions::version_badge(env, r, p) }
                                if data_short(p) { { " " }<span class="slap-badge slap-badge--open" data-sla-data-short=""><span aria-hidden="true">{ "⚠ " }</span>{ env.fill(Key::DataShort, &[("minutes", &f.int(p.minutes_after_data_horizon))]) }</span> }</td>
                            <td class="slap-num">{ f.int(p.unavailable_minutes) }</td>
                            <td class="slap-num">{ f.int(p.excluded_minutes) }</td>
                            <td class="slap-num">{ f.int(p.no_data_minutes) }</td>
                            <td class="slap-num">{ f.int(p.outages.len() as u64) }</td>
                            <td class="slap-num">{ opt(p.signed) }</td>
                            <td class="slap-num">{ opt(p.failed) }</td>
                            <td>{ match &p.durability {
                                Some(d) if d.met => html! { <><span aria-hidden="true">{ "✓ " }</span>{ env.t(Key::DurabilityMet) }</> },
                                Some(_) => html! { <><span aria-hidden="true">{ "✕ " }</span>{ env.t(Key::DurabilityNotMet) }</> },
                                None => html! { env.t(Key::NoData) },
                            } }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </div>
        <crate::views::exclusions::TermExclusions ..props.clone() />
        </>
    }
}
