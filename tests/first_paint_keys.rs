//! The first paint carries only the texts of the first section of `src/i18n.rs`: every
//! message key its files use must be there, or the overview would show an empty label.
#![cfg(not(target_arch = "wasm32"))]

use sla_portal::i18n::{in_first_paint, ALL_KEYS};

/// The source files the first-paint build draws with (`--features first-paint`): the shell,
/// the header, the overview, its chart, loading and errors. A view that moves into the
/// first paint is added here.
const FIRST_PAINT_FILES: &[(&str, &str)] = &[
    ("src/app.rs", include_str!("../src/app.rs")),
    ("src/lib.rs", include_str!("../src/lib.rs")),
    ("src/env.rs", include_str!("../src/env.rs")),
    ("src/api.rs", include_str!("../src/api.rs")),
    ("src/stage/mod.rs", include_str!("../src/stage/mod.rs")),
    (
        "src/stage/resume.rs",
        include_str!("../src/stage/resume.rs"),
    ),
    (
        "src/stage/first_paint.rs",
        include_str!("../src/stage/first_paint.rs"),
    ),
    ("src/live.rs", include_str!("../src/live.rs")),
    ("src/options.rs", include_str!("../src/options.rs")),
    ("src/refresh.rs", include_str!("../src/refresh.rs")),
    ("src/state.rs", include_str!("../src/state.rs")),
    ("src/host_events.rs", include_str!("../src/host_events.rs")),
    ("src/intl.rs", include_str!("../src/intl.rs")),
    ("src/load.rs", include_str!("../src/load.rs")),
    ("src/charts/mod.rs", include_str!("../src/charts/mod.rs")),
    (
        "src/charts/monthly.rs",
        include_str!("../src/charts/monthly.rs"),
    ),
    ("src/views/mod.rs", include_str!("../src/views/mod.rs")),
    ("src/views/tabs.rs", include_str!("../src/views/tabs.rs")),
    (
        "src/views/header.rs",
        include_str!("../src/views/header.rs"),
    ),
    (
        "src/views/overview.rs",
        include_str!("../src/views/overview.rs"),
    ),
    (
        "src/views/status.rs",
        include_str!("../src/views/status.rs"),
    ),
    (
        "src/views/monthly.rs",
        include_str!("../src/views/monthly.rs"),
    ),
];

#[test]
fn every_key_the_first_paint_uses_is_in_its_catalogue() {
    let mut checked = 0;
    for (file, text) in FIRST_PAINT_FILES {
        for use_site in text.split("Key::").skip(1) {
            let name: String = use_site
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let key = ALL_KEYS
                .iter()
                .find(|k| format!("{k:?}") == name)
                .unwrap_or_else(|| panic!("{file}: Key::{name} is not in the catalogue"));
            assert!(
                in_first_paint(*key),
                "{file} uses Key::{name}, which src/i18n.rs lists under `full`: move it to `first_paint`"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 50,
        "only {checked} uses found: the scan is broken"
    );
}

#[test]
fn the_full_build_keeps_texts_the_first_paint_leaves_out() {
    use sla_portal::i18n::{Key, Locale};
    assert!(!in_first_paint(Key::ClaimsLoading));
    assert_eq!(Locale::En.t(Key::ClaimsLoading), "Loading your claims…");
    assert!(in_first_paint(Key::Title));
}
