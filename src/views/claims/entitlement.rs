//! The entitlement panel: the breached periods not yet claimed, both remedies side by
//! side, each figure from the core and explained in one sentence.

use sla_rules::claims::{figures_for, Remedy};
use yew::prelude::*;

use crate::env::ViewProps;
use crate::i18n::Key;

#[derive(Properties, PartialEq, Clone)]
pub struct EntitlementProps {
    pub view: ViewProps,
    /// Months that can be claimed now (breached, not claimed before), in order.
    pub open: Vec<String>,
    /// The heading and the months' sentence: the client's ("Compensation you can claim"),
    /// or the operator's when the months are a filed claim's.
    #[prop_or(Key::EntTitle)]
    pub title: Key,
    #[prop_or(Key::EntPeriods)]
    pub periods_text: Key,
}

#[component]
pub fn EntitlementPanel(props: &EntitlementProps) -> Html {
    let env = &props.view.env;
    let f = &env.fmt;
    let r = &props.view.data.ev.report;
    let ext = figures_for(r, &props.open, Remedy::ServiceExtension).ok();
    let credit = figures_for(r, &props.open, Remedy::ContractCredit).ok();
    let units = ext.as_ref().map(|g| g.units).unwrap_or(0);
    let months = ext
        .as_ref()
        .and_then(|g| g.service_extension_months)
        .unwrap_or(0);
    let end = ext
        .as_ref()
        .and_then(|g| g.service_end.clone())
        .unwrap_or_default();
    let contracts = credit.as_ref().and_then(|g| g.contract_credit).unwrap_or(0);
    let rows: Vec<_> = r
        .entitlement
        .contract_credit
        .per_period
        .iter()
        .filter(|c| props.open.iter().any(|m| c.month == *m))
        .collect();
    let title_id = props.view.id("ent-title");
    html! {
        <section class="slap-entitlement" data-sla-entitlement=""
            data-units={units.to_string()}
            data-service-extension-months={months.to_string()}
            data-contract-credit={contracts.to_string()}
            aria-labelledby={title_id.clone()}>
            <h2 class="slap-h2" id={title_id}>{ env.t(props.title) }</h2>
            if props.open.is_empty() {
                <p class="slap-muted">{ env.t(Key::EntNone) }</p>
            } else {
                <p>{ env.fill(props.periods_text, &[("months", &props.open.iter().map(|m| f.month(m)).collect::<Vec<_>>().join(env.t(Key::ListSep))), ("units", &f.int(units))]) }</p>
                // Issue 9: what one unit is, from the policy in force (never a fixed sentence).
                <p class="slap-explain" data-sla-unit-rule={r.rules.compensation_unit.as_str()}>{ crate::views::exclusions::unit_rule(env, &r.rules) }</p>
                <div class="slap-cards slap-remedies">
                    <div class="slap-card slap-remedy" data-remedy="service_extension">
                        <h3 class="slap-card-title">{ env.t(Key::RemedyExtension) }</h3>
                        <p class="slap-big">{ env.fill(Key::EntMonths, &[("n", &f.int(months))]) }</p>
                        <p>{ env.fill(Key::EntNewEnd, &[("end", &end)]) }</p>
                        <p class="slap-explain">{ env.fill(Key::EntExtensionWhy, &[("units", &f.int(units)), ("months", &f.int(months)), ("old", &r.contract.service_end), ("end", &end)]) }</p>
                    </div>
                    <div class="slap-card slap-remedy" data-remedy="contract_credit">
                        <h3 class="slap-card-title">{ env.t(Key::RemedyCredit) }</h3>
                        <p class="slap-big">{ env.fill(Key::EntContracts, &[("n", &f.int(contracts))]) }</p>
                        <ul class="slap-explain-list">
                        { for rows.iter().map(|c| {
                            // Each month's average window and rounding are those of the terms that judged it.
                            let rules = r.period(&c.month)
                                .and_then(|p| r.rules_for(p.policy_version.as_deref()));
                            let (month, units, average, sum, n, contracts) = (f.month(&c.month), f.int(c.units),
                                f.int(c.monthly_average), f.int(c.average_sum), f.int(c.average_months), f.int(c.contracts));
                            let mut args = vec![("month", month.as_str()), ("units", units.as_str()), ("average", average.as_str()),
                                ("sum", sum.as_str()), ("n", n.as_str()), ("contracts", contracts.as_str())];
                            let text = match rules {
                                Some(rules) => {
                                    args.push(("window", crate::views::exclusions::window_text(env, rules)));
                                    args.push(("rounding", crate::views::exclusions::rounding_text(env, rules)));
                                    env.fill(Key::EntCreditWhy, &args)
                                }
                                None => env.fill(Key::EntCreditWhyBare, &args),
                            };
                            html! { <li data-sla-credit-month={c.month.to_string()}>{ text }</li> }
                        }) }
                        </ul>
                    </div>
                </div>
                <p class="slap-muted">{ env.t(Key::EntOneRemedy) }</p>
            }
        </section>
    }
}
