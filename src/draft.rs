//! The claim draft: what the client has chosen so far, its one claim_id, and the state
//! of its submission, kept in localStorage so a reload never loses it or files it twice.
//!
//! Idempotency lives here, not in a disabled button: the claim_id is made once per
//! draft, and once a body has been sent it is the body every retry sends again, until
//! the server answers with a definite outcome. [`Form`] is the claim form's state as a
//! Yew `Reducible`: every change is a [`FormAction`]; storing the draft and sending the
//! body are effects of the view, so everything here is pure and tested natively.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use sla_rules::claims::{
    check_periods, is_uuid_v4, validate_contact, ClaimRecord, ClaimRequest, Contact,
    ContactProblem, Expected, Refusal, Remedy, CLAIM_SCHEMA, NOTE_MAX_CHARS,
};
use sla_rules::Report;
use yew::Reducible;

use crate::api::ClaimError;
use crate::state::Loaded;

/// Bumped when the stored shape changes; an older draft is dropped, not misread.
pub const DRAFT_VERSION: u32 = 1;

/// The steps of the flow, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    Periods,
    Remedy,
    Evidence,
    Contact,
    Confirm,
}

pub const STEPS: [Step; 5] = [
    Step::Periods,
    Step::Remedy,
    Step::Evidence,
    Step::Contact,
    Step::Confirm,
];

impl Step {
    pub fn index(self) -> usize {
        STEPS.iter().position(|s| *s == self).unwrap_or(0)
    }
    pub fn id(self) -> &'static str {
        match self {
            Step::Periods => "periods",
            Step::Remedy => "remedy",
            Step::Evidence => "evidence",
            Step::Contact => "contact",
            Step::Confirm => "confirm",
        }
    }
}

/// The last submission's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Submit {
    #[default]
    Idle,
    /// Sent, no answer yet (a reload in this state re-sends the same body).
    InFlight,
    Failed {
        error: ClaimError,
    },
}

/// Why the flow cannot move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NoPeriod,
    /// A chosen period is not an unclaimed breached period (claimed meanwhile, or gone).
    PeriodUnavailable,
    /// The chosen periods carry no compensable outage.
    NothingToGrant,
    NoRemedy,
    Contact(ContactProblem),
    NoteTooLong,
}

/// A draft claim. Never holds credentials: only what the client typed and chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub version: u32,
    pub contract_id: String,
    pub claim_id: String,
    pub periods: Vec<String>,
    pub remedy: Option<Remedy>,
    pub contact: Contact,
    pub note: String,
    pub step: Step,
    pub submit: Submit,
    /// The body last sent. While its outcome is unknown, retries send exactly this.
    pub sent: Option<ClaimRequest>,
}

impl Draft {
    pub fn new(contract_id: &str, claim_id: String) -> Draft {
        Draft {
            version: DRAFT_VERSION,
            contract_id: contract_id.to_string(),
            claim_id,
            periods: Vec::new(),
            remedy: None,
            contact: Contact::default(),
            note: String::new(),
            step: Step::Periods,
            submit: Submit::Idle,
            sent: None,
        }
    }

    /// Whether the draft can still be edited: not while a body's fate is open.
    pub fn locked(&self) -> bool {
        match &self.submit {
            Submit::InFlight => true,
            Submit::Failed { error } => error.outcome_unknown() && self.sent.is_some(),
            Submit::Idle => false,
        }
    }

    /// Adds or removes a period; the list stays sorted so equal choices give equal bodies.
    pub fn toggle_period(&mut self, month: &str) {
        if self.locked() {
            return;
        }
        if let Some(i) = self.periods.iter().position(|p| p == month) {
            self.periods.remove(i);
        } else {
            self.periods.push(month.to_string());
            self.periods.sort();
        }
        self.after_edit();
    }

    pub fn set_remedy(&mut self, r: Remedy) {
        if !self.locked() {
            self.remedy = Some(r);
            self.after_edit();
        }
    }

    pub fn set_contact(&mut self, field: &str, value: String) {
        if self.locked() {
            return;
        }
        match field {
            "name" => self.contact.name = value,
            "email" => self.contact.email = value,
            "phone" => self.contact.phone = value,
            "note" => self.note = value,
            _ => {}
        }
        self.after_edit();
    }

    /// An edit after a definite refusal starts a fresh attempt (same claim_id: nothing was filed).
    fn after_edit(&mut self) {
        if matches!(self.submit, Submit::Failed { .. }) && !self.locked() {
            self.submit = Submit::Idle;
            self.sent = None;
        }
    }

    /// The problems that keep `step` from being left forward. `claimed` are the months
    /// filed claims have named; the periods are checked with the server's own rule
    /// (`sla_rules::claims::check_periods`).
    pub fn problems(&self, step: Step, report: &Report, claimed: &[String]) -> Vec<Problem> {
        match step {
            Step::Periods => {
                if self.periods.is_empty() {
                    return vec![Problem::NoPeriod];
                }
                match check_periods(report, claimed, &self.periods, Remedy::ContractCredit) {
                    Ok(_) => vec![],
                    Err(Refusal::NothingToGrant { .. }) => vec![Problem::NothingToGrant],
                    Err(_) => vec![Problem::PeriodUnavailable],
                }
            }
            Step::Remedy if self.remedy.is_none() => vec![Problem::NoRemedy],
            Step::Contact => {
                let mut v: Vec<Problem> = validate_contact(&self.contact)
                    .into_iter()
                    .map(Problem::Contact)
                    .collect();
                if self.note.chars().count() > NOTE_MAX_CHARS {
                    v.push(Problem::NoteTooLong);
                }
                v
            }
            _ => vec![],
        }
    }

    /// Moves to the next step, or says why not.
    pub fn next(&mut self, report: &Report, claimed: &[String]) -> Result<(), Vec<Problem>> {
        let p = self.problems(self.step, report, claimed);
        if !p.is_empty() {
            return Err(p);
        }
        if let Some(n) = STEPS.get(self.step.index() + 1) {
            self.step = *n;
        }
        Ok(())
    }

    pub fn back(&mut self) {
        if self.step.index() > 0 && !self.locked() {
            self.step = STEPS[self.step.index() - 1];
        }
    }

    /// Jumps back to an earlier step (never forward past unchecked steps).
    pub fn go_to(&mut self, step: Step) {
        if step.index() < self.step.index() && !self.locked() {
            self.step = step;
        }
    }

    /// The request for the current choices, with the core's figures as `expected`.
    pub fn request(
        &self,
        report: &Report,
        claimed: &[String],
    ) -> Result<ClaimRequest, Vec<Problem>> {
        let mut problems = Vec::new();
        for s in [Step::Periods, Step::Remedy, Step::Contact] {
            problems.extend(self.problems(s, report, claimed));
        }
        let Some(remedy) = self.remedy else {
            return Err(problems);
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let g = check_periods(report, claimed, &self.periods, remedy)
            .map_err(|_| vec![Problem::PeriodUnavailable])?;
        let trim = |s: &str| s.trim().to_string();
        Ok(ClaimRequest {
            schema: CLAIM_SCHEMA.into(),
            claim_id: self.claim_id.clone(),
            contract_id: self.contract_id.clone(),
            periods: self.periods.clone(),
            remedy,
            expected: Expected {
                units: g.units,
                service_extension_months: g.service_extension_months,
                contract_credit: g.contract_credit,
            },
            contact: Contact {
                name: trim(&self.contact.name),
                email: trim(&self.contact.email),
                phone: trim(&self.contact.phone),
            },
            note: self.note.trim().to_string(),
        })
    }

    /// Starts a submission: the body to send, or `None` when one is in flight already.
    /// After an unknown outcome the body sent before is sent again, unchanged.
    pub fn begin_submit(
        &mut self,
        report: &Report,
        claimed: &[String],
    ) -> Option<Result<ClaimRequest, Vec<Problem>>> {
        if self.submit == Submit::InFlight {
            return None;
        }
        let body = match (&self.sent, self.locked()) {
            (Some(sent), true) => sent.clone(),
            _ => match self.request(report, claimed) {
                Ok(b) => b,
                Err(p) => return Some(Err(p)),
            },
        };
        self.sent = Some(body.clone());
        self.submit = Submit::InFlight;
        Some(Ok(body))
    }

    /// Records a failed answer. The draft stays; only a confirmation clears it.
    pub fn fail(&mut self, error: ClaimError) {
        self.submit = Submit::Failed { error };
    }

    /// Whether `claim` is this draft's claim (found in the list after a lost answer).
    pub fn is_filed_as(&self, claim: &ClaimRecord) -> bool {
        claim.claim_id == self.claim_id
    }
}

/// What a step change or a submission is checked against: the report and the
/// months filed claims have named.
#[derive(Debug, Clone)]
pub struct Checks {
    pub data: Rc<Loaded>,
    pub claimed: Rc<Vec<String>>,
}

/// The claim form: the draft (if the client has started one), the problems last
/// found, the claim just confirmed, and the body waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub contract_id: String,
    pub draft: Option<Draft>,
    /// The claim_id the next draft takes. Ids come from the browser's CSPRNG, which the
    /// reducer does not call: the view makes one ahead. `None`: no CSPRNG, no drafts.
    pub next_id: Option<String>,
    pub problems: Vec<Problem>,
    pub confirmed: Option<ClaimRecord>,
    /// The body the view's send effect posts, numbered so that each submission is sent
    /// once and a re-render sends nothing.
    pub outbox: Option<(u32, ClaimRequest)>,
    sends: u32,
}

/// Every change of the claim form.
#[derive(Debug, Clone)]
pub enum FormAction {
    TogglePeriod(String),
    SetRemedy(Remedy),
    /// A contact field (`name`, `email`, `phone`) or the `note`.
    SetField(&'static str, String),
    Next(Checks),
    Back,
    GoTo(Step),
    Submit(Checks),
    /// The server's answer (or the transport's failure) for the claim `claim_id`.
    Answered {
        claim_id: String,
        /// Boxed: a claim record is large, and every action moves through the reducer.
        result: Box<Result<ClaimRecord, ClaimError>>,
    },
    /// The claims list changed: a claim with this draft's id means a lost answer was a filing.
    Listed(Rc<Vec<ClaimRecord>>),
    /// After a confirmation: start afresh with this id.
    Again(Option<String>),
}

impl Form {
    /// The form for `contract_id` with a draft restored from storage. A draft stored
    /// while a request was out lost its answer: its outcome is unknown, as after a timeout.
    pub fn restore(contract_id: &str, stored: Option<Draft>, next_id: Option<String>) -> Form {
        let draft = stored.map(|mut d| {
            if d.submit == Submit::InFlight {
                d.fail(ClaimError::Timeout);
            }
            d
        });
        Form {
            contract_id: contract_id.to_string(),
            draft,
            next_id,
            problems: Vec::new(),
            confirmed: None,
            outbox: None,
            sends: 0,
        }
    }

    /// Applies an edit to the draft, making the draft on first use.
    fn edit(&mut self, f: impl FnOnce(&mut Draft)) {
        if self.draft.is_none() {
            let Some(id) = self.next_id.take() else {
                return;
            };
            self.draft = Some(Draft::new(&self.contract_id, id));
        }
        if let Some(d) = self.draft.as_mut() {
            f(d);
        }
        self.problems.clear();
    }

    fn finish(&mut self, claim: ClaimRecord) {
        self.draft = None;
        self.outbox = None;
        self.problems.clear();
        self.confirmed = Some(claim);
    }
}

impl Reducible for Form {
    type Action = FormAction;

    fn reduce(self: Rc<Self>, action: FormAction) -> Rc<Self> {
        let mut f = (*self).clone();
        match action {
            FormAction::TogglePeriod(m) => f.edit(|d| d.toggle_period(&m)),
            FormAction::SetRemedy(r) => f.edit(|d| d.set_remedy(r)),
            FormAction::SetField(field, value) => f.edit(|d| d.set_contact(field, value)),
            FormAction::Back => f.edit(Draft::back),
            FormAction::GoTo(step) => f.edit(|d| d.go_to(step)),
            FormAction::Next(c) => {
                f.problems = match f.draft.as_mut() {
                    None => vec![Problem::NoPeriod],
                    Some(d) => d
                        .next(&c.data.ev.report, &c.claimed)
                        .err()
                        .unwrap_or_default(),
                };
            }
            FormAction::Submit(c) => {
                let Some(d) = f.draft.as_mut() else {
                    return self;
                };
                match d.begin_submit(&c.data.ev.report, &c.claimed) {
                    None => return self,
                    Some(Err(p)) => f.problems = p,
                    Some(Ok(body)) => {
                        f.problems.clear();
                        f.sends += 1;
                        f.outbox = Some((f.sends, body));
                    }
                }
            }
            FormAction::Answered { claim_id, result } => {
                let ours = f.draft.as_ref().is_some_and(|d| d.claim_id == claim_id);
                match *result {
                    Ok(c) => f.finish(c),
                    Err(e) => {
                        f.outbox = None;
                        if let Some(d) = f.draft.as_mut().filter(|_| ours) {
                            d.fail(e);
                        }
                    }
                }
            }
            FormAction::Listed(list) => {
                let found = f.draft.as_ref().and_then(|d| {
                    d.sent
                        .as_ref()
                        .and_then(|_| list.iter().find(|c| d.is_filed_as(c)).cloned())
                });
                match found {
                    Some(c) => f.finish(c),
                    None => return self,
                }
            }
            FormAction::Again(next_id) => {
                f.confirmed = None;
                f.draft = None;
                f.problems.clear();
                if f.next_id.is_none() {
                    f.next_id = next_id;
                }
            }
        }
        Rc::new(f)
    }
}

/// A fresh claim_id: a UUID v4 from 16 bytes of the browser's CSPRNG
/// (`crypto.getRandomValues`, available outside secure contexts too).
pub fn new_claim_id() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut b = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut b).ok()?;
    let id = uuid::Builder::from_random_bytes(b)
        .into_uuid()
        .hyphenated()
        .to_string();
    is_uuid_v4(&id).then_some(id)
}

/// The localStorage key of a contract's draft.
pub fn storage_key(contract_id: &str) -> String {
    format!("sla-portal:draft:{contract_id}")
}

fn storage() -> Option<web_sys::Storage> {
    // `localStorage` throws when storage is blocked; that is "no storage".
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads a stored draft; anything unreadable, of another version or contract, is ignored.
pub fn parse_draft(text: &str, contract_id: &str) -> Option<Draft> {
    let d: Draft = serde_json::from_str(text).ok()?;
    (d.version == DRAFT_VERSION && d.contract_id == contract_id && is_uuid_v4(&d.claim_id))
        .then_some(d)
}

/// The stored text of a contract's draft, as it sits in localStorage.
pub fn stored_text(contract_id: &str) -> Option<String> {
    storage()?
        .get_item(&storage_key(contract_id))
        .ok()
        .flatten()
}

pub fn load(contract_id: &str) -> Option<Draft> {
    parse_draft(&stored_text(contract_id)?, contract_id)
}

/// Stores the draft; a full or blocked storage only loses the reload safety net.
pub fn save(d: &Draft) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(d)) {
        let _ = s.set_item(&storage_key(&d.contract_id), &text);
    }
}

pub fn clear(contract_id: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&storage_key(contract_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTRACT: &str = "BS-2026-0001";
    const ID_A: &str = "0b7e7a8e-3c1d-4f5a-9b2c-1d2e3f4a5b6c";
    const ID_B: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

    /// The worked example as of 2026-04-10 (crates/sla-rules/tests/fixtures/worked/README.md): February
    /// and March breached, one compensable outage each; April in progress.
    fn worked() -> Rc<Loaded> {
        let ev = crate::load::evaluate(
            include_bytes!("../crates/sla-rules/tests/fixtures/worked/usage.json"),
            include_bytes!("../crates/sla-rules/tests/fixtures/worked/incidents.json"),
            None,
            "2026-04-10T12:00:00+08:00",
            ["u", "i", "p"],
        )
        .expect("worked example");
        Rc::new(Loaded { ev })
    }

    fn checks(data: &Rc<Loaded>, claimed: &[&str]) -> Checks {
        Checks {
            data: data.clone(),
            claimed: Rc::new(claimed.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn each_step_checks_what_it_needs() {
        let data = worked();
        let r = &data.ev.report;
        let none: &[String] = &[];
        let mut d = Draft::new(CONTRACT, ID_A.into());
        assert_eq!(d.next(r, none), Err(vec![Problem::NoPeriod]));
        // April is in progress on 04-10, never a breached period.
        d.toggle_period("2026-04");
        assert_eq!(d.next(r, none), Err(vec![Problem::PeriodUnavailable]));
        d.toggle_period("2026-04");
        // A period a filed claim named is not available either.
        d.toggle_period("2026-02");
        assert_eq!(
            d.next(r, &["2026-02".to_string()]),
            Err(vec![Problem::PeriodUnavailable])
        );
        d.toggle_period("2026-03");
        assert_eq!(d.periods, ["2026-02", "2026-03"], "kept in month order");
        assert_eq!(d.next(r, none), Ok(()));
        assert_eq!(d.step, Step::Remedy);
        assert_eq!(d.next(r, none), Err(vec![Problem::NoRemedy]));
        d.set_remedy(Remedy::ContractCredit);
        d.next(r, none).unwrap();
        d.next(r, none).unwrap();
        assert_eq!(d.step, Step::Contact);
        d.set_contact("name", "  ".into());
        d.set_contact("email", "wm@example".into());
        d.set_contact("phone", "12ab".into());
        assert_eq!(
            d.next(r, none),
            Err(vec![
                Problem::Contact(ContactProblem::NameMissing),
                Problem::Contact(ContactProblem::EmailInvalid),
                Problem::Contact(ContactProblem::PhoneInvalid),
            ])
        );
        d.set_contact("name", "王敏".into());
        d.set_contact("email", "wm@example.com".into());
        d.set_contact("phone", "+86 138-0000-0000".into());
        d.set_contact("note", "x".repeat(2001));
        assert_eq!(d.next(r, none), Err(vec![Problem::NoteTooLong]));
        d.set_contact("note", " ok ".into());
        d.next(r, none).unwrap();
        assert_eq!(d.step, Step::Confirm);
        // README: February's average 1,000 and March's 1,101, one unit each: 2,101 contracts.
        let body = d.request(r, none).unwrap();
        assert_eq!(body.expected.units, 2);
        assert_eq!(body.expected.contract_credit, Some(2101));
        assert_eq!(body.expected.service_extension_months, None);
        assert_eq!(body.claim_id, ID_A);
        assert_eq!(body.contact.phone, "+86 138-0000-0000");
        assert_eq!(body.note, "ok", "trimmed");
    }

    fn ready_draft(data: &Loaded) -> Draft {
        let r = &data.ev.report;
        let mut d = Draft::new(CONTRACT, ID_A.into());
        d.toggle_period("2026-02");
        d.set_remedy(Remedy::ServiceExtension);
        d.set_contact("name", "王敏".into());
        d.set_contact("email", "wm@example.com".into());
        d.set_contact("phone", "13800000000".into());
        for _ in 0..4 {
            d.next(r, &[]).unwrap();
        }
        d
    }

    #[test]
    fn a_retry_after_an_unknown_outcome_sends_the_same_body() {
        let data = worked();
        let r = &data.ev.report;
        let mut d = ready_draft(&data);
        let first = d.begin_submit(r, &[]).unwrap().unwrap();
        // README: February alone, one unit: one month, 2027-01-14 + 1 month.
        assert_eq!(first.expected.service_extension_months, Some(1));
        // A second click while the first is out sends nothing.
        assert!(d.begin_submit(r, &[]).is_none());
        d.fail(ClaimError::Timeout);
        assert!(d.locked(), "the fate of the sent body is open: no edits");
        d.set_contact("name", "someone else".into());
        d.toggle_period("2026-03");
        let again = d.begin_submit(r, &[]).unwrap().unwrap();
        assert_eq!(again, first, "same claim_id, same body");
    }

    #[test]
    fn an_edit_after_a_definite_refusal_starts_over_with_the_same_id() {
        let data = worked();
        let r = &data.ev.report;
        let mut d = ready_draft(&data);
        let first = d.begin_submit(r, &[]).unwrap().unwrap();
        d.fail(ClaimError::AlreadyClaimed {
            periods: vec!["2026-02".into()],
        });
        assert!(!d.locked());
        d.toggle_period("2026-02");
        d.toggle_period("2026-03");
        assert_eq!(d.submit, Submit::Idle);
        assert_eq!(d.sent, None);
        let second = d.begin_submit(r, &[]).unwrap().unwrap();
        assert_eq!(second.claim_id, first.claim_id);
        assert_eq!(second.periods, ["2026-03"]);
    }

    fn record(req: &ClaimRequest) -> ClaimRecord {
        ClaimRecord::new(
            req.clone(),
            sla_rules::claims::ClaimStatus::Submitted,
            sla_rules::claims::Granted {
                remedy: req.remedy,
                units: req.expected.units,
                service_extension_months: req.expected.service_extension_months,
                service_end: None,
                contract_credit: req.expected.contract_credit,
            },
            "2026-04-10T04:00:00Z".into(),
            "2026-04-10T04:00:00Z".into(),
        )
    }

    fn act(f: Rc<Form>, a: FormAction) -> Rc<Form> {
        f.reduce(a)
    }

    #[test]
    fn the_form_makes_its_draft_on_the_first_edit_and_sends_each_submission_once() {
        let data = worked();
        let mut f = Rc::new(Form::restore(CONTRACT, None, Some(ID_A.into())));
        assert_eq!(f.draft, None);
        // Next without a draft: choose a period first.
        f = act(f, FormAction::Next(checks(&data, &[])));
        assert_eq!(f.problems, [Problem::NoPeriod]);
        f = act(f, FormAction::TogglePeriod("2026-03".into()));
        assert_eq!(f.problems, [], "an edit clears the problems shown");
        assert_eq!(f.draft.as_ref().unwrap().claim_id, ID_A);
        assert_eq!(f.next_id, None, "the id is used up");
        f = act(f, FormAction::Next(checks(&data, &[])));
        f = act(f, FormAction::SetRemedy(Remedy::ContractCredit));
        f = act(f, FormAction::Next(checks(&data, &[])));
        f = act(f, FormAction::Next(checks(&data, &[])));
        for (k, v) in [
            ("name", "王敏"),
            ("email", "wm@example.com"),
            ("phone", "13800000000"),
        ] {
            f = act(f, FormAction::SetField(k, v.into()));
        }
        f = act(f, FormAction::Next(checks(&data, &[])));
        assert_eq!(f.draft.as_ref().unwrap().step, Step::Confirm);
        assert_eq!(f.outbox, None);
        f = act(f, FormAction::Submit(checks(&data, &[])));
        let (n, body) = f.outbox.clone().expect("a body to send");
        assert_eq!(n, 1);
        // README: March's average 1,101 contracts, one unit.
        assert_eq!(body.expected.contract_credit, Some(1101));
        // A second click while it is out changes nothing.
        let same = act(f.clone(), FormAction::Submit(checks(&data, &[])));
        assert!(Rc::ptr_eq(&same, &f));
        // A timeout: the draft stays, locked; the retry is submission 2 with the same body.
        f = act(
            f,
            FormAction::Answered {
                claim_id: ID_A.into(),
                result: Box::new(Err(ClaimError::Timeout)),
            },
        );
        assert_eq!(f.outbox, None);
        assert!(f.draft.as_ref().unwrap().locked());
        f = act(f, FormAction::Submit(checks(&data, &[])));
        assert_eq!(f.outbox, Some((2, body.clone())));
        // 201: the draft is done and the confirmation shown.
        f = act(
            f,
            FormAction::Answered {
                claim_id: ID_A.into(),
                result: Box::new(Ok(record(&body))),
            },
        );
        assert_eq!(f.draft, None);
        assert_eq!(
            f.confirmed.as_ref().map(|c| c.claim_id.as_str()),
            Some(ID_A)
        );
        f = act(f, FormAction::Again(Some(ID_B.into())));
        assert_eq!(
            (f.confirmed.clone(), f.next_id.as_deref()),
            (None, Some(ID_B))
        );
    }

    #[test]
    fn a_restored_in_flight_draft_is_an_unknown_outcome_until_the_list_shows_it() {
        let data = worked();
        let mut d = ready_draft(&data);
        let body = d.begin_submit(&data.ev.report, &[]).unwrap().unwrap();
        assert_eq!(d.submit, Submit::InFlight);
        let f = Rc::new(Form::restore(CONTRACT, Some(d), Some(ID_B.into())));
        let restored = f.draft.as_ref().unwrap();
        assert_eq!(
            restored.submit,
            Submit::Failed {
                error: ClaimError::Timeout
            }
        );
        assert!(restored.locked());
        // A list without our id changes nothing; with it, the claim was filed.
        let other = ClaimRecord {
            claim_id: ID_B.into(),
            ..record(&body)
        };
        let f2 = act(f.clone(), FormAction::Listed(Rc::new(vec![other.clone()])));
        assert!(Rc::ptr_eq(&f, &f2));
        let f3 = act(f, FormAction::Listed(Rc::new(vec![other, record(&body)])));
        assert_eq!(f3.draft, None);
        assert_eq!(f3.confirmed, Some(record(&body)));
    }

    #[test]
    fn an_answer_for_another_claim_leaves_this_draft_alone() {
        let data = worked();
        let mut f = Rc::new(Form::restore(CONTRACT, Some(ready_draft(&data)), None));
        f = act(f, FormAction::Submit(checks(&data, &[])));
        f = act(
            f,
            FormAction::Answered {
                claim_id: ID_B.into(),
                result: Box::new(Err(ClaimError::NothingToGrant)),
            },
        );
        assert_eq!(f.draft.as_ref().unwrap().submit, Submit::InFlight);
    }

    #[test]
    fn stored_drafts_of_other_contracts_or_versions_are_ignored() {
        let d = Draft::new("K-1", ID_A.into());
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(parse_draft(&text, "K-1"), Some(d.clone()));
        assert_eq!(parse_draft(&text, "K-2"), None);
        assert_eq!(
            parse_draft(&text.replace("\"version\":1", "\"version\":0"), "K-1"),
            None
        );
        assert_eq!(parse_draft("{not json", "K-1"), None);
        assert!(!text.to_ascii_lowercase().contains("authorization"));
    }
}
