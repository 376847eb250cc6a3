//! The SLA portal widget: a Yew app a host page embeds with `init()` + `mount()` or `<sla-portal>`.
//!
//! JS API (docs/DATA_CONTRACT.md, "Embedding"), fronted by static/host.js, which works
//! before the wasm is ready and calls this crate's [`mount`] and [`mount_element`]:
//! - `init()` loads the wasm; importing the module registers `<sla-portal>`;
//! - `mount(element, options)` returns a handle with `update()` and `unmount()` (a
//!   [`WidgetHandle`] once the wasm is ready);
//! - the widget tells the host what happens through events ([`host_events`]);
//! - `report(usage, incidents, options)` returns the report JSON text, no UI (full build).
//!
//! Built twice (see [`stage`]): the first paint is the small module a host loads first,
//! which draws the overview and then hands over to the full build; the full build is the
//! whole widget, with `takeover()` for that hand-over.

pub mod agreement_text;
pub mod api;
pub mod app;
pub mod charts;
pub mod claims_api;
pub mod contracts;
pub mod documents;
pub mod draft;
pub mod env;
pub mod export;
pub mod group;
pub mod host_events;
pub mod i18n;
pub mod intl;
pub mod live;
pub mod load;
pub mod options;
pub mod refresh;
/// Signed receipts and statements, checked with WebCrypto (full build only: the first paint
/// names nothing of it).
pub mod signatures;
pub mod stage;
pub mod state;
pub mod tab;
pub mod views;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::app::AppProps;
use crate::options::Options;
use crate::stage::Resume;

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
"#)]
extern "C" {
    pub(crate) fn adopt_style(css: &str, el: &web_sys::Element);
}

/// `<sla-portal>`'s mount (static/host.js defines the element, so that it exists before the
/// wasm does): the options from `el`'s attributes, then what `update()` gave before it
/// connected (`pending`, with the documents' early `responses`). Bad options are said in the
/// element, as text: there is no caller to throw to.
#[wasm_bindgen(js_name = __mountElement)]
pub fn mount_element(
    target: web_sys::Element,
    el: web_sys::HtmlElement,
    pending: JsValue,
) -> JsValue {
    let mut options = Options::from_attributes(|k| el.get_attribute(k));
    let mut responses = Ok(None);
    if let Ok(o) = options.as_mut() {
        if pending.is_object() {
            if let Err(e) = o.apply_js(&pending) {
                options = Err(e);
            }
            responses = api::Responses::from_options(&pending);
        }
    }
    match (options, responses) {
        (Ok(o), Ok(r)) => JsValue::from(mount_options(target, o, r.map(Rc::new))),
        (Err(e), _) | (_, Err(e)) => {
            web_sys::console::error_1(&JsValue::from_str(&format!("<sla-portal>: {e}")));
            target.set_text_content(Some(&format!("sla-portal: {e}")));
            JsValue::NULL
        }
    }
}

/// Who draws a mounted widget now.
enum Mounted {
    /// Not yet rendered: yew's scheduler runs [`render_when_scheduled`]'s task soon.
    Queued,
    /// This build's own app.
    Here(yew::AppHandle<stage::Root>),
    /// The full build's widget handle (first paint, after the hand-over).
    Full(JsValue),
    /// Unmounted.
    Gone,
}

/// A mounted widget: `update(partialOptions)` changes it in place, `unmount()` removes it.
#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Rc<RefCell<Mounted>>,
    options: Rc<RefCell<Options>>,
    /// The first paint's hand-over callback, kept so each update's props stay equal.
    on_handover: Option<yew::Callback<(JsValue, Resume)>>,
}

/// The app is rendered from a task on yew's own scheduler, not by `mount()` itself: yew
/// queues a creation and runs its queued destructions first, so an `unmount()` in the same
/// tick as `render()` would find nothing to destroy and the app would live on, fetching. Run
/// by the scheduler, the creation follows the render at once, with no host code in between;
/// an `unmount()` before the task ran leaves `Gone`, and the task renders nothing. The task
/// holds the responses and the hand-over callback until then, and drops them either way.
fn render_when_scheduled(
    el: web_sys::Element,
    mounted: &Rc<RefCell<Mounted>>,
    options: &Rc<RefCell<Options>>,
    rest: AppProps,
    keep: Option<fn(&web_sys::Element) -> Vec<web_sys::Node>>,
) {
    struct Render(Box<dyn FnOnce()>);
    impl yew::scheduler::Runnable for Render {
        fn run(self: Box<Self>) {
            (self.0)()
        }
    }
    *mounted.borrow_mut() = Mounted::Queued;
    let (mounted, options) = (mounted.clone(), options.clone());
    yew::scheduler::push(Box::new(Render(Box::new(move || {
        if !matches!(*mounted.borrow(), Mounted::Queued) {
            return;
        }
        let others = keep.map(|f| f(&el)).unwrap_or_default();
        let props = AppProps {
            options: Rc::new(options.borrow().clone()),
            ..rest
        };
        let app = yew::Renderer::<stage::Root>::with_root_and_props(el.clone(), props).render();
        for n in others {
            let _ = el.append_child(&n);
        }
        *mounted.borrow_mut() = Mounted::Here(app);
    }))));
}

/// The full build taking over (`keep` above): yew empties the element, but only the first
/// paint's root is the widget's to remove (gone already, or going with the first paint's
/// app); anything else in it stays: `el`'s children other than a widget root
/// (`[data-sla-portal]`). Passed as a function pointer, so the first paint links none of it.
fn children_but_roots(el: &web_sys::Element) -> Vec<web_sys::Node> {
    let nodes = el.child_nodes();
    (0..nodes.length())
        .filter_map(|i| nodes.get(i))
        .filter(|n| {
            n.dyn_ref::<web_sys::Element>()
                .is_none_or(|e| !e.has_attribute("data-sla-portal"))
        })
        .collect()
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget. Calling it twice is harmless.
    pub fn unmount(&mut self) {
        let mounted = std::mem::replace(&mut *self.mounted.borrow_mut(), Mounted::Gone);
        match mounted {
            Mounted::Here(app) => app.destroy(),
            Mounted::Full(h) => {
                let _ = stage::call(&h, "unmount", &JsValue::UNDEFINED);
            }
            Mounted::Queued | Mounted::Gone => {}
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
        match &mut *self.mounted.borrow_mut() {
            Mounted::Here(app) => app.update(AppProps {
                options: Rc::new(options),
                resume: None,
                responses: None,
                on_handover: self.on_handover.clone(),
            }),
            // Every key, so the full build ends with exactly these options.
            Mounted::Full(h) => {
                if let Err(e) = stage::call(h, "update", &stage::options_to_js(&options)) {
                    web_sys::console::error_1(&e);
                }
            }
            // A queued render reads `self.options` when it runs.
            Mounted::Queued | Mounted::Gone => {}
        }
    }
}

fn mount_options(
    el: web_sys::Element,
    options: Options,
    responses: Option<Rc<api::Responses>>,
) -> WidgetHandle {
    adopt_style(CSS, &el);
    let mounted = Rc::new(RefCell::new(Mounted::Gone));
    let options = Rc::new(RefCell::new(options));
    let on_handover = stage::hand_over(hand_over(&el, &mounted, &options));
    // A group in the first paint: its list comes before any report, so there is nothing to
    // draw early, and the full build draws it from the start (`stage::mount_full`).
    if stage::DELEGATES_GROUPS && options.borrow().contracts_url.is_some() {
        *mounted.borrow_mut() = Mounted::Full(stage::mount_full(&el, &options.borrow()));
        return WidgetHandle {
            mounted,
            options,
            on_handover,
        };
    }
    let rest = AppProps {
        options: Rc::default(),
        resume: None,
        responses,
        on_handover: on_handover.clone(),
    };
    render_when_scheduled(el, &mounted, &options, rest, None);
    WidgetHandle {
        mounted,
        options,
        on_handover,
    }
}

/// What happens when the full build has loaded (the first paint gives it to its shell,
/// `stage::hand_over`): it mounts over `el` with the same documents, view and options; then
/// this build's app goes. If it throws, this build stays (the overview keeps working; the
/// other tabs stay pending).
fn hand_over(
    el: &web_sys::Element,
    mounted: &Rc<RefCell<Mounted>>,
    options: &Rc<RefCell<Options>>,
) -> yew::Callback<(JsValue, Resume)> {
    let (el, mounted, options) = (el.clone(), mounted.clone(), options.clone());
    yew::Callback::from(move |(full, resume): (JsValue, Resume)| {
        if !matches!(*mounted.borrow(), Mounted::Here(_)) {
            return;
        }
        let opts = options.borrow().clone();
        match stage::start_full(&full, &el, &opts, &resume) {
            Ok(h) => {
                let first = std::mem::replace(&mut *mounted.borrow_mut(), Mounted::Full(h));
                if let Mounted::Here(app) = first {
                    app.destroy();
                }
            }
            Err(e) => web_sys::console::error_1(&e),
        }
    })
}

/// The full build's `takeover()` (`crate::stage`): mounts over `element` with the documents
/// the first paint read, on its tab and month.
pub fn mount_resumed(element: web_sys::Element, options: Options, resume: Resume) -> WidgetHandle {
    let mounted = Rc::new(RefCell::new(Mounted::Gone));
    let options = Rc::new(RefCell::new(options));
    let rest = AppProps {
        options: Rc::default(),
        resume: Some(Rc::new(resume)),
        responses: None,
        on_handover: None,
    };
    render_when_scheduled(element, &mounted, &options, rest, Some(children_but_roots));
    WidgetHandle {
        mounted,
        options,
        on_handover: None,
    }
}

/// Mounts the widget into `element` (its content is replaced). Throws on bad options.
/// Exported as `__mount`: hosts call static/host.js's `mount()`, which may run before the
/// wasm is ready and replaces a live widget in `element`.
#[wasm_bindgen(js_name = __mount)]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<WidgetHandle, JsError> {
    let fail = |e: String| JsError::new(&format!("sla-portal mount: {e}"));
    let responses = api::Responses::from_options(&options).map_err(fail)?;
    let options = Options::from_js(&options).map_err(fail)?;
    element.set_text_content(None);
    Ok(mount_options(element, options, responses.map(Rc::new)))
}
