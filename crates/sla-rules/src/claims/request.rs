//! A claim request: its shape, the contact rules and the parse a server makes before any
//! check against the report (docs/DATA_CONTRACT.md, "claims").

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::time::Month;

/// The schema tag of a claim request.
pub const CLAIM_SCHEMA: &str = "sla-portal/claim/v1";
/// The longest note a claim may carry, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    ServiceExtension,
    ContractCredit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Expected {
    pub units: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_extension_months: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_credit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// `POST claimsUrl` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    pub schema: String,
    pub claim_id: String,
    pub contract_id: String,
    pub periods: Vec<String>,
    pub remedy: Remedy,
    pub expected: Expected,
    pub contact: Contact,
    #[serde(default)]
    pub note: String,
}

/// A contact field that does not pass validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactProblem {
    NameMissing,
    NameTooLong,
    EmailInvalid,
    PhoneInvalid,
}

impl ContactProblem {
    /// The contact field the problem is about (`name`, `email` or `phone`).
    pub fn field(self) -> &'static str {
        match self {
            ContactProblem::NameMissing | ContactProblem::NameTooLong => "name",
            ContactProblem::EmailInvalid => "email",
            ContactProblem::PhoneInvalid => "phone",
        }
    }

    /// The problem's code, as a 400 answer names it.
    pub fn code(self) -> &'static str {
        match self {
            ContactProblem::NameMissing => "name_missing",
            ContactProblem::NameTooLong => "name_too_long",
            ContactProblem::EmailInvalid => "email_invalid",
            ContactProblem::PhoneInvalid => "phone_invalid",
        }
    }
}

/// Validates contact details: a name (1–100 characters), an e-mail address
/// with one `@`, a dotted domain and no spaces, and a phone number of 5–20
/// digits, optionally with a leading `+` and spaces or dashes between digits.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{validate_contact, Contact, ContactProblem};
/// let ok = Contact { name: "王敏".into(), email: "wm@example.com".into(), phone: "+86 138-0000-0000".into() };
/// assert_eq!(validate_contact(&ok), []);
/// let bad = Contact { name: " ".into(), email: "wm@example".into(), phone: "12ab".into() };
/// assert_eq!(validate_contact(&bad), [
///     ContactProblem::NameMissing, ContactProblem::EmailInvalid, ContactProblem::PhoneInvalid,
/// ]);
/// ```
pub fn validate_contact(c: &Contact) -> Vec<ContactProblem> {
    let mut out = Vec::new();
    let name = c.name.trim();
    if name.is_empty() {
        out.push(ContactProblem::NameMissing);
    } else if name.chars().count() > 100 {
        out.push(ContactProblem::NameTooLong);
    }
    let email = c.email.trim();
    let email_ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    };
    if !email_ok {
        out.push(ContactProblem::EmailInvalid);
    }
    let phone = c.phone.trim();
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let phone_ok = (5..=20).contains(&digits)
        && body
            .chars()
            .all(|ch| ch.is_ascii_digit() || ch == ' ' || ch == '-')
        && body.starts_with(|ch: char| ch.is_ascii_digit())
        && body.ends_with(|ch: char| ch.is_ascii_digit());
    if !phone_ok {
        out.push(ContactProblem::PhoneInvalid);
    }
    out
}

/// Whether `s` is a UUID version 4 in canonical lowercase-or-uppercase hex form.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::is_uuid_v4;
/// assert!(is_uuid_v4("0b7e7a8e-3c1d-4f5a-9b2c-1d2e3f4a5b6c"));
/// // Version nibble 1, not 4.
/// assert!(!is_uuid_v4("0b7e7a8e-3c1d-1f5a-9b2c-1d2e3f4a5b6c"));
/// ```
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

/// Parses and validates the shape of a claim request (a 400 when it fails).
///
/// # Errors
///
/// An [`InputError`] in `file` naming the JSON path: not JSON or not a claim, another
/// schema, a `claim_id` that is not a UUID v4, no period or a period that is not
/// `YYYY-MM` or is named twice, the remedy's expected figure missing, a contact field
/// that fails [`validate_contact`] (its code as the message), or a note over
/// [`NOTE_MAX_CHARS`] characters.
///
/// # Examples
///
/// ```
/// let body = br#"{"schema":"sla-portal/claim/v1","claim_id":"0b7e7a8e-3c1d-4f5a-9b2c-1d2e3f4a5b6c",
///   "contract_id":"K","periods":["2026-02","2026-02"],"remedy":"contract_credit",
///   "expected":{"units":1,"contract_credit":10},
///   "contact":{"name":"Wang Min","email":"wm@example.com","phone":"13800000000"}}"#;
/// let e = sla_rules::claims::parse_claim(body, "claim").unwrap_err();
/// assert_eq!(e.to_string(), "claim: periods[1]: 2026-02 is named twice");
/// ```
pub fn parse_claim(bytes: &[u8], file: &str) -> Result<ClaimRequest, InputError> {
    let c: ClaimRequest = crate::json::decode(bytes, file, CLAIM_SCHEMA)?;
    crate::json::expect_schema(&c.schema, file, CLAIM_SCHEMA)?;
    if !is_uuid_v4(&c.claim_id) {
        return Err(InputError::new(
            file,
            "claim_id",
            "must be a UUID version 4",
        ));
    }
    if c.periods.is_empty() {
        return Err(InputError::new(file, "periods", "names no period"));
    }
    for (i, p) in c.periods.iter().enumerate() {
        Month::parse(p).map_err(|m| InputError::new(file, format!("periods[{i}]"), m))?;
        if c.periods[..i].contains(p) {
            return Err(InputError::new(
                file,
                format!("periods[{i}]"),
                format!("{p} is named twice"),
            ));
        }
    }
    match c.remedy {
        Remedy::ServiceExtension if c.expected.service_extension_months.is_none() => {
            return Err(InputError::new(
                file,
                "expected.service_extension_months",
                "is required for service_extension",
            ))
        }
        Remedy::ContractCredit if c.expected.contract_credit.is_none() => {
            return Err(InputError::new(
                file,
                "expected.contract_credit",
                "is required for contract_credit",
            ))
        }
        _ => {}
    }
    if let Some(p) = validate_contact(&c.contact).first() {
        return Err(InputError::new(
            file,
            format!("contact.{}", p.field()),
            p.code(),
        ));
    }
    if c.note.chars().count() > NOTE_MAX_CHARS {
        return Err(InputError::new(
            file,
            "note",
            "is longer than 2,000 characters",
        ));
    }
    Ok(c)
}
