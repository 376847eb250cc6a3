//! The tab bar: one button per [`Tab`], WAI-ARIA tabs (the arrows move between tabs, the
//! bar is one tab stop), its ids tied to the panel's.

use yew::prelude::*;

use crate::env::{element_id, Env};
use crate::i18n::Key;
use crate::tab::Tab;

/// The ids of a tab's button and of its panel, in widget instance `instance`.
pub fn ids(instance: u32) -> impl Fn(Tab) -> (String, String) {
    move |t: Tab| {
        (
            element_id(instance, &format!("tab-{}", t.id())),
            element_id(instance, &format!("panel-{}", t.id())),
        )
    }
}

/// The bar with `current` selected; `on_tab` is told of a click or an arrow key.
pub fn tab_bar(env: &Env, current: Tab, instance: u32, on_tab: &Callback<Tab>) -> Html {
    let ids = ids(instance);
    let index = current.index();
    let on_key = {
        let on_tab = on_tab.clone();
        Callback::from(move |e: KeyboardEvent| {
            let n = Tab::ALL.len();
            let to = match e.key().as_str() {
                "ArrowRight" => (index + 1) % n,
                "ArrowLeft" => (index + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            on_tab.emit(Tab::ALL[to]);
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                if let Some(el) = doc
                    .get_element_by_id(&element_id(instance, &format!("tab-{}", Tab::ALL[to].id())))
                {
                    if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                        let _ = el.focus();
                    }
                }
            }
        })
    };
    html! {
        <div class="slap-tabs" part="tabs" role="tablist" aria-label={env.t(Key::TabsLabel)} onkeydown={on_key}>
            { for Tab::ALL.into_iter().map(|t| {
                let (tid, pid) = ids(t);
                let selected = t == current;
                let on_tab = on_tab.clone();
                html! {
                    <button type="button" role="tab" id={tid} class="slap-tab" part={if selected { "tab tab-selected" } else { "tab" }}
                        aria-selected={selected.to_string()} aria-controls={pid}
                        tabindex={if selected { "0" } else { "-1" }}
                        onclick={move |_| on_tab.emit(t)}>
                        { env.t(t.label()) }
                    </button>
                }
            }) }
        </div>
    }
}
