//! Overview: was the agreement kept? Current and last judged period, budget, breaches, durability.

use sla_rules::report::PeriodStatus;
use yew::prelude::*;

use sla_rules::report::{Period, Report};

use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::views::monthly::MonthlyFigure;
use crate::views::{explain, verdict};

/// What the overview shows beyond its cards, facts and chart. The first paint
/// (`crate::stage`) draws it [`Bare`]: the policy version badge and "how availability is
/// computed" are the full build's ([`crate::views::exclusions::Explained`]), with their many
/// texts, and a type (not a flag) keeps that code out of the first paint's wasm.
pub trait Details: 'static {
    /// Beside the last judged period's verdict.
    fn version_badge(env: &Env, r: &Report, p: &Period) -> Html;
    /// Under the chart.
    fn how_computed(props: &ViewProps) -> Html;
}

/// No details: the first paint's overview.
pub struct Bare;

impl Details for Bare {
    fn version_badge(_: &Env, _: &Report, _: &Period) -> Html {
        Html::default()
    }
    fn how_computed(_: &ViewProps) -> Html {
        Html::default()
    }
}

#[component]
pub fn Overview<D: Details>(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let current = r
        .periods
        .iter()
        .rev()
        .find(|p| p.status == PeriodStatus::InProgress);
    let judged: Vec<_> = r
        .periods
        .iter()
        .filter(|p| p.status == PeriodStatus::Judged)
        .collect();
    let last = judged.last().copied();
    let breached = judged.iter().filter(|p| p.breached).count();

    let current_card = match current {
        Some(p) => html! {
            <div class="slap-card" data-sla-current={p.month.to_string()}>
                <h3 class="slap-card-title">{ env.t(Key::CurrentPeriod) }</h3>
                <p class="slap-big">{ f.month(&p.month) }</p>
                <p class="slap-badge slap-badge--open"><span aria-hidden="true">{ "… " }</span>{ env.t(Key::InProgressNote) }</p>
                <p class="slap-muted">{ env.t(Key::Availability) }{ ": " }{ f.percent(&p.availability) }
                    { " · " }{ env.t(Key::Unavailable) }{ ": " }{ f.int(p.unavailable_minutes) }</p>
            </div>
        },
        None => html! {
            <div class="slap-card">
                <h3 class="slap-card-title">{ env.t(Key::CurrentPeriod) }</h3>
                <p class="slap-muted">{ env.t(Key::NoCurrentPeriod) }</p>
            </div>
        },
    };

    let last_card = match last {
        Some(p) => {
            let (kind, icon, text) = verdict(env, p);
            html! {
                <div class={format!("slap-card slap-card--{kind}")} data-sla-last-judged={p.month.to_string()}>
                    <h3 class="slap-card-title">{ env.t(Key::LastJudged) }</h3>
                    <p class="slap-big">{ f.month(&p.month) }</p>
                    <p class={format!("slap-badge slap-badge--{kind}")}>
                        <span aria-hidden="true">{ icon }</span>{ " " }{ text }{ " · " }{ f.percent(&p.availability) }
                    </p>
                    <p class="slap-explain" data-sla-explain="">{ explain(env, p) }</p>
                    { D::version_badge(env, r, p) }
                </div>
            }
        }
        None => html! {
            <div class="slap-card">
                <h3 class="slap-card-title">{ env.t(Key::LastJudged) }</h3>
                <p class="slap-muted">{ env.t(Key::NoJudged) }</p>
            </div>
        },
    };

    let budget = last.map(|p| {
        env.fill(
            Key::BudgetUsed,
            &[
                ("used", &f.int(p.unavailable_minutes)),
                ("budget", &f.decimal(&p.downtime_budget_minutes)),
            ],
        )
    });
    let durability = last.map(|p| match &p.durability {
        Some(d) if d.met => ("met", "✓", env.t(Key::DurabilityMet)),
        Some(_) => ("breached", "✕", env.t(Key::DurabilityNotMet)),
        None => ("open", "–", env.t(Key::NoData)),
    });
    let target = f.percent(&r.rules.availability_target);

    html! {
        <div class="slap-overview">
            <div class="slap-cards">
                { current_card }
                { last_card }
            </div>
            <dl class="slap-facts">
                <div class="slap-fact">
                    <dt>{ env.t(Key::Target) }</dt>
                    <dd data-sla-target={r.rules.availability_target.clone()}>{ target }</dd>
                </div>
                <div class="slap-fact">
                    <dt>{ env.t(Key::Budget) }</dt>
                    <dd data-sla-budget={last.map(|p| p.downtime_budget_minutes.clone()).unwrap_or_default()}>
                        { budget.unwrap_or_else(|| "–".into()) }
                    </dd>
                </div>
                <div class="slap-fact">
                    <dt>{ env.t(Key::BreachedCount) }</dt>
                    <dd data-sla-breached-count={breached.to_string()}>
                        if breached > 0 { <span class="slap-icon slap-icon--breached" aria-hidden="true">{ "✕ " }</span> }
                        { env.fill(Key::BreachedOf, &[("n", &f.int(breached as u64)), ("total", &f.int(judged.len() as u64))]) }
                    </dd>
                </div>
                <div class="slap-fact">
                    <dt>{ env.t(Key::Durability) }</dt>
                    <dd data-sla-durability={durability.map(|d| d.0).unwrap_or("open")}>
                        { match durability {
                            Some((kind, icon, text)) => html! { <span class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ text }</span> },
                            None => html! { "–" },
                        } }
                    </dd>
                </div>
            </dl>
            <MonthlyFigure ..props.clone() />
            { D::how_computed(props) }
            if !r.warnings.is_empty() {
                <details class="slap-warnings">
                    <summary>{ env.t(Key::Warnings) }{ format!(" ({})", r.warnings.len()) }</summary>
                    <ul>{ for r.warnings.iter().map(|w| html! { <li>{ w.clone() }</li> }) }</ul>
                </details>
            }
        </div>
    }
}
