//! The claim draft: what the client has chosen so far, its one claim_id, and the state
//! of its submission, kept in localStorage so a reload never loses it or files it twice.
//!
//! Idempotency lives here, not in a disabled button: the claim_id is made once per
//! draft, and once a body has been sent it is the body every retry sends again, until
//! the server answers with a definite outcome.

use serde::{Deserialize, Serialize};
use sla_rules::claims::{
    figures_for, is_uuid_v4, validate_contact, ClaimRequest, Contact, ContactProblem, Expected,
    Remedy, CLAIM_SCHEMA,
};
use sla_rules::Report;
use wasm_bindgen::{JsCast, JsValue};

use crate::claims_api::{ClaimError, FiledClaim};

/// Bumped when the stored shape changes; an older draft is dropped, not misread.
pub const DRAFT_VERSION: u32 = 1;
/// The note's limit of the claim contract (`parse_claim`).
pub const NOTE_MAX_CHARS: usize = 2000;

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

    /// The problems that keep `step` from being left forward. `open` are the months
    /// that may be claimed now (breached, not claimed before).
    pub fn problems(&self, step: Step, report: &Report, open: &[String]) -> Vec<Problem> {
        match step {
            Step::Periods => {
                if self.periods.is_empty() {
                    vec![Problem::NoPeriod]
                } else if self.periods.iter().any(|p| !open.contains(p)) {
                    vec![Problem::PeriodUnavailable]
                } else {
                    match figures_for(report, &self.periods, Remedy::ContractCredit) {
                        Ok(g) if g.units > 0 => vec![],
                        Ok(_) => vec![Problem::NothingToGrant],
                        Err(_) => vec![Problem::PeriodUnavailable],
                    }
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
    pub fn next(&mut self, report: &Report, open: &[String]) -> Result<(), Vec<Problem>> {
        let p = self.problems(self.step, report, open);
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
    pub fn request(&self, report: &Report, open: &[String]) -> Result<ClaimRequest, Vec<Problem>> {
        let mut problems = Vec::new();
        for s in [Step::Periods, Step::Remedy, Step::Contact] {
            problems.extend(self.problems(s, report, open));
        }
        let Some(remedy) = self.remedy else {
            return Err(problems);
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let g = figures_for(report, &self.periods, remedy)
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
        open: &[String],
    ) -> Option<Result<ClaimRequest, Vec<Problem>>> {
        if self.submit == Submit::InFlight {
            return None;
        }
        let body = match (&self.sent, self.locked()) {
            (Some(sent), true) => sent.clone(),
            _ => match self.request(report, open) {
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
    pub fn is_filed_as(&self, claim: &FiledClaim) -> bool {
        claim.claim_id == self.claim_id
    }
}

/// A UUID v4 from 16 random bytes: version nibble 4, variant bits 10 (RFC 9562 §5.4).
pub fn uuid_v4_from(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn global(name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn method(obj: &JsValue, name: &str) -> Option<js_sys::Function> {
    js_sys::Reflect::get(obj, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

/// A fresh claim_id from the browser's CSPRNG (`crypto.getRandomValues`).
pub fn new_claim_id() -> Option<String> {
    let crypto = global("crypto")?;
    let bytes = js_sys::Uint8Array::new_with_length(16);
    method(&crypto, "getRandomValues")?
        .call1(&crypto, &bytes)
        .ok()?;
    let mut b = [0u8; 16];
    bytes.copy_to(&mut b);
    let id = uuid_v4_from(b);
    is_uuid_v4(&id).then_some(id)
}

/// The localStorage key of a contract's draft.
pub fn storage_key(contract_id: &str) -> String {
    format!("sla-portal:draft:{contract_id}")
}

fn storage() -> Option<JsValue> {
    // Reading `localStorage` throws when storage is blocked; that is "no storage".
    global("localStorage")
}

/// Reads a stored draft; anything unreadable, of another version or contract, is ignored.
pub fn parse_draft(text: &str, contract_id: &str) -> Option<Draft> {
    let d: Draft = serde_json::from_str(text).ok()?;
    (d.version == DRAFT_VERSION && d.contract_id == contract_id && is_uuid_v4(&d.claim_id))
        .then_some(d)
}

/// The stored text of a contract's draft, as it sits in localStorage.
pub fn stored_text(contract_id: &str) -> Option<String> {
    let s = storage()?;
    method(&s, "getItem")?
        .call1(&s, &JsValue::from_str(&storage_key(contract_id)))
        .ok()?
        .as_string()
}

pub fn load(contract_id: &str) -> Option<Draft> {
    parse_draft(&stored_text(contract_id)?, contract_id)
}

/// Stores the draft; a full or blocked storage only loses the reload safety net.
pub fn save(d: &Draft) {
    let (Some(s), Ok(text)) = (storage(), serde_json::to_string(d)) else {
        return;
    };
    if let Some(f) = method(&s, "setItem") {
        let _ = f.call2(
            &s,
            &JsValue::from_str(&storage_key(&d.contract_id)),
            &JsValue::from_str(&text),
        );
    }
}

pub fn clear(contract_id: &str) {
    if let Some(s) = storage() {
        if let Some(f) = method(&s, "removeItem") {
            let _ = f.call1(&s, &JsValue::from_str(&storage_key(contract_id)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_bits() {
        let id = uuid_v4_from([0xff; 16]);
        // 0xff & 0x0f | 0x40 = 0x4f; 0xff & 0x3f | 0x80 = 0xbf.
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert!(is_uuid_v4(&id));
        assert!(is_uuid_v4(&uuid_v4_from([0; 16])));
    }

    #[test]
    fn stored_drafts_of_other_contracts_or_versions_are_ignored() {
        let d = Draft::new("K-1", uuid_v4_from([7; 16]));
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
