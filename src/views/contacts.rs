//! The contact sheet of §3.1/§3.2: which line is open now, given the calendar, and who
//! responds to and is told of each fault level. Every figure is the core's.

use yew::prelude::*;

use crate::env::{Env, ViewProps};
use crate::i18n::Key;
use crate::views::labels::{clock_label, duration};

fn role(env: &Env, r: &str) -> String {
    match r {
        "project_manager" => env.t(Key::RoleProjectManager).into(),
        "technical_support" => env.t(Key::RoleTechSupport).into(),
        "business" => env.t(Key::RoleBusiness).into(),
        "customer_success" => env.t(Key::RoleCustomerSuccess).into(),
        "director" => env.t(Key::RoleDirector).into(),
        "cto" => env.t(Key::RoleCto).into(),
        other => other.to_string(),
    }
}

fn channel(env: &Env, c: &str) -> String {
    match c {
        "web_hotline" => env.t(Key::LineWeb).into(),
        "interface_fault_hotline" => env.t(Key::LineInterface).into(),
        "remote" => env.t(Key::ChannelRemote).into(),
        other => other.to_string(),
    }
}

#[component]
pub fn ContactSheetView(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let s = &props.data.ev.report.contact_sheet;
    let join = |v: &[String]| {
        v.iter()
            .map(|r| role(env, r))
            .collect::<Vec<_>>()
            .join(env.t(Key::ListSep))
    };
    let title_id = props.id("contacts-title");
    html! {
        <section class="slap-contacts" aria-labelledby={title_id.clone()} data-sla-contacts="">
            <h2 class="slap-h2" id={title_id}>{ env.t(Key::ContactsTitle) }</h2>
            <p class="slap-muted">{ env.fill(Key::AsOf, &[("when", &f.datetime(&props.data.ev.report.as_of))]) }</p>
            <div class="slap-cards">
                { for s.lines.iter().map(|l| {
                    let (kind, icon, state) = if l.open_now { ("met", "●", env.t(Key::LineOpen)) } else { ("na", "○", env.t(Key::LineClosed)) };
                    html! {
                        <div class={classes!("slap-card", format!("slap-card--{kind}"))} data-sla-line={l.id.clone()} data-open={l.open_now.to_string()}>
                            <h3 class="slap-card-title">{ channel(env, &l.id) }{ " · " }{ if l.hours == "7x24" { env.t(Key::Hours724) } else { env.t(Key::Hours59) } }</h3>
                            <p class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ state }</p>
                            if let Some(t) = &l.next_change {
                                <p class="slap-muted">{ env.fill(if l.open_now { Key::LineClosesAt } else { Key::LineOpensAt }, &[("when", &f.datetime(t))]) }</p>
                            }
                        </div>
                    }
                }) }
            </div>
            // Scrolls sideways on a narrow screen: a tab stop, so the keyboard can scroll it.
            <div class="slap-table-wrap" tabindex="0" role="region" aria-labelledby="slap-contacts-title">
                <table class="slap-table">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::Level) }</th><th scope="col">{ env.t(Key::Channel) }</th>
                        <th scope="col">{ env.t(Key::Responders) }</th><th scope="col">{ env.t(Key::Notified) }</th>
                        <th scope="col">{ env.t(Key::Response) }</th><th scope="col">{ env.t(Key::Recovery) }</th><th scope="col">{ env.t(Key::ClockCol) }</th>
                    </tr></thead>
                    <tbody>{ for s.levels.iter().map(|l| html! {
                        <tr data-sla-contact-level={l.level.to_string()}>
                            <th scope="row">{ env.fill(Key::LevelN, &[("n", &l.level.to_string())]) }</th>
                            <td>{ channel(env, &l.channel) }</td>
                            <td>{ join(&l.responders) }</td>
                            <td>{ join(&l.notified) }</td>
                            <td>{ env.fill(Key::WithinN, &[("d", &duration(env, l.response_minutes as u64 * 60))]) }</td>
                            <td>{ env.fill(if l.level == 3 { Key::AdviceWithin } else { Key::RecoveredWithin }, &[("d", &duration(env, l.recovery_minutes as u64 * 60))]) }</td>
                            <td>{ clock_label(env, l.clock) }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
        </section>
    }
}
