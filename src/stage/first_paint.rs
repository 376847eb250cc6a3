//! The first paint's side of each difference: the overview only, no statement, exports,
//! re-checks or claims, and the hand-over to the full build once the report is on screen.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::api::Cancel;
use crate::env::{Checked, ViewProps};
use crate::i18n::Key;
use crate::options::Options;
use crate::refresh::Held;
use crate::state::{Action, Loaded, Phase, State};
use crate::tab::Tab;
use crate::views::overview::{Bare, Overview};

use super::Resume;

/// Where loading the full build stands: a failure makes the other tabs offer Retry. The
/// state itself is the shell's (`State::handover_failed`), this is a view of it.
pub struct Handover {
    failed: bool,
    dispatch: UseReducerDispatcher<State>,
}

/// Once the report is on screen, loads the full build in the background and hands it the
/// documents and the view (`on_handover`, from the widget's handle). A failed load is
/// retried when the user presses Retry on a tab only the full build draws.
#[hook]
pub fn use_handover(
    on_handover: &Option<Callback<(JsValue, Resume)>>,
    state: &UseReducerHandle<State>,
    held: &Rc<RefCell<Held>>,
    uid: u32,
) -> Handover {
    // The view as of the last render: the hand-over happens later, and carries the latest.
    let view = use_mut_ref(|| (state.tab, state.month.clone(), state.checked_at));
    *view.borrow_mut() = (state.tab, state.month.clone(), state.checked_at);
    let ready = matches!(state.phase, Phase::Ready(_));
    let on_handover = on_handover.clone();
    let held = held.clone();
    let dispatch = state.dispatcher();
    use_effect_with((ready, state.handover_attempt), move |(ready, _)| {
        let cancel = Cancel::new();
        if let (true, Some(on_handover)) = (*ready, on_handover) {
            let c = cancel.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = load_full().await;
                if c.is_cancelled() {
                    return;
                }
                let Ok(full) = loaded else {
                    return dispatch.dispatch(Action::HandoverFailed);
                };
                let (tab, month, checked_at) = view.borrow().clone();
                let resume = Resume {
                    held: held.borrow().clone(),
                    tab,
                    month,
                    checked_at,
                    uid,
                };
                on_handover.emit((full, resume));
            });
        }
        move || cancel.abort()
    });
    Handover {
        failed: state.handover_failed,
        dispatch: state.dispatcher(),
    }
}

/// The overview; any other tab waits for the full build (or offers Retry if it failed).
pub fn panel(tab: Tab, props: ViewProps, handover: &Handover) -> Html {
    let env = &props.env;
    match (tab, handover.failed) {
        (Tab::Overview, _) => html! { <Overview<Bare> ..props /> },
        (_, true) => {
            let retry = handover.dispatch.clone();
            html! {
                <div class="slap-error" role="alert" data-sla-pending-tab={tab.id()}>
                    <p>{ env.t(Key::TabLoadFailed) }</p>
                    <button type="button" class="slap-button slap-retry" onclick={move |_| retry.dispatch(Action::HandoverRetry)}>{ env.t(Key::Retry) }</button>
                </div>
            }
        }
        (_, false) => html! {
            <p class="slap-muted" role="status" aria-busy="true" data-sla-pending-tab={tab.id()}>{ env.t(Key::TabLoading) }</p>
        },
    }
}

/// The printable statement is the full build's.
pub fn statement(_: ViewProps) -> Html {
    Html::default()
}

/// The export buttons are drawn disabled: the full build, a moment later, makes the files.
pub fn export(_: &Rc<Loaded>, _: &'static str) -> Option<Callback<MouseEvent>> {
    None
}

/// "Updated N s ago" is the full build's: the first paint re-checks nothing.
#[hook]
pub fn use_checked() -> Option<Checked> {
    None
}

/// No re-checks: the first paint hands over before one is due, and the full build re-checks.
/// A type of its own (not `Option<Live>`), so the first paint links no code to stop them.
pub struct Rechecks;

pub fn recheck(
    _: u32,
    _: Rc<RefCell<Rc<Options>>>,
    _: Rc<RefCell<Held>>,
    _: UseReducerDispatcher<State>,
) -> Rechecks {
    Rechecks
}

/// The contexts the views read: none, since the first paint shows neither the age of the
/// documents nor the claims (the full build fetches the claims list when it takes over).
pub struct Providers;

#[hook]
pub fn use_providers(_root: &NodeRef) -> Providers {
    Providers
}

impl Providers {
    pub fn wrap(&self, body: Html, _: &Rc<Options>, _: f64) -> Html {
        body
    }
}

/// What a handle renders: the report's shell. A group (`contractsUrl`) is the full build's
/// alone ([`DELEGATES_GROUPS`]), so the first paint carries none of it.
pub type Root = crate::app::App;

/// A group's list comes before any report, so the first paint has nothing to draw early:
/// its handle mounts the full build at once ([`mount_full`]).
pub const DELEGATES_GROUPS: bool = true;

/// A handle for a group drawn by the full build: it loads the full build and mounts it over
/// `el`, passing on the updates (and an unmount) that come meanwhile. In JS, because each
/// piece of Rust here cost the first paint hundreds of bytes.
pub fn mount_full(el: &web_sys::Element, options: &Options) -> JsValue {
    group_handle(el, &super::options_to_js(options))
}

/// The widget's handle gives the shell its hand-over callback.
pub fn hand_over(callback: Callback<(JsValue, Resume)>) -> Option<Callback<(JsValue, Resume)>> {
    Some(callback)
}

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
export function group_handle(el, options) {
  let h, gone, last;
  load_full_module().then((full) => {
    // The full build's mount() would replace the element's live widget, which is this very
    // handle's owner (static/host.js): it stays the element's widget, the full one serves it.
    const live = globalThis[Symbol.for("sla-portal")].live, mine = live.get(el);
    if (!gone) { live.delete(el); h = full.mount(el, options); live.set(el, mine); if (last) h.update(last); }
  }, console.error);
  return { update(o) { h ? h.update(o) : (last = o); }, unmount() { gone = 1; if (h) h.unmount(); } };
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
    fn group_handle(el: &web_sys::Element, options: &JsValue) -> JsValue;
    /// Calls `method` (`update`, `unmount`) on the full build's handle.
    #[wasm_bindgen(catch, js_name = call_handle)]
    pub fn call(handle: &JsValue, method: &str, arg: &JsValue) -> Result<JsValue, JsValue>;
}

/// The full build's module, imported and initialised once per page.
async fn load_full() -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(load_full_module()?).await
}

/// Mounts the full build's widget over `el` (the first paint's nodes are removed after).
pub fn start_full(
    full: &JsValue,
    el: &web_sys::Element,
    options: &Options,
    resume: &Resume,
) -> Result<JsValue, JsValue> {
    take_over(full, el, &super::options_to_js(options), &resume.to_js())
}
