//! The tab table: which views the shell offers, in order. Adding a tab is one line in
//! [`TABS`] and one arm in [`view`].
//!
//! How a view plugs in: write `src/views/<name>.rs` with a `#[component]` taking
//! [`ViewProps`], add its strings to `src/i18n.rs` (both languages), a line to [`TABS`] and
//! an arm to [`view`]. The table holds no function pointers on purpose: the first-paint
//! build (`--features first-paint`, see `crate::first_paint`) links only the overview, and a
//! pointer in a table would pull every view into it.

use yew::prelude::*;

use crate::env::ViewProps;
use crate::i18n::Key;
use crate::views;

/// One tab: its id and its label.
pub struct TabDef {
    pub id: &'static str,
    pub label: Key,
}

/// The tabs, in order.
pub const TABS: &[TabDef] = &[
    TabDef {
        id: "overview",
        label: Key::TabOverview,
    },
    TabDef {
        id: "availability",
        label: Key::TabAvailability,
    },
    TabDef {
        id: "periods",
        label: Key::TabPeriods,
    },
    TabDef {
        id: "incidents",
        label: Key::TabIncidents,
    },
    TabDef {
        id: "claims",
        label: Key::TabClaims,
    },
    TabDef {
        id: "agreement",
        label: Key::TabAgreement,
    },
];

/// The tab id `id` names, as the table's `&'static str` (unknown: the overview).
pub fn tab_id(id: &str) -> &'static str {
    TABS.iter().find(|t| t.id == id).unwrap_or(&TABS[0]).id
}

/// The view of tab `id`.
#[cfg(not(feature = "first-paint"))]
pub fn view(id: &str, p: ViewProps) -> Html {
    match id {
        "availability" => html! { <views::availability::Availability ..p /> },
        "periods" => html! { <views::periods::Periods ..p /> },
        "incidents" => html! { <views::incidents::Incidents ..p /> },
        "claims" => html! { <views::claims::Claims ..p /> },
        "agreement" => html! { <views::agreement::Agreement ..p /> },
        _ => html! { <views::overview::Overview ..p /> },
    }
}

/// The first paint (see `crate::first_paint`) draws only the overview; the shell shows the
/// other tabs as pending until the full widget takes over.
#[cfg(feature = "first-paint")]
pub fn view(_id: &str, p: ViewProps) -> Html {
    html! { <views::overview::Overview ..p /> }
}
