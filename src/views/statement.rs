//! The printable monthly statement: hidden on screen, the only thing printed (A4). A judged
//! month carries the provider's signed statement: the signed-by line, the key and the JWS in
//! lines of 64 characters, so a paper copy can be typed back and checked.

use std::rc::Rc;

use yew::prelude::*;

use crate::api::{self, Call, Cancel};
use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::options::Options;
use crate::signatures::{self, Expect, MonthShown, Signature};
use crate::views::{explain, status_label, verdict};

#[component]
pub fn Statement(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let Some(p) = props.selected_period() else {
        return html! {};
    };
    let (kind, icon, text) = verdict(env, p);
    // This month's share of each outage (an outage across a month end is split).
    let outages: Vec<_> = p
        .outage_minutes
        .iter()
        .filter_map(|m| r.outages.iter().find(|o| o.id == m.id).map(|o| (o, m)))
        .collect();
    let records = crate::views::exclusions::month_records(r, &p.month.to_string());
    let row =
        |k: Key, v: String| html! { <tr><th scope="row">{ env.t(k) }</th><td>{ v }</td></tr> };
    html! {
        <section class="slap-statement" aria-hidden="true" data-sla-statement={p.month.to_string()}>
            <h1>{ env.fill(Key::StatementTitle, &[("month", &f.month(&p.month))]) }</h1>
            <p>{ env.fill(Key::ContractLine, &[("client", &r.client_name), ("contract", &r.contract_id), ("start", &r.contract.service_start), ("end", &r.contract.service_end)]) }</p>
            <p>{ env.fill(Key::AsOf, &[("when", &f.datetime(&r.as_of))]) }{ " · " }{ env.fill(Key::TimesIn, &[("tz", &f.tz_label())]) }</p>
            <p class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ text }</p>
            <p>{ explain(env, p) }{ " " }{ crate::views::exclusions::version_badge(env, r, p) }</p>
            { crate::views::periods::horizon_note(env, r) }
            if crate::views::periods::data_short(p) {
                <p data-sla-data-short="">{ crate::views::periods::data_short_why(env, r, p) }</p>
            }
            <table class="slap-table">
                <tbody>
                    { row(Key::Status, status_label(env, p).to_string()) }
                    { row(Key::Availability, f.percent(&p.availability)) }
                    { row(Key::Target, f.percent(&p.target)) }
                    { row(Key::Budget, env.fill(Key::BudgetUsed, &[("used", &f.int(p.unavailable_minutes)), ("budget", &f.decimal(&p.downtime_budget_minutes))])) }
                    { row(Key::Measured, f.int(p.measured_minutes)) }
                    { row(Key::Excluded, f.int(p.excluded_minutes)) }
                    { row(Key::NoDataMin, f.int(p.no_data_minutes)) }
                    { row(Key::Signed, p.signed.map(|n| f.int(n)).unwrap_or_else(|| "–".into())) }
                    { row(Key::Failed, p.failed.map(|n| f.int(n)).unwrap_or_else(|| "–".into())) }
                </tbody>
            </table>
            if !outages.is_empty() {
                <table class="slap-table">
                    <thead><tr>
                        <th>{ env.t(Key::OutageId) }</th><th>{ env.t(Key::Start) }</th><th>{ env.t(Key::End) }</th>
                        <th>{ env.t(Key::Counted) }</th><th>{ env.t(Key::Excluded) }</th>
                    </tr></thead>
                    <tbody>
                    { for outages.iter().map(|(o, m)| html! {
                        <tr><td>{ o.id.clone() }</td><td>{ f.datetime(&o.start) }</td><td>{ f.datetime(&o.end) }</td>
                            <td>{ f.int(m.counted_minutes) }</td><td>{ f.int(m.excluded_minutes) }</td></tr>
                    }) }
                    </tbody>
                </table>
            }
            // Issue 9: the month's maintenance windows and exclusions, applied or not.
            if !records.is_empty() {
                <h2>{ env.fill(Key::ExclTitleMonth, &[("month", &f.month(&p.month))]) }</h2>
                { crate::views::exclusions::records_table(env, r, &records, Some(&p.month.to_string()), false) }
            }
            if p.status == sla_rules::report::PeriodStatus::Judged {
                if let Some(url) = props.options.claims_url.as_deref().and_then(|u| signatures::statement_url(u, &p.month.to_string())) {
                    <SignedStatement env={env.clone()} options={props.options.clone()} url={AttrValue::from(url)} shown={MonthShown::of(r, p)} />
                }
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SignedProps {
    env: Rc<Env>,
    options: Rc<Options>,
    url: AttrValue,
    shown: MonthShown,
}

/// Where the month's signed statement stands.
#[derive(Clone, PartialEq)]
enum Fetched {
    Loading,
    /// The answer's `jws` (`None`: the server signs nothing).
    Got(Option<String>),
    Failed(String),
}

/// The month's signed statement, fetched for the month shown (and again when its figures
/// change with a re-check, so the comparison is with the figures printed).
#[component]
fn SignedStatement(props: &SignedProps) -> Html {
    let env = &props.env;
    let fetched = use_state(|| Fetched::Loading);
    {
        let (fetched, opts) = (fetched.clone(), props.options.clone());
        use_effect_with((props.url.clone(), props.shown.clone()), move |(url, _)| {
            let cancel = Cancel::new();
            let (c, url) = (cancel.clone(), url.to_string());
            fetched.set(Fetched::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::request(&opts, Call::get(&url), &c).await;
                if c.is_cancelled() {
                    return;
                }
                fetched.set(match r {
                    Ok(a) if a.ok() => match signatures::statement_jws(&a.body) {
                        Ok(jws) => Fetched::Got(jws),
                        Err(m) => Fetched::Failed(m.to_string()),
                    },
                    Ok(a) => Fetched::Failed(format!("HTTP {}", a.status)),
                    Err(api::Failure::Timeout) => Fetched::Failed("timeout".into()),
                    Err(api::Failure::Network(m)) => Fetched::Failed(m),
                    Err(api::Failure::Cancelled) => return,
                });
            });
            move || cancel.abort()
        });
    }
    match &*fetched {
        Fetched::Loading => html! {},
        Fetched::Failed(why) => html! {
            <p data-sla-signature="unavailable">{ env.fill(Key::SigStatementFailed, &[("reason", why)]) }</p>
        },
        Fetched::Got(jws) => {
            let kid = jws
                .as_deref()
                .and_then(|j| signatures::split(j, signatures::STATEMENT_TYP).ok())
                .map(|c| c.kid);
            html! {
                <div data-sla-signed-statement="">
                    <Signature env={env.clone()} jws={jws.as_ref().map(|j| AttrValue::from(j.clone()))}
                        expect={Expect::Month(props.shown.clone())} file={props.url.clone()} path="jws" />
                    if let (Some(jws), Some(kid)) = (jws, kid) {
                        <p>{ env.t(Key::SigKid) }<code>{ kid }</code></p>
                        <p>{ env.t(Key::SigJwsLabel) }</p>
                        <pre data-sla-jws=""><code>{ signatures::lines(jws, 64).join("\n") }</code></pre>
                    }
                </div>
            }
        }
    }
}
