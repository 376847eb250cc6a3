//! The views: one module per tab or panel, each drawing only from the computed report.

pub mod agreement;
pub mod availability;
pub mod claims;
pub mod contacts;
pub mod exclusions;
pub mod figures;
pub mod header;
pub mod incident_detail;
pub mod incidents;
pub mod labels;
pub mod monthly;
pub mod overview;
pub mod periods;
pub mod statement;
pub mod status;
pub mod tab_bar;
pub mod tabs;

use sla_rules::report::{Period, PeriodStatus};

use crate::env::Env;
use crate::i18n::Key;

/// The label of a period's status.
pub fn status_label(env: &Env, p: &Period) -> &'static str {
    env.t(match p.status {
        PeriodStatus::Judged => Key::StatusJudged,
        PeriodStatus::Partial => Key::StatusPartial,
        PeriodStatus::InProgress => Key::StatusInProgress,
    })
}

/// The verdict of a period as (css modifier, icon, text): never colour alone.
pub fn verdict(env: &Env, p: &Period) -> (&'static str, &'static str, &'static str) {
    match (p.status, p.breached) {
        (PeriodStatus::Judged, true) => ("breached", "✕", env.t(Key::VerdictBreached)),
        (PeriodStatus::Judged, false) => ("met", "✓", env.t(Key::VerdictKept)),
        _ => ("open", "…", env.t(Key::VerdictNotJudged)),
    }
}

/// The plain-language reason a judged month breached or was kept, from the report's figures.
pub fn explain(env: &Env, p: &Period) -> String {
    let f = &env.fmt;
    if p.status != PeriodStatus::Judged {
        return String::new();
    }
    if p.measured_minutes == 0 {
        return env.t(Key::WhyAllExcluded).to_string();
    }
    let minutes = f.int(p.unavailable_minutes);
    let budget = f.decimal(&p.downtime_budget_minutes);
    if !p.breached {
        return env.fill(Key::WhyKept, &[("minutes", &minutes), ("budget", &budget)]);
    }
    // A judged period covers its whole month, so its minutes give its length in days.
    let days = f.int(p.minutes / 1440);
    let n = p.outages.len();
    let key = if n == 1 {
        Key::WhyBreachedOne
    } else {
        Key::WhyBreachedMany
    };
    let mut s = env.fill(
        key,
        &[
            ("n", &f.int(n as u64)),
            ("minutes", &minutes),
            ("days", &days),
            ("budget", &budget),
        ],
    );
    if p.excluded_minutes > 0 {
        let extra = env.fill(
            Key::WhyExcluded,
            &[("excluded", &f.int(p.excluded_minutes))],
        );
        // The note belongs to the budget clause, before the final full stop.
        let stop = if s.ends_with('。') { "。" } else { "." };
        if let Some(body) = s.strip_suffix(stop) {
            s = format!("{body}{extra}{stop}");
        }
    }
    s
}
