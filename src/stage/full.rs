//! The full build's side of each difference: every tab, the statement, exports, re-checks
//! and the claims, the `takeover()` the first paint calls, and `report()`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::env::{Checked, ViewProps};
use crate::export;
use crate::live::Live;
use crate::options::Options;
use crate::refresh::Held;
use crate::signatures::{SignCtx, Signatures};
use crate::state::{Loaded, State};
use crate::tab::Tab;
use crate::views;

use super::Resume;

/// Nothing to hand over to: the full build is the whole widget.
pub struct Handover;

#[hook]
pub fn use_handover(
    _on_handover: &Option<Callback<(JsValue, Resume)>>,
    _state: &UseReducerHandle<State>,
    _held: &Rc<RefCell<Held>>,
    _uid: u32,
) -> Handover {
    Handover
}

/// The view of `tab`.
pub fn panel(tab: Tab, props: ViewProps, _: &Handover) -> Html {
    views::tabs::view(tab, props)
}

/// The printable statement under every tab.
pub fn statement(props: ViewProps) -> Html {
    html! { <views::statement::Statement ..props /> }
}

/// The header's export button `what` (`periods`, `outages`, anything else: the report JSON).
pub fn export(data: &Rc<Loaded>, what: &'static str) -> Option<Callback<MouseEvent>> {
    let data = data.clone();
    Some(Callback::from(move |_: MouseEvent| {
        let r = &data.ev.report;
        match what {
            "periods" => export::download(
                &export::file_name(&r.contract_id, "periods", "csv"),
                "text/csv;charset=utf-8",
                &format!("\u{feff}{}", export::periods_csv(r)),
            ),
            "outages" => export::download(
                &export::file_name(&r.contract_id, "outages", "csv"),
                "text/csv;charset=utf-8",
                &format!("\u{feff}{}", export::outages_csv(r)),
            ),
            _ => export::download(
                &export::file_name(&r.contract_id, "report", "json"),
                "application/json",
                &export::report_json(r),
            ),
        }
    }))
}

/// How long ago the documents were found current, for "updated N s ago".
#[hook]
pub fn use_checked() -> Option<Checked> {
    use_context::<Checked>()
}

/// The running re-checks of a shown report; dropping them stops them.
pub type Rechecks = Live;

/// Starts the re-checks of a shown report, every `seconds`.
pub fn recheck(
    seconds: u32,
    opts: Rc<RefCell<Rc<Options>>>,
    held: Rc<RefCell<Held>>,
    dispatch: UseReducerDispatcher<State>,
) -> Rechecks {
    Live::start(seconds, opts, held, dispatch)
}

/// The contexts the views read: the documents' age, the claims list and the signature
/// checks.
pub struct Providers {
    on_claim_filed: Callback<sla_rules::claims::ClaimRecord>,
    signatures: Rc<Signatures>,
}

#[hook]
pub fn use_providers(root: &NodeRef) -> Providers {
    let on_claim_filed = use_callback(root.clone(), |c: sla_rules::claims::ClaimRecord, root| {
        crate::host_events::claim_filed(root, &c)
    });
    // One per widget, for its life: the JWKS it fetched and the signatures it checked.
    let signatures = use_memo((), {
        let root = root.clone();
        move |_| Signatures::new(root)
    });
    Providers {
        on_claim_filed,
        signatures,
    }
}

impl Providers {
    /// `body` under the contexts: the claims list is fetched once at load and shared by the
    /// periods table and the Claims tab.
    pub fn wrap(&self, body: Html, options: &Rc<Options>, checked_at: f64) -> Html {
        let on_claim_filed = self.on_claim_filed.clone();
        self.signatures.set_options(options);
        html! {
            <ContextProvider<SignCtx> context={SignCtx(self.signatures.clone())}>
                <crate::claims_api::ClaimsProvider options={options.clone()} {on_claim_filed} {checked_at}>
                    <ContextProvider<Checked> context={Checked(checked_at)}>
                        { body }
                    </ContextProvider<Checked>>
                </crate::claims_api::ClaimsProvider>
            </ContextProvider<SignCtx>>
        }
    }
}

/// What a handle renders: a group (`contractsUrl`, `crate::group`) or one contract's report.
pub type Root = crate::group::Widget;

/// The full build draws groups itself.
pub const DELEGATES_GROUPS: bool = false;

/// Only the first paint mounts a full build for a group.
pub fn mount_full(_: &web_sys::Element, _: &Options) -> JsValue {
    JsValue::NULL
}

/// The shell's hand-over callback: none, there is nothing to hand over to.
pub fn hand_over(_: Callback<(JsValue, Resume)>) -> Option<Callback<(JsValue, Resume)>> {
    None
}

/// Only the first paint calls a full build's handle.
pub fn call(_: &JsValue, _: &str, _: &JsValue) -> Result<JsValue, JsValue> {
    Err(JsValue::from_str(
        "the full build has no other build to call",
    ))
}

/// Only the first paint starts a full build.
pub fn start_full(
    _: &JsValue,
    _: &web_sys::Element,
    _: &Options,
    _: &Resume,
) -> Result<JsValue, JsValue> {
    Err(JsValue::from_str("the full build has nothing to start"))
}

/// The full build taking over from the first paint: mounts over `element` with the
/// documents the first paint read, on its tab and month.
#[wasm_bindgen]
pub fn takeover(
    element: web_sys::Element,
    options: JsValue,
    resume: JsValue,
) -> Result<crate::WidgetHandle, JsError> {
    let options = Options::from_js(&options)
        .map_err(|e| JsError::new(&format!("sla-portal takeover: {e}")))?;
    let resume = Resume::from_js(&resume).map_err(|e| JsError::new(&e))?;
    Ok(crate::mount_resumed(element, options, resume))
}

/// A document given to `report()`: a string or a `Uint8Array` (bytes are cheaper).
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
    crate::load::report_json(&usage, &incidents, policy.as_deref(), &as_of)
        .map_err(|e| JsError::new(&e.to_string()))
}
