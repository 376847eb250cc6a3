//! One incident: its times against its targets, its clock drawn to scale (pauses, and
//! for a business-hours clock the closed hours), and the outages that overlap it.

use std::rc::Rc;

use sla_rules::report::Clock;
use sla_rules::time::Stamp;
use yew::prelude::*;

use crate::charts::{incident_clock as clock, legend_item, Canvas, CanvasChart};
use crate::env::ViewProps;
use crate::i18n::Key;
use sla_rules::incidents::overall;

use crate::views::labels::{against, cause_label, clock_label, duration, overall_badge};

#[derive(Properties, PartialEq, Clone)]
pub struct DetailProps {
    pub view: ViewProps,
    /// Index into `report.incidents`.
    pub index: usize,
}

#[component]
pub fn IncidentDetail(props: &DetailProps) -> Html {
    let env = props.view.env.clone();
    let data = props.view.data.clone();
    let chart = use_memo(
        (data.clone(), env.clone(), props.index),
        |(data, env, i)| {
            let r = &data.ev.report;
            let x = r.incidents.get(*i)?;
            let f = &env.fmt;
            // The report's instants are typed: nothing here parses text again.
            let start = x.reported_at.at;
            let as_of = r.as_of.at;
            let end = x.resolved_at.map_or(as_of, |s| s.at).max(start + 60);
            let responded = x.responded_at.map(|s| s.at);
            let paused: Vec<(i64, i64)> = x.paused.iter().map(|p| (p.start.at, p.end.at)).collect();
            let closed = if x.clock == Clock::Business {
                clock::gaps(start, end, &data.ev.calendar.open_intervals(start, end))
            } else {
                Vec::new()
            };
            let outages: Vec<(i64, i64)> = r
                .outages
                .iter()
                .filter(|o| x.outages.contains(&o.id))
                .map(|o| (o.start.at, o.end.at))
                .collect();
            let mut ticks = vec![(start, f.datetime(&x.reported_at))];
            let mut tips = Vec::new();
            if let Some(s) = x.responded_at {
                let a = s.at;
                ticks.push((a, f.datetime(&s)));
                tips.push((
                    start,
                    a,
                    format!(
                        "{}: {}",
                        env.t(Key::Response),
                        x.response_seconds
                            .map(|s| duration(env, s))
                            .unwrap_or_default()
                    ),
                ));
            }
            if let Some(s) = &x.resolved_at {
                ticks.push((end, f.datetime(s)));
            }
            // Labels closer than ~a fifth of the span would overlap: keep the first of each cluster.
            let span = (end - start).max(1);
            let mut kept: Vec<(i64, String)> = Vec::new();
            for tk in ticks {
                if kept.last().is_none_or(|l| (tk.0 - l.0) * 5 > span) {
                    kept.push(tk);
                }
            }
            for &(a, b) in &paused {
                tips.push((
                    a,
                    b,
                    format!(
                        "{}: {}",
                        env.t(Key::Paused),
                        duration(env, (b - a).max(0) as u64)
                    ),
                ));
            }
            for &(a, b) in &closed {
                tips.push((a, b, env.t(Key::ClosedHours).to_string()));
            }
            let c = clock::Clock {
                start,
                end,
                responded,
                resolved: x.resolved_at.is_some(),
                paused,
                closed,
                outages,
                ticks: kept,
                rows: [
                    env.t(Key::RowClock).into(),
                    env.t(Key::RowPaused).into(),
                    env.t(Key::RowOutages).into(),
                ],
                tips,
            };
            Some(Rc::new(c) as Rc<dyn CanvasChart>)
        },
    );
    let r = &data.ev.report;
    let Some(x) = r.incidents.get(props.index) else {
        return html! {};
    };
    let f = &env.fmt;
    let outages: Vec<_> = r
        .outages
        .iter()
        .filter(|o| x.outages.contains(&o.id))
        .collect();
    let rec = if x.level == 3 {
        Key::AdviceGiven
    } else {
        Key::Recovery
    };
    let opt_time = |s: &Option<Stamp>| {
        s.as_ref()
            .map(|s| f.datetime(s))
            .unwrap_or_else(|| "–".into())
    };
    let title_id = props.view.id("incd-title");
    html! {
        <section class="slap-incident-detail" data-sla-incident-detail={x.id.clone()} aria-labelledby={title_id.clone()}>
            <h2 class="slap-h2" id={title_id}>{ x.id.clone() }{ " · " }{ x.title.clone() }</h2>
            <p>{ overall_badge(&env, overall(x)) }{ " " }{ env.fill(Key::LevelN, &[("n", &x.level.to_string())]) }
               { " · " }{ x.component.clone() }{ " · " }{ cause_label(&env, x.cause) }
               { " · " }{ clock_label(&env, x.clock) }</p>
            if !x.assessed { <p class="slap-muted">{ env.t(Key::NotAssessedWhy) }</p> }
            <dl class="slap-summary">
                <dt>{ env.t(Key::Reported) }</dt><dd>{ f.datetime(&x.reported_at) }</dd>
                <dt>{ env.t(Key::Responded) }</dt><dd>{ opt_time(&x.responded_at) }</dd>
                <dt>{ env.t(Key::Resolved) }</dt><dd>{ opt_time(&x.resolved_at) }</dd>
                <dt>{ env.t(Key::Response) }</dt><dd>{ against(&env, x.response_seconds, x.response_target_seconds, x.response) }</dd>
                <dt>{ env.t(rec) }</dt><dd>{ against(&env, x.recovery_seconds, x.recovery_target_seconds, x.recovery) }</dd>
                <dt>{ env.t(Key::Paused) }</dt><dd>{ x.paused_seconds.map(|s| duration(&env, s)).unwrap_or_else(|| "–".into()) }</dd>
            </dl>
            if let Some(c) = &*chart {
                <figure class="slap-chart" data-sla-chart="incident-clock">
                    <figcaption>{ env.t(Key::IncClock) }</figcaption>
                    <Canvas chart={c.clone()} version={props.index as u64} />
                    <div class="slap-legend">
                        { legend_item("--slap-open", env.t(Key::LegendResponse)) }
                        { legend_item("--slap-accent", env.t(Key::LegendRecovery)) }
                        { legend_item("--slap-excluded", env.t(Key::RowPaused)) }
                        if x.clock == Clock::Business { { legend_item("--slap-nodata", env.t(Key::ClosedHours)) } }
                        { legend_item("--slap-bad", env.t(Key::RowOutages)) }
                    </div>
                </figure>
            }
            if !x.paused.is_empty() {
                <ul class="slap-list">{ for x.paused.iter().map(|p| html! {
                    <li>{ env.t(Key::Paused) }{ ": " }{ f.datetime(&p.start) }{ " – " }{ f.datetime(&p.end) }</li>
                }) }</ul>
            }
            <h3 class="slap-card-title">{ env.t(Key::OverlappingOutages) }</h3>
            if outages.is_empty() {
                <p class="slap-muted">{ env.t(Key::NoOverlap) }</p>
            } else {
                <div class="slap-table-wrap" tabindex="0" role="region" aria-label={env.t(Key::OverlappingOutages)}><table class="slap-table">
                    <thead><tr><th scope="col">{ env.t(Key::OutageId) }</th><th scope="col">{ env.t(Key::Start) }</th><th scope="col">{ env.t(Key::End) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Counted) }</th><th scope="col">{ env.t(Key::Compensable) }</th></tr></thead>
                    <tbody>{ for outages.iter().map(|o| html! {
                        <tr data-sla-outage={o.id.clone()}><td>{ o.id.clone() }</td><td>{ f.datetime(&o.start) }</td><td>{ f.datetime(&o.end) }</td>
                            <td class="slap-num">{ f.int(o.counted_minutes) }</td><td>{ if o.compensable { env.t(Key::Yes) } else { env.t(Key::No) } }</td></tr>
                    }) }</tbody>
                </table></div>
            }
        </section>
    }
}
