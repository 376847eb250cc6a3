//! What a host passes to `mountOperator()` (and the element's `update()`), read strictly.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};

use crate::options::Options;

/// The options a host may give the console; anything else is an error, so a misspelt
/// option is not silently ignored.
const KEYS: [&str; 7] = [
    "apiBase",
    "headers",
    "credentials",
    "locale",
    "fallbackLocale",
    "theme",
    "timeoutMs",
];

/// What a host passes to `mountOperator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpOptions {
    /// The server's API root (`/api/v1`, or `https://host/api/v1`): the operator routes
    /// are `{api_base}/operator/…`. No trailing slash.
    pub api_base: String,
    /// Headers, credentials, locale, theme and timeout, read exactly as the widget reads
    /// them (so the transport and the views take them as they are); its document URLs
    /// are placeholders the console never fetches.
    pub http: Options,
}

impl OpOptions {
    pub fn from_js(obj: &JsValue) -> Result<OpOptions, String> {
        let mut o = OpOptions {
            api_base: "/api/v1".into(),
            http: Options {
                usage_url: "-".into(),
                incidents_url: "-".into(),
                timeout_ms: crate::options::DEFAULT_TIMEOUT_MS,
                refresh_seconds: 0,
                ..Options::default()
            },
        };
        o.apply_js(obj)?;
        Ok(o)
    }

    /// Applies the keys present in `obj`; on error nothing is changed.
    pub fn apply_js(&mut self, obj: &JsValue) -> Result<(), String> {
        let o: &Object = obj
            .dyn_ref()
            .filter(|_| obj.is_object())
            .ok_or("options: expected an object")?;
        for k in Object::keys(o).iter() {
            let k = k.as_string().unwrap_or_default();
            if !KEYS.contains(&k.as_str()) {
                return Err(format!(
                    "{k}: not an option of the console ({})",
                    KEYS.join(", ")
                ));
            }
        }
        let mut next = self.clone();
        let base =
            js_sys::Reflect::get(obj, &JsValue::from_str("apiBase")).unwrap_or(JsValue::UNDEFINED);
        if !base.is_undefined() {
            next.api_base = match base.as_string() {
                Some(s) if !s.trim().is_empty() => s.trim().trim_end_matches('/').to_string(),
                _ => return Err("apiBase: expected a URL, e.g. \"/api/v1\"".into()),
            };
        }
        next.http.apply_js(obj)?;
        *self = next;
        Ok(())
    }
}
