//! Signed claim receipts (docs/SIGNATURES.md): what a claim answer carries as `receipt`,
//! a compact JWS over the stored claim's canonical JSON and the SHA-256 of its evidence,
//! signed once per state the claim is in and kept for its history.

use std::sync::Arc;

use serde_json::{json, Value};

use sha2::{Digest, Sha256};
use sla_rules::claims::ClaimRecord;

use crate::data::{DataError, Doc, Scope};
use crate::errors::ApiError;
use crate::store::{Receipt, StoredClaim};
use crate::AppState;

/// What a receipt says: the claim as stored (not the contact, which is the client's own
/// data and may be corrected) and the evidence its figures came from.
pub fn payload(record: &ClaimRecord, client: &str, evidence_sha256: &str) -> Value {
    json!({
        "claim_id": record.claim_id,
        "client": client,
        "contract": record.contract_id,
        "periods": record.periods,
        "remedy": record.remedy,
        "granted": record.granted,
        "status": record.status,
        "submitted_at": record.submitted_at,
        "updated_at": record.updated_at,
        "evidence_sha256": evidence_sha256,
    })
}

/// The SHA-256 (hex) of the canonical JSON of the evidence the rules core computes for
/// these periods now, without its `as_of`: the instant of the download is no figure, and a
/// client who downloads the evidence later hashes the same bytes. The documents are
/// read through the cache; the whole evaluation with its minute map runs on a
/// blocking thread (not `api::blocking`, which uses this module).
pub async fn evidence_sha256(
    state: &AppState,
    scope: &Scope,
    periods: &[String],
) -> Result<String, ApiError> {
    let (data, client) = (&state.data, scope.dir.as_str());
    let usage = data.usage(client).await.map_err(missing)?;
    let inc = data.file(client, Doc::Incidents).await.map_err(missing)?;
    let policy_file = data.file(client, Doc::Policy).await;
    let periods = periods.to_vec();
    tokio::task::spawn_blocking(move || {
        let invalid = |e: sla_rules::InputError| ApiError::internal(format!("client data: {e}"));
        let incidents =
            sla_rules::incidents::parse_incidents(&inc.bytes, Doc::Incidents.file_name())
                .map_err(invalid)?;
        let policy = match policy_file {
            Ok(p) => sla_rules::policy::parse_policy(&p.bytes, Doc::Policy.file_name())
                .map_err(invalid)?,
            Err(DataError::Missing(_)) => sla_rules::policy::Policy::default(),
            Err(e) => return Err(missing(e)),
        };
        let ev = sla_rules::evaluate(&usage, &incidents, &policy, crate::clock::now_unix());
        let evidence = sla_rules::evidence::evidence(&ev, &periods);
        hash_without_as_of(&evidence)
    })
    .await
    .map_err(|_| ApiError::internal("the evidence was not computed"))?
}

/// SHA-256 (hex) of the canonical JSON of `doc` without its top-level `as_of`.
pub fn hash_without_as_of(doc: &impl serde::Serialize) -> Result<String, ApiError> {
    let mut v = serde_json::to_value(doc).map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.remove("as_of");
    }
    let text = sla_rules::jcs::canonical(&v).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(hex(&Sha256::digest(text.as_bytes())))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn missing(e: DataError) -> ApiError {
    match e {
        DataError::Missing(d) => {
            ApiError::internal(format!("no {} for this client", d.file_name()))
        }
        DataError::Io(m) => ApiError::internal(m),
        DataError::Invalid(e) => ApiError::internal(e.to_string()),
    }
}

/// The receipt of the claim's current state: the one kept, or (with a signing key) a new
/// one, signed and kept now. `None` without a key and nothing kept. A receipt that cannot
/// be made (the documents are gone, the store fails) is logged, never a failed answer:
/// the claim itself stands.
/// Answers it with every receipt kept for the claim (the current one last).
pub async fn current(
    state: &Arc<AppState>,
    record: &ClaimRecord,
    scope: &Scope,
) -> (Option<String>, Vec<Receipt>) {
    match current_or_error(state, record, scope).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(claim_id = %record.claim_id, error = %e.message, "no receipt");
            (None, Vec::new())
        }
    }
}

/// The receipt of a stored claim's current state (`current`).
pub async fn of_stored(
    state: &Arc<AppState>,
    claim: &StoredClaim,
) -> (Option<String>, Vec<Receipt>) {
    match crate::claims_http::claim_record(claim) {
        Ok(record) => {
            let scope = scope_of(state, &claim.client_id, &record.contract_id).await;
            current(state, &record, &scope).await
        }
        Err(_) => (None, Vec::new()),
    }
}

/// Where a stored claim's documents are: its group contract's directory when the client
/// has one of that id, else the client's own documents (a one-contract client).
async fn scope_of(state: &AppState, client: &str, contract: &str) -> Scope {
    let plain = !contract.is_empty()
        && contract
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain && state.data.is_group_contract(client, contract).await {
        Scope::group(client, contract)
    } else {
        Scope::single(client)
    }
}

async fn current_or_error(
    state: &Arc<AppState>,
    record: &ClaimRecord,
    scope: &Scope,
) -> Result<(Option<String>, Vec<Receipt>), ApiError> {
    let kept = state.store.receipts(&record.claim_id).await?;
    if let Some(r) = kept.iter().find(|r| r.status == record.status) {
        return Ok((Some(r.jws.clone()), kept));
    }
    let Some(signer) = &state.signing.current else {
        return Ok((None, kept));
    };
    let digest = evidence_sha256(state, scope, &record.periods).await?;
    let jws = signer
        .sign(
            crate::signing::RECEIPT_TYP,
            &payload(record, &scope.client, &digest),
        )
        .map_err(ApiError::internal)?;
    let receipt = Receipt {
        status: record.status,
        at: record.updated_at.clone(),
        kid: signer.public.kid.clone(),
        jws,
    };
    state.store.put_receipt(&record.claim_id, &receipt).await?;
    // A concurrent request may have kept its own first: answer the one kept.
    let kept = state.store.receipts(&record.claim_id).await?;
    let jws = kept
        .iter()
        .find(|r| r.status == record.status)
        .map(|r| r.jws.clone())
        .unwrap_or(receipt.jws);
    Ok((Some(jws), kept))
}

/// A claim answer: the record as before (same members, same order), then `receipt`, and
/// in the claims list `receipts`, every receipt kept for the claim, oldest first, one per
/// state of its history. Both are absent when there is none.
#[derive(serde::Serialize)]
pub struct WithReceipt<'a> {
    #[serde(flatten)]
    pub record: &'a ClaimRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<&'a str>,
}

/// The claims list with receipts, members in the data contract's order.
#[derive(serde::Serialize)]
pub struct ListWithReceipts<'a> {
    pub schema: &'static str,
    pub claims: Vec<WithReceipt<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_rules::claims::{ClaimStatus, Contact, Expected, Granted, Remedy};

    fn record() -> ClaimRecord {
        let request = sla_rules::claims::ClaimRequest {
            schema: sla_rules::claims::CLAIM_SCHEMA.into(),
            claim_id: "c-1".into(),
            contract_id: "K-1".into(),
            periods: vec!["2025-03".into()],
            remedy: Remedy::ContractCredit,
            expected: Expected {
                units: 1,
                service_extension_months: None,
                contract_credit: Some(300),
            },
            contact: Contact {
                name: "王敏".into(),
                email: "wm@example.com".into(),
                phone: "+86 138 0000 0000".into(),
            },
            note: String::new(),
        };
        let granted = Granted {
            remedy: Remedy::ContractCredit,
            units: 1,
            service_extension_months: None,
            service_end: None,
            contract_credit: Some(300),
        };
        ClaimRecord::new(
            request,
            ClaimStatus::Submitted,
            granted,
            "2026-12-04T10:00:00Z".into(),
            "2026-12-04T10:00:00Z".into(),
        )
    }

    #[test]
    fn without_a_receipt_the_answer_is_the_record_byte_for_byte() {
        let r = record();
        let plain = serde_json::to_string(&r).unwrap();
        let wrapped = WithReceipt {
            record: &r,
            receipt: None,
            receipts: Vec::new(),
        };
        assert_eq!(serde_json::to_string(&wrapped).unwrap(), plain);
        let with = WithReceipt {
            record: &r,
            receipt: Some("h.p.s"),
            receipts: vec!["a.b.c", "h.p.s"],
        };
        let text = serde_json::to_string(&with).unwrap();
        assert_eq!(
            text,
            format!(
                "{},\"receipt\":\"h.p.s\",\"receipts\":[\"a.b.c\",\"h.p.s\"]}}",
                &plain[..plain.len() - 1]
            )
        );
    }

    #[test]
    fn the_payload_leaves_out_the_contact_and_is_canonical() {
        let p = payload(&record(), "acme", "ab");
        let text = sla_rules::jcs::canonical(&p).unwrap();
        assert_eq!(
            text,
            r#"{"claim_id":"c-1","client":"acme","contract":"K-1","evidence_sha256":"ab","granted":{"contract_credit":300,"remedy":"contract_credit","units":1},"periods":["2025-03"],"remedy":"contract_credit","status":"submitted","submitted_at":"2026-12-04T10:00:00Z","updated_at":"2026-12-04T10:00:00Z"}"#
        );
    }
}
