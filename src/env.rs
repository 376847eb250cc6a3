//! What every view receives (locale, formatters, the report, callbacks), apart from the
//! shell in `app`, so views depend on this module and never on the shell that hosts them.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{Key, Locale};
use crate::intl::Formats;
use crate::options::Options;
use crate::state::Loaded;

/// Locale and formatters shared by every view.
#[derive(Debug)]
pub struct Env {
    pub locale: Locale,
    pub fmt: Formats,
}

impl Env {
    pub fn t(&self, k: Key) -> &'static str {
        self.locale.t(k)
    }
    pub fn fill(&self, k: Key, args: &[(&str, &str)]) -> String {
        self.locale.fill(k, args)
    }
}

impl PartialEq for Env {
    fn eq(&self, other: &Self) -> bool {
        self.locale == other.locale && self.fmt.tz_label() == other.fmt.tz_label()
    }
}

/// What every tab's view receives.
#[derive(Properties, PartialEq, Clone)]
pub struct ViewProps {
    pub data: Rc<Loaded>,
    pub env: Rc<Env>,
    /// The selected month (`YYYY-MM`), shared by the periods table and the timeline.
    pub month: Option<AttrValue>,
    pub on_select_month: Callback<String>,
    /// Switches tab by id (e.g. a periods row opens the availability timeline).
    pub on_tab: Callback<crate::tab::Tab>,
    pub options: Rc<Options>,
    /// This widget instance's number: every element id a view makes goes through [`ViewProps::id`].
    pub uid: u32,
}

impl ViewProps {
    /// An element id unique on the page, even with several widgets mounted:
    /// `slap{uid}-{name}`.
    pub fn id(&self, name: &str) -> String {
        element_id(self.uid, name)
    }

    /// The report's period of the selected month, if any.
    pub fn selected_period(&self) -> Option<&sla_rules::report::Period> {
        self.month
            .as_deref()
            .and_then(|m| self.data.ev.report.period(m))
    }
}

/// The element id `name` of widget instance `uid`.
pub fn element_id(uid: u32, name: &str) -> String {
    format!("slap{uid}-{name}")
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function next_uid() {
  const k = Symbol.for("sla-portal.uid");
  return (globalThis[k] = (globalThis[k] || 0) + 1);
}
"#)]
extern "C" {
    fn next_uid() -> u32;
}

/// Widget instance ids keep element ids unique when two widgets share a page. Counted on
/// the page, not in this module: the first paint, the full build and a second copy of the
/// package are modules of their own, each with its own statics.
pub fn next_instance() -> u32 {
    next_uid()
}

/// When the shown report's documents were last found current (ms since the epoch), for
/// "updated N s ago"; provided by the shell as a context so only its readers re-render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checked(pub f64);
