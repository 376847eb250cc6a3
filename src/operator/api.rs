//! The operator routes as the console reads them (crates/sla-server/src/operator_queue.rs,
//! operator_clients.rs, exposure.rs): typed answers, and the outcomes a decision can have.

use std::collections::BTreeMap;

use serde::Deserialize;
use sla_rules::claims::{
    ClaimRecord, ClaimStatus, Contact, Expected, Granted, Remedy, StatusChange,
};
use sla_rules::wire::ErrorCode;

use crate::api::transport::error_body;
use crate::api::{request, Answer, ApiError, Call, Cancel};

use super::options::OpOptions;

/// One row of a claim's audit trail: who set which status when, and the note they wrote.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditEntry {
    pub status: ClaimStatus,
    #[serde(default)]
    pub from: Option<ClaimStatus>,
    pub at: String,
    /// `client:acme`, `operator:alice`: as the server recorded it.
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub note: String,
}

/// A claim as an operator sees it: the client's record, whose it is, its audit trail,
/// age and version (the `If-Match` of a decision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpClaim {
    pub record: ClaimRecord,
    pub client_id: String,
    pub audit: Vec<AuditEntry>,
    pub age_seconds: u64,
    pub version: String,
}

/// A claim on the wire: the claims document's record, written out field by field rather
/// than `#[serde(flatten)]` (whose buffering would be kilobytes of the full module), with
/// the operator's fields; its `history` is the audit trail, actors included.
#[derive(Deserialize)]
struct OpClaimWire {
    #[serde(default = "claim_schema")]
    schema: String,
    claim_id: String,
    #[serde(default)]
    contract_id: String,
    periods: Vec<String>,
    remedy: Remedy,
    #[serde(default)]
    expected: Expected,
    #[serde(default)]
    contact: Contact,
    #[serde(default)]
    note: String,
    status: ClaimStatus,
    granted: Granted,
    #[serde(default)]
    submitted_at: String,
    #[serde(default)]
    updated_at: String,
    client_id: String,
    #[serde(default)]
    age_seconds: u64,
    version: String,
    #[serde(default)]
    history: Vec<AuditEntry>,
}

fn claim_schema() -> String {
    sla_rules::claims::CLAIM_SCHEMA.to_string()
}

impl From<OpClaimWire> for OpClaim {
    fn from(w: OpClaimWire) -> OpClaim {
        // The client's view of the same history (status, time, note), for the shared views.
        let history = w
            .history
            .iter()
            .map(|h| StatusChange {
                status: h.status,
                at: h.at.clone(),
                note: h.note.clone(),
            })
            .collect();
        OpClaim {
            record: ClaimRecord {
                schema: w.schema,
                claim_id: w.claim_id,
                contract_id: w.contract_id,
                periods: w.periods,
                remedy: w.remedy,
                expected: w.expected,
                contact: w.contact,
                note: w.note,
                status: w.status,
                granted: w.granted,
                submitted_at: w.submitted_at,
                updated_at: w.updated_at,
                history,
            },
            client_id: w.client_id,
            audit: w.history,
            age_seconds: w.age_seconds,
            version: w.version,
        }
    }
}

fn claim_of(bytes: &[u8]) -> Result<OpClaim, String> {
    serde_json::from_slice::<OpClaimWire>(bytes)
        .map(OpClaim::from)
        .map_err(|e| e.to_string())
}

/// One page of the queue: its claims (oldest first), the counts per status for the
/// filters, and the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub claims: Vec<OpClaim>,
    pub counts: BTreeMap<String, u64>,
    pub next: Option<String>,
}

/// The queue's filters, as the route's query names them; empty is "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    pub status: String,
    pub client: String,
    pub month: String,
    pub remedy: String,
}

/// A month's exposure across every client and contract.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExposureMonth {
    pub month: String,
    pub below_target: u64,
    pub units: u64,
    pub service_extension_months: u64,
    pub contract_credit: u64,
    /// Units held by a claim, per the claim's status (every status, 0 when none).
    pub claimed_units: BTreeMap<String, u64>,
    pub unclaimed_units: u64,
}

#[derive(Deserialize)]
struct QueueWire {
    claims: Vec<OpClaimWire>,
    counts: BTreeMap<String, u64>,
    next: Option<String>,
}

/// A contract the server left out of its totals because its documents do not read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Unreadable {
    pub client: String,
    #[serde(default)]
    pub contract: Option<String>,
    #[serde(default)]
    pub error: String,
}

/// The exposure of a range of months, and what is missing from it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExposureAnswer {
    pub months: Vec<ExposureMonth>,
    /// Absent on a server that failed the whole answer instead.
    #[serde(default)]
    pub unreadable: Vec<Unreadable>,
}

/// One client's contracts and their document links (`GET …/operator/clients`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClientEntry {
    pub id: String,
    pub contracts: Vec<ContractEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContractEntry {
    pub id: String,
    pub links: Links,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Links {
    pub usage: String,
    pub incidents: String,
    pub policy: String,
}

#[derive(Deserialize)]
struct ClientsWire {
    clients: Vec<ClientEntry>,
}

/// Why a read failed: the transport's and the server's meanings, or an answer that is not
/// what the route documents (said, never guessed around).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Api(ApiError),
    Malformed { url: String, message: String },
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The queue's URL for `filters`, after `cursor` (a page's `next`).
pub fn queue_url(base: &str, filters: &Filters, cursor: Option<&str>, limit: u32) -> String {
    let mut q = vec![format!("limit={limit}")];
    for (k, v) in [
        ("status", &filters.status),
        ("client", &filters.client),
        ("month", &filters.month),
        ("remedy", &filters.remedy),
    ] {
        if !v.is_empty() {
            q.push(format!("{k}={}", encode(v)));
        }
    }
    if let Some(c) = cursor {
        q.push(format!("after={}", encode(c)));
    }
    format!("{base}/operator/claims?{}", q.join("&"))
}

/// A link the server wrote as an absolute path, resolved against the API's origin (an
/// `apiBase` on another origin keeps its scheme and host).
pub fn resolve(base: &str, link: &str) -> String {
    if !link.starts_with('/') {
        return link.to_string();
    }
    match base.find("://") {
        Some(i) => {
            let rest = &base[i + 3..];
            let host_end = rest.find('/').map_or(base.len(), |j| i + 3 + j);
            format!("{}{link}", &base[..host_end])
        }
        None => link.to_string(),
    }
}

async fn get(o: &OpOptions, url: &str, cancel: &Cancel) -> Result<Answer, ReadError> {
    let a = request(&o.http, Call::get(url), cancel)
        .await
        .map_err(|f| ReadError::Api(f.into()))?;
    if !a.ok() {
        return Err(ReadError::Api(ApiError::of_answer(&a)));
    }
    Ok(a)
}

/// The answer read as `T`; the decoder's message (with its line and column) when it is not.
fn parse<T: serde::de::DeserializeOwned>(url: &str, a: &Answer) -> Result<T, ReadError> {
    serde_json::from_slice(&a.body).map_err(|e| ReadError::Malformed {
        url: url.to_string(),
        message: e.to_string(),
    })
}

pub async fn queue(o: &OpOptions, url: &str, cancel: &Cancel) -> Result<QueuePage, ReadError> {
    let a = get(o, url, cancel).await?;
    let w: QueueWire = parse(url, &a)?;
    Ok(QueuePage {
        claims: w.claims.into_iter().map(OpClaim::from).collect(),
        counts: w.counts,
        next: w.next,
    })
}

pub fn claim_url(base: &str, id: &str) -> String {
    format!("{base}/operator/claims/{}", encode(id))
}

pub async fn claim(o: &OpOptions, id: &str, cancel: &Cancel) -> Result<OpClaim, ReadError> {
    let url = claim_url(&o.api_base, id);
    let a = get(o, &url, cancel).await?;
    parse::<OpClaimWire>(&url, &a).map(OpClaim::from)
}

pub async fn clients(o: &OpOptions, cancel: &Cancel) -> Result<Vec<ClientEntry>, ReadError> {
    let url = format!("{}/operator/clients", o.api_base);
    let a = get(o, &url, cancel).await?;
    parse::<ClientsWire>(&url, &a).map(|w| w.clients)
}

pub fn exposure_url(base: &str, from: &str, to: &str, csv: bool) -> String {
    let fmt = if csv { "&format=csv" } else { "" };
    format!(
        "{base}/operator/exposure?from={}&to={}{fmt}",
        encode(from),
        encode(to)
    )
}

pub async fn exposure(
    o: &OpOptions,
    from: &str,
    to: &str,
    cancel: &Cancel,
) -> Result<ExposureAnswer, ReadError> {
    let url = exposure_url(&o.api_base, from, to, false);
    let a = get(o, &url, cancel).await?;
    parse::<ExposureAnswer>(&url, &a)
}

/// The server's CSV of the same months, as text.
pub async fn exposure_csv(
    o: &OpOptions,
    from: &str,
    to: &str,
    cancel: &Cancel,
) -> Result<String, ReadError> {
    let url = exposure_url(&o.api_base, from, to, true);
    let a = get(o, &url, cancel).await?;
    String::from_utf8(a.body).map_err(|e| ReadError::Malformed {
        url: url.clone(),
        message: e.to_string(),
    })
}

/// What became of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Stored: the claim as it is now.
    Done(Box<OpClaim>),
    /// 412: someone changed the claim since it was read (who, and when).
    Changed { by: String, at: String },
    /// 409: the workflow does not allow it from the claim's status now.
    NotAllowed,
    /// 400 `note_required`: a rejection needs a note.
    NoteRequired,
    /// Anything else: the transport's or the server's meaning.
    Failed(ApiError),
}

/// The answer to a decision, classified (split from the call so it is tested natively).
pub fn decided(a: &Answer) -> Decided {
    if a.ok() {
        return match claim_of(&a.body) {
            Ok(c) => Decided::Done(Box::new(c)),
            Err(m) => Decided::Failed(ApiError::Rejected {
                status: a.status,
                message: m,
            }),
        };
    }
    let e = error_body(&a.body);
    match (a.status, e.as_ref().map(|e| e.code)) {
        (412, _) | (_, Some(ErrorCode::ClaimChanged)) => {
            let d = e.as_ref().map(|e| &e.details);
            let s = |k: &str| {
                d.and_then(|d| d.get(k))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            Decided::Changed {
                by: s("changed_by"),
                at: s("changed_at"),
            }
        }
        (409, _) => Decided::NotAllowed,
        (_, Some(ErrorCode::NoteRequired)) => Decided::NoteRequired,
        _ => Decided::Failed(ApiError::of_answer(a)),
    }
}

/// `POST …/status` with `If-Match` on `version` and `{"status", "note"}`.
pub async fn decide(
    o: &OpOptions,
    id: &str,
    version: &str,
    to: ClaimStatus,
    note: &str,
    cancel: &Cancel,
) -> Decided {
    let url = format!("{}/status", claim_url(&o.api_base, id));
    let body = serde_json::json!({ "status": to.as_str(), "note": note }).to_string();
    let mut http = o.http.clone();
    http.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("if-match"));
    http.headers
        .push(("If-Match".into(), format!("\"{version}\"")));
    match request(&http, Call::post_json(&url, &body), cancel).await {
        Ok(a) => decided(&a),
        Err(f) => Decided::Failed(f.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_url_names_only_the_filters_given() {
        let f = Filters {
            status: "submitted".into(),
            month: "2026-02".into(),
            ..Filters::default()
        };
        assert_eq!(
            queue_url("/api/v1", &f, Some("a b"), 25),
            "/api/v1/operator/claims?limit=25&status=submitted&month=2026-02&after=a%20b"
        );
        assert_eq!(
            queue_url("/api/v1", &Filters::default(), None, 25),
            "/api/v1/operator/claims?limit=25"
        );
    }

    #[test]
    fn server_links_follow_the_api_origin() {
        assert_eq!(resolve("/api/v1", "/api/v1/x"), "/api/v1/x");
        assert_eq!(
            resolve("https://sla.example.com/api/v1", "/api/v1/x"),
            "https://sla.example.com/api/v1/x"
        );
        assert_eq!(resolve("https://h:8080", "/y"), "https://h:8080/y");
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.as_bytes().to_vec(),
            retry_after: None,
            etag: None,
        }
    }

    #[test]
    fn a_stale_decision_says_who_changed_the_claim() {
        let a = answer(
            412,
            r#"{"error":{"code":"claim_changed","message":"…","details":{"status":"approved","version":"approved.t","changed_by":"operator:alice","changed_at":"2026-12-06T10:00:00Z"}}}"#,
        );
        assert_eq!(
            decided(&a),
            Decided::Changed {
                by: "operator:alice".into(),
                at: "2026-12-06T10:00:00Z".into()
            }
        );
        let a = answer(
            400,
            r#"{"error":{"code":"note_required","message":"a rejection needs a note"}}"#,
        );
        assert_eq!(decided(&a), Decided::NoteRequired);
        assert_eq!(
            decided(&answer(
                409,
                r#"{"error":{"code":"status_not_allowed","message":"x"}}"#
            )),
            Decided::NotAllowed
        );
    }

    #[test]
    fn exposure_names_the_contracts_left_out() {
        let a: ExposureAnswer = serde_json::from_str(
            r#"{"from":"2025-01","to":"2025-12","months":[],
                "unreadable":[{"client":"broken","contract":null,"error":"usage.json: x"},
                              {"client":"halfway","contract":"K-HALF","error":"incidents.json: y"}]}"#,
        )
        .expect("answer");
        assert_eq!(a.unreadable.len(), 2);
        assert_eq!(a.unreadable[0].contract, None);
        assert_eq!(a.unreadable[1].contract.as_deref(), Some("K-HALF"));
        // An older server's answer has no list: nothing is said to be missing.
        let old: ExposureAnswer = serde_json::from_str(r#"{"months":[]}"#).expect("old");
        assert!(old.unreadable.is_empty());
    }

    #[test]
    fn a_claim_reads_with_its_audit_trail() {
        let v = r#"{"schema":"sla-portal/claim/v1","claim_id":"c1","contract_id":"k","periods":["2026-02"],
                "remedy":"contract_credit","status":"approved",
                "granted":{"remedy":"contract_credit","units":1,"contract_credit":10},
                "client_id":"acme","age_seconds":60,"version":"approved.t",
                "history":[{"status":"submitted","from":null,"at":"t0","actor":"client:acme","note":""},
                           {"status":"approved","from":"submitted","at":"t1","actor":"operator:alice","note":"ok"}]}"#;
        let c = claim_of(v.as_bytes()).expect("claim");
        assert_eq!((c.client_id.as_str(), c.age_seconds), ("acme", 60));
        assert_eq!(c.audit.len(), 2);
        assert_eq!(c.audit[1].actor, "operator:alice");
        assert_eq!(c.audit[1].from, Some(ClaimStatus::Submitted));
        assert_eq!(c.record.granted.contract_credit, Some(10));
        // The client's view of the same history: no actors.
        assert_eq!(c.record.history.len(), 2);
        assert_eq!(c.record.history[1].note, "ok");
    }
}
