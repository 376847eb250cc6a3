//! Operator commands on the claims database: list claims, and move a claim along
//! its workflow with an audit row (`claims set-status`).

use serde::Serialize;
use sla_rules::claims::ClaimRecord;

use crate::sqlite::WriteMode;
use crate::store::{Status, StatusError};

/// A claim as the operator's listing shows it: the client's record plus whose it is.
#[derive(Serialize)]
struct OperatorClaim {
    #[serde(flatten)]
    claim: ClaimRecord,
    client_id: String,
}

/// `--db` for an operator command: a SQLite file or a PostgreSQL URL, with a
/// small pool (one command, one connection at a time).
async fn open(db: &str) -> Result<std::sync::Arc<dyn crate::store::Store>, String> {
    crate::open_store(db, 2, WriteMode::Naive).await
}

pub async fn list(db: &str) -> Result<(), String> {
    let store = open(db).await?;
    let claims = store.all_claims().await.map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(claims.len());
    for c in &claims {
        out.push(OperatorClaim {
            claim: crate::claims_http::claim_record(c).map_err(|e| e.message)?,
            client_id: c.client_id.clone(),
        });
    }
    let doc = serde_json::json!({ "schema": sla_rules::claims::CLAIMS_SCHEMA, "claims": out });
    println!(
        "{}",
        serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
    );
    Ok(())
}

pub async fn set_status(db: &str, claim_id: &str, status: &str, note: &str) -> Result<(), String> {
    let to = Status::parse(status).ok_or_else(|| {
        format!(
            "unknown status {status:?}: {}",
            crate::statuses::or_list(&crate::statuses::targets())
        )
    })?;
    let store = open(db).await?;
    let actor = format!(
        "operator:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    );
    match store
        .set_status(claim_id, to, &actor, note, &crate::clock::now_rfc3339())
        .await
    {
        Ok(c) => {
            // The change queued its event in the outbox; a running server sends it.
            println!("{} {} -> {}", c.claim_id, status, c.updated_at);
            Ok(())
        }
        Err(StatusError::NotFound) => Err(format!("no claim {claim_id}")),
        Err(e) => Err(e.to_string()),
    }
}
