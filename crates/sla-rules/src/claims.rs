//! Claims: the request a widget files and the check a server makes before it
//! accepts one (docs/DATA_CONTRACT.md, "claims"). Both sides call this one module.

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::report::Report;
use crate::time::Month;

/// The schema tag of a claim request.
pub const CLAIM_SCHEMA: &str = "sla-portal/claim/v1";
/// The schema tag of a claims listing.
pub const CLAIMS_SCHEMA: &str = "sla-portal/claims/v1";

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

/// What the server grants: its own figures for the claimed periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Granted {
    pub remedy: Remedy,
    pub units: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_extension_months: Option<u64>,
    /// The contract's end moved by this claim's months alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_credit: Option<u64>,
}

/// Why a claim is refused, with the HTTP status the data contract gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: serde_json::Value,
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
    pub fn field(self) -> &'static str {
        match self {
            ContactProblem::NameMissing | ContactProblem::NameTooLong => "name",
            ContactProblem::EmailInvalid => "email",
            ContactProblem::PhoneInvalid => "phone",
        }
    }

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
    if c.note.chars().count() > 2000 {
        return Err(InputError::new(
            file,
            "note",
            "is longer than 2,000 characters",
        ));
    }
    Ok(c)
}

/// The figures for claiming `periods` (each must be a breached period of the report).
pub fn figures_for(
    report: &Report,
    periods: &[String],
    remedy: Remedy,
) -> Result<Granted, Refusal> {
    let per = &report.entitlement.contract_credit.per_period;
    let not_breached: Vec<&String> = periods
        .iter()
        .filter(|p| !per.iter().any(|c| &c.month == *p))
        .collect();
    if !not_breached.is_empty() {
        return Err(Refusal {
            status: 422,
            code: "period_not_breached",
            message: format!(
                "not a breached service period: {}",
                not_breached
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            details: serde_json::json!({ "periods": not_breached }),
        });
    }
    let chosen: Vec<_> = per.iter().filter(|c| periods.contains(&c.month)).collect();
    let units: u64 = chosen.iter().map(|c| c.units).sum();
    let credit: u64 = chosen
        .iter()
        .map(|c| c.contracts)
        .fold(0, u64::saturating_add);
    let end = crate::time::parse_date(&report.contract.service_end)
        .map(|d| crate::compensation::extended_end(d, units))
        .ok();
    Ok(match remedy {
        Remedy::ServiceExtension => Granted {
            remedy,
            units,
            service_extension_months: Some(units),
            service_end: end,
            contract_credit: None,
        },
        Remedy::ContractCredit => Granted {
            remedy,
            units,
            service_extension_months: None,
            service_end: None,
            contract_credit: Some(credit),
        },
    })
}

/// The server's check: the claim is for this report's contract, its periods
/// are breached and not claimed before, it grants something, and its expected
/// figures equal the ones computed here.
pub fn check_claim(
    report: &Report,
    already_claimed: &[String],
    claim: &ClaimRequest,
) -> Result<Granted, Refusal> {
    if claim.contract_id != report.contract_id {
        return Err(Refusal {
            status: 403,
            code: "contract_mismatch",
            message: format!(
                "contract {} is not the caller's contract",
                claim.contract_id
            ),
            details: serde_json::json!({ "contract_id": claim.contract_id }),
        });
    }
    let taken: Vec<&String> = claim
        .periods
        .iter()
        .filter(|p| already_claimed.contains(p))
        .collect();
    if !taken.is_empty() {
        return Err(Refusal {
            status: 409,
            code: "period_already_claimed",
            message: format!(
                "already claimed: {}",
                taken
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            details: serde_json::json!({ "periods": taken }),
        });
    }
    let granted = figures_for(report, &claim.periods, claim.remedy)?;
    if granted.units == 0 {
        return Err(Refusal {
            status: 422,
            code: "nothing_to_grant",
            message: "the periods carry no compensable outage".into(),
            details: serde_json::json!({ "granted": granted }),
        });
    }
    let e = &claim.expected;
    let same = e.units == granted.units
        && match claim.remedy {
            Remedy::ServiceExtension => {
                e.service_extension_months == granted.service_extension_months
            }
            Remedy::ContractCredit => e.contract_credit == granted.contract_credit,
        };
    if !same {
        return Err(Refusal {
            status: 422,
            code: "expected_mismatch",
            message: "the expected figures differ from the server's".into(),
            details: serde_json::json!({ "expected": e, "granted": granted }),
        });
    }
    Ok(granted)
}
