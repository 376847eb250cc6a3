//! The operator console, `<sla-operator>` and `mountOperator()`: the provider's side of a claim (the queue, a claim's page with the client's recomputed evidence, a decision, what the provider owes). Full build only: it adds no byte to a client's first paint.
//!
//! Fronted by static/operator.js (appended to the full module only, scripts/front.cjs),
//! which calls [`mount_operator`] once the wasm is ready. The console reads the operator
//! routes of the reference server (docs/DATA_CONTRACT.md, "operator"); a claim's evidence is
//! the client's own documents, fetched through the operator's read-only document routes and
//! evaluated by the same loading path and drawn by the same views as the client's widget
//! ([`claim`]). Which decisions are offered is the core's workflow
//! (`ClaimStatus::can_move_to`), never a list of its own.

pub mod api;
pub mod claim;
pub mod common;
pub mod console;
pub mod decision;
pub mod exposure;
pub mod options;
pub mod queue;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

pub use options::OpOptions;

/// Who draws a mounted console now.
enum Mounted {
    /// Yew's scheduler renders it soon (see `crate::render_when_scheduled` for why).
    Queued,
    Here(yew::AppHandle<console::Console>),
    Gone,
}

/// A mounted console: `update(partial)` changes options in place, `unmount()` removes it.
#[wasm_bindgen]
pub struct OperatorHandle {
    mounted: Rc<RefCell<Mounted>>,
    options: Rc<RefCell<OpOptions>>,
}

#[wasm_bindgen]
impl OperatorHandle {
    /// Removes the console. Calling it twice is harmless.
    pub fn unmount(&mut self) {
        if let Mounted::Here(app) =
            std::mem::replace(&mut *self.mounted.borrow_mut(), Mounted::Gone)
        {
            app.destroy();
        }
    }

    /// Changes some options without remounting (a refreshed token, the locale, the
    /// theme). Throws on bad options and then changes nothing.
    pub fn update(&mut self, partial: JsValue) -> Result<(), JsError> {
        let mut o = self.options.borrow().clone();
        o.apply_js(&partial)
            .map_err(|e| JsError::new(&format!("sla-operator update: {e}")))?;
        if o == *self.options.borrow() {
            return Ok(());
        }
        *self.options.borrow_mut() = o.clone();
        if let Mounted::Here(app) = &mut *self.mounted.borrow_mut() {
            app.update(console::ConsoleProps {
                options: Rc::new(o),
            });
        }
        Ok(())
    }
}

#[wasm_bindgen(inline_js = r#"
// Names of their own: scripts/build-widget folds every snippet into one module scope.
let opSheet = null;
const opStyled = new WeakSet();
export function adopt_operator_style(css, el) {
  // The console's own sheet, beside the widget's: constructed, so a host's CSP style-src
  // does not apply; one per document or shadow root.
  const root = el.getRootNode ? el.getRootNode() : document;
  const target = root instanceof ShadowRoot ? root : document;
  if (opStyled.has(target)) return;
  opStyled.add(target);
  try {
    if (!opSheet) { opSheet = new CSSStyleSheet(); opSheet.replaceSync(css); }
    target.adoptedStyleSheets = [...target.adoptedStyleSheets, opSheet];
  } catch (_) {
    const style = document.createElement("style");
    style.textContent = css;
    (target === document ? document.head : target).appendChild(style);
  }
}
"#)]
extern "C" {
    fn adopt_operator_style(css: &str, el: &web_sys::Element);
}

/// The console's stylesheet (the widget's own, `crate::CSS`, styles what they share).
const OP_CSS: &str = include_str!("operator.css");

/// Mounts the console into `element` (its content is replaced). Throws on bad options.
/// Exported as `__mountOperator`: hosts call static/operator.js's `mountOperator()`.
#[wasm_bindgen(js_name = __mountOperator)]
pub fn mount_operator(
    element: web_sys::Element,
    options: JsValue,
) -> Result<OperatorHandle, JsError> {
    let options = OpOptions::from_js(&options)
        .map_err(|e| JsError::new(&format!("sla-operator mount: {e}")))?;
    element.set_text_content(None);
    crate::adopt_style(crate::CSS, &element);
    adopt_operator_style(OP_CSS, &element);
    let mounted = Rc::new(RefCell::new(Mounted::Queued));
    let options = Rc::new(RefCell::new(options));
    struct Render(Box<dyn FnOnce()>);
    impl yew::scheduler::Runnable for Render {
        fn run(self: Box<Self>) {
            (self.0)()
        }
    }
    let (m, o) = (mounted.clone(), options.clone());
    yew::scheduler::push(Box::new(Render(Box::new(move || {
        if !matches!(*m.borrow(), Mounted::Queued) {
            return;
        }
        let props = console::ConsoleProps {
            options: Rc::new(o.borrow().clone()),
        };
        let app = yew::Renderer::<console::Console>::with_root_and_props(element, props).render();
        *m.borrow_mut() = Mounted::Here(app);
    }))));
    Ok(OperatorHandle { mounted, options })
}
