//! The chart figures: each builds its chart from the report, draws it on a canvas,
//! and carries an equivalent data table (for screen readers and for copying).

use std::rc::Rc;

use sla_rules::time::Month;
use sla_rules::timeline::{month_timeline, MinuteState};
use yew::prelude::*;

use crate::charts::{daily, legend_item, metering, timeline, Canvas, CanvasAttrs, CanvasChart};
use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::views::monthly::data_table;

fn state_label(env: &Env, s: MinuteState) -> &'static str {
    env.t(match s {
        MinuteState::Up => Key::LegendUp,
        MinuteState::Outage => Key::LegendOutage,
        MinuteState::Blip => Key::LegendBlip,
        MinuteState::Excluded => Key::LegendExcluded,
        MinuteState::NoData => Key::LegendNoData,
    })
}

/// Rows of the timeline's data table; a noisy month can have tens of thousands
/// of runs, and Yew renders ~1,000 rows in ~30 ms (measured).
const MAX_RUN_ROWS: usize = 500;

/// The core's spelling of a minute state, for the `data-sla-run` hook.
fn run_state(s: MinuteState) -> &'static str {
    match s {
        MinuteState::Up => "up",
        MinuteState::Outage => "outage",
        MinuteState::Blip => "blip",
        MinuteState::Excluded => "excluded",
        MinuteState::NoData => "no_data",
    }
}

#[component]
pub fn DailyFigure(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let data = props.data.clone();
    let cells = use_memo((data.clone(), env.clone()), |(data, env)| {
        let f = &env.fmt;
        let days = &data.ev.report.days;
        let from = days.len().saturating_sub(daily::DAYS);
        days[from..]
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let day = f.day(&d.date);
                let availability = f.percent(&d.availability);
                let n = f.int(d.outages);
                let key = match d.outages {
                    0 => Key::DayAnnounceNone,
                    1 => Key::DayAnnounceOne,
                    _ => Key::DayAnnounceMany,
                };
                daily::Cell {
                    kind: daily::kind(
                        d.minutes,
                        d.excluded_minutes,
                        d.unavailable_minutes,
                        d.no_data_minutes,
                    ),
                    month_label: (i == 0 || d.date.ends_with("-01"))
                        .then(|| f.month_short(d.date.get(..7).unwrap_or(""))),
                    announce: env.fill(
                        key,
                        &[("day", &day), ("availability", &availability), ("n", &n)],
                    ),
                }
            })
            .collect::<Vec<_>>()
    });
    let dates = use_memo(data.clone(), |data| {
        let days = &data.ev.report.days;
        let from = days.len().saturating_sub(daily::DAYS);
        days[from..]
            .iter()
            .map(|d| d.date.clone())
            .collect::<Vec<_>>()
    });
    let focus = use_state(|| cells.len().saturating_sub(1));
    let chart = use_memo((cells.clone(), *focus), |(cells, focus)| {
        Rc::new(daily::Daily {
            cells: (**cells).clone(),
            focus: Some(*focus),
        }) as Rc<dyn CanvasChart>
    });
    if cells.is_empty() {
        return html! { <p class="slap-muted">{ env.t(Key::NoDays) }</p> };
    }
    let live_id = props.id("daily-live");
    let select = {
        let on = props.on_select_month.clone();
        let dates = dates.clone();
        move |i: usize| {
            if let Some(m) = dates.get(i).and_then(|d| d.get(..7)) {
                on.emit(m.to_string());
            }
        }
    };
    let onkeydown = {
        let focus = focus.clone();
        let len = cells.len();
        let select = select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                select(*focus);
            } else if let Some(to) = daily::step(*focus, len, &e.key()) {
                e.prevent_default();
                focus.set(to);
            }
        })
    };
    let onclick_x = {
        let focus = focus.clone();
        let cells = cells.clone();
        Callback::from(move |(x, _y, w): (i32, i32, u32)| {
            let d = daily::Daily {
                cells: (*cells).clone(),
                focus: None,
            };
            if let Some(i) = d.index_at(x, w) {
                focus.set(i);
                select(i);
            }
        })
    };
    let current = cells
        .get(*focus)
        .map(|c| c.announce.clone())
        .unwrap_or_default();
    let f = &env.fmt;
    let days = &data.ev.report.days;
    let from = days.len().saturating_sub(daily::DAYS);
    html! {
        <figure class="slap-chart" data-sla-chart="daily">
            <figcaption>{ env.t(Key::ChartDaily) }</figcaption>
            <Canvas chart={(*chart).clone()} version={*focus as u64}
                canvas_attrs={CanvasAttrs {
                    tabindex: Some("0".into()),
                    role: Some("group".into()),
                    aria_label: Some(format!("{}. {}", env.t(Key::ChartDaily), env.t(Key::ChartDailyHelp)).into()),
                    aria_describedby: Some(live_id.clone().into()),
                    onkeydown: Some(onkeydown),
                    onclick_x: Some(onclick_x),
                }} />
            <p class="slap-readout" id={live_id} aria-live="polite" data-sla-day-readout="">{ current }</p>
            <p class="slap-help">{ env.t(Key::ChartDailyHelp) }</p>
            <div class="slap-legend">
                { legend_item("--slap-ok", env.t(Key::LegendUp)) }
                { legend_item("--slap-bad", env.t(Key::LegendOutage)) }
                { legend_item("--slap-excluded", env.t(Key::LegendExcluded)) }
                { legend_item("--slap-nodata", env.t(Key::LegendNoData)) }
            </div>
            { data_table(&env, html! {
                <table class="slap-table">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::Date) }</th><th scope="col" class="slap-num">{ env.t(Key::Availability) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Unavailable) }</th><th scope="col" class="slap-num">{ env.t(Key::Excluded) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::NoDataMin) }</th><th scope="col" class="slap-num">{ env.t(Key::Outages) }</th>
                    </tr></thead>
                    <tbody>{ for days[from..].iter().map(|d| html! {
                        <tr data-sla-day={d.date.clone()}><th scope="row">{ f.day(&d.date) }</th><td class="slap-num">{ f.percent(&d.availability) }</td>
                            <td class="slap-num">{ f.int(d.unavailable_minutes) }</td><td class="slap-num">{ f.int(d.excluded_minutes) }</td>
                            <td class="slap-num">{ f.int(d.no_data_minutes) }</td><td class="slap-num">{ f.int(d.outages) }</td></tr>
                    }) }</tbody>
                </table>
            }) }
        </figure>
    }
}

#[component]
pub fn TimelineFigure(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let data = props.data.clone();
    let month = props.month.clone().unwrap_or_default();
    let built = use_memo(
        (data.clone(), env.clone(), month.clone()),
        |(data, env, month)| {
            let f = &env.fmt;
            let ev = &data.ev;
            let runs = month_timeline(ev, month);
            // Issue 9: the tooltip names the maintenance windows and exclusions under a run.
            let spans = crate::views::exclusions::RecordSpans::new(&ev.report);
            let located = timeline::locate(month, &runs, |r| {
                format!(
                    "{} – {} · {} ({} {}){}",
                    f.datetime(&r.start),
                    f.datetime(&r.end),
                    state_label(env, r.state),
                    f.int(r.minutes),
                    env.t(Key::Minute),
                    spans.note(env, &r.start, &r.end)
                )
            });
            let days = Month::parse(month).map(|m| m.days()).unwrap_or(0).max(0) as usize;
            let day_labels = (1..=days)
                .map(|d| f.day(&format!("{month}-{d:02}")))
                .collect();
            let period = ev.report.period(month.as_str());
            let mut marks: Vec<(u32, String)> = ev
                .report
                .outages
                .iter()
                .filter(|o| period.is_some_and(|p| p.outages.contains(&o.id)))
                .filter_map(|o| {
                    let at = timeline::offset_in_month(month, &o.start.to_string())?;
                    Some((
                        at,
                        format!("{} {}", f.int(o.counted_minutes), env.t(Key::Minute)),
                    ))
                })
                .collect();
            // Issue 9: each applied record is labelled at its first minute. A label is about
            // 100 px wide, some 130 minutes at 1,200 px, so one within three hours of another
            // on the same day joins it instead of overlapping it.
            for (at, id) in crate::views::exclusions::month_marks(&ev.report, month) {
                match marks
                    .iter_mut()
                    .find(|(m, _)| m / 1440 == at / 1440 && m.abs_diff(at) < 180)
                {
                    Some((_, text)) => *text = format!("{text} · {id}"),
                    None => marks.push((at, id)),
                }
            }
            let chart = Rc::new(timeline::Timeline {
                day_labels,
                runs: located,
                marks,
            }) as Rc<dyn CanvasChart>;
            (chart, runs)
        },
    );
    if month.is_empty() {
        return html! { <p class="slap-muted">{ env.t(Key::NoMonth) }</p> };
    }
    let f = &env.fmt;
    let (chart, runs) = &*built;
    html! {
        <figure class="slap-chart" data-sla-chart="timeline" data-sla-timeline-month={month.to_string()}>
            <figcaption>{ env.fill(Key::ChartTimeline, &[("month", &f.month(month.as_str()))]) }{ " · " }{ f.tz_label() }</figcaption>
            <Canvas chart={chart.clone()} version={0} />
            <div class="slap-legend">
                { legend_item("--slap-ok", env.t(Key::LegendUp)) }
                { legend_item("--slap-bad", env.t(Key::LegendOutage)) }
                { legend_item("--slap-open", env.t(Key::LegendBlip)) }
                { legend_item("--slap-excluded", env.t(Key::LegendExcluded)) }
                { legend_item("--slap-nodata", env.t(Key::LegendNoData)) }
            </div>
            { data_table(&env, html! {
                <table class="slap-table">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::Start) }</th><th scope="col">{ env.t(Key::End) }</th>
                        <th scope="col">{ env.t(Key::Status) }</th><th scope="col" class="slap-num">{ env.t(Key::Minutes) }</th>
                    </tr></thead>
                    <tbody>{ for runs.iter().filter(|r| r.state != MinuteState::Up).take(MAX_RUN_ROWS).map(|r| html! {
                        <tr data-sla-run={run_state(r.state)}><td>{ f.datetime(&r.start) }</td><td>{ f.datetime(&r.end) }</td>
                            <td>{ state_label(&env, r.state) }</td><td class="slap-num">{ f.int(r.minutes) }</td></tr>
                    }) }</tbody>
                </table>
            }) }
        </figure>
    }
}

#[component]
pub fn MeteringFigure(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let data = props.data.clone();
    let chart = use_memo((data.clone(), env.clone()), |(data, env)| {
        let f = &env.fmt;
        Rc::new(metering::Metering {
            months: data
                .ev
                .report
                .metering
                .iter()
                .map(|m| metering::MonthCount {
                    label: f.month_short(&m.month),
                    signed: m.signed,
                    failed: m.failed,
                    tip: format!(
                        "{}: {} {} · {} {}",
                        f.month(&m.month),
                        env.t(Key::LegendSigned),
                        f.int(m.signed),
                        env.t(Key::LegendFailed),
                        f.int(m.failed)
                    ),
                })
                .collect(),
            signed_title: env.t(Key::LegendSigned).to_string(),
            failed_title: env.t(Key::LegendFailed).to_string(),
        }) as Rc<dyn CanvasChart>
    });
    let r = &data.ev.report;
    let f = &env.fmt;
    if r.metering.is_empty() {
        return html! { <p class="slap-muted">{ env.t(Key::NoMetering) }</p> };
    }
    html! {
        <figure class="slap-chart" data-sla-chart="metering">
            <figcaption>{ env.t(Key::ChartMetering) }</figcaption>
            <Canvas chart={(*chart).clone()} version={0} />
            <div class="slap-legend">
                { legend_item("--slap-accent", env.t(Key::LegendSigned)) }
                { legend_item("--slap-bad", env.t(Key::LegendFailed)) }
            </div>
            { data_table(&env, html! {
                <table class="slap-table">
                    <thead><tr><th scope="col">{ env.t(Key::Month) }</th><th scope="col" class="slap-num">{ env.t(Key::Signed) }</th><th scope="col" class="slap-num">{ env.t(Key::Failed) }</th></tr></thead>
                    <tbody>{ for r.metering.iter().map(|m| html! {
                        <tr><th scope="row">{ f.month(&m.month) }</th><td class="slap-num">{ f.int(m.signed) }</td><td class="slap-num">{ f.int(m.failed) }</td></tr>
                    }) }</tbody>
                </table>
            }) }
        </figure>
    }
}
