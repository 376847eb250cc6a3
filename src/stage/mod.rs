//! The two builds of the widget, and the only place that names the `first-paint` feature.
//!
//! A host pays for every byte before the first chart, and most of the widget (fault history,
//! claims, the agreement text, the statement, exports, re-checks) is not needed for it. So the
//! crate is built twice (scripts/build-widget): with `--features first-paint` it is the small
//! module a host loads first (`dist/sla_portal*`): it loads the documents, computes the report
//! and draws the overview; once that is on screen it imports the full build
//! (`dist/sla_portal_full*`, the default features) and calls its `takeover()` with what it
//! read ([`Resume`]). The full build evaluates the same bytes with the same core (so both show
//! one report), keeps the tab, month and element ids, and from then on serves the host's
//! handle. Nothing is fetched twice; the documents' tags keep re-checks conditional.
//!
//! Each build's file (`first_paint.rs`, `full.rs`) offers the same names, listed below, so the
//! rest of the widget calls them without knowing which build it is in. The first paint leaves
//! code out by never naming it: what it does not call is not linked (nothing holds function
//! pointers to views for that reason). `make size` holds it to its budget.

mod resume;

#[cfg(feature = "first-paint")]
mod first_paint;
#[cfg(feature = "first-paint")]
use first_paint as build;
#[cfg(not(feature = "first-paint"))]
mod full;
#[cfg(not(feature = "first-paint"))]
use full as build;

pub use build::{
    call, export, hand_over, mount_full, panel, recheck, start_full, statement, use_checked,
    use_handover, use_providers, Handover, Providers, Rechecks, Root, DELEGATES_GROUPS,
};
pub use resume::{options_to_js, Resume};

/// The operator console (`<sla-operator>`, `mountOperator`): the full build's only. Its
/// exports would be linked into any build that compiles it, so the first paint must not;
/// the code lives in src/operator/, and this is where the builds are told apart.
#[cfg(not(feature = "first-paint"))]
#[path = "../operator/mod.rs"]
pub mod operator;

/// The full build's own JS exports: the first paint has neither (`report()`'s serialisation
/// is kilobytes a first paint does without, and it takes over from nobody).
#[cfg(not(feature = "first-paint"))]
pub use full::{report, takeover};

/// Which build draws this widget: `data-sla-stage` on its root (hosts' tests wait for "full"
/// before they look at anything beyond the overview).
#[cfg(feature = "first-paint")]
pub const NAME: &str = "first-paint";
#[cfg(not(feature = "first-paint"))]
pub const NAME: &str = "full";
