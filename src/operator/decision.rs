//! A decision on a claim: the next statuses the core's workflow allows from the claim's
//! status (`ClaimStatus::can_move_to`), a note (required to reject, checked here before the
//! server does), a confirmation step, and the change sent with `If-Match` on the claim's
//! version. A claim changed meanwhile (412) is reloaded and the page says who changed it;
//! the note is a draft in sessionStorage, so neither a reload nor a refresh loses it.

use std::rc::Rc;

use sla_rules::claims::ClaimStatus;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::api::{self, Decided, OpClaim};
use super::common::{api_error_text, status_label};
use super::options::OpOptions;
use crate::api::Cancel;
use crate::env::Env;
use crate::i18n::Key;

/// The server's limit for an operator's note (crates/sla-server/src/operator.rs).
pub const NOTE_LIMIT: usize = 2000;

/// The statuses a claim in `from` may move to, in workflow order: the core's rule.
pub fn next_statuses(from: ClaimStatus) -> Vec<ClaimStatus> {
    ClaimStatus::ALL
        .into_iter()
        .filter(|to| from.can_move_to(*to))
        .collect()
}

/// Why a decision cannot be sent as it stands (checked before the confirmation).
pub fn note_problem(to: ClaimStatus, note: &str) -> Option<Key> {
    if to == ClaimStatus::Rejected && note.trim().is_empty() {
        Some(Key::OpNoteRequired)
    } else if note.chars().count() > NOTE_LIMIT {
        Some(Key::ProbNoteTooLong)
    } else {
        None
    }
}

fn draft_key(claim_id: &str) -> String {
    format!("sla-operator:note:{claim_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn read_draft(claim_id: &str) -> String {
    storage()
        .and_then(|s| s.get_item(&draft_key(claim_id)).ok().flatten())
        .unwrap_or_default()
}

fn write_draft(claim_id: &str, note: &str) {
    if let Some(s) = storage() {
        let _ = if note.is_empty() {
            s.remove_item(&draft_key(claim_id))
        } else {
            s.set_item(&draft_key(claim_id), note)
        };
    }
}

/// What the last attempt came to, said above the form.
#[derive(Debug, Clone, PartialEq)]
enum Notice {
    Saved(ClaimStatus),
    Changed { by: String, at: String },
    NotAllowed,
    Failed(crate::api::ApiError),
}

#[derive(Properties, PartialEq, Clone)]
pub struct DecisionProps {
    pub options: Rc<OpOptions>,
    pub env: Rc<Env>,
    pub claim: Rc<OpClaim>,
    /// `Some`: the claim as the server stored it; `None`: reload it.
    pub on_changed: Callback<Option<OpClaim>>,
    pub uid: u32,
    pub root: NodeRef,
}

#[component]
pub fn Decision(props: &DecisionProps) -> Html {
    let env = &props.env;
    let f = &env.fmt;
    let c = &props.claim;
    let claim_id = c.record.claim_id.clone();
    let note = use_state(|| read_draft(&claim_id));
    let confirming = use_state(|| None::<ClaimStatus>);
    let problem = use_state(|| None::<Key>);
    let busy = use_state(|| false);
    let notice = use_state(|| None::<Notice>);
    let confirm_ref = use_node_ref();
    let note_ref = use_node_ref();
    let notice_ref = use_node_ref();
    {
        // What came of the decision takes the focus: the confirmation it replaces is gone,
        // and a keyboard user goes on from the message (a screen reader reads it).
        let r = notice_ref.clone();
        use_effect_with((*notice).clone(), move |n| {
            if n.is_some() {
                if let Some(el) = r.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    {
        // The confirmation takes the focus, so Enter confirms and Tab reaches Cancel.
        let r = confirm_ref.clone();
        use_effect_with(*confirming, move |c| {
            if c.is_some() {
                if let Some(b) = r.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        });
    }
    let id = |n: &str| crate::env::element_id(props.uid, &format!("op-{n}"));
    let oninput = {
        let (note, id, problem) = (note.clone(), claim_id.clone(), problem.clone());
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            write_draft(&id, &v);
            problem.set(None);
            note.set(v);
        })
    };
    let choose = |to: ClaimStatus| {
        let (note, confirming, problem, notice) = (
            note.clone(),
            confirming.clone(),
            problem.clone(),
            notice.clone(),
        );
        let note_ref = note_ref.clone();
        Callback::from(move |_: MouseEvent| {
            notice.set(None);
            match note_problem(to, &note) {
                Some(p) => {
                    problem.set(Some(p));
                    if let Some(t) = note_ref.cast::<web_sys::HtmlElement>() {
                        let _ = t.focus();
                    }
                }
                None => {
                    problem.set(None);
                    confirming.set(Some(to));
                }
            }
        })
    };
    let cancel_confirm = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(None))
    };
    let confirm = {
        let (note, confirming, busy, notice, problem) = (
            note.clone(),
            confirming.clone(),
            busy.clone(),
            notice.clone(),
            problem.clone(),
        );
        let (o, claim, on_changed, root) = (
            props.options.clone(),
            c.clone(),
            props.on_changed.clone(),
            props.root.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(to) = *confirming else { return };
            if *busy {
                return;
            }
            busy.set(true);
            let (note, confirming, busy, notice, problem) = (
                note.clone(),
                confirming.clone(),
                busy.clone(),
                notice.clone(),
                problem.clone(),
            );
            let (o, claim, on_changed, root) =
                (o.clone(), claim.clone(), on_changed.clone(), root.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let id = claim.record.claim_id.clone();
                let text = (*note).clone();
                let got = api::decide(&o, &id, &claim.version, to, &text, &Cancel::new()).await;
                busy.set(false);
                confirming.set(None);
                match got {
                    Decided::Done(now) => {
                        write_draft(&id, "");
                        note.set(String::new());
                        notice.set(Some(Notice::Saved(to)));
                        decided_event(&root, &now);
                        on_changed.emit(Some(*now));
                    }
                    Decided::Changed { by, at } => {
                        notice.set(Some(Notice::Changed { by, at }));
                        on_changed.emit(None);
                    }
                    Decided::NotAllowed => {
                        notice.set(Some(Notice::NotAllowed));
                        on_changed.emit(None);
                    }
                    Decided::NoteRequired => problem.set(Some(Key::OpNoteRequired)),
                    Decided::Failed(e) => notice.set(Some(Notice::Failed(e))),
                }
            });
        })
    };
    let next = next_statuses(c.record.status);
    let notice_html = match &*notice {
        None => html! {},
        Some(Notice::Saved(to)) => html! {
            <p class="slap-op-notice" role="status" data-sla-op-notice="saved" tabindex="-1" ref={notice_ref.clone()}>
                { env.fill(Key::OpSaved, &[("status", status_label(env, *to))]) }
            </p>
        },
        Some(Notice::Changed { by, at }) => {
            let who = if by.is_empty() {
                env.t(Key::OpSomeone).to_string()
            } else {
                by.clone()
            };
            let when = if at.is_empty() {
                String::new()
            } else {
                f.datetime(at.as_str())
            };
            html! {
                <p class="slap-claim-error" role="alert" data-sla-op-notice="changed" data-changed-by={by.clone()} tabindex="-1" ref={notice_ref.clone()}>
                    { env.fill(Key::OpChanged, &[("who", &who), ("when", &when)]) }
                </p>
            }
        }
        Some(Notice::NotAllowed) => html! {
            <p class="slap-claim-error" role="alert" data-sla-op-notice="not-allowed" tabindex="-1" ref={notice_ref.clone()}>{ env.t(Key::OpNotAllowed) }</p>
        },
        Some(Notice::Failed(e)) => html! {
            <p class="slap-claim-error" role="alert" data-sla-op-notice="failed" tabindex="-1" ref={notice_ref.clone()}>{ api_error_text(env, e) }</p>
        },
    };
    let problem_id = id("note-problem");
    html! {
        <section class="slap-op-decision" aria-labelledby={id("decision-title")} data-sla-op-decision="">
            <h3 class="slap-h3" id={id("decision-title")}>{ env.t(Key::OpDecisionTitle) }</h3>
            { notice_html }
            if next.is_empty() {
                <p class="slap-muted" data-sla-op-final="">{ env.fill(Key::OpFinal, &[("status", status_label(env, c.record.status))]) }</p>
            } else {
                <div class="slap-field">
                    <label for={id("note")}>{ env.t(Key::OpNoteLabel) }</label>
                    <textarea id={id("note")} ref={note_ref.clone()} rows="3" value={(*note).clone()} {oninput}
                        maxlength={NOTE_LIMIT.to_string()} data-sla-op-note-input=""
                        aria-invalid={problem.is_some().then_some("true")}
                        aria-describedby={problem.is_some().then(|| problem_id.clone())} />
                    <span class="slap-muted">{ env.t(Key::OpNoteDraft) }</span>
                </div>
                if let Some(p) = *problem {
                    <p class="slap-claim-error" id={problem_id.clone()} role="alert" data-sla-op-problem="">{ env.t(p) }</p>
                }
                if let Some(to) = *confirming {
                    <div class="slap-op-confirm" role="group" aria-labelledby={id("confirm-text")} data-sla-op-confirming={to.as_str()}>
                        <p id={id("confirm-text")}>
                            { env.fill(Key::OpConfirmText, &[("status", status_label(env, to)), ("id", &c.record.claim_id)]) }
                            if !note.trim().is_empty() {
                                <br />{ env.t(Key::OpNoteLabel) }{ ": " }<q>{ (*note).clone() }</q>
                            }
                        </p>
                        <button type="button" class="slap-button slap-button--primary" ref={confirm_ref}
                            disabled={*busy} onclick={confirm} data-sla-op-confirm="">
                            { if *busy { env.t(Key::OpSending) } else { env.t(Key::OpConfirm) } }
                        </button>
                        { " " }
                        <button type="button" class="slap-button" onclick={cancel_confirm} disabled={*busy}>{ env.t(Key::OpCancel) }</button>
                    </div>
                } else {
                    <div class="slap-op-actions">
                        { for next.iter().map(|to| html! {
                            <button type="button" class="slap-button" data-sla-op-decide={to.as_str()} onclick={choose(*to)}>
                                { env.fill(Key::OpSetStatus, &[("status", status_label(env, *to))]) }
                            </button>
                        }) }
                    </div>
                }
            }
        </section>
    }
}

/// `sla-operator:decided` with `{ claimId, status, version }`: the host may refresh its own lists.
fn decided_event(root: &NodeRef, c: &OpClaim) {
    let o = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
    };
    set("claimId", &c.record.claim_id);
    set("status", c.record.status.as_str());
    set("version", &c.version);
    set("client", &c.client_id);
    crate::host_events::dispatch(root, "sla-operator:decided", &o.into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClaimStatus::*;

    #[test]
    fn the_buttons_are_the_workflows_next_statuses() {
        assert_eq!(next_statuses(Submitted), [UnderReview, Approved, Rejected]);
        assert_eq!(next_statuses(UnderReview), [Approved, Rejected]);
        assert_eq!(next_statuses(Approved), [Fulfilled]);
        assert!(next_statuses(Rejected).is_empty());
        assert!(next_statuses(Fulfilled).is_empty());
    }

    #[test]
    fn a_rejection_needs_a_note_and_an_approval_does_not() {
        assert_eq!(note_problem(Rejected, "  "), Some(Key::OpNoteRequired));
        assert_eq!(note_problem(Rejected, "outside the agreement"), None);
        assert_eq!(note_problem(Approved, ""), None);
        assert_eq!(
            note_problem(Approved, &"x".repeat(NOTE_LIMIT + 1)),
            Some(Key::ProbNoteTooLong)
        );
    }
}
