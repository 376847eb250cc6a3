//! A widget's loading of its documents: the first load (a mount, a retry, a new URL), with
//! progress per document, then one evaluation by the core. Re-checks are `crate::live`'s.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::api::{Cancel, FetchError, Known, Responses};
use crate::load::LoadError;
use crate::options::Options;
use crate::refresh::{self, Held};
use crate::state::{Action, Doc, DocProgress, Loaded, State};

/// Fetches the documents concurrently, then evaluates them with the core.
pub async fn load(
    opts: Rc<Options>,
    cancel: Cancel,
    dispatch: UseReducerDispatcher<State>,
    held: Rc<RefCell<Held>>,
    responses: Option<Rc<Responses>>,
) {
    let given = |doc: &str| responses.as_ref().and_then(|r| r.take(doc));
    let (gu, gi, gp) = (given("usage"), given("incidents"), given("policy"));
    let progress = |doc: Doc| {
        let d = dispatch.clone();
        let c = cancel.clone();
        move |received: u64, total: Option<u64>| {
            if !c.is_cancelled() {
                d.dispatch(Action::Progress(
                    doc,
                    DocProgress {
                        received,
                        total,
                        started: true,
                    },
                ));
            }
        }
    };
    let (pu, pi, pp) = (
        progress(Doc::Usage),
        progress(Doc::Incidents),
        progress(Doc::Policy),
    );
    let got = refresh::fetch_all(
        &opts,
        &cancel,
        [
            Known::response(gu.as_ref()),
            Known::response(gi.as_ref()),
            Known::response(gp.as_ref()),
        ],
        [&pu, &pi, &pp],
    )
    .await;
    if cancel.is_cancelled() {
        return;
    }
    let (u, i, p) = match got {
        Ok(d) => d,
        Err(FetchError::Cancelled) => return,
        Err(e) => return dispatch.dispatch(Action::Failed(LoadError::Fetch(e))),
    };
    let docs = Held::loaded(u, i, p, opts.fetch_key());
    crate::mark("sla-portal:data-received");
    dispatch.dispatch(Action::Computing);
    // Let the browser paint the "computing" state before the core runs.
    gloo_timers::future::TimeoutFuture::new(0).await;
    if cancel.is_cancelled() {
        return;
    }
    match refresh::evaluate(&docs, &opts) {
        Ok(ev) => {
            crate::mark("sla-portal:report-computed");
            *held.borrow_mut() = docs;
            dispatch.dispatch(Action::Loaded(Rc::new(Loaded { ev })));
            dispatch.dispatch(Action::Checked(js_sys::Date::now()));
        }
        Err(e) => dispatch.dispatch(Action::Failed(e)),
    }
}
