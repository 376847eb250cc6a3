//! The tab table: which views the shell offers, in order. Adding a tab is one line here.
//!
//! How a view plugs in: write `src/views/<name>.rs` with a `#[component]` taking
//! [`ViewProps`], add its strings to `src/i18n.rs` (both languages) and one line to [`TABS`].

use yew::prelude::*;

use crate::env::ViewProps;
use crate::i18n::Key;
use crate::views;

/// One tab: its id, its label and its view.
pub struct TabDef {
    pub id: &'static str,
    pub label: Key,
    pub view: fn(ViewProps) -> Html,
}

/// The tabs, in order.
pub const TABS: &[TabDef] = &[
    TabDef {
        id: "overview",
        label: Key::TabOverview,
        view: |p| html! { <views::overview::Overview ..p /> },
    },
    TabDef {
        id: "availability",
        label: Key::TabAvailability,
        view: |p| html! { <views::availability::Availability ..p /> },
    },
    TabDef {
        id: "periods",
        label: Key::TabPeriods,
        view: |p| html! { <views::periods::Periods ..p /> },
    },
    TabDef {
        id: "incidents",
        label: Key::TabIncidents,
        view: |p| html! { <views::incidents::Incidents ..p /> },
    },
    TabDef {
        id: "claims",
        label: Key::TabClaims,
        view: |p| html! { <views::claims::Claims ..p /> },
    },
    TabDef {
        id: "agreement",
        label: Key::TabAgreement,
        view: |p| html! { <views::agreement::Agreement ..p /> },
    },
];
