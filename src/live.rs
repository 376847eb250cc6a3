//! Re-checks of the report on screen: every `refreshSeconds`, and on return to a visible page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use crate::api::Cancel;
use crate::options::Options;
use crate::refresh::{self, Held};
use crate::state::{Action, Loaded, State};

/// The running re-checks of one shown report; dropping it stops them (unmount, reload,
/// another `refreshSeconds`) and aborts a re-check on its way.
pub struct Live {
    _tick: gloo_timers::callback::Interval,
    cancel: Cancel,
    on_visible: Option<wasm_bindgen::closure::Closure<dyn Fn()>>,
}

impl Live {
    pub fn start(
        seconds: u32,
        opts: Rc<RefCell<Rc<Options>>>,
        held: Rc<RefCell<Held>>,
        dispatch: UseReducerDispatcher<State>,
    ) -> Live {
        use wasm_bindgen::JsCast;
        let cancel = Cancel::new();
        let busy = Rc::new(Cell::new(false));
        let last = Rc::new(Cell::new(js_sys::Date::now()));
        let check = {
            let cancel = cancel.clone();
            let last = last.clone();
            Rc::new(move || {
                // Hidden page: no request at all. A claim on its way: the report stays as
                // the claim saw it. A check still running: it will report for both.
                let claims = opts.borrow().claims_url.clone();
                if page_hidden() || crate::api::claim_in_flight(claims.as_deref()) || busy.get() {
                    return;
                }
                busy.set(true);
                let opts = opts.borrow().clone();
                let (held, dispatch) = (held.clone(), dispatch.clone());
                let (cancel, busy, last) = (cancel.clone(), busy.clone(), last.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let r = refresh::recheck(&opts, &held, &cancel).await;
                    busy.set(false);
                    if cancel.is_cancelled() {
                        return;
                    }
                    match r {
                        Ok(Some(ev)) => dispatch.dispatch(Action::Loaded(Rc::new(Loaded { ev }))),
                        Ok(None) => {}
                        // The last good report stays; "updated N s ago" shows its age.
                        Err(_) => return,
                    }
                    let now = js_sys::Date::now();
                    last.set(now);
                    dispatch.dispatch(Action::Checked(now));
                });
            })
        };
        let period_ms = f64::from(seconds) * 1000.0;
        let tick = {
            let check = check.clone();
            gloo_timers::callback::Interval::new(seconds.saturating_mul(1000), move || check())
        };
        // Back to a visible page after a missed tick: check now rather than up to a period later.
        let on_visible = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if !page_hidden() && js_sys::Date::now() - last.get() >= period_ms {
                check();
            }
        });
        let listening = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| {
                d.add_event_listener_with_callback(
                    "visibilitychange",
                    on_visible.as_ref().unchecked_ref(),
                )
                .is_ok()
            })
            .unwrap_or(false);
        Live {
            _tick: tick,
            cancel,
            on_visible: listening.then_some(on_visible),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        self.cancel.abort();
        if let (Some(f), Some(d)) = (
            self.on_visible.as_ref(),
            web_sys::window().and_then(|w| w.document()),
        ) {
            let _ = d.remove_event_listener_with_callback(
                "visibilitychange",
                f.as_ref().unchecked_ref(),
            );
        }
    }
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}
