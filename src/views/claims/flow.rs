//! The claim flow: choose periods, choose one remedy, review the evidence, enter
//! contact details, confirm and submit. The form's state is a reducer
//! (`crate::draft::Form`); saving the draft to localStorage and sending a claim are
//! effects that follow its changes.

use std::rc::Rc;

use sla_rules::claims::{figures_for, ContactProblem, Remedy};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{error_text, remedy_label, Confirmation};
use crate::api::ClaimError;
use crate::api::{self, Cancel};
use crate::claims_api::{ClaimsCtx, ClaimsStatus, ReceiptsCtx};
use crate::draft::{self, Checks, Draft, Form, FormAction, Problem, Step, Submit, STEPS};
use crate::env::{Env, ViewProps};
use crate::export;
use crate::i18n::Key;

#[derive(Properties, PartialEq, Clone)]
pub struct FlowProps {
    pub view: ViewProps,
    pub open: Vec<String>,
}

fn step_label(env: &Env, s: Step) -> &'static str {
    env.t(match s {
        Step::Periods => Key::StepPeriods,
        Step::Remedy => Key::StepRemedy,
        Step::Evidence => Key::StepEvidence,
        Step::Contact => Key::StepContact,
        Step::Confirm => Key::StepConfirm,
    })
}

/// The translated message of a problem.
pub fn problem_text(env: &Env, p: Problem) -> &'static str {
    env.t(match p {
        Problem::NoPeriod => Key::ProbNoPeriod,
        Problem::PeriodUnavailable => Key::ProbPeriodUnavailable,
        Problem::NothingToGrant => Key::ProbNothingToGrant,
        Problem::NoRemedy => Key::ProbNoRemedy,
        Problem::Contact(ContactProblem::NameMissing) => Key::ProbNameMissing,
        Problem::Contact(ContactProblem::NameTooLong) => Key::ProbNameTooLong,
        Problem::Contact(ContactProblem::EmailInvalid) => Key::ProbEmailInvalid,
        Problem::Contact(ContactProblem::PhoneInvalid) => Key::ProbPhoneInvalid,
        Problem::NoteTooLong => Key::ProbNoteTooLong,
    })
}

fn field_of(p: Problem) -> &'static str {
    match p {
        Problem::Contact(c) => c.field(),
        Problem::NoteTooLong => "note",
        _ => "",
    }
}

#[component]
pub fn ClaimFlow(props: &FlowProps) -> Html {
    let v = &props.view;
    let env = v.env.clone();
    let data = v.data.clone();
    let contract = data.ev.report.contract_id.clone();
    let ctx = use_context::<ClaimsCtx>();
    let form =
        use_reducer(|| Form::restore(&contract, draft::load(&contract), draft::new_claim_id()));

    // Storage follows the draft: saved after every change, removed once it is done.
    {
        let contract = contract.clone();
        use_effect_with(form.draft.clone(), move |d| match d {
            Some(d) => draft::save(d),
            None => draft::clear(&contract),
        });
    }

    // Each submission is sent once; unmounting aborts it (the stored draft then
    // says "outcome unknown", and the retry re-sends the same body).
    {
        let dispatch = form.dispatcher();
        let (opts, url) = (v.options.clone(), v.options.claims_url.clone());
        let (confirmed, reload) = match &ctx {
            Some(c) => (c.confirmed.clone(), c.reload.clone()),
            None => (Callback::noop(), Callback::noop()),
        };
        let signed = use_context::<ReceiptsCtx>().map(|r| r.filed);
        use_effect_with(form.outbox.clone(), move |outbox| {
            let cancel = Cancel::new();
            if let (Some((_, body)), Some(url)) = (outbox.clone(), url) {
                let c = cancel.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = api::file_claim(&opts, &url, &body, &c).await;
                    if c.is_cancelled() {
                        return;
                    }
                    let result = result.map(|(record, receipt)| {
                        // The receipt first: the confirmation drawn for the record shows it.
                        if let Some(s) = &signed {
                            s.emit((record.claim_id.clone(), receipt));
                        }
                        confirmed.emit(record.clone());
                        record
                    });
                    // Our id was filed with an earlier body: the list will show which.
                    if let Err(ClaimError::IdReused) = &result {
                        reload.emit(());
                    }
                    dispatch.dispatch(FormAction::Answered {
                        claim_id: body.claim_id,
                        result: Box::new(result),
                    });
                });
            }
            move || cancel.abort()
        });
    }

    // The answer to a sent claim may be lost (timeout, reload): if the list holds our
    // claim_id, the server has filed it, and the draft is done.
    {
        let dispatch = form.dispatcher();
        let claims = ctx.as_ref().map(|c| c.claims.clone());
        use_effect_with(claims, move |claims| {
            if let Some(list) = claims {
                dispatch.dispatch(FormAction::Listed(list.clone()));
            }
        });
    }

    let Some(ctx) = ctx else {
        return html! {};
    };
    if v.options.claims_url.is_none() {
        return html! {};
    }

    if let Some(c) = &form.confirmed {
        let dispatch = form.dispatcher();
        let again =
            Callback::from(move |_| dispatch.dispatch(FormAction::Again(draft::new_claim_id())));
        return html! {
            <section class="slap-flow slap-flow--done" data-sla-step="done">
                <p class="slap-badge slap-badge--met" role="status">{ "✓ " }{ env.t(Key::ClaimFiled) }</p>
                <Confirmation view={v.clone()} claim={c.clone()} />
                <button type="button" class="slap-button" onclick={again}>{ env.t(Key::NewClaim) }</button>
            </section>
        };
    }

    let send = {
        let dispatch = form.dispatcher();
        move |a: FormAction| dispatch.dispatch(a)
    };
    let claimed = Rc::new(ctx.claimed());
    let checks = Checks {
        data: data.clone(),
        claimed: claimed.clone(),
    };
    let problems = &form.problems;
    let d = form
        .draft
        .clone()
        .unwrap_or_else(|| Draft::new(&contract, String::new()));
    let r = &data.ev.report;
    let f = &env.fmt;
    let locked = d.locked();
    let in_flight = d.submit == Submit::InFlight;
    let per = &r.entitlement.contract_credit.per_period;

    let body = match d.step {
        Step::Periods => html! {
            <fieldset class="slap-fieldset">
                <legend>{ env.t(Key::ChoosePeriods) }</legend>
                if per.is_empty() { <p class="slap-muted">{ env.t(Key::EntNone) }</p> }
                { for per.iter().map(|c| {
                    let m = c.month.to_string();
                    let is_claimed = claimed.contains(&m);
                    let usable = !is_claimed && c.units > 0 && props.open.contains(&m);
                    let checked = d.periods.contains(&m);
                    let send = send.clone();
                    let mm = m.clone();
                    let onchange = Callback::from(move |_: Event| send(FormAction::TogglePeriod(mm.clone())));
                    let note = if is_claimed { env.t(Key::PeriodClaimed).to_string() }
                        else if c.units == 0 { env.t(Key::PeriodNoUnits).to_string() }
                        else { env.fill(Key::PeriodUnits, &[("n", &f.int(c.units))]) };
                    html! {
                        <label class={classes!("slap-check", (!usable).then_some("slap-check--off"))} data-sla-choose-month={m.clone()}>
                            <input type="checkbox" checked={checked && usable} disabled={!usable || locked} {onchange} />
                            <span>{ f.month(&m) }</span>
                            <span class="slap-muted">{ " · " }{ note }</span>
                        </label>
                    }
                }) }
            </fieldset>
        },
        Step::Remedy => {
            let choice = |remedy: Remedy| {
                let g = figures_for(r, &d.periods, remedy).ok();
                let (big, why) = match (remedy, &g) {
                    (Remedy::ServiceExtension, Some(g)) => {
                        let end = g.service_end.clone().unwrap_or_default();
                        let n = f.int(g.service_extension_months.unwrap_or(0));
                        (
                            env.fill(Key::EntMonths, &[("n", &n)]),
                            env.fill(
                                Key::EntExtensionWhy,
                                &[
                                    ("units", &f.int(g.units)),
                                    ("months", &n),
                                    ("old", &r.contract.service_end),
                                    ("end", &end),
                                ],
                            ),
                        )
                    }
                    (Remedy::ContractCredit, Some(g)) => {
                        let n = f.int(g.contract_credit.unwrap_or(0));
                        (
                            env.fill(Key::EntContracts, &[("n", &n)]),
                            env.fill(Key::CreditSumWhy, &[("units", &f.int(g.units)), ("n", &n)]),
                        )
                    }
                    _ => ("–".to_string(), String::new()),
                };
                let send = send.clone();
                let onchange = Callback::from(move |_: Event| send(FormAction::SetRemedy(remedy)));
                let id = match remedy {
                    Remedy::ServiceExtension => "service_extension",
                    Remedy::ContractCredit => "contract_credit",
                };
                html! {
                    <label class="slap-card slap-remedy-choice" data-remedy={id}>
                        <input type="radio" name={v.id("remedy")} value={id} checked={d.remedy == Some(remedy)} disabled={locked} {onchange} />
                        <strong>{ remedy_label(&env, remedy) }</strong>
                        <span class="slap-big">{ big }</span>
                        <span class="slap-explain">{ why }</span>
                    </label>
                }
            };
            html! {
                <fieldset class="slap-fieldset">
                    <legend>{ env.t(Key::ChooseRemedy) }</legend>
                    <div class="slap-cards">{ choice(Remedy::ServiceExtension) }{ choice(Remedy::ContractCredit) }</div>
                    <p class="slap-muted">{ env.t(Key::EntOneRemedy) }</p>
                </fieldset>
            }
        }
        Step::Evidence => evidence(v, &d.periods),
        Step::Contact => {
            let input = |field: &'static str,
                         label: Key,
                         kind: &'static str,
                         value: &str,
                         auto: &'static str| {
                let send = send.clone();
                let oninput = Callback::from(move |e: InputEvent| {
                    let val = e.target_unchecked_into::<HtmlInputElement>().value();
                    send(FormAction::SetField(field, val))
                });
                let errs: Vec<Problem> = problems
                    .iter()
                    .copied()
                    .filter(|p| field_of(*p) == field)
                    .collect();
                let id = v.id(&format!("claim-{field}"));
                let err_id = format!("{id}-error");
                html! {
                    <div class="slap-field">
                        <label for={id.clone()}>{ env.t(label) }</label>
                        <input id={id} name={field} type={kind} value={value.to_string()} autocomplete={auto} disabled={locked}
                            aria-invalid={(!errs.is_empty()).to_string()} aria-describedby={err_id.clone()} {oninput} />
                        <span class="slap-field-error" id={err_id} data-sla-error={field}>
                            { for errs.iter().map(|p| problem_text(&env, *p)) }
                        </span>
                    </div>
                }
            };
            let send = send.clone();
            let on_note = Callback::from(move |e: InputEvent| {
                let val = e.target_unchecked_into::<HtmlTextAreaElement>().value();
                send(FormAction::SetField("note", val))
            });
            let note_err = problems.contains(&Problem::NoteTooLong);
            let note_id = v.id("claim-note");
            html! {
                <fieldset class="slap-fieldset slap-contact">
                    <legend>{ env.t(Key::ContactDetails) }</legend>
                    { input("name", Key::ContactName, "text", &d.contact.name, "name") }
                    { input("email", Key::ContactEmail, "email", &d.contact.email, "email") }
                    { input("phone", Key::ContactPhone, "tel", &d.contact.phone, "tel") }
                    <div class="slap-field">
                        <label for={note_id.clone()}>{ env.t(Key::ContactNote) }</label>
                        <textarea id={note_id} name="note" rows="3" value={d.note.clone()} disabled={locked}
                            aria-invalid={note_err.to_string()} oninput={on_note} />
                        <span class="slap-field-error" data-sla-error="note">{ if note_err { problem_text(&env, Problem::NoteTooLong) } else { "" } }</span>
                    </div>
                    <p class="slap-muted">{ env.t(Key::DraftSaved) }</p>
                </fieldset>
            }
        }
        Step::Confirm => {
            let summary = d.request(r, &claimed);
            let error = match &d.submit {
                Submit::Failed { error } => Some(error.clone()),
                _ => None,
            };
            html! {
                <div class="slap-confirm">
                    { match &summary {
                        Ok(req) => html! {
                            <dl class="slap-summary" data-sla-claim-summary="">
                                <dt>{ env.t(Key::ClaimPeriods) }</dt><dd>{ req.periods.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(env.t(Key::ListSep)) }</dd>
                                <dt>{ env.t(Key::ClaimRemedy) }</dt><dd>{ remedy_label(&env, req.remedy) }</dd>
                                <dt>{ env.t(Key::ClaimFigures) }</dt><dd data-sla-expected="">{ super::figures_text(&env, req.remedy, req.expected.units, req.expected.service_extension_months, None, req.expected.contract_credit) }</dd>
                                <dt>{ env.t(Key::ContactName) }</dt><dd>{ req.contact.name.clone() }</dd>
                                <dt>{ env.t(Key::ContactEmail) }</dt><dd>{ req.contact.email.clone() }</dd>
                                <dt>{ env.t(Key::ContactPhone) }</dt><dd>{ req.contact.phone.clone() }</dd>
                                if !req.note.is_empty() { <dt>{ env.t(Key::ContactNote) }</dt><dd>{ req.note.clone() }</dd> }
                                <dt>{ env.t(Key::ClaimId) }</dt><dd><code>{ req.claim_id.clone() }</code></dd>
                            </dl>
                        },
                        Err(ps) => html! { <ul class="slap-problems">{ for ps.iter().map(|p| html! { <li>{ problem_text(&env, *p) }</li> }) }</ul> },
                    } }
                    if let Some(e) = &error {
                        <div class="slap-claim-error" role="alert" data-sla-claim-error={e.code()}>
                            <p>{ error_text(&env, e) }</p>
                            if e.outcome_unknown() { <p class="slap-muted">{ env.t(Key::RetrySafe) }</p> }
                        </div>
                    }
                    if in_flight { <p role="status" class="slap-muted">{ env.t(Key::Submitting) }</p> }
                </div>
            }
        }
    };

    let on_next = {
        let (send, checks) = (send.clone(), checks.clone());
        Callback::from(move |_| send(FormAction::Next(checks.clone())))
    };
    let on_back = {
        let send = send.clone();
        Callback::from(move |_| send(FormAction::Back))
    };
    let on_submit = {
        let send = send.clone();
        Callback::from(move |_: MouseEvent| send(FormAction::Submit(checks.clone())))
    };

    let idx = d.step.index();
    let submit_label = match &d.submit {
        Submit::Failed { error } if error.outcome_unknown() => env.t(Key::SubmitAgain),
        _ => env.t(Key::Submit),
    };
    let general: Vec<Problem> = problems
        .iter()
        .copied()
        .filter(|p| field_of(*p).is_empty())
        .collect();
    let list_failed = matches!(ctx.status, ClaimsStatus::Failed(_));
    let title_id = v.id("flow-title");
    html! {
        <section class="slap-flow" data-sla-step={d.step.id()} aria-labelledby={title_id.clone()}>
            <h2 class="slap-h2" id={title_id}>{ env.t(Key::FlowTitle) }</h2>
            <ol class="slap-steps">
                { for STEPS.iter().enumerate().map(|(i, s)| {
                    let send = send.clone();
                    let s = *s;
                    let onclick = Callback::from(move |_| send(FormAction::GoTo(s)));
                    html! {
                        <li class={classes!("slap-step", (i == idx).then_some("slap-step--current"), (i < idx).then_some("slap-step--done"))}
                            aria-current={(i == idx).then_some("step")}>
                            if i < idx && !locked {
                                <button type="button" class="slap-linkish" {onclick}>{ format!("{}. {}", i + 1, step_label(&env, s)) }</button>
                            } else {
                                { format!("{}. {}", i + 1, step_label(&env, s)) }
                            }
                        </li>
                    }
                }) }
            </ol>
            if list_failed { <p class="slap-muted" role="status">{ env.t(Key::ClaimsListFailed) }</p> }
            { body }
            if !general.is_empty() {
                <ul class="slap-problems" role="alert">{ for general.iter().map(|p| html! { <li>{ problem_text(&env, *p) }</li> }) }</ul>
            }
            <div class="slap-flow-nav">
                if idx > 0 && !locked { <button type="button" class="slap-button" data-sla-action="back" onclick={on_back}>{ env.t(Key::Back) }</button> }
                if d.step == Step::Confirm {
                    <button type="button" class="slap-button slap-button--primary" data-sla-action="submit"
                        disabled={in_flight} aria-busy={in_flight.to_string()} onclick={on_submit}>{ submit_label }</button>
                } else {
                    <button type="button" class="slap-button slap-button--primary" data-sla-action="next" onclick={on_next}>{ env.t(Key::Next) }</button>
                }
            </div>
        </section>
    }
}

/// The evidence step: for each chosen period its figures and failed signings, the outages
/// with their counted minutes, and the evidence JSON to download.
fn evidence(v: &ViewProps, periods: &[String]) -> Html {
    let env = &v.env;
    let f = &env.fmt;
    let r = &v.data.ev.report;
    let chosen: Vec<_> = r
        .periods
        .iter()
        .filter(|p| periods.iter().any(|m| p.month == *m))
        .collect();
    let outages: Vec<_> = r
        .outages
        .iter()
        .filter(|o| chosen.iter().any(|p| p.outages.contains(&o.id)))
        .collect();
    let download = {
        let data = v.data.clone();
        let periods = periods.to_vec();
        Callback::from(move |_| {
            let ev = sla_rules::evidence::evidence(&data.ev, &periods);
            if let Ok(text) = serde_json::to_string_pretty(&ev) {
                let what = format!("evidence-{}", periods.join("_"));
                export::download(
                    &export::file_name(&data.ev.report.contract_id, &what, "json"),
                    "application/json",
                    &text,
                );
            }
        })
    };
    html! {
        <div class="slap-evidence">
            <div class="slap-table-wrap">
                <table class="slap-table" data-sla-evidence-periods="">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::Month) }</th>
                        <th scope="col">{ env.t(Key::Availability) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Unavailable) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Budget) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Signed) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::FailedSignings) }</th>
                    </tr></thead>
                    <tbody>
                    { for chosen.iter().map(|p| html! {
                        <tr data-sla-evidence-month={p.month.to_string()}>
                            <th scope="row">{ f.month(&p.month) }</th>
                            <td>{ f.percent(&p.availability) }{ " / " }{ f.percent(&p.target) }</td>
                            <td class="slap-num">{ f.int(p.unavailable_minutes) }</td>
                            <td class="slap-num">{ f.decimal(&p.downtime_budget_minutes) }</td>
                            <td class="slap-num">{ p.signed.map(|n| f.int(n)).unwrap_or_else(|| "–".into()) }</td>
                            <td class="slap-num" data-sla-failed={p.failed.map(|n| n.to_string()).unwrap_or_default()}>{ p.failed.map(|n| f.int(n)).unwrap_or_else(|| "–".into()) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            </div>
            <div class="slap-table-wrap">
                <table class="slap-table" data-sla-evidence-outages="">
                    <thead><tr>
                        <th scope="col">{ env.t(Key::OutageId) }</th>
                        <th scope="col">{ env.t(Key::Start) }</th>
                        <th scope="col">{ env.t(Key::End) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Minutes) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Counted) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::Excluded) }</th>
                        <th scope="col">{ env.t(Key::AttributedTo) }</th>
                    </tr></thead>
                    <tbody>
                    { for outages.iter().map(|o| html! {
                        <tr data-sla-outage={o.id.clone()} data-counted-minutes={o.counted_minutes.to_string()}>
                            <td>{ o.id.clone() }</td>
                            <td>{ f.datetime(&o.start) }</td>
                            <td>{ f.datetime(&o.end) }</td>
                            <td class="slap-num">{ f.int(o.minutes) }</td>
                            <td class="slap-num">{ f.int(o.counted_minutes) }</td>
                            <td class="slap-num">{ f.int(o.excluded_minutes) }</td>
                            <td>{ o.attributed_to.map(|m| f.month(&m)).unwrap_or_else(|| "–".into()) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            </div>
            <p class="slap-muted">{ env.t(Key::EvidenceExplain) }</p>
            <button type="button" class="slap-button" data-sla-action="evidence" onclick={download}>{ env.t(Key::DownloadEvidence) }</button>
        </div>
    }
}
