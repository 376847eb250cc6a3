//! The SLA portal widget: a Yew app a host page embeds with `init()` + `mount()` or `<sla-portal>`.
//!
//! JS API (docs/DATA_CONTRACT.md, "Embedding"):
//! - `init()` (wasm-bindgen's default export) runs [`start`], which registers `<sla-portal>`;
//! - `mount(element, options)` returns a [`WidgetHandle`] with `unmount()`;
//! - `report(usage, incidents, options)` returns the report JSON text, no UI.

pub mod app;
pub mod charts;
pub mod claims_api;
pub mod draft;
pub mod export;
pub mod fetch;
pub mod i18n;
pub mod intl;
pub mod load;
pub mod options;
pub mod state;
pub mod views;

use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::{App, AppProps};
use crate::options::Options;

/// The widget's stylesheet, compiled in so a host needs no extra `<link>`.
pub const CSS: &str = include_str!("../static/sla-portal.css");

#[wasm_bindgen(inline_js = r#"
let styled = false;
export function adopt_style(css) {
  if (styled) return;
  styled = true;
  try {
    // A constructed sheet is not subject to a host's CSP style-src.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch (_) {
    const el = document.createElement("style");
    el.setAttribute("data-sla-portal-style", "");
    el.textContent = css;
    document.head.appendChild(el);
  }
}
export function define_element(mount) {
  if (!globalThis.customElements || customElements.get("sla-portal")) return;
  const attrs = ["usage-src", "incidents-src", "claims-src", "policy-src", "locale", "as-of", "credentials"];
  customElements.define("sla-portal", class extends HTMLElement {
    static get observedAttributes() { return attrs; }
    connectedCallback() { this._remount(); }
    disconnectedCallback() { if (this._h) { this._h.unmount(); this._h = null; } }
    attributeChangedCallback() { if (this._h) this._remount(); }
    _remount() {
      if (this._h) { this._h.unmount(); this._h = null; }
      if (this.isConnected) this._h = mount(this);
    }
  });
}
"#)]
extern "C" {
    fn adopt_style(css: &str);
    fn define_element(mount: &Closure<dyn Fn(web_sys::HtmlElement) -> JsValue>);
}

/// Runs once when the host awaits `init()`: registers the custom element.
#[wasm_bindgen(start)]
pub fn start() {
    let mount =
        Closure::<dyn Fn(web_sys::HtmlElement) -> JsValue>::new(|el: web_sys::HtmlElement| {
            match Options::from_attributes(|k| el.get_attribute(k)) {
                Ok(o) => JsValue::from(mount_options(el.into(), o)),
                Err(e) => {
                    // No caller to throw to: say it in the element, as text.
                    web_sys::console::error_1(&JsValue::from_str(&format!("<sla-portal>: {e}")));
                    el.set_text_content(Some(&format!("sla-portal: {e}")));
                    JsValue::NULL
                }
            }
        });
    define_element(&mount);
    // The element lives as long as the page, so does its constructor's callback.
    mount.forget();
}

/// A mounted widget; `unmount()` removes it and cancels its requests.
#[wasm_bindgen]
pub struct WidgetHandle {
    app: Option<yew::AppHandle<App>>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget. Calling it twice is harmless.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

fn mount_options(el: web_sys::Element, options: Options) -> WidgetHandle {
    adopt_style(CSS);
    let props = AppProps {
        options: Rc::new(options),
    };
    WidgetHandle {
        app: Some(yew::Renderer::<App>::with_root_and_props(el, props).render()),
    }
}

/// Mounts the widget into `element` (its content is replaced). Throws on bad options.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<WidgetHandle, JsError> {
    let options =
        Options::from_js(&options).map_err(|e| JsError::new(&format!("sla-portal mount: {e}")))?;
    element.set_text_content(None);
    Ok(mount_options(element, options))
}

/// A document given to `report()`: a string or a `Uint8Array` (bytes are cheaper).
fn bytes_of(v: &JsValue, what: &str) -> Result<Vec<u8>, JsError> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
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
#[wasm_bindgen]
pub fn report(usage: JsValue, incidents: JsValue, options: JsValue) -> Result<String, JsError> {
    let usage = bytes_of(&usage, "usage")?;
    let incidents = bytes_of(&incidents, "incidents")?;
    let get = |k: &str| {
        if options.is_object() {
            Reflect::get(&options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
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
