//! The first paint hands the widget to the full build: a small module draws the overview, and the full one takes over with the same documents.
//!
//! Why two builds: a host pays for every byte before the first chart, and most of the widget
//! (fault history, claims, the agreement text, exports, re-checks) is not needed for it. The
//! first-paint build (`--features first-paint`, `dist/sla_portal*`) loads the documents,
//! computes the report with the core and draws the overview; once that is on screen it
//! imports the full build (`dist/sla_portal_full*`, the default features) and calls its
//! `takeover()` with what it read. The full build evaluates the same bytes with the same core
//! (so both show one report), keeps the tab, month and element ids, and from then on serves
//! the host's handle. Nothing is fetched twice; the documents' tags keep re-checks conditional.

use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::app::Resume;
use crate::refresh::{Held, HeldDoc};

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

impl Resume {
    /// The plain object `takeover()` reads: each document's bytes and tag, the view, the ids.
    pub fn to_js(&self) -> JsValue {
        let o = Object::new();
        let doc = |name: &str, d: Option<&HeldDoc>| {
            let (bytes, etag) = match d {
                Some(d) => (
                    JsValue::from(Uint8Array::from(&d.bytes[..])),
                    d.etag.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                ),
                None => (JsValue::NULL, JsValue::NULL),
            };
            set(&o, name, &bytes);
            set(&o, &format!("{name}Etag"), &etag);
        };
        doc("usage", Some(&self.held.usage));
        doc("incidents", Some(&self.held.incidents));
        doc("policy", self.held.policy.as_ref());
        // The URLs and `asOf` the documents were read for: the full build resumes from them
        // only if its options still name the same (an update may have landed meanwhile).
        if let Some((usage, incidents, policy, as_of)) = &self.held.source {
            let from = Object::new();
            let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
            set(&from, "usageUrl", &JsValue::from_str(usage));
            set(&from, "incidentsUrl", &JsValue::from_str(incidents));
            set(&from, "policyUrl", &opt(policy));
            set(&from, "asOf", &opt(as_of));
            set(&o, "from", &from);
        }
        set(&o, "tab", &JsValue::from_str(self.tab.id()));
        set(
            &o,
            "month",
            &self
                .month
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str),
        );
        set(&o, "checkedAt", &JsValue::from_f64(self.checked_at));
        set(&o, "uid", &JsValue::from_f64(f64::from(self.uid)));
        o.into()
    }

    /// Reads what [`Resume::to_js`] wrote; an error names the field.
    pub fn from_js(v: &JsValue) -> Result<Resume, String> {
        let doc = |name: &str| -> Result<Option<HeldDoc>, String> {
            let bytes = get(v, name);
            if bytes.is_null() || bytes.is_undefined() {
                return Ok(None);
            }
            let bytes = bytes
                .dyn_into::<Uint8Array>()
                .map_err(|_| format!("takeover: {name}: expected a Uint8Array"))?;
            Ok(Some(HeldDoc {
                bytes: Rc::new(bytes.to_vec()),
                etag: get(v, &format!("{name}Etag")).as_string(),
            }))
        };
        let required = |name: &str| doc(name)?.ok_or_else(|| format!("takeover: {name}: required"));
        let from = get(v, "from");
        let url = |k: &str| {
            get(&from, k)
                .as_string()
                .ok_or_else(|| format!("takeover: from.{k}: required"))
        };
        // Without it the documents' origin is unknown: the full build loads afresh.
        let source = if from.is_object() {
            Some((
                url("usageUrl")?,
                url("incidentsUrl")?,
                get(&from, "policyUrl").as_string(),
                get(&from, "asOf").as_string(),
            ))
        } else {
            None
        };
        Ok(Resume {
            held: Held {
                usage: required("usage")?,
                incidents: required("incidents")?,
                policy: doc("policy")?,
                source,
            },
            tab: match get(v, "tab").as_string() {
                None => crate::tab::Tab::Overview,
                Some(id) => crate::tab::Tab::parse(&id)
                    .ok_or_else(|| format!("takeover: tab: no tab is called {id:?}"))?,
            },
            month: get(v, "month").as_string(),
            checked_at: get(v, "checkedAt").as_f64().unwrap_or(0.0),
            uid: get(v, "uid")
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(n))
                .map_or_else(crate::env::next_instance, |n| n as u32),
        })
    }
}

#[cfg(feature = "first-paint")]
#[wasm_bindgen(inline_js = r#"
let full = null;
export function load_full_module() {
  // Beside this file, whatever URL the host serves it from; one import for every widget.
  if (!full) {
    full = import(new URL("./sla_portal_full.js", import.meta.url).href)
      .then(async (m) => { await m.default(); return m; })
      .catch((e) => { full = null; throw e; });
  }
  return full;
}
export function take_over(full, el, options, resume) {
  // Focus stays where the user left it: the full build draws the same ids.
  const active = document.activeElement;
  const id = active && active !== el && el.contains(active) ? active.id : "";
  const handle = full.takeover(el, options, resume);
  if (id) requestAnimationFrame(() => {
    const root = el.getRootNode();
    const again = (root.getElementById ? root : document).getElementById(id);
    if (again) again.focus();
  });
  return handle;
}
export function call_handle(handle, method, arg) {
  return handle[method](arg);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn load_full_module() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch)]
    fn take_over(
        full: &JsValue,
        el: &web_sys::Element,
        options: &JsValue,
        resume: &JsValue,
    ) -> Result<JsValue, JsValue>;
    /// Calls `method` (`update`, `unmount`) on the full build's handle.
    #[wasm_bindgen(catch, js_name = call_handle)]
    pub(crate) fn call(handle: &JsValue, method: &str, arg: &JsValue) -> Result<JsValue, JsValue>;
}

/// The full build's module, imported and initialised once per page.
#[cfg(feature = "first-paint")]
pub async fn load_full() -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(load_full_module()?).await
}

/// The full build never hands over (its shell has no `on_handover`).
#[cfg(not(feature = "first-paint"))]
pub async fn load_full() -> Result<JsValue, JsValue> {
    Err(JsValue::from_str("the full build has nothing to load"))
}

/// Mounts the full build's widget over `el` (the first paint's nodes are removed after).
#[cfg(feature = "first-paint")]
pub fn start_full(
    full: &JsValue,
    el: &web_sys::Element,
    options: &crate::options::Options,
    resume: &Resume,
) -> Result<JsValue, JsValue> {
    take_over(full, el, &options.to_js(), &resume.to_js())
}
