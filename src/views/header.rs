//! The widget's header: who and what the report is about, as of when, and the exports.

use yew::prelude::*;

use crate::env::ViewProps;
use crate::export;
use crate::i18n::Key;

#[component]
pub fn Header(props: &ViewProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let r = &props.data.ev.report;
    let contract_line = env.fill(
        Key::ContractLine,
        &[
            ("client", &r.client_name),
            ("contract", &r.contract_id),
            ("start", &r.contract.service_start),
            ("end", &r.contract.service_end),
        ],
    );
    let data = props.data.clone();
    let dl = move |what: &'static str| {
        let data = data.clone();
        Callback::from(move |_: MouseEvent| {
            let r = &data.ev.report;
            match what {
                "periods" => export::download(
                    &export::file_name(&r.contract_id, "periods", "csv"),
                    "text/csv;charset=utf-8",
                    &format!("\u{feff}{}", export::periods_csv(r)),
                ),
                "outages" => export::download(
                    &export::file_name(&r.contract_id, "outages", "csv"),
                    "text/csv;charset=utf-8",
                    &format!("\u{feff}{}", export::outages_csv(r)),
                ),
                _ => export::download(
                    &export::file_name(&r.contract_id, "report", "json"),
                    "application/json",
                    &export::report_json(r),
                ),
            }
        })
    };
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    html! {
        <header class="slap-header" part="header">
            <div class="slap-header-text">
                <h2 class="slap-title">{ env.t(Key::Title) }</h2>
                <p class="slap-sub">{ contract_line }</p>
                <p class="slap-sub">
                    { env.fill(Key::AsOf, &[("when", &f.datetime(&r.as_of))]) }
                    { " · " }
                    <span data-sla-timezone={r.contract.timezone.clone()}>{ env.fill(Key::TimesIn, &[("tz", &f.tz_label())]) }</span>
                </p>
            </div>
            <div class="slap-actions" role="group" aria-label={env.t(Key::Exports)}>
                <button type="button" class="slap-button" onclick={dl("periods")} data-sla-export="periods">{ env.t(Key::ExportPeriods) }</button>
                <button type="button" class="slap-button" onclick={dl("outages")} data-sla-export="outages">{ env.t(Key::ExportOutages) }</button>
                <button type="button" class="slap-button" onclick={dl("json")} data-sla-export="json">{ env.t(Key::ExportJson) }</button>
                <button type="button" class="slap-button" onclick={print}>{ env.t(Key::Print) }</button>
            </div>
        </header>
    }
}
