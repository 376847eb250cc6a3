//! Fault history: per-level summary cards, incidents per month, and a filterable,
//! sortable, virtualised incident table (only the visible rows are rendered, so
//! 10,000 incidents scroll like 20). Selecting a row opens its detail.

use std::rc::Rc;

use sla_rules::incidents::{overall, Overall};
use sla_rules::report::{IncidentCause, IncidentReport};
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::charts::{incidents as chart, legend_item, Canvas, CanvasChart};
use crate::env::ViewProps;
use crate::i18n::Key;
use crate::views::contacts::ContactSheetView;
use crate::views::incident_detail::IncidentDetail;
use crate::views::labels::{against, cause_label, duration, overall_badge};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Reported,
    Level,
    Response,
    Recovery,
    Paused,
}

/// The table's filters, search and order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub level: Option<u8>,
    pub status: Option<Overall>,
    pub month: Option<String>,
    pub cause: Option<String>,
    pub text: String,
    pub sort: SortKey,
    pub desc: bool,
}

impl Default for Query {
    /// Newest first.
    fn default() -> Self {
        Query {
            level: None,
            status: None,
            month: None,
            cause: None,
            text: String::new(),
            sort: SortKey::Reported,
            desc: true,
        }
    }
}

/// The indices of the incidents the query keeps, in its order. Sorting compares the
/// typed reported instants, never offsets as text.
pub fn select(incidents: &[IncidentReport], q: &Query) -> Vec<usize> {
    let needle = q.text.trim().to_lowercase();
    let mut v: Vec<usize> = (0..incidents.len())
        .filter(|&i| {
            let x = &incidents[i];
            q.level.is_none_or(|l| x.level == l)
                && q.status.is_none_or(|s| overall(x) == s)
                && q.month.as_ref().is_none_or(|m| x.month == *m)
                && q.cause.as_ref().is_none_or(|c| x.cause.as_str() == c)
                && (needle.is_empty()
                    || x.id.to_lowercase().contains(&needle)
                    || x.title.to_lowercase().contains(&needle)
                    || x.component.to_lowercase().contains(&needle))
        })
        .collect();
    let at = |i: usize| incidents[i].reported_at.at;
    // Unknown times sort last whichever the direction, then by reported time.
    let key = |i: usize| -> (bool, u64) {
        let x = &incidents[i];
        let k = match q.sort {
            SortKey::Reported => Some(0),
            SortKey::Level => Some(x.level as u64),
            SortKey::Response => x.response_seconds,
            SortKey::Recovery => x.recovery_seconds,
            SortKey::Paused => x.paused_seconds,
        };
        (k.is_none(), k.unwrap_or(0))
    };
    v.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        let primary = ka.0.cmp(&kb.0).then_with(|| {
            let o = ka.1.cmp(&kb.1);
            if q.desc {
                o.reverse()
            } else {
                o
            }
        });
        let time = if q.desc {
            at(b).cmp(&at(a))
        } else {
            at(a).cmp(&at(b))
        };
        primary.then(time).then(a.cmp(&b))
    });
    v
}

/// Applies a filter's chosen value to the query.
type Apply = Rc<dyn Fn(&mut Query, String)>;

/// Row height in px; the CSS gives every row exactly this height.
pub const ROW_PX: i32 = 36;
const VIEWPORT_PX: i32 = 468;
const OVERSCAN: usize = 6;

/// The first and one-past-last rows to render for a scroll offset.
pub fn window(scroll_top: i32, len: usize) -> (usize, usize) {
    let first = (scroll_top.max(0) / ROW_PX) as usize;
    let from = first.saturating_sub(OVERSCAN).min(len);
    let to = (first + (VIEWPORT_PX / ROW_PX) as usize + 1 + OVERSCAN).min(len);
    (from, to.max(from))
}

#[component]
pub fn Incidents(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let data = props.data.clone();
    let query = use_state(Query::default);
    let scroll = use_state(|| 0i32);
    let selected = use_state(|| None::<String>);
    let body_ref = use_node_ref();
    let rows = use_memo((data.clone(), (*query).clone()), |(d, q)| {
        select(&d.ev.report.incidents, q)
    });
    let r = &data.ev.report;
    let f = &env.fmt;

    let set = {
        let (query, scroll, body_ref) = (query.clone(), scroll.clone(), body_ref.clone());
        Rc::new(move |g: &dyn Fn(&mut Query)| {
            let mut q = (*query).clone();
            g(&mut q);
            query.set(q);
            scroll.set(0);
            if let Some(el) = body_ref.cast::<HtmlElement>() {
                el.set_scroll_top(0);
            }
        })
    };
    let select_filter = |label: Key,
                         name: &'static str,
                         options: Vec<(String, String)>,
                         current: String,
                         apply: Apply| {
        let set = set.clone();
        let onchange = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            let apply = apply.clone();
            set(&move |q: &mut Query| apply(q, v.clone()));
        });
        let id = props.id(&format!("inc-{name}"));
        html! {
            <label class="slap-filter" for={id.clone()}>
                <span>{ env.t(label) }</span>
                <select id={id} class="slap-select" data-sla-filter={name} {onchange}>
                    <option value="" selected={current.is_empty()}>{ env.t(Key::FilterAll) }</option>
                    { for options.into_iter().map(|(v, t)| html! { <option value={v.clone()} selected={v == current}>{ t }</option> }) }
                </select>
            </label>
        }
    };
    let q = &*query;
    let months: Vec<String> = r.periods.iter().map(|p| p.month.to_string()).collect();
    let search_id = props.id("inc-search");
    let filters = html! {
        <div class="slap-filters" role="search">
            { select_filter(Key::Level, "level", (1..=3).map(|l: u8| (l.to_string(), env.fill(Key::LevelN, &[("n", &l.to_string())]))).collect(),
                q.level.map(|l| l.to_string()).unwrap_or_default(), Rc::new(|q, v| q.level = v.parse().ok())) }
            { select_filter(Key::Status, "status", Overall::ALL.iter().map(|o| (o.id().to_string(), env.t(match o { Overall::Met => Key::IncMet, Overall::Breached => Key::IncBreached, Overall::Running => Key::IncRunning, Overall::NotAssessed => Key::IncNotAssessed }).to_string())).collect(),
                q.status.map(|s| s.id().to_string()).unwrap_or_default(), Rc::new(|q, v| q.status = Overall::parse(&v))) }
            { select_filter(Key::Period, "month", months.iter().rev().map(|m| (m.clone(), f.month(m))).collect(),
                q.month.clone().unwrap_or_default(), Rc::new(|q, v| q.month = (!v.is_empty()).then_some(v))) }
            { select_filter(Key::Cause, "cause", IncidentCause::ALL.iter().map(|c| (c.as_str().to_string(), cause_label(&env, *c).to_string())).collect(),
                q.cause.clone().unwrap_or_default(), Rc::new(|q, v| q.cause = (!v.is_empty()).then_some(v))) }
            <label class="slap-filter" for={search_id.clone()}>
                <span>{ env.t(Key::Search) }</span>
                <input id={search_id} type="search" class="slap-select" data-sla-filter="text" value={q.text.clone()}
                    placeholder={env.t(Key::SearchHint)}
                    oninput={ let set = set.clone(); Callback::from(move |e: InputEvent| {
                        let v = e.target_unchecked_into::<HtmlInputElement>().value();
                        set(&move |q: &mut Query| q.text = v.clone());
                    }) } />
            </label>
        </div>
    };

    let header = |key: SortKey, label: Key, class: &'static str| {
        let set = set.clone();
        let active = q.sort == key;
        let onclick = Callback::from(move |_| {
            set(&move |q: &mut Query| {
                if q.sort == key {
                    q.desc = !q.desc
                } else {
                    q.sort = key;
                    q.desc = key == SortKey::Reported;
                }
            })
        });
        let sort = if active {
            if q.desc {
                "descending"
            } else {
                "ascending"
            }
        } else {
            "none"
        };
        html! {
            <th scope="col" class={class} aria-sort={sort}>
                <button type="button" class="slap-sort" data-sla-sort={format!("{key:?}").to_lowercase()} {onclick}>
                    { env.t(label) }<span aria-hidden="true">{ if active { if q.desc { " ▼" } else { " ▲" } } else { "" } }</span>
                </button>
            </th>
        }
    };

    let (from, to) = window(*scroll, rows.len());
    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let top = e.target_unchecked_into::<HtmlElement>().scroll_top();
            // Re-render only when the first visible row changes.
            if top / ROW_PX != *scroll / ROW_PX {
                scroll.set(top);
            }
        })
    };
    let incidents = &r.incidents;
    let table = html! {
        <div class="slap-vtable" ref={body_ref.clone()} {onscroll} tabindex="0" role="region"
            aria-label={env.t(Key::IncTable)} style={format!("max-height:{VIEWPORT_PX}px")}>
            <table class="slap-table slap-incidents" aria-rowcount={(rows.len() + 1).to_string()}>
                <thead><tr>
                    { header(SortKey::Level, Key::Level, "slap-c-level") }
                    <th scope="col" class="slap-c-title">{ env.t(Key::IncTitle) }</th>
                    <th scope="col" class="slap-c-comp">{ env.t(Key::Component) }</th>
                    <th scope="col" class="slap-c-cause">{ env.t(Key::Cause) }</th>
                    { header(SortKey::Reported, Key::Reported, "slap-c-time") }
                    { header(SortKey::Response, Key::Response, "slap-c-dur") }
                    { header(SortKey::Recovery, Key::Recovery, "slap-c-dur") }
                    { header(SortKey::Paused, Key::Paused, "slap-c-paused") }
                    <th scope="col" class="slap-c-status">{ env.t(Key::Status) }</th>
                </tr></thead>
                <tbody>
                    <tr class="slap-spacer" aria-hidden="true" style={format!("height:{}px", from as i32 * ROW_PX)}></tr>
                    { for rows[from..to].iter().enumerate().map(|(k, &i)| {
                        let x = &incidents[i];
                        let id = x.id.clone();
                        let sel = selected.clone();
                        let onclick = { let id = id.clone(); let sel = sel.clone(); Callback::from(move |_| sel.set(Some(id.clone()))) };
                        let onkeydown = Callback::from(move |e: KeyboardEvent| if e.key() == "Enter" { sel.set(Some(id.clone())) });
                        let is_sel = selected.as_deref() == Some(x.id.as_str());
                        let rec_key = if x.level == 3 { Key::AdviceGiven } else { Key::Recovery };
                        html! {
                            <tr key={x.id.clone()} class={classes!("slap-inc-row", is_sel.then_some("slap-row--selected"))}
                                data-sla-incident={x.id.clone()} data-response={x.response.as_str()} data-recovery={x.recovery.as_str()}
                                data-level={x.level.to_string()} aria-rowindex={(from + k + 2).to_string()}
                                tabindex="0" aria-selected={is_sel.to_string()} {onclick} {onkeydown}>
                                <td class="slap-c-level"><span class={format!("slap-level slap-level--{}", x.level)}>{ env.fill(Key::LevelN, &[("n", &x.level.to_string())]) }</span></td>
                                <td class="slap-c-title" title={x.title.clone()}><span class="slap-muted">{ x.id.clone() }</span>{ " " }{ x.title.clone() }</td>
                                <td class="slap-c-comp" title={x.component.clone()}>{ x.component.clone() }</td>
                                <td class="slap-c-cause">{ cause_label(&env, x.cause) }</td>
                                <td class="slap-c-time">{ f.datetime(&x.reported_at) }</td>
                                <td class="slap-c-dur">{ against(&env, x.response_seconds, x.response_target_seconds, x.response) }</td>
                                <td class="slap-c-dur" title={env.t(rec_key)}>{ against(&env, x.recovery_seconds, x.recovery_target_seconds, x.recovery) }</td>
                                <td class="slap-c-paused">{ x.paused_seconds.filter(|s| *s > 0).map(|s| duration(&env, s)).unwrap_or_else(|| "–".into()) }</td>
                                <td class="slap-c-status" data-sla-status={overall(x).id()}>{ overall_badge(&env, overall(x)) }</td>
                            </tr>
                        }
                    }) }
                    <tr class="slap-spacer" aria-hidden="true" style={format!("height:{}px", (rows.len() - to) as i32 * ROW_PX)}></tr>
                </tbody>
            </table>
        </div>
    };

    let detail = selected
        .as_ref()
        .and_then(|id| incidents.iter().position(|x| &x.id == id));
    let title_id = props.id("inc-title");
    html! {
        <div class="slap-fault-history">
            <Summary ..props.clone() />
            <PerMonthFigure ..props.clone() />
            <section aria-labelledby={title_id.clone()}>
                <h2 class="slap-h2" id={title_id}>{ env.t(Key::IncTitleAll) }</h2>
                { filters }
                <p class="slap-muted" role="status" data-sla-incident-count={rows.len().to_string()}>
                    { env.fill(Key::IncShown, &[("n", &f.int(rows.len() as u64)), ("total", &f.int(incidents.len() as u64))]) }
                </p>
                { table }
            </section>
            if let Some(i) = detail {
                <IncidentDetail view={props.clone()} index={i} />
            }
            <ContactSheetView ..props.clone() />
        </div>
    }
}

#[component]
fn Summary(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let opt = |s: Option<u64>| s.map(|s| duration(env, s)).unwrap_or_else(|| "–".into());
    let pct = |p: &Option<String>| {
        p.as_deref()
            .map(|p| f.percent(p))
            .unwrap_or_else(|| "–".into())
    };
    html! {
        <div class="slap-cards slap-level-cards">
            { for r.incident_summary.iter().map(|s| html! {
                <div class="slap-card" data-sla-level-summary={s.level.to_string()}>
                    <h3 class="slap-card-title">{ env.fill(Key::LevelN, &[("n", &s.level.to_string())]) }{ " · " }{ env.t(match s.level { 1 => Key::Level1, 2 => Key::Level2, _ => Key::Level3 }) }</h3>
                    <p class="slap-big">{ env.fill(Key::IncCount, &[("n", &f.int(s.count))]) }</p>
                    <table class="slap-mini">
                        <thead><tr><th></th><th scope="col">{ env.t(Key::Response) }</th><th scope="col">{ if s.level == 3 { env.t(Key::AdviceGiven) } else { env.t(Key::Recovery) } }</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">{ env.t(Key::TargetShort) }</th><td>{ duration(env, s.response_target_seconds) }</td><td>{ duration(env, s.recovery_target_seconds) }</td></tr>
                            <tr><th scope="row">{ env.t(Key::MetPercent) }</th><td data-sla-response-met={s.response_met_percent.clone().unwrap_or_default()}>{ pct(&s.response_met_percent) }</td><td>{ pct(&s.recovery_met_percent) }</td></tr>
                            <tr><th scope="row">{ env.t(Key::Median) }</th><td>{ opt(s.response_median_seconds) }</td><td>{ opt(s.recovery_median_seconds) }</td></tr>
                            <tr><th scope="row">{ env.t(Key::P90) }</th><td>{ opt(s.response_p90_seconds) }</td><td>{ opt(s.recovery_p90_seconds) }</td></tr>
                        </tbody>
                    </table>
                    <p class="slap-muted">{ env.fill(Key::Assessed, &[("n", &f.int(s.assessed)), ("total", &f.int(s.count))]) }</p>
                </div>
            }) }
        </div>
    }
}

/// False on the first render, true from the next animation frame on. The chart mounts
/// then: its canvas reads its container's width before drawing, and read in the same task
/// as the panel's first render that forces the style and layout of the whole new panel
/// (10,000 incidents' worth of table and filters) before the rows are even committed. In an
/// animation frame the rows are in the DOM already, and the frame is still painted with the
/// chart in it (requestAnimationFrame runs before the browser paints, and yew renders in a
/// microtask right after it).
#[hook]
fn use_next_frame() -> bool {
    let ready = use_state(|| false);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            use wasm_bindgen::{closure::Closure, JsCast};
            let win = web_sys::window();
            let now = ready.clone();
            let cb = Closure::<dyn FnMut()>::new(move || ready.set(true));
            let id = win
                .as_ref()
                .and_then(|w| w.request_animation_frame(cb.as_ref().unchecked_ref()).ok());
            if id.is_none() {
                // No animation frames to wait for: draw now, as before.
                now.set(true);
            }
            move || {
                // Unmounted before the frame: the callback must not run (nor leak).
                if let (Some(w), Some(id)) = (win, id) {
                    let _ = w.cancel_animation_frame(id);
                }
                drop(cb);
            }
        });
    }
    *ready
}

#[component]
fn PerMonthFigure(props: &ViewProps) -> Html {
    let env = props.env.clone();
    let data = props.data.clone();
    let built = use_memo((data.clone(), env.clone()), |(data, env)| {
        let r = &data.ev.report;
        let f = &env.fmt;
        let months: Vec<String> = r.periods.iter().map(|p| p.month.to_string()).collect();
        let counts = chart::count(
            &months,
            r.incidents.iter().map(|i| (i.month.to_string(), i.level)),
        );
        let per = chart::PerMonth {
            months: months
                .iter()
                .zip(&counts)
                .map(|(m, c)| chart::MonthLevels {
                    label: f.month_short(m),
                    counts: *c,
                    tip: env.fill(
                        Key::PerMonthTip,
                        &[
                            ("month", &f.month(m)),
                            ("a", &f.int(c[0])),
                            ("b", &f.int(c[1])),
                            ("c", &f.int(c[2])),
                        ],
                    ),
                })
                .collect(),
        };
        (Rc::new(per.clone()) as Rc<dyn CanvasChart>, per)
    });
    let (chart_rc, per) = &*built;
    let ready = use_next_frame();
    html! {
        <figure class="slap-chart" data-sla-chart="incidents-per-month">
            <figcaption>{ env.t(Key::ChartIncidents) }</figcaption>
            if ready {
                <Canvas chart={chart_rc.clone()} version={0} />
            } else {
                // The chart's own height held until it mounts, so nothing moves when it does.
                <div class="slap-canvas-wrap" style={format!("height:{}px", chart::HEIGHT)}></div>
            }
            <div class="slap-legend">
                { legend_item("--slap-bad", &env.fill(Key::LevelN, &[("n", "1")])) }
                { legend_item("--slap-open", &env.fill(Key::LevelN, &[("n", "2")])) }
                { legend_item("--slap-accent", &env.fill(Key::LevelN, &[("n", "3")])) }
            </div>
            <details class="slap-data">
                <summary>{ env.t(Key::DataTable) }</summary>
                <div class="slap-table-wrap" tabindex="0" role="region" aria-label={env.t(Key::DataTable)}><table class="slap-table">
                    <thead><tr><th scope="col">{ env.t(Key::Month) }</th>
                        { for (1..=3).map(|l| html! { <th scope="col" class="slap-num">{ env.fill(Key::LevelN, &[("n", &l.to_string())]) }</th> }) }</tr></thead>
                    <tbody>{ for per.months.iter().map(|m| html! {
                        <tr><th scope="row">{ m.label.clone() }</th>{ for m.counts.iter().map(|n| html! { <td class="slap-num">{ n }</td> }) }</tr>
                    }) }</tbody>
                </table></div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_rules::report::{Clock, TargetStatus};
    use sla_rules::time::{Month, Stamp, Tz};

    fn inc(
        id: &str,
        level: u8,
        month: &str,
        resp: Option<u64>,
        st: TargetStatus,
        title: &str,
    ) -> IncidentReport {
        IncidentReport {
            id: id.into(),
            level,
            open: false,
            assessed: true,
            response_seconds: resp,
            response_target_seconds: 900,
            response: st,
            recovery_seconds: Some(60),
            recovery_target_seconds: 7200,
            recovery: TargetStatus::Met,
            paused_seconds: Some(0),
            title: title.into(),
            component: "api".into(),
            cause: IncidentCause::Platform,
            clock: Clock::AllHours,
            reported_at: Stamp::new(0, Tz::CST),
            responded_at: None,
            resolved_at: None,
            paused: vec![],
            month: Month::parse(month).unwrap(),
            outages: vec![],
        }
    }

    #[test]
    fn filter_search_and_sort() {
        let v = vec![
            inc(
                "A",
                1,
                "2026-01",
                Some(600),
                TargetStatus::Met,
                "签署接口超时",
            ),
            inc(
                "B",
                2,
                "2026-02",
                Some(2000),
                TargetStatus::Breached,
                "Slow <b>",
            ),
            inc("C", 1, "2026-02", None, TargetStatus::Running, "open one"),
        ];
        let mut v = v;
        for (x, t) in v.iter_mut().zip([100, 300, 200]) {
            x.reported_at = Stamp::new(t, Tz::CST);
        }
        // Newest first by default: B (300), C (200), A (100).
        assert_eq!(select(&v, &Query::default()), [1, 2, 0]);
        let q = |f: &dyn Fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            select(&v, &q)
        };
        assert_eq!(q(&|q| q.level = Some(1)), [2, 0]);
        assert_eq!(q(&|q| q.status = Some(Overall::Breached)), [1]);
        assert_eq!(q(&|q| q.status = Some(Overall::Running)), [2]);
        assert_eq!(q(&|q| q.month = Some("2026-02".into())), [1, 2]);
        assert_eq!(q(&|q| q.text = "接口".into()), [0]);
        assert_eq!(
            q(&|q| q.text = "<B>".into()),
            [1],
            "search is case-insensitive and plain text"
        );
        // Response ascending: 600 (A), 2000 (B), then C whose clock still runs.
        assert_eq!(
            q(&|q| {
                q.sort = SortKey::Response;
                q.desc = false;
            }),
            [0, 1, 2]
        );
        // Descending keeps the unknown last too.
        assert_eq!(
            q(&|q| {
                q.sort = SortKey::Response;
                q.desc = true;
            }),
            [1, 0, 2]
        );
    }

    #[test]
    fn only_visible_rows_are_rendered() {
        // 468 px viewport / 36 px rows = 13 rows, +1 partial, +6 overscan each side.
        assert_eq!(window(0, 10_000), (0, 20));
        // Scrolled to row 5,000 (180,000 px): rows 4,994 .. 5,020.
        assert_eq!(window(180_000, 10_000), (4_994, 5_020));
        assert_eq!(window(0, 3), (0, 3));
    }
}
