//! What the provider owes, per month across every client and contract: the contracts below
//! target, the units, the extension months and contract credits at stake, and how much of
//! it a claim holds, in which status. The figures are the server's (the core's, per
//! contract); the CSV is the server's own export of the same rows.

use std::rc::Rc;

use sla_rules::claims::ClaimStatus;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::api::{self, ExposureAnswer, ReadError, Unreadable};
use super::common::{
    failed_view, loading_view, read_error_text, status_label, use_focus, valid_month,
};
use super::options::OpOptions;
use crate::api::Cancel;
use crate::env::Env;
use crate::i18n::Key;

#[derive(Properties, PartialEq, Clone)]
pub struct ExposureProps {
    pub options: Rc<OpOptions>,
    pub env: Rc<Env>,
    pub focus: bool,
    pub uid: u32,
}

/// The last twelve whole months before the current one (UTC+8, the agreement's clock), as
/// `(from, to)`: the months whose judgement is settled.
pub fn default_range(now_ms: f64) -> (String, String) {
    let d = js_sys::Date::new(&(now_ms + 8.0 * 3_600_000.0).into());
    let (y, m) = (d.get_utc_full_year() as i32, d.get_utc_month() as i32 + 1);
    if m == 1 {
        range_ending(y - 1, 12)
    } else {
        range_ending(y, m - 1)
    }
}

/// `(from, to)`: the eleven months before `y-m`, and `y-m`.
pub fn range_ending(y: i32, m: i32) -> (String, String) {
    let back = y * 12 + (m - 1) - 11;
    (
        format!("{:04}-{:02}", back / 12, back % 12 + 1),
        format!("{y:04}-{m:02}"),
    )
}

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(ReadError),
    Ready(Rc<ExposureAnswer>),
}

#[component]
pub fn Exposure(props: &ExposureProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let range = use_state(|| default_range(js_sys::Date::now()));
    let draft = use_state(|| (*range).clone());
    let phase = use_state(|| Phase::Loading);
    let attempt = use_state(|| 0u32);
    let csv_error = use_state(|| None::<ReadError>);
    let heading = use_node_ref();
    use_focus(&heading, props.focus);
    {
        let phase = phase.clone();
        use_effect_with(
            (props.options.clone(), (*range).clone(), *attempt),
            move |(o, (from, to), _)| {
                let cancel = Cancel::new();
                let c = cancel.clone();
                let (o, from, to) = (o.clone(), from.clone(), to.clone());
                phase.set(Phase::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let got = api::exposure(&o, &from, &to, &c).await;
                    if !c.is_cancelled() {
                        phase.set(match got {
                            Ok(m) => Phase::Ready(Rc::new(m)),
                            Err(e) => Phase::Failed(e),
                        });
                    }
                });
                move || cancel.abort()
            },
        );
    }
    let id = |n: &str| crate::env::element_id(props.uid, &format!("op-{n}"));
    let on_from = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            draft.set((v.trim().to_string(), draft.1.clone()));
        })
    };
    let on_to = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            draft.set((draft.0.clone(), v.trim().to_string()));
        })
    };
    let range_problem = use_state(|| false);
    let onsubmit = {
        let (draft, range, problem) = (draft.clone(), range.clone(), range_problem.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (from, to) = &*draft;
            let ok = valid_month(from) && valid_month(to) && from <= to;
            problem.set(!ok);
            if ok {
                range.set((*draft).clone());
            }
        })
    };
    let download = {
        let (o, range, csv_error) = (props.options.clone(), range.clone(), csv_error.clone());
        Callback::from(move |_: MouseEvent| {
            let (o, (from, to), csv_error) = (o.clone(), (*range).clone(), csv_error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::exposure_csv(&o, &from, &to, &Cancel::new()).await {
                    Ok(text) => {
                        csv_error.set(None);
                        crate::export::download(
                            &format!("sla-exposure-{from}-{to}.csv"),
                            "text/csv;charset=utf-8",
                            &text,
                        );
                    }
                    Err(e) => csv_error.set(Some(e)),
                }
            });
        })
    };
    let (from, to) = &*draft;
    let form = html! {
        <form class="slap-op-filters" {onsubmit} aria-label={env.t(Key::OpRange)}>
            <label for={id("x-from")}>{ env.t(Key::OpFrom) }</label>
            <input id={id("x-from")} class="slap-input" type="text" inputmode="numeric" size="8" placeholder="YYYY-MM"
                value={from.clone()} oninput={on_from} data-sla-op-from="" aria-describedby={id("x-hint")}
                aria-invalid={range_problem.then_some("true")} />
            <label for={id("x-to")}>{ env.t(Key::OpTo) }</label>
            <input id={id("x-to")} class="slap-input" type="text" inputmode="numeric" size="8" placeholder="YYYY-MM"
                value={to.clone()} oninput={on_to} data-sla-op-to="" aria-describedby={id("x-hint")}
                aria-invalid={range_problem.then_some("true")} />
            <span id={id("x-hint")} class={if *range_problem { "slap-claim-error" } else { "slap-muted" }}>
                { env.t(if *range_problem { Key::OpRangeInvalid } else { Key::OpMonthHint }) }
            </span>
            <div class="slap-op-filter-actions">
                <button type="submit" class="slap-button slap-button--primary">{ env.t(Key::OpApply) }</button>
                <button type="button" class="slap-button" onclick={download} data-sla-op-csv="">{ env.t(Key::OpCsv) }</button>
            </div>
        </form>
    };
    let body = match &*phase {
        Phase::Loading => loading_view(env),
        Phase::Failed(e) => failed_view(env, e, &attempt),
        Phase::Ready(a) if a.months.is_empty() => html! {
            <>
            { unreadable_view(env, &a.unreadable) }
            <p class="slap-muted" data-sla-op-empty="">{ env.t(Key::OpExposureEmpty) }</p>
            </>
        },
        Phase::Ready(a) => html! {
            <>
            { unreadable_view(env, &a.unreadable) }
            <div class="slap-table-wrap" tabindex="0" role="region" aria-label={env.t(Key::OpExposureTitle)}>
                <table class="slap-table slap-op-exposure">
                    <caption>{ env.t(Key::OpExposureCaption) }</caption>
                    <thead><tr>
                        <th scope="col">{ env.t(Key::Month) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::OpBelowTarget) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::OpUnits) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::OpExtensionMonths) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::OpContractCredit) }</th>
                        <th scope="col">{ env.t(Key::OpClaimedUnits) }</th>
                        <th scope="col" class="slap-num">{ env.t(Key::OpUnclaimedUnits) }</th>
                    </tr></thead>
                    <tbody>
                    { for a.months.iter().map(|m| {
                        let claimed: Vec<String> = ClaimStatus::ALL.into_iter().filter_map(|s| {
                            let n = m.claimed_units.get(s.as_str()).copied().unwrap_or(0);
                            (n > 0).then(|| format!("{} {}", status_label(env, s), f.int(n)))
                        }).collect();
                        html! {
                            <tr key={m.month.clone()} data-sla-op-exposure={m.month.clone()}
                                data-units={m.units.to_string()} data-contract-credit={m.contract_credit.to_string()}
                                data-service-extension-months={m.service_extension_months.to_string()}
                                data-unclaimed-units={m.unclaimed_units.to_string()}>
                                <th scope="row">{ f.month(m.month.as_str()) }</th>
                                <td class="slap-num">{ f.int(m.below_target) }</td>
                                <td class="slap-num">{ f.int(m.units) }</td>
                                <td class="slap-num">{ f.int(m.service_extension_months) }</td>
                                <td class="slap-num">{ f.int(m.contract_credit) }</td>
                                <td>{ if claimed.is_empty() { "–".to_string() } else { claimed.join(env.t(Key::ListSep)) } }</td>
                                <td class="slap-num">{ f.int(m.unclaimed_units) }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            </div>
            </>
        },
    };
    html! {
        <section class="slap-op-view" aria-labelledby={id("exposure-title")}>
            <h2 class="slap-h2" id={id("exposure-title")} tabindex="-1" ref={heading}>{ env.t(Key::OpExposureTitle) }</h2>
            <p class="slap-explain">{ env.t(Key::OpExposureWhy) }</p>
            { form }
            if let Some(e) = &*csv_error {
                <p class="slap-claim-error" role="alert">{ read_error_text(env, e) }</p>
            }
            { body }
        </section>
    }
}

/// The contracts missing from the totals, each with the server's reason: the figures above
/// are then not everyone's, and the operator must be told so before reading them.
fn unreadable_view(env: &Env, list: &[Unreadable]) -> Html {
    if list.is_empty() {
        return Html::default();
    }
    let n = env.fmt.int(list.len() as u64);
    html! {
        <div class="slap-error" role="alert" data-sla-op-unreadable={list.len().to_string()}>
            <p>{ env.fill(Key::OpExposureUnreadable, &[("n", n.as_str())]) }</p>
            <ul>
            { for list.iter().map(|u| html! {
                <li>
                    <strong>{ match &u.contract {
                        Some(c) => format!("{} / {c}", u.client),
                        None => u.client.clone(),
                    } }</strong>
                    { ": " }{ u.error.clone() }
                </li>
            }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_range_is_twelve_months_ending_last_month() {
        assert_eq!(range_ending(2026, 12), ("2026-01".into(), "2026-12".into()));
        assert_eq!(range_ending(2026, 11), ("2025-12".into(), "2026-11".into()));
        assert_eq!(range_ending(2026, 1), ("2025-02".into(), "2026-01".into()));
    }
}
