//! What crosses the hand-over from the first paint to the full build: the documents read, the
//! view on screen and the options, as plain JS values both builds read and write.

use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::options::{Credentials, Options};
use crate::refresh::{self, Held, HeldDoc};
use crate::state::{Action, Loaded, State};
use crate::tab::Tab;
use yew::Reducible;

/// What the full build resumes from: the documents read (with their tags, so re-checks stay
/// conditional), the tab and month on screen, and the element ids' instance number.
#[derive(Debug, Clone)]
pub struct Resume {
    pub held: Held,
    pub tab: Tab,
    pub month: Option<String>,
    pub checked_at: f64,
    pub uid: u32,
}

impl PartialEq for Resume {
    /// One hand-over is one value; comparing megabytes of documents on every render is not.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

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
        // The tag keys written out: a format! here is bytes of the first paint.
        let doc = |name: &str, tag: &str, d: Option<&HeldDoc>| {
            let (bytes, etag) = match d {
                Some(d) => (
                    JsValue::from(Uint8Array::from(&d.bytes[..])),
                    d.etag.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                ),
                None => (JsValue::NULL, JsValue::NULL),
            };
            set(&o, name, &bytes);
            set(&o, tag, &etag);
        };
        doc("usage", "usageEtag", Some(&self.held.usage));
        doc("incidents", "incidentsEtag", Some(&self.held.incidents));
        doc("policy", "policyEtag", self.held.policy.as_ref());
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
                None => Tab::Overview,
                Some(id) => Tab::parse(&id)
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

impl Resume {
    /// The state a resumed widget starts in: the report of the held documents, on the same
    /// tab and month. `None`, so the widget loads afresh, when the options ask for other
    /// documents than those handed over (a URL changed while the full build was loading), or
    /// when they no longer evaluate (they did a moment ago, so never in practice).
    pub fn state(&self, options: &Options) -> Option<State> {
        if self.held.source.as_ref() != Some(&options.fetch_key()) {
            return None;
        }
        let ev = refresh::evaluate(&self.held, options).ok()?;
        let mut s = State::new(options.policy_url.is_some());
        // The same reducer steps as a load: the month stays if the report still has it.
        s.month = self.month.clone();
        s.tab = self.tab;
        s.checked_at = self.checked_at;
        Some(Rc::unwrap_or_clone(
            Rc::new(s).reduce(Action::Loaded(Rc::new(Loaded { ev }))),
        ))
    }
}

/// The options as the object [`Options::from_js`] reads (every key): the first paint hands
/// them to the full build, and forwards each `update()` with them, so the full build ends with
/// exactly these options.
pub fn options_to_js(options: &Options) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let map = |pairs: &[(String, String)]| {
        let m = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&m, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        JsValue::from(m)
    };
    set("usageUrl", JsValue::from_str(&options.usage_url));
    set("incidentsUrl", JsValue::from_str(&options.incidents_url));
    set("claimsUrl", opt(&options.claims_url));
    set("subscriptionsUrl", opt(&options.subscriptions_url));
    set("policyUrl", opt(&options.policy_url));
    set("locale", opt(&options.locale_tag));
    set(
        "fallbackLocale",
        JsValue::from_str(options.fallback_locale.tag()),
    );
    set("headers", map(&options.headers));
    set(
        "credentials",
        JsValue::from_str(match options.credentials {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }),
    );
    set("asOf", opt(&options.as_of));
    set(
        "timeoutMs",
        JsValue::from_f64(f64::from(options.timeout_ms)),
    );
    set("theme", map(&options.theme));
    set(
        "refreshSeconds",
        JsValue::from_f64(f64::from(options.refresh_seconds)),
    );
    set("contractsUrl", opt(&options.contracts_url));
    set("contract", opt(&options.contract));
    o.into()
}
