//! The SLA portal widget: a Yew app a host page embeds with `init()` + `mount()` or `<sla-portal>`.
//!
//! JS API (docs/DATA_CONTRACT.md, "Embedding"):
//! - `init()` (wasm-bindgen's default export) runs [`start`], which registers `<sla-portal>`;
//! - `mount(element, options)` returns a [`WidgetHandle`] with `update()` and `unmount()`;
//! - the widget tells the host what happens through events ([`host_events`]);
//! - `report(usage, incidents, options)` returns the report JSON text, no UI (full build).
//!
//! Built twice (see [`handover`]): with `--features first-paint` it is the small module a
//! host loads first, which draws the overview and then hands over to the full build; the
//! default build is the full widget, with `takeover()` for that hand-over.

pub mod agreement_text;
pub mod api;
pub mod app;
pub mod charts;
pub mod claims_api;
pub mod draft;
pub mod env;
pub mod export;
pub mod handover;
pub mod host_events;
pub mod i18n;
pub mod intl;
pub mod load;
pub mod options;
pub mod refresh;
pub mod state;
pub mod tab;
pub mod views;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::app::{App, AppProps};
use crate::options::Options;

/// A `performance.mark` for hosts and the bench (data received, first chart drawn).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// The widget's stylesheet (static/sla-portal.css, minified by build.rs), compiled in so a
/// host needs no extra `<link>`.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/sla-portal.min.css"));

#[wasm_bindgen(inline_js = r#"
let sheet = null;
const styled = new WeakSet();
export function adopt_style(css, el) {
  // The document, or the shadow root the widget renders in: each needs the sheet once.
  const root = el.getRootNode ? el.getRootNode() : document;
  const target = root instanceof ShadowRoot ? root : document;
  if (styled.has(target)) return;
  styled.add(target);
  try {
    // A constructed sheet is not subject to a host's CSP style-src; one sheet serves every root.
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(css); }
    target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
  } catch (_) {
    const style = document.createElement("style");
    style.setAttribute("data-sla-portal-style", "");
    style.textContent = css;
    (target === document ? document.head : target).appendChild(style);
  }
}
export function define_element(mount) {
  // A second copy of the module on the page finds the element defined: nothing to do.
  if (!globalThis.customElements || customElements.get("sla-portal")) return;
  const attrs = ["usage-src", "incidents-src", "claims-src", "subscriptions-src", "policy-src", "locale", "as-of", "credentials", "refresh-seconds"];
  try {
    customElements.define("sla-portal", class extends HTMLElement {
      static get observedAttributes() { return attrs; }
      connectedCallback() { if (!this._h) this._mount(); }
      disconnectedCallback() { if (this._h) { this._h.unmount(); this._h = null; } }
      attributeChangedCallback(name, before, now) {
        if (before === now || !this._h) return;
        try { this._h.updateFromAttributes(this); } catch (e) { console.error(e); }
      }
      /** Changes options without remounting, like the handle `mount()` returns. */
      update(partial) {
        if (this._h) this._h.update(partial);
        else this._pending = Object.assign({}, this._pending, partial);
      }
      _mount() {
        if (!this.isConnected) return;
        let target = this;
        if (this.hasAttribute("shadow")) {
          // Opt-in: render in an open shadow root, so hosts style it through ::part().
          const root = this.shadowRoot || this.attachShadow({ mode: "open" });
          target = document.createElement("div");
          root.replaceChildren(target);
        }
        this._h = mount(target, this, this._pending || null);
        this._pending = null;
      }
    });
  } catch (e) {
    // Defined meanwhile by another copy of the widget: that copy serves the element.
    if (!customElements.get("sla-portal")) throw e;
  }
}
"#)]
extern "C" {
    fn adopt_style(css: &str, el: &web_sys::Element);
    #[allow(clippy::type_complexity)]
    fn define_element(
        mount: &Closure<dyn Fn(web_sys::Element, web_sys::HtmlElement, JsValue) -> JsValue>,
    );
}

/// Runs once when the host awaits `init()`: registers the custom element.
#[wasm_bindgen(start)]
pub fn start() {
    type MountFn = dyn Fn(web_sys::Element, web_sys::HtmlElement, JsValue) -> JsValue;
    let mount = Closure::<MountFn>::new(
        |target: web_sys::Element, el: web_sys::HtmlElement, pending: JsValue| {
            let mut options = Options::from_attributes(|k| el.get_attribute(k));
            if let Ok(o) = options.as_mut() {
                if pending.is_object() {
                    if let Err(e) = o.apply_js(&pending) {
                        options = Err(e);
                    }
                }
            }
            match options {
                Ok(o) => JsValue::from(mount_options(target, o, None)),
                Err(e) => {
                    // No caller to throw to: say it in the element, as text.
                    web_sys::console::error_1(&JsValue::from_str(&format!("<sla-portal>: {e}")));
                    target.set_text_content(Some(&format!("sla-portal: {e}")));
                    JsValue::NULL
                }
            }
        },
    );
    define_element(&mount);
    // The element lives as long as the page, so does its constructor's callback.
    mount.forget();
}

/// Who draws a mounted widget now.
enum Stage {
    /// This build's own app.
    Here(yew::AppHandle<App>),
    /// The full build's widget handle (first paint, after the hand-over).
    #[cfg(feature = "first-paint")]
    Full(JsValue),
    /// Unmounted.
    Gone,
}

/// A mounted widget: `update(partialOptions)` changes it in place, `unmount()` removes it.
#[wasm_bindgen]
pub struct WidgetHandle {
    stage: Rc<RefCell<Stage>>,
    options: Rc<RefCell<Options>>,
    /// The first paint's hand-over callback, kept so each update's props stay equal.
    on_handover: Option<yew::Callback<(JsValue, app::Resume)>>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget. Calling it twice is harmless.
    pub fn unmount(&mut self) {
        let stage = std::mem::replace(&mut *self.stage.borrow_mut(), Stage::Gone);
        match stage {
            Stage::Here(app) => app.destroy(),
            #[cfg(feature = "first-paint")]
            Stage::Full(h) => {
                let _ = handover::call(&h, "unmount", &JsValue::UNDEFINED);
            }
            Stage::Gone => {}
        }
    }

    /// Changes some options without remounting: locale, headers (a refreshed token) and
    /// theme apply at once; the documents are fetched again only when a URL (or `asOf`)
    /// changes, or when new headers or credentials follow a failed load (a refreshed token
    /// after a 401). Throws on bad options and then changes nothing.
    pub fn update(&mut self, partial: JsValue) -> Result<(), JsError> {
        let mut options = self.options.borrow().clone();
        options
            .apply_js(&partial)
            .map_err(|e| JsError::new(&format!("sla-portal update: {e}")))?;
        self.set(options);
        Ok(())
    }

    /// The `<sla-portal>` element's attributes changed: keep what only `update()` can set.
    #[wasm_bindgen(js_name = updateFromAttributes)]
    pub fn update_from_attributes(&mut self, el: &web_sys::Element) -> Result<(), JsError> {
        let mut options = Options::from_attributes(|k| el.get_attribute(k))
            .map_err(|e| JsError::new(&format!("<sla-portal>: {e}")))?;
        {
            let now = self.options.borrow();
            options.headers = now.headers.clone();
            options.theme = now.theme.clone();
            options.timeout_ms = now.timeout_ms;
        }
        self.set(options);
        Ok(())
    }

    fn set(&mut self, options: Options) {
        if options == *self.options.borrow() {
            return;
        }
        *self.options.borrow_mut() = options.clone();
        match &mut *self.stage.borrow_mut() {
            Stage::Here(app) => app.update(AppProps {
                options: Rc::new(options),
                resume: None,
                responses: None,
                on_handover: self.on_handover.clone(),
            }),
            // Every key, so the full build ends with exactly these options.
            #[cfg(feature = "first-paint")]
            Stage::Full(h) => {
                if let Err(e) = handover::call(h, "update", &options.to_js()) {
                    web_sys::console::error_1(&e);
                }
            }
            Stage::Gone => {}
        }
    }
}

fn mount_options(
    el: web_sys::Element,
    options: Options,
    responses: Option<Rc<api::Responses>>,
) -> WidgetHandle {
    adopt_style(CSS, &el);
    let stage = Rc::new(RefCell::new(Stage::Gone));
    let options = Rc::new(RefCell::new(options));
    let on_handover = hand_over(&el, &stage, &options);
    let props = AppProps {
        options: Rc::new(options.borrow().clone()),
        resume: None,
        responses,
        on_handover: on_handover.clone(),
    };
    *stage.borrow_mut() =
        Stage::Here(yew::Renderer::<App>::with_root_and_props(el, props).render());
    WidgetHandle {
        stage,
        options,
        on_handover,
    }
}

/// First paint: what happens when the full build has loaded. It mounts over `el` with the
/// same documents, view and options; then this build's app goes. If it throws, this build
/// stays (the overview keeps working; the other tabs stay pending).
#[cfg(feature = "first-paint")]
fn hand_over(
    el: &web_sys::Element,
    stage: &Rc<RefCell<Stage>>,
    options: &Rc<RefCell<Options>>,
) -> Option<yew::Callback<(JsValue, app::Resume)>> {
    let (el, stage, options) = (el.clone(), stage.clone(), options.clone());
    Some(yew::Callback::from(
        move |(full, resume): (JsValue, app::Resume)| {
            if !matches!(*stage.borrow(), Stage::Here(_)) {
                return;
            }
            let opts = options.borrow().clone();
            match handover::start_full(&full, &el, &opts, &resume) {
                Ok(h) => {
                    let first = std::mem::replace(&mut *stage.borrow_mut(), Stage::Full(h));
                    if let Stage::Here(app) = first {
                        app.destroy();
                    }
                }
                Err(e) => web_sys::console::error_1(&e),
            }
        },
    ))
}

/// The full build is the whole widget: nothing to hand over to.
#[cfg(not(feature = "first-paint"))]
fn hand_over(
    _: &web_sys::Element,
    _: &Rc<RefCell<Stage>>,
    _: &Rc<RefCell<Options>>,
) -> Option<yew::Callback<(JsValue, app::Resume)>> {
    None
}

/// The full build taking over from the first paint (`crate::handover`): mounts over
/// `element` with the documents the first paint read, on its tab and month.
#[cfg(not(feature = "first-paint"))]
#[wasm_bindgen]
pub fn takeover(
    element: web_sys::Element,
    options: JsValue,
    resume: JsValue,
) -> Result<WidgetHandle, JsError> {
    let options = Options::from_js(&options)
        .map_err(|e| JsError::new(&format!("sla-portal takeover: {e}")))?;
    let resume = app::Resume::from_js(&resume).map_err(|e| JsError::new(&e))?;
    let props = AppProps {
        options: Rc::new(options.clone()),
        resume: Some(Rc::new(resume)),
        responses: None,
        on_handover: None,
    };
    Ok(WidgetHandle {
        stage: Rc::new(RefCell::new(Stage::Here(
            yew::Renderer::<App>::with_root_and_props(element, props).render(),
        ))),
        options: Rc::new(RefCell::new(options)),
        on_handover: None,
    })
}

/// Mounts the widget into `element` (its content is replaced). Throws on bad options.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<WidgetHandle, JsError> {
    let fail = |e: String| JsError::new(&format!("sla-portal mount: {e}"));
    let responses = api::Responses::from_options(&options).map_err(fail)?;
    let options = Options::from_js(&options).map_err(fail)?;
    element.set_text_content(None);
    Ok(mount_options(element, options, responses.map(Rc::new)))
}

/// A document given to `report()`: a string or a `Uint8Array` (bytes are cheaper).
#[cfg(not(feature = "first-paint"))]
fn bytes_of(v: &JsValue, what: &str) -> Result<Vec<u8>, JsError> {
    use wasm_bindgen::JsCast;
    if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
        Ok(a.to_vec())
    } else if let Some(s) = v.as_string() {
        Ok(s.into_bytes())
    } else {
        Err(JsError::new(&format!(
            "report: {what} must be a string or a Uint8Array"
        )))
    }
}

/// The report JSON text for the documents, computed like the widget does.
/// `options`: `{ asOf?: string, policy?: string | Uint8Array }`; `asOf` defaults to now.
/// Throws an `Error` whose message is `FILE: PATH: message` on bad input.
///
/// Exported by the full build only (`sla_portal_full.js`): a host's first paint needs no
/// report text, and its serialisation is kilobytes the first paint does without.
#[cfg(not(feature = "first-paint"))]
#[wasm_bindgen]
pub fn report(usage: JsValue, incidents: JsValue, options: JsValue) -> Result<String, JsError> {
    let usage = bytes_of(&usage, "usage")?;
    let incidents = bytes_of(&incidents, "incidents")?;
    let get = |k: &str| {
        if options.is_object() {
            js_sys::Reflect::get(&options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        }
    };
    let policy = match get("policy") {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(bytes_of(&v, "policy")?),
    };
    let as_of = get("asOf")
        .as_string()
        .unwrap_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()));
    load::report_json(&usage, &incidents, policy.as_deref(), &as_of)
        .map_err(|e| JsError::new(&e.to_string()))
}
