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

/// A claim's place in the operator's workflow (DATA_CONTRACT.md, "claims").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Submitted,
    UnderReview,
    Approved,
    Rejected,
    Fulfilled,
}

impl ClaimStatus {
    /// Every status, in workflow order.
    pub const ALL: [ClaimStatus; 5] = [
        ClaimStatus::Submitted,
        ClaimStatus::UnderReview,
        ClaimStatus::Approved,
        ClaimStatus::Rejected,
        ClaimStatus::Fulfilled,
    ];

    /// The wire name, as serde writes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ClaimStatus;
    /// assert_eq!(ClaimStatus::UnderReview.as_str(), "under_review");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "submitted",
            ClaimStatus::UnderReview => "under_review",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Fulfilled => "fulfilled",
        }
    }

    /// The status named by its wire name.
    ///
    /// # Errors
    ///
    /// `None` for a name that is not one of the five statuses.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ClaimStatus;
    /// assert_eq!(ClaimStatus::parse("under_review"), Some(ClaimStatus::UnderReview));
    /// assert_eq!(ClaimStatus::parse("Approved"), None);
    /// ```
    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The operator's workflow: review is optional, a decision is final, and only
    /// an approved claim can be fulfilled. Nothing moves back to `submitted`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ClaimStatus::*;
    /// assert!(Submitted.can_move_to(Approved));
    /// assert!(!Rejected.can_move_to(Approved));
    /// assert!(!Submitted.can_move_to(Fulfilled));
    /// ```
    pub fn can_move_to(self, to: ClaimStatus) -> bool {
        use ClaimStatus::*;
        matches!(
            (self, to),
            (Submitted, UnderReview)
                | (Submitted, Approved)
                | (Submitted, Rejected)
                | (UnderReview, Approved)
                | (UnderReview, Rejected)
                | (Approved, Fulfilled)
        )
    }
}

/// A filed claim as the server answers it: the request's fields plus `status`,
/// `granted` (the server's figures), `submitted_at` and `updated_at`.
///
/// The server writes it and the widget reads it, so the two cannot drift; the
/// fields a listing may leave out default, so an older server's answer still reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    #[serde(default = "claim_schema")]
    pub schema: String,
    pub claim_id: String,
    #[serde(default)]
    pub contract_id: String,
    pub periods: Vec<String>,
    pub remedy: Remedy,
    #[serde(default)]
    pub expected: Expected,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub note: String,
    pub status: ClaimStatus,
    pub granted: Granted,
    #[serde(default)]
    pub submitted_at: String,
    #[serde(default)]
    pub updated_at: String,
    /// The claim's status changes as the client sees them, oldest first (in the claims
    /// list; a POST answer carries none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StatusChange>,
}

/// One status change of a claim as its client sees it: the status, when it was set,
/// and the operator's note (never who set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ClaimStatus,
    pub at: String,
    #[serde(default)]
    pub note: String,
}

fn claim_schema() -> String {
    CLAIM_SCHEMA.to_string()
}

impl ClaimRecord {
    /// The record of `request` as filed, in its current `status`: the server's answer.
    pub fn new(
        request: ClaimRequest,
        status: ClaimStatus,
        granted: Granted,
        submitted_at: String,
        updated_at: String,
    ) -> ClaimRecord {
        let ClaimRequest {
            schema,
            claim_id,
            contract_id,
            periods,
            remedy,
            expected,
            contact,
            note,
        } = request;
        ClaimRecord {
            schema,
            claim_id,
            contract_id,
            periods,
            remedy,
            expected,
            contact,
            note,
            status,
            granted,
            submitted_at,
            updated_at,
            history: Vec::new(),
        }
    }
}

/// The `GET claimsUrl` answer: `{ "schema": "sla-portal/claims/v1", "claims": [ … ] }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsList {
    pub schema: String,
    pub claims: Vec<ClaimRecord>,
}

impl ClaimsList {
    /// The listing of `claims` under the current schema tag.
    pub fn new(claims: Vec<ClaimRecord>) -> ClaimsList {
        ClaimsList {
            schema: CLAIMS_SCHEMA.to_string(),
            claims,
        }
    }
}

/// Reads a `GET claimsUrl` answer.
///
/// # Errors
///
/// The decoder's message when the bytes are not a claims list, or a message naming
/// the schema when it is not `sla-portal/claims/v1` (DATA_CONTRACT.md: an unknown
/// schema is an error, never a guess).
///
/// # Examples
///
/// ```
/// use sla_rules::claims::parse_claims_list;
/// assert_eq!(parse_claims_list(br#"{"schema":"sla-portal/claims/v1","claims":[]}"#), Ok(vec![]));
/// assert!(parse_claims_list(br#"{"schema":"sla-portal/claims/v2","claims":[]}"#).is_err());
/// ```
pub fn parse_claims_list(bytes: &[u8]) -> Result<Vec<ClaimRecord>, String> {
    let doc: ClaimsList = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if doc.schema != CLAIMS_SCHEMA {
        return Err(format!("schema \"{}\" is not {CLAIMS_SCHEMA}", doc.schema));
    }
    Ok(doc.claims)
}

/// Every period named by a filed claim, sorted, each once: a period is claimed
/// once, whatever became of the claim (a rejected claim keeps its periods).
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{claimed_periods, parse_claims_list};
/// let list = parse_claims_list(br#"{"schema":"sla-portal/claims/v1","claims":[
///   {"claim_id":"a","periods":["2026-03","2026-02"],"remedy":"contract_credit","status":"rejected",
///    "granted":{"remedy":"contract_credit","units":2,"contract_credit":10}},
///   {"claim_id":"b","periods":["2026-02"],"remedy":"service_extension","status":"submitted",
///    "granted":{"remedy":"service_extension","units":1,"service_extension_months":1}}]}"#).unwrap();
/// assert_eq!(claimed_periods(&list), ["2026-02", "2026-03"]);
/// ```
pub fn claimed_periods(claims: &[ClaimRecord]) -> Vec<String> {
    let mut v: Vec<String> = claims.iter().flat_map(|c| c.periods.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// The months that may be claimed now: breached service periods (those with an
/// entry in the contract-credit entitlement) that no filed claim has named, in
/// report order.
///
/// # Examples
///
/// ```
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"},
/// #              {"start":"2026-03-10T10:00:00+08:00","end":"2026-03-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// // February and March each lost 5 minutes: both breached; February was claimed.
/// let open = sla_rules::claims::claimable_periods(&report, &["2026-02".to_string()]);
/// assert_eq!(open, ["2026-03"]);
/// ```
pub fn claimable_periods(report: &Report, claimed: &[String]) -> Vec<String> {
    report
        .entitlement
        .contract_credit
        .per_period
        .iter()
        .filter(|c| !claimed.iter().any(|m| c.month == *m))
        .map(|c| c.month.to_string())
        .collect()
}

/// The error codes of the claims API (`{"error":{"code":…}}`), written by the
/// server and read by the widget. A code this build does not know reads as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    ContractMismatch,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    PeriodAlreadyClaimed,
    ClaimIdReused,
    PeriodNotBreached,
    ExpectedMismatch,
    NothingToGrant,
    DataInvalid,
    Internal,
    Timeout,
    /// An operator asked for a status change the workflow does not allow.
    StatusNotAllowed,
    /// 429: this token's holder sent too many requests.
    RateLimited,
    /// 429: the server has too many open connections.
    TooManyConnections,
    /// 503: the claims store is not answering.
    StoreUnavailable,
    /// 503: the server is draining before it stops.
    ShuttingDown,
    /// 422: a webhook subscription asks for something the server does not offer
    /// (an unknown event type, no event type, a description too long).
    InvalidSubscription,
    /// 422: a webhook URL the egress rules refuse (not https, a private address).
    WebhookUrlRefused,
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The wire name, as serde writes it (`Other` has none of its own: `"other"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::claims::ErrorCode;
    /// assert_eq!(ErrorCode::PeriodAlreadyClaimed.as_str(), "period_already_claimed");
    /// // A code this build does not know reads as Other.
    /// let c: ErrorCode = serde_json::from_str(r#""brand_new_code""#).unwrap();
    /// assert_eq!(c, ErrorCode::Other);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ContractMismatch => "contract_mismatch",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::PeriodAlreadyClaimed => "period_already_claimed",
            ErrorCode::ClaimIdReused => "claim_id_reused",
            ErrorCode::PeriodNotBreached => "period_not_breached",
            ErrorCode::ExpectedMismatch => "expected_mismatch",
            ErrorCode::NothingToGrant => "nothing_to_grant",
            ErrorCode::DataInvalid => "data_invalid",
            ErrorCode::Internal => "internal",
            ErrorCode::Timeout => "timeout",
            ErrorCode::StatusNotAllowed => "status_not_allowed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooManyConnections => "too_many_connections",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::InvalidSubscription => "invalid_subscription",
            ErrorCode::WebhookUrlRefused => "webhook_url_refused",
            ErrorCode::Other => "other",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a claim is refused, with the HTTP status the data contract gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: ErrorCode,
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

/// The figures for claiming `periods` (each must be a breached period of the report).
///
/// # Errors
///
/// `422 period_not_breached` listing the periods that are not breached service periods.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{figures_for, Remedy};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// // February 2026 lost 5 minutes: one unit. Without signing data the credit is 0;
/// // the extension moves the end 2026-12-31 by one month.
/// let feb = ["2026-02".to_string()];
/// let g = figures_for(&report, &feb, Remedy::ServiceExtension).unwrap();
/// assert_eq!((g.units, g.service_end.as_deref()), (1, Some("2027-01-31")));
/// assert_eq!(figures_for(&report, &feb, Remedy::ContractCredit).unwrap().contract_credit, Some(0));
/// ```
pub fn figures_for(
    report: &Report,
    periods: &[String],
    remedy: Remedy,
) -> Result<Granted, Refusal> {
    let per = &report.entitlement.contract_credit.per_period;
    let not_breached: Vec<&String> = periods
        .iter()
        .filter(|p| !per.iter().any(|c| c.month == **p))
        .collect();
    if !not_breached.is_empty() {
        return Err(Refusal {
            status: 422,
            code: ErrorCode::PeriodNotBreached,
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
    let chosen: Vec<_> = per
        .iter()
        .filter(|c| periods.iter().any(|p| c.month == *p))
        .collect();
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

/// The part of [`check_claim`] that needs only the periods, shared with the widget's
/// draft so the form refuses what the server would: no period claimed before, every
/// period breached, and at least one unit to grant. Returns the figures for `remedy`.
///
/// # Errors
///
/// A [`Refusal`]: `409 period_already_claimed` (listing the claimed periods),
/// `422 period_not_breached` (listing the periods that are not breached service
/// periods) or `422 nothing_to_grant`, checked in that order.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{check_periods, ErrorCode, Remedy};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// // February lost 5 minutes (one compensable outage); March lost none.
/// let feb = vec!["2026-02".to_string()];
/// let g = check_periods(&report, &[], &feb, Remedy::ServiceExtension).unwrap();
/// assert_eq!((g.units, g.service_end.as_deref()), (1, Some("2027-01-31")));
/// let e = check_periods(&report, &feb, &feb, Remedy::ServiceExtension).unwrap_err();
/// assert_eq!((e.status, e.code), (409, ErrorCode::PeriodAlreadyClaimed));
/// let e = check_periods(&report, &[], &["2026-03".into()], Remedy::ContractCredit).unwrap_err();
/// assert_eq!((e.status, e.code), (422, ErrorCode::PeriodNotBreached));
/// ```
pub fn check_periods(
    report: &Report,
    already_claimed: &[String],
    periods: &[String],
    remedy: Remedy,
) -> Result<Granted, Refusal> {
    let taken: Vec<&String> = periods
        .iter()
        .filter(|p| already_claimed.contains(p))
        .collect();
    if !taken.is_empty() {
        return Err(Refusal {
            status: 409,
            code: ErrorCode::PeriodAlreadyClaimed,
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
    let granted = figures_for(report, periods, remedy)?;
    if granted.units == 0 {
        return Err(Refusal {
            status: 422,
            code: ErrorCode::NothingToGrant,
            message: "the periods carry no compensable outage".into(),
            details: serde_json::json!({ "granted": granted }),
        });
    }
    Ok(granted)
}

/// The server's check: the claim is for this report's contract, its periods
/// are breached and not claimed before, it grants something, and its expected
/// figures equal the ones computed here.
///
/// # Errors
///
/// A [`Refusal`]: `403 contract_mismatch`, then those of [`check_periods`], then
/// `422 expected_mismatch` carrying the server's figures in `details.granted`.
///
/// # Examples
///
/// ```
/// use sla_rules::claims::{check_claim, parse_claim, ErrorCode};
/// # let usage = br#"{"schema":"sla-portal/usage/v1","client":{"id":"c"},
/// #   "contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
/// #   "telemetry":[],
/// #   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:05:00+08:00"}]}"#;
/// # let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
/// # let report = sla_rules::report(
/// #     &sla_rules::Inputs { usage, incidents, policy: None }, "2026-04-01T00:00:00+08:00").unwrap();
/// let body = |units: u64| format!(r#"{{"schema":"sla-portal/claim/v1",
///   "claim_id":"0b7e7a8e-3c1d-4f5a-9b2c-1d2e3f4a5b6c","contract_id":"K","periods":["2026-02"],
///   "remedy":"service_extension","expected":{{"units":{units},"service_extension_months":{units}}},
///   "contact":{{"name":"王敏","email":"wm@example.com","phone":"13800000000"}}}}"#);
/// let claim = parse_claim(body(1).as_bytes(), "claim").unwrap();
/// assert_eq!(check_claim(&report, &[], &claim).unwrap().units, 1);
/// let greedy = parse_claim(body(2).as_bytes(), "claim").unwrap();
/// assert_eq!(check_claim(&report, &[], &greedy).unwrap_err().code, ErrorCode::ExpectedMismatch);
/// ```
pub fn check_claim(
    report: &Report,
    already_claimed: &[String],
    claim: &ClaimRequest,
) -> Result<Granted, Refusal> {
    if claim.contract_id != report.contract_id {
        return Err(Refusal {
            status: 403,
            code: ErrorCode::ContractMismatch,
            message: format!(
                "contract {} is not the caller's contract",
                claim.contract_id
            ),
            details: serde_json::json!({ "contract_id": claim.contract_id }),
        });
    }
    let granted = check_periods(report, already_claimed, &claim.periods, claim.remedy)?;
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
            code: ErrorCode::ExpectedMismatch,
            message: "the expected figures differ from the server's".into(),
            details: serde_json::json!({ "expected": e, "granted": granted }),
        });
    }
    Ok(granted)
}
