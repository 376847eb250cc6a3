//! The claims list shared with every tab through a context ([`ClaimsProvider`]): read at
//! mount and with each re-check. The requests and their errors are `crate::api::claims`'.

use std::rc::Rc;

use sla_rules::claims::{claimed_periods, ClaimRecord};
use yew::prelude::*;

use crate::api::{self, Cancel, ClaimError, Receipt, Receipts};
use crate::options::Options;

/// Where the claims list stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimsStatus {
    /// No `claimsUrl`: claiming is not offered.
    Disabled,
    Loading,
    Ready,
    Failed(ClaimError),
}

/// The claims of the caller's contract, shared by the periods table, the entitlement and the flow.
#[derive(Clone, PartialEq)]
pub struct ClaimsCtx {
    pub status: ClaimsStatus,
    pub claims: Rc<Vec<ClaimRecord>>,
    /// Fetches the list again.
    pub reload: Callback<()>,
    /// Adds (or replaces, by claim_id) a claim the server just confirmed.
    pub confirmed: Callback<ClaimRecord>,
}

/// Each claim's current receipt, by claim_id (`crate::signatures` checks them), and how a
/// claim just filed brings its own. A context of its own, not members of [`ClaimsCtx`]: the
/// first paint's periods table reads that one, and its layout is bytes of the first paint.
#[derive(Clone, PartialEq)]
pub struct ReceiptsCtx {
    pub receipts: Rc<Receipts>,
    /// The receipt of a claim the server just confirmed (`None`: it signed nothing).
    pub filed: Callback<(String, Option<Receipt>)>,
}

impl ClaimsCtx {
    pub fn claimed(&self) -> Vec<String> {
        claimed_periods(&self.claims)
    }
}

#[derive(Properties, PartialEq)]
pub struct ClaimsProviderProps {
    pub options: Rc<Options>,
    pub children: Children,
    /// Told of every claim the server confirms (the host's `sla-portal:claim-filed`).
    #[prop_or_default]
    pub on_claim_filed: Callback<ClaimRecord>,
    /// When the shell last found the documents current (ms since the epoch; 0 before the
    /// first load). Each later re-check reads the claims list again, so an operator's
    /// decision shows without a reload.
    #[prop_or_default]
    pub checked_at: f64,
}

/// Fetches the claims list at mount (and on `reload`, and again with each re-check of the
/// documents, conditionally on its `ETag`) and provides [`ClaimsCtx`].
#[component]
pub fn ClaimsProvider(props: &ClaimsProviderProps) -> Html {
    let status = use_state(|| {
        if props.options.claims_url.is_some() {
            ClaimsStatus::Loading
        } else {
            ClaimsStatus::Disabled
        }
    });
    let claims = use_state(|| Rc::new(Vec::<ClaimRecord>::new()));
    let receipts = use_state(|| Rc::new(Receipts::new()));
    let generation = use_state(|| 0u32);
    // The `ETag` of the list last read, for the re-checks' conditional reads.
    let tag = use_mut_ref(|| None::<String>);
    {
        let (status, claims, tag) = (status.clone(), claims.clone(), tag.clone());
        let receipts = receipts.clone();
        // Keyed on the URL: a refreshed token (`update()`) does not refetch the list.
        let opts = props.options.clone();
        use_effect_with((props.options.claims_url.clone(), *generation), move |_| {
            let cancel = Cancel::new();
            if let Some(url) = opts.claims_url.clone() {
                let (opts, c) = (opts.clone(), cancel.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    // Without a tag: this read must bring the list.
                    let r = api::list_claims(&opts, &url, None, &c).await;
                    if c.is_cancelled() {
                        return;
                    }
                    match r {
                        Ok(Some(list)) => {
                            *tag.borrow_mut() = list.etag;
                            receipts.set(Rc::new(list.receipts));
                            claims.set(Rc::new(list.claims));
                            status.set(ClaimsStatus::Ready);
                        }
                        Ok(None) => {}
                        Err(e) => status.set(ClaimsStatus::Failed(e)),
                    }
                });
            }
            // Unmount or reload: the request is aborted, not merely ignored.
            move || cancel.abort()
        });
    }
    // A refreshed token (`update()`) re-reads a list that failed; a list on screen stays.
    {
        let (status, generation) = (status.clone(), generation.clone());
        use_effect_with(
            (props.options.headers.clone(), props.options.credentials),
            move |_| {
                if matches!(*status, ClaimsStatus::Failed(_)) {
                    generation.set(*generation + 1);
                }
            },
        );
    }
    // The re-checks: quiet, so a failure keeps the list on screen (the next tick tries again)
    // and only a list that was never read says so. The first load's list (0 → a time, or
    // the time a resumed widget starts with) is the one the effect above reads.
    let last = use_mut_ref(|| props.checked_at);
    {
        let (status, claims, tag) = (status.clone(), claims.clone(), tag.clone());
        let receipts = receipts.clone();
        let opts = props.options.clone();
        use_effect_with(props.checked_at, move |at| {
            let cancel = Cancel::new();
            let again = *last.borrow() > 0.0 && *last.borrow() != *at;
            *last.borrow_mut() = *at;
            if let (true, Some(url)) = (again, opts.claims_url.clone()) {
                let c = cancel.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    // With the list's tag: an unchanged list is a 304 and changes nothing.
                    let held = tag.borrow().clone();
                    let r = api::list_claims(&opts, &url, held.as_deref(), &c).await;
                    if let (Ok(Some(list)), false) = (r, c.is_cancelled()) {
                        *tag.borrow_mut() = list.etag;
                        receipts.set(Rc::new(list.receipts));
                        claims.set(Rc::new(list.claims));
                        status.set(ClaimsStatus::Ready);
                    }
                });
            }
            move || cancel.abort()
        });
    }
    let reload = {
        let g = generation.clone();
        Callback::from(move |_| g.set(*g + 1))
    };
    let filed = {
        let receipts = receipts.clone();
        Callback::from(move |(id, receipt): (String, Option<Receipt>)| {
            let mut r: Receipts = (**receipts).clone();
            match receipt {
                Some(x) => r.insert(id, x),
                None => r.remove(&id),
            };
            receipts.set(Rc::new(r));
        })
    };
    let confirmed = {
        let claims = claims.clone();
        let told = props.on_claim_filed.clone();
        Callback::from(move |c: ClaimRecord| {
            told.emit(c.clone());
            let mut v: Vec<ClaimRecord> = (**claims).clone();
            v.retain(|x| x.claim_id != c.claim_id);
            v.push(c);
            claims.set(Rc::new(v));
        })
    };
    let ctx = ClaimsCtx {
        status: (*status).clone(),
        claims: (*claims).clone(),
        reload,
        confirmed,
    };
    let signed = ReceiptsCtx {
        receipts: (*receipts).clone(),
        filed,
    };
    html! {
        <ContextProvider<ClaimsCtx> context={ctx}>
            <ContextProvider<ReceiptsCtx> context={signed}>
                { props.children.clone() }
            </ContextProvider<ReceiptsCtx>>
        </ContextProvider<ClaimsCtx>>
    }
}
