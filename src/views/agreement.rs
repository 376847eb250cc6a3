//! The Agreement tab (协议承诺): every clause of the SLA, what it promises, and whether this portal measures it, repeats the provider's stated facts, or cannot measure it.

use yew::prelude::*;

use crate::agreement_text::{Clause, Handling, AGREEMENT};
use crate::env::{Env, ViewProps};
use crate::i18n::{Key, Locale};
use crate::tab::Tab;

/// The text of a (zh-CN, en) pair in the reader's language.
fn pick(env: &Env, pair: (&'static str, &'static str)) -> &'static str {
    match env.locale {
        Locale::ZhCn => pair.0,
        Locale::En => pair.1,
    }
}

fn clause(env: &Env, c: &Clause, on_tab: &Callback<Tab>) -> Html {
    let (kind, icon, label) = match c.handling {
        Handling::Measured(_) => ("measured", "✓", Key::AgrMeasured),
        Handling::Stated => ("stated", "ⓘ", Key::AgrStated),
        Handling::NotMeasurable => ("not_measurable", "–", Key::AgrNotMeasurable),
    };
    let link = match c.handling {
        Handling::Measured(tab) => {
            let on_tab = on_tab.clone();
            let text = env.fill(Key::AgrOpen, &[("view", env.t(tab.label()))]);
            html! {
                <button type="button" class="slap-button" data-sla-open-tab={tab.id()}
                    onclick={move |_| on_tab.emit(tab)}>{ text }</button>
            }
        }
        _ => html! {},
    };
    let note = pick(env, c.note);
    html! {
        <article class={classes!("slap-clause", format!("slap-clause--{kind}"))}
            data-sla-clause={c.number} data-handling={kind}>
            <h4 class="slap-clause-title">{ format!("§{} ", c.number) }{ pick(env, c.title) }</h4>
            <dl class="slap-clause-body">
                <dt>{ env.t(Key::AgrPromise) }</dt>
                <dd>{ pick(env, c.promise) }</dd>
                <dt>{ env.t(Key::AgrHandling) }</dt>
                <dd>
                    <span class={format!("slap-badge slap-badge--{kind}")}><span aria-hidden="true">{ icon }</span>{ " " }{ env.t(label) }</span>
                    if !c.facts.is_empty() {
                        <ul class="slap-list slap-facts-list" aria-label={env.t(Key::AgrFacts)}>
                            { for c.facts.iter().map(|f| html! { <li data-sla-fact="">{ pick(env, *f) }</li> }) }
                        </ul>
                    }
                    if !note.is_empty() { <p class="slap-explain">{ note }</p> }
                    { link }
                </dd>
            </dl>
        </article>
    }
}

#[component]
pub fn Agreement(props: &ViewProps) -> Html {
    let env = &props.env;
    html! {
        <div class="slap-agreement" data-sla-agreement="">
            <p class="slap-muted">{ env.t(Key::AgrIntro) }</p>
            { for AGREEMENT.iter().map(|ch| {
                // A chapter that is a single clause of the same number needs no second heading.
                let single = ch.clauses.len() == 1 && ch.clauses[0].number == ch.number;
                html! {
                    <section class="slap-chapter" data-sla-chapter={ch.number}>
                        if !single {
                            <h3 class="slap-h3">{ format!("§{} ", ch.number) }{ pick(env, ch.title) }</h3>
                        }
                        { for ch.clauses.iter().map(|c| clause(env, c, &props.on_tab)) }
                    </section>
                }
            }) }
        </div>
    }
}
