//! The monthly availability figure: the overview's chart, the first one a visitor sees, kept
//! apart from the other figures so the first paint (`crate::stage`) carries only it.

use std::rc::Rc;

use sla_rules::decimal::Decimal;
use sla_rules::policy::Policy;
use sla_rules::report::PeriodStatus;
use yew::prelude::*;

use crate::charts::{legend_item, monthly, Canvas, CanvasChart};
use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::views::{status_label, verdict};

/// A figure's data as a table (for screen readers and for copying), folded under the chart.
pub fn data_table(env: &Env, table: Html) -> Html {
    html! {
        <details class="slap-data">
            <summary>{ env.t(Key::DataTable) }</summary>
            <div class="slap-table-wrap" tabindex="0" role="region" aria-label={env.t(Key::DataTable)}>{ table }</div>
        </details>
    }
}

#[component]
pub fn MonthlyFigure(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let data = props.data.clone();
    let chart = use_memo((data.clone(), env.clone()), |(data, env)| {
        let r = &data.ev.report;
        let f = &env.fmt;
        // The report's target is the core's own text; the policy default only if it were unreadable.
        let target = Decimal::parse(&r.rules.availability_target)
            .unwrap_or_else(|_| Policy::default().availability_target.value)
            .to_f64();
        let bars: Vec<monthly::Bar> = r
            .periods
            .iter()
            .map(|p| {
                let (_, icon, text) = verdict(env, p);
                monthly::Bar {
                    label: f.month_short(&p.month),
                    value: Decimal::parse(&p.availability).map_or(100.0, |d| d.to_f64()),
                    kind: match (p.status, p.breached) {
                        (PeriodStatus::Judged, true) => monthly::BarKind::Breached,
                        (PeriodStatus::Judged, false) => monthly::BarKind::Met,
                        (PeriodStatus::Partial, _) => monthly::BarKind::Partial,
                        (PeriodStatus::InProgress, _) => monthly::BarKind::InProgress,
                    },
                    tip: format!(
                        "{}: {} · {icon} {text}",
                        f.month(&p.month),
                        f.percent(&p.availability)
                    ),
                }
            })
            .collect();
        let values: Vec<f64> = bars.iter().map(|b| b.value).collect();
        let floor = monthly::scale_floor(&values, target);
        let tick = |v: f64| (v, f.percent_of(v));
        Rc::new(monthly::Monthly {
            bars,
            target,
            floor,
            ticks: vec![tick(floor), tick(target), tick(100.0)],
        }) as Rc<dyn CanvasChart>
    });
    let r = &data.ev.report;
    let f = &env.fmt;
    html! {
        <figure class="slap-chart" data-sla-chart="monthly">
            <figcaption>{ env.t(Key::ChartMonthly) }</figcaption>
            <Canvas chart={(*chart).clone()} version={0} />
            <div class="slap-legend">
                { legend_item("--slap-ok", &format!("✓ {}", env.t(Key::LegendMet))) }
                { legend_item("--slap-bad", &format!("✕ {}", env.t(Key::LegendBreached))) }
                { legend_item("--slap-surface", &format!("… {}", env.t(Key::LegendNotJudged))) }
                { legend_item("--slap-accent", &format!("— {} {}", env.t(Key::LegendTarget), f.percent(&r.rules.availability_target))) }
            </div>
            { data_table(&env, html! {
                <table class="slap-table">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::Month) }</th><th scope="col">{ env.t(Key::Status) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Availability) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Target) }</th><th scope="col">{ env.t(Key::Result) }</th>
                    </tr></thead>
                    <tbody>{ for r.periods.iter().map(|p| { let (_, icon, text) = verdict(&env, p); html! {
                        <tr><th scope="row">{ f.month(&p.month) }</th><td>{ status_label(&env, p) }</td>
                            <td class="slap-num">{ f.percent(&p.availability) }</td><td class="slap-num">{ f.percent(&p.target) }</td>
                            <td>{ format!("{icon} {text}") }</td></tr>
                    } }) }</tbody>
                </table>
            }) }
        </figure>
    }
}
