//! Excluded time (§4.8 (3), §4.14.1): every maintenance window and exclusion of the report, applied or not, plus the plain-words rule note and the policy-version badge.
//!
//! Everything here is drawn from `report.exclusions`, `report.rules` and each period's
//! `policy_version`; nothing decides whether a record applies or how many minutes it removed.

use sla_rules::decimal::Rounding;
use sla_rules::policy::{AverageWindow, CompensationUnit, Fill};
use sla_rules::report::{
    ExclusionRecord, ExclusionSource, IncidentCause, NotApplied, Period, Report, RulesInfo,
};
use sla_rules::time::parse_instant;
use yew::prelude::*;

use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::views::labels::{cause_label, duration};

/// The records that touch `month` (applied or not), in the report's order.
pub fn month_records<'a>(r: &'a Report, month: &str) -> Vec<&'a ExclusionRecord> {
    r.exclusions
        .iter()
        .filter(|x| x.periods.iter().any(|p| p.month == month))
        .collect()
}

/// The minutes a record removed in `month`, as the report gives them.
pub fn minutes_in(x: &ExclusionRecord, month: &str) -> u64 {
    x.periods
        .iter()
        .find(|p| p.month == month)
        .map(|p| p.excluded_minutes)
        .unwrap_or(0)
}

/// The record's kind (maintenance) or cause (exclusion), in the reader's language.
pub fn what_label(env: &Env, x: &ExclusionRecord) -> String {
    match (x.source, x.kind.as_deref(), x.cause.as_deref()) {
        (ExclusionSource::Maintenance, Some(k), _) => match k {
            "upgrade" => env.t(Key::KindUpgrade).into(),
            "scale_out" => env.t(Key::KindScaleOut).into(),
            "maintenance" => env.t(Key::KindMaintenance).into(),
            "fault_drill" => env.t(Key::KindFaultDrill).into(),
            other => other.to_string(),
        },
        // Exclusion causes share the incidents' names and labels.
        (ExclusionSource::Exclusion, _, Some(c)) => IncidentCause::parse(c)
            .map(|c| cause_label(env, c).to_string())
            .unwrap_or_else(|| c.to_string()),
        (ExclusionSource::Maintenance, ..) => env.t(Key::SourceMaintenance).into(),
        (ExclusionSource::Exclusion, ..) => env.t(Key::SourceExclusion).into(),
    }
}

/// When the record was announced, and how long before (or after) its start.
pub fn notice_text(env: &Env, x: &ExclusionRecord) -> String {
    let f = &env.fmt;
    if x.source == ExclusionSource::Exclusion {
        return env.t(Key::NoticeNotNeeded).into();
    }
    let Some(at) = x.announced_at else {
        return env.t(Key::NoticeNone).into();
    };
    let when = f.datetime(&at);
    match x.notice_minutes {
        Some(n) if n > 0 => env.fill(
            Key::NoticeBefore,
            &[("d", &duration(env, n as u64 * 60)), ("when", &when)],
        ),
        Some(n) if n < 0 => env.fill(
            Key::NoticeAfter,
            &[
                ("d", &duration(env, n.unsigned_abs() * 60)),
                ("when", &when),
            ],
        ),
        // 0 whole minutes: within the minute before the start, or at the start itself.
        _ => match (at.at, x.start.at) {
            (a, s) if a == s => env.fill(Key::NoticeAtStart, &[("when", &when)]),
            (a, s) if a > s => env.fill(
                Key::NoticeAfter,
                &[("d", &duration(env, (a - s) as u64)), ("when", &when)],
            ),
            _ => env.fill(Key::NoticeJustBefore, &[("when", &when)]),
        },
    }
}

/// The settings that judged the month a record starts in, when the report carries them.
fn record_rules<'a>(r: &'a Report, x: &ExclusionRecord) -> Option<&'a RulesInfo> {
    let month = x.periods.first().map(|p| p.month)?;
    let p = r.period(&month)?;
    r.rules_for(p.policy_version.as_deref())
}

/// Why a record removed nothing, from the report's `reason`.
pub fn reason_text(env: &Env, r: &Report, x: &ExclusionRecord) -> String {
    match x.reason {
        Some(NotApplied::CauseNotExcluded) => env.t(Key::ExclReasonCause).into(),
        Some(NotApplied::AnnouncedLate) => match record_rules(r, x) {
            Some(rules) if rules.min_notice_minutes > 0 => env.fill(
                Key::ExclReasonLateMin,
                &[(
                    "lead",
                    &duration(env, u64::from(rules.min_notice_minutes) * 60),
                )],
            ),
            _ => env.t(Key::ExclReasonLate).into(),
        },
        None => String::new(),
    }
}

fn reason_code(x: &ExclusionRecord) -> &'static str {
    match x.reason {
        Some(NotApplied::AnnouncedLate) => "announced_late",
        Some(NotApplied::CauseNotExcluded) => "cause_not_excluded",
        None => "",
    }
}

/// The records as a table. `month`: the month's view (its minutes per record); `hooks`:
/// the `data-sla-exclusion` rows hosts read (off in the printed statement, so a page
/// never carries two rows for one record).
pub fn records_table(
    env: &Env,
    r: &Report,
    records: &[&ExclusionRecord],
    month: Option<&str>,
    hooks: bool,
) -> Html {
    let f = &env.fmt;
    html! {
        <table class="slap-table slap-exclusions">
            <thead><tr>
                <th scope="col">{ env.t(Key::ExclRecord) }</th>
                <th scope="col">{ env.t(Key::ExclWhat) }</th>
                <th scope="col">{ env.t(Key::ExclWindow) }</th>
                <th scope="col">{ env.t(Key::ExclNotice) }</th>
                <th scope="col">{ env.t(Key::ExclApplied) }</th>
                <th scope="col" class="slap-num">{ env.t(if month.is_some() { Key::ExclMonthMinutes } else { Key::ExclMinutes }) }</th>
                <th scope="col">{ env.t(Key::ExclOutages) }</th>
            </tr></thead>
            <tbody>
            { for records.iter().map(|x| {
                let shown = month.map(|m| minutes_in(x, m)).unwrap_or(x.excluded_minutes);
                let row = html! {
                    <>
                        <th scope="row"><code>{ x.id.clone() }</code></th>
                        <td><span class="slap-excl-what">{ what_label(env, x) }</span>
                            if !x.title.is_empty() { <br /><span class="slap-muted">{ x.title.clone() }</span> }</td>
                        <td>{ env.fill(Key::ExclWindowText, &[("start", &f.datetime(&x.start)), ("end", &f.datetime(&x.end))]) }</td>
                        <td>{ notice_text(env, x) }</td>
                        <td>
                            if x.applied {
                                <span class="slap-badge slap-badge--met"><span aria-hidden="true">{ "✓ " }</span>{ env.t(Key::ExclYes) }</span>
                            } else {
                                <span class="slap-badge slap-badge--breached"><span aria-hidden="true">{ "✕ " }</span>{ env.t(Key::ExclNo) }</span>
                                <p class="slap-explain" data-sla-exclusion-reason={reason_code(x)}>{ reason_text(env, r, x) }</p>
                            }
                        </td>
                        <td class="slap-num">{ if shown == x.excluded_minutes { f.int(shown) } else {
                            env.fill(Key::ExclOfTotal, &[("m", &f.int(shown)), ("total", &f.int(x.excluded_minutes))]) } }</td>
                        <td>{ x.outages.join(env.t(Key::ListSep)) }</td>
                    </>
                };
                if hooks {
                    html! {
                        <tr key={x.id.clone()} data-sla-exclusion={x.id.clone()}
                            data-applied={x.applied.to_string()}
                            data-excluded-minutes={x.excluded_minutes.to_string()}
                            data-source={match x.source { ExclusionSource::Maintenance => "maintenance", ExclusionSource::Exclusion => "exclusion" }}
                            data-reason={reason_code(x)}
                            data-month-excluded-minutes={month.map(|m| minutes_in(x, m).to_string())}>
                            { row }
                        </tr>
                    }
                } else {
                    html! { <tr key={x.id.clone()}>{ row }</tr> }
                }
            }) }
            </tbody>
        </table>
    }
}

/// The selected month's excluded time (Availability tab).
#[component]
pub fn MonthExclusions(props: &ViewProps) -> Html {
    let env = &props.env;
    let r = &props.data.ev.report;
    let Some(month) = props.month.as_deref() else {
        return html! {};
    };
    let records = month_records(r, month);
    let title = env.fill(Key::ExclTitleMonth, &[("month", &env.fmt.month(month))]);
    html! {
        <section class="slap-excluded" data-sla-excluded-time="month" data-month={month.to_string()} aria-label={title.clone()}>
            <h3 class="slap-h3">{ title.clone() }</h3>
            if records.is_empty() {
                <p class="slap-muted">{ env.t(Key::ExclNoneMonth) }</p>
            } else {
                // A keyboard tab stop: the table scrolls sideways on a narrow screen.
                <div class="slap-table-wrap" tabindex="0" role="region" aria-label={title.clone()}>{ records_table(env, r, &records, Some(month), true) }</div>
            }
        </section>
    }
}

/// Every record of the term (Periods tab).
#[component]
pub fn TermExclusions(props: &ViewProps) -> Html {
    let env = &props.env;
    let r = &props.data.ev.report;
    let records: Vec<_> = r.exclusions.iter().collect();
    let title = env.t(Key::ExclTitleTerm);
    html! {
        <section class="slap-excluded" data-sla-excluded-time="term" aria-label={title}>
            <h3 class="slap-h3">{ title }</h3>
            <p class="slap-muted slap-rule-note">{ env.t(Key::ExclIntro) }</p>
            if records.is_empty() {
                <p class="slap-muted">{ env.t(Key::ExclNoneTerm) }</p>
            } else {
                <div class="slap-table-wrap" tabindex="0" role="region" aria-label={title}>{ records_table(env, r, &records, None, true) }</div>
            }
        </section>
    }
}

/// Record intervals, parsed once, for naming the records under a timeline run.
pub struct RecordSpans<'a> {
    spans: Vec<(i64, i64, &'a ExclusionRecord)>,
}

impl<'a> RecordSpans<'a> {
    pub fn new(r: &'a Report) -> Self {
        let spans = r
            .exclusions
            .iter()
            .map(|x| (x.start.at, x.end.at, x))
            .collect();
        RecordSpans { spans }
    }

    /// The records overlapping `[start, end)` (RFC 3339), as " · excluded by MW-1 数据库升级"
    /// (applied) and " · MW-3 …: not applied"; empty when none does.
    pub fn note(&self, env: &Env, start: &str, end: &str) -> String {
        let (Ok(a), Ok(b)) = (parse_instant(start), parse_instant(end)) else {
            return String::new();
        };
        let name = |x: &ExclusionRecord| {
            if x.title.is_empty() {
                x.id.clone()
            } else {
                format!("{} {}", x.id, x.title)
            }
        };
        let over: Vec<_> = self
            .spans
            .iter()
            .filter(|(s, e, _)| *s < b && a < *e)
            .map(|(_, _, x)| *x)
            .collect();
        let join = |applied: bool| {
            over.iter()
                .filter(|x| x.applied == applied)
                .map(|x| name(x))
                .collect::<Vec<_>>()
                .join(env.t(Key::ListSep))
        };
        let mut out = String::new();
        let (yes, no) = (join(true), join(false));
        if !yes.is_empty() {
            out.push_str(" · ");
            out.push_str(&env.fill(Key::TipExcludedBy, &[("records", &yes)]));
        }
        if !no.is_empty() {
            out.push_str(" · ");
            out.push_str(&env.fill(Key::TipNotApplied, &[("records", &no)]));
        }
        out
    }
}

/// Timeline labels for the applied records of `month`: (minute offset of the record's
/// first minute in the month, its id).
pub fn month_marks(r: &Report, month: &str) -> Vec<(u32, String)> {
    month_records(r, month)
        .into_iter()
        .filter(|x| x.applied && minutes_in(x, month) > 0)
        .map(|x| {
            // A record that began in an earlier month is labelled at this month's start.
            let at =
                crate::charts::timeline::offset_in_month(month, &x.start.to_string()).unwrap_or(0);
            (at, x.id.clone())
        })
        .collect()
}

/// The overview's details in the full build: the version badge and "how availability is
/// computed" (collapsed by default).
pub struct Explained;

impl crate::views::overview::Details for Explained {
    fn version_badge(env: &Env, r: &Report, p: &Period) -> Html {
        version_badge(env, r, p)
    }
    fn how_computed(props: &ViewProps) -> Html {
        html! { <HowComputed ..props.clone() /> }
    }
}

/// Which terms judged a period: shown only when the policy has versions.
pub fn version_badge(env: &Env, r: &Report, p: &Period) -> Html {
    if r.policy_versions.is_empty() {
        return html! {};
    }
    let text = match &p.policy_version {
        Some(v) => env.fill(Key::VersionFrom, &[("month", &env.fmt.month(v))]),
        None => env.t(Key::VersionOriginal).to_string(),
    };
    html! {
        <span class="slap-badge slap-badge--version" title={env.t(Key::VersionHelp)}
            data-sla-policy-version={p.policy_version.clone().unwrap_or_default()}>
            { text }
        </span>
    }
}

/// The selected month's version badge (Availability tab).
#[component]
pub fn MonthVersion(props: &ViewProps) -> Html {
    let r = &props.data.ev.report;
    let Some(p) = props.selected_period() else {
        return html! {};
    };
    if r.policy_versions.is_empty() {
        return html! {};
    }
    html! {
        <p class="slap-version">
            <span class="slap-muted">{ props.env.t(Key::VersionHelp) }{ ": " }</span>
            { version_badge(&props.env, r, p) }
        </p>
    }
}

/// How availability is computed, in plain words built from the report's rules.
#[component]
pub fn HowComputed(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let rules = &props.data.ev.report.rules;
    let target = f.percent(&rules.availability_target);
    let min = f.int(u64::from(rules.min_outage_minutes));
    let lines = [
        env.fill(Key::HowFormula, &[("target", &target)]),
        env.fill(Key::HowMinute, &[("percent", &rules.minute_ok_percent)]),
        env.fill(Key::HowRun, &[("min", &min)]),
        env.t(if rules.missing_data == Fill::Down {
            Key::HowMissingDown
        } else {
            Key::HowMissingUp
        })
        .to_string(),
        env.t(if rules.zero_traffic == Fill::Down {
            Key::HowZeroDown
        } else {
            Key::HowZeroUp
        })
        .to_string(),
        env.t(Key::HowExcluded).to_string(),
        env.fill(Key::HowBudget, &[("target", &target)]),
    ];
    html! {
        <section class="slap-how" data-sla-how=""
            data-minute-ok-percent={rules.minute_ok_percent.clone()}
            data-min-outage-minutes={rules.min_outage_minutes.to_string()}
            data-missing-data={rules.missing_data.as_str()}
            aria-label={env.t(Key::HowTitle)}>
            <h3 class="slap-h3">{ env.t(Key::HowTitle) }</h3>
            <ul class="slap-list slap-rule-note">{ for lines.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ul>
        </section>
    }
}

/// The compensation unit rule of the given settings, in words.
pub fn unit_rule(env: &Env, rules: &RulesInfo) -> String {
    if rules.compensation_unit == CompensationUnit::PerOutage {
        env.fill(
            Key::UnitPerOutage,
            &[("min", &env.fmt.int(u64::from(rules.min_outage_minutes)))],
        )
    } else {
        env.t(Key::UnitPerMonth).to_string()
    }
}

/// The averaging window of the given settings, as words for the credit explanation.
pub fn window_text(env: &Env, rules: &RulesInfo) -> &'static str {
    env.t(if rules.average_window == AverageWindow::Trailing12Months {
        Key::WindowTrailing
    } else {
        Key::WindowYear
    })
}

/// The rounding of the given settings, as words.
pub fn rounding_text(env: &Env, rules: &RulesInfo) -> &'static str {
    env.t(match rules.rounding {
        Rounding::Ceil => Key::RoundCeil,
        Rounding::Floor => Key::RoundFloor,
        Rounding::HalfUp => Key::RoundHalfUp,
    })
}
