//! Tells the host page what happened: `sla-portal:*` CustomEvents on the mount element, and the host's theme.
//!
//! Every event bubbles and is composed (it crosses shadow roots), and is dispatched on the
//! element the widget was mounted into (`mount(element, …)` or the `<sla-portal>` element):
//! - `sla-portal:ready` — a summary of the report, once per computed report;
//! - `sla-portal:error` — `{ code, file, path, message }` when the report cannot be shown;
//! - `sla-portal:month-selected` — `{ month }` when the user picks a month;
//! - `sla-portal:claim-filed` — the claim as the server stored it;
//! - `sla-portal:contract-selected` — `{ contract }` when a group shows a contract (the
//!   first one once the list is read, then each switch);
//! - `sla-portal:error` with `code: "signature_invalid"` — a receipt or statement whose
//!   signature does not check out (`crate::signatures`; full build only).
//!
//! Details are plain objects built here; text from the documents stays data (never markup).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, Element, HtmlElement, ShadowRoot};
use yew::prelude::*;

use crate::api::FetchError;
use crate::load::LoadError;
use crate::state::Loaded;
use sla_rules::claims::ClaimRecord;

pub const READY: &str = "sla-portal:ready";
pub const ERROR: &str = "sla-portal:error";
pub const MONTH_SELECTED: &str = "sla-portal:month-selected";
pub const CLAIM_FILED: &str = "sla-portal:claim-filed";
pub const CONTRACT_SELECTED: &str = "sla-portal:contract-selected";

/// `sla-portal:contract-selected`: a group shows contract `id` now.
pub fn contract_selected(root: &NodeRef, id: &str) {
    let o = Object::new();
    set(&o, "contract", id);
    dispatch(root, CONTRACT_SELECTED, &o.into());
}

/// The element the widget was mounted into: the parent of its root, or the host of the
/// shadow root it was rendered into.
pub fn host_of(root: &NodeRef) -> Option<Element> {
    let el = root.cast::<Element>()?;
    let parent = el.parent_node()?;
    match parent.dyn_into::<ShadowRoot>() {
        Ok(shadow) => Some(shadow.host()),
        Err(parent) => parent.dyn_into::<Element>().ok(),
    }
}

/// Dispatches `name` with `detail` on the widget's host element (nothing if it is gone).
pub fn dispatch(root: &NodeRef, name: &str, detail: &JsValue) {
    let Some(target) = host_of(root) else { return };
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&ev);
    }
}

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
}

/// A JS array of the items' text (months are `YYYY-MM`).
fn strings<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> Array {
    items.map(|s| JsValue::from_str(&s.to_string())).collect()
}

/// `sla-portal:ready`: what a host needs to react without reading the report itself.
pub fn ready_detail(l: &Loaded) -> JsValue {
    let r = &l.ev.report;
    let e = &r.entitlement;
    let o = Object::new();
    set(&o, "clientId", r.client_id.as_str());
    set(&o, "contractId", r.contract_id.as_str());
    set(&o, "asOf", r.as_of.to_string());
    set(&o, "months", strings(r.periods.iter().map(|p| &p.month)));
    set(
        &o,
        "judgedMonths",
        strings(
            r.periods
                .iter()
                .filter(|p| p.status == sla_rules::report::PeriodStatus::Judged)
                .map(|p| &p.month),
        ),
    );
    set(&o, "breachedMonths", strings(e.breached_periods.iter()));
    set(&o, "units", e.units as f64);
    set(
        &o,
        "serviceExtensionMonths",
        e.service_extension.months as f64,
    );
    set(&o, "serviceEnd", e.service_extension.service_end.as_str());
    set(&o, "contractCredit", e.contract_credit.contracts as f64);
    set(
        &o,
        "openIncidents",
        r.incidents.iter().filter(|i| i.open).count() as f64,
    );
    set(&o, "warnings", strings(r.warnings.iter()));
    o.into()
}

/// `sla-portal:error`: `{ code, file, path, message }`; `file` is the URL or document name.
pub fn error_detail(e: &LoadError) -> JsValue {
    let (code, file, path, message) = match e {
        LoadError::Fetch(f) => match f {
            FetchError::Http { url, status } => ("http", url.clone(), "", format!("HTTP {status}")),
            FetchError::Timeout { url, seconds } => (
                "timeout",
                url.clone(),
                "",
                format!("no answer within {seconds} s"),
            ),
            FetchError::Network { url, detail } => ("network", url.clone(), "", detail.clone()),
            FetchError::Cancelled => ("cancelled", String::new(), "", String::new()),
        },
        LoadError::NotJson { file, detail } => ("not_json", file.clone(), "", detail.clone()),
        LoadError::Contract(i) => (
            "contract",
            i.file.clone(),
            i.path.as_str(),
            i.message.clone(),
        ),
        LoadError::Options(m) => ("options", String::new(), "", m.clone()),
    };
    let o = Object::new();
    set(&o, "code", code);
    set(&o, "file", file);
    set(&o, "path", path);
    set(&o, "message", message);
    o.into()
}

/// `sla-portal:error` `{ code: "signature_invalid", file, path, message }` for a bad signature
/// (`file`: the URL of the answer it came in, `path`: its JSON path there), dispatched from
/// `node`, anywhere inside a widget, on that widget's host element.
pub fn signature_invalid(node: &NodeRef, file: &str, path: &str, message: &str) {
    // The widget's root, then its host as `host_of` finds it (written apart from `dispatch`,
    // which the first paint links: this is the full build's only).
    let Some(parent) = node
        .cast::<Element>()
        .and_then(|e| e.closest("[data-sla-portal]").ok().flatten())
        .and_then(|root| root.parent_node())
    else {
        return;
    };
    let target = match parent.dyn_into::<ShadowRoot>() {
        Ok(shadow) => shadow.host(),
        Err(parent) => match parent.dyn_into::<Element>() {
            Ok(e) => e,
            Err(_) => return,
        },
    };
    // Reflect::set here, not `set`: this is full-build code, and `set` (which the first paint
    // links) keeps the callers it had, so the compiler inlines it there as before.
    let o = Object::new();
    for (k, v) in [
        ("code", "signature_invalid"),
        ("file", file),
        ("path", path),
        ("message", message),
    ] {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&o.into());
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(ERROR, &init) {
        let _ = target.dispatch_event(&ev);
    }
}

/// `sla-portal:month-selected`.
pub fn month_selected(root: &NodeRef, month: &str) {
    let o = Object::new();
    set(&o, "month", month);
    dispatch(root, MONTH_SELECTED, &o.into());
}

/// `sla-portal:claim-filed`: the stored claim, as the claims API returned it.
pub fn claim_filed(root: &NodeRef, claim: &ClaimRecord) {
    let detail = serde_json::to_string(claim)
        .ok()
        .and_then(|s| js_sys::JSON::parse(&s).ok())
        .unwrap_or(JsValue::NULL);
    dispatch(root, CLAIM_FILED, &detail);
}

/// Fires `ready` for each new report and `error` for each new failure, after the DOM shows it.
#[hook]
pub fn use_phase_events(root: NodeRef, ready: Option<Rc<Loaded>>, failed: Option<LoadError>) {
    use_effect_with((ready, failed), move |(ready, failed)| {
        if let Some(l) = ready {
            dispatch(&root, READY, &ready_detail(l));
        }
        if let Some(e) = failed {
            if !matches!(e, LoadError::Fetch(FetchError::Cancelled)) {
                dispatch(&root, ERROR, &error_detail(e));
            }
        }
    });
}

/// Applies the host's `theme` (`--slap-*` custom properties) to the widget's root, and
/// removes the ones a later `update()` leaves out.
#[hook]
pub fn use_theme(root: NodeRef, theme: Vec<(String, String)>) {
    let applied = use_mut_ref(Vec::<String>::new);
    use_effect_with(theme, move |theme| {
        apply_theme(&root, theme, &applied);
    });
}

fn apply_theme(root: &NodeRef, theme: &[(String, String)], applied: &Rc<RefCell<Vec<String>>>) {
    let Some(el) = root.cast::<HtmlElement>() else {
        return;
    };
    let style = el.style();
    for name in applied.borrow().iter() {
        let _ = style.remove_property(name);
    }
    let mut now = Vec::new();
    for (name, value) in theme {
        if style.set_property(name, value).is_ok() {
            now.push(name.clone());
        }
    }
    *applied.borrow_mut() = now;
}
