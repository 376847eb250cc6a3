//! The words and badges the fault history, an incident's detail, the contacts and the
//! exclusions share (durations, causes, clocks, verdicts), apart from any one view.

use sla_rules::incidents::Overall;
use sla_rules::report::{Clock, IncidentCause, TargetStatus};
use yew::prelude::*;

use crate::env::Env;
use crate::i18n::Key;

/// A duration in the largest two units: "9 分钟" / "1 h 35 min" / "2 d 3 h".
pub fn duration(env: &Env, seconds: u64) -> String {
    let f = &env.fmt;
    let m = seconds / 60;
    if m < 60 {
        if !seconds.is_multiple_of(60) && m < 10 {
            return env.fill(
                Key::DurMinSec,
                &[("m", &f.int(m)), ("s", &f.int(seconds % 60))],
            );
        }
        env.fill(Key::DurMin, &[("m", &f.int(m))])
    } else if m < 48 * 60 && m.is_multiple_of(60) {
        env.fill(Key::DurHour, &[("h", &f.int(m / 60))])
    } else if m < 48 * 60 {
        env.fill(
            Key::DurHourMin,
            &[("h", &f.int(m / 60)), ("m", &f.int(m % 60))],
        )
    } else {
        env.fill(
            Key::DurDayHour,
            &[("d", &f.int(m / 1440)), ("h", &f.int(m % 1440 / 60))],
        )
    }
}

pub fn cause_label(env: &Env, c: IncidentCause) -> &'static str {
    env.t(match c {
        IncidentCause::Platform => Key::CausePlatform,
        IncidentCause::ThirdParty => Key::CauseThirdParty,
        IncidentCause::CustomerCause => Key::CauseCustomer,
        IncidentCause::ExternalNetwork => Key::CauseNetwork,
        IncidentCause::ForceMajeure => Key::CauseForceMajeure,
    })
}

/// The name of the clock a level's targets run on.
pub fn clock_label(env: &Env, c: Clock) -> &'static str {
    env.t(match c {
        Clock::Business => Key::ClockBusiness,
        Clock::AllHours => Key::Clock247,
    })
}

pub fn overall_badge(env: &Env, o: Overall) -> Html {
    let (icon, key) = match o {
        Overall::Met => ("✓", Key::IncMet),
        Overall::Breached => ("✕", Key::IncBreached),
        Overall::Running => ("…", Key::IncRunning),
        Overall::NotAssessed => ("–", Key::IncNotAssessed),
    };
    let kind = match o {
        Overall::Met => "met",
        Overall::Breached => "breached",
        Overall::Running => "open",
        Overall::NotAssessed => "na",
    };
    html! { <span class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ env.t(key) }</span> }
}

/// "9 min / 15 min" with the verdict's icon; "running" or "–" while there is no figure.
pub fn against(env: &Env, secs: Option<u64>, target: u64, st: TargetStatus) -> String {
    let icon = match st {
        TargetStatus::Met => "✓",
        TargetStatus::Breached => "✕",
        TargetStatus::Running => "…",
        TargetStatus::NotAssessed => "–",
    };
    let t = duration(env, target);
    match secs {
        Some(s) => format!("{icon} {} / {t}", duration(env, s)),
        None if st == TargetStatus::Running => format!("{icon} {} / {t}", env.t(Key::IncRunning)),
        None if st == TargetStatus::Breached => format!("{icon} > {t}"),
        None => format!("– / {t}"),
    }
}
