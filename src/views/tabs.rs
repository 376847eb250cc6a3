//! Which view each tab draws. Adding a tab is one variant of [`Tab`] (`src/tab.rs`) and one
//! arm in [`view`].
//!
//! How a view plugs in: write `src/views/<name>.rs` with a `#[component]` taking
//! [`ViewProps`], add its strings to `src/i18n.rs` (every locale), a variant to [`Tab`] and
//! an arm to [`view`]. Nothing holds function pointers on purpose: the first paint
//! (`crate::stage`) links only the overview, and a pointer in a table would pull every view
//! into it.

use yew::prelude::*;

use crate::env::ViewProps;
use crate::tab::Tab;
use crate::views;

/// The view of `tab` (the full build's; the first paint draws through `crate::stage`).
pub fn view(tab: Tab, p: ViewProps) -> Html {
    match tab {
        Tab::Overview => {
            html! { <views::overview::Overview<views::exclusions::Explained> ..p /> }
        }
        Tab::Availability => html! { <views::availability::Availability ..p /> },
        Tab::Periods => html! { <views::periods::Periods ..p /> },
        Tab::Incidents => html! { <views::incidents::Incidents ..p /> },
        Tab::Claims => html! { <views::claims::Claims ..p /> },
        Tab::Agreement => html! { <views::agreement::Agreement ..p /> },
    }
}
