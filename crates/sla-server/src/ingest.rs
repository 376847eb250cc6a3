//! The operator's ingestion API and `sla-server import`: how a provider's own
//! systems put documents into the database `--documents db` serves from, instead
//! of regenerating files. Every write is validated by the rules core first, is one
//! transaction making one new version (`data/db.rs`), and wakes the breach sweep.
//!
//! Routes, under `/api/v1/operator/clients/{client}/contracts/{contract}/`:
//! `PUT documents/{usage|incidents|policy}`, `POST telemetry[?replace=true]`,
//! `PUT|DELETE records/{kind}/{id}`. `{contract}` is the client id for a
//! one-contract client (its documents are the client's own, as `DATA/<client>/`
//! is) and a group contract's id otherwise.

use std::path::Path as FsPath;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use sla_rules::wire::ErrorCode;

use crate::api::blocking;
use crate::data::db::{Change, DocDb, RecordKind, Segment, WriteError, Written};
use crate::data::{Doc, Scope, CONTRACTS_DIR};
use crate::errors::{json_response, ApiError};
use crate::operator::Operator;
use crate::AppState;

/// The largest body accepted: a year of telemetry as JSON is a few MB; a whole
/// usage document with it a little more.
pub const INGEST_BODY_LIMIT: usize = 64 << 20;

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(400, ErrorCode::BadRequest, message)
}

/// The scope a route names: only a client of the token table, only ids that are
/// safe path segments.
fn scope_for(state: &AppState, client: &str, contract: &str) -> Result<Scope, ApiError> {
    if !crate::auth::valid_client_id(client) || !crate::auth::valid_client_id(contract) {
        return Err(ApiError::not_found());
    }
    if !state.tokens.clients().any(|c| c == client) {
        return Err(ApiError::new(
            404,
            ErrorCode::NotFound,
            "no such client in the token table",
        ));
    }
    Ok(if contract == client {
        Scope::single(client)
    } else {
        Scope::group(client, contract)
    })
}

fn db_of(state: &AppState) -> Result<Arc<DocDb>, ApiError> {
    state.data.db().cloned().ok_or_else(|| {
        ApiError::new(
            409,
            ErrorCode::BadRequest,
            "this server serves documents from files (--documents files); the ingestion API needs --documents db",
        )
    })
}

fn minute_text(minute: i64) -> String {
    chrono::DateTime::from_timestamp(minute * 60, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn write_error(e: WriteError) -> ApiError {
    match e {
        WriteError::Invalid(e) => ApiError::new(400, ErrorCode::DataInvalid, e.to_string())
            .with_details(json!({ "file": e.file, "path": e.path })),
        WriteError::Conflict {
            minute,
            stored,
            posted,
        } => ApiError::new(
            409,
            ErrorCode::TelemetryConflict,
            format!(
                "minute {} is stored with total {} and ok {}, not {} and {}; nothing was stored (?replace=true replaces)",
                minute_text(minute),
                stored.0,
                stored.1,
                posted.0,
                posted.1
            ),
        )
        .with_details(json!({
            "minute": minute_text(minute),
            "stored": { "total": stored.0, "ok": stored.1 },
            "posted": { "total": posted.0, "ok": posted.1 },
        })),
        WriteError::NoUsage => ApiError::new(
            409,
            ErrorCode::NotFound,
            "this contract has no usage document yet: PUT documents/usage first",
        ),
        WriteError::NoRecord => ApiError::not_found(),
        WriteError::Store(e) => e.into(),
    }
}

/// Runs one write and answers `{"version","etag","changed"}`; a change wakes the sweep.
async fn run_write(
    state: Arc<AppState>,
    scope: Scope,
    change: Change,
) -> Result<Response, ApiError> {
    let db = db_of(&state)?;
    let w: Written = db.write(&scope, change).await.map_err(write_error)?;
    if w.changed {
        tracing::info!(scope = %scope.dir, version = w.version, "documents written");
        state.sweep.wake.notify_one();
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({ "version": w.version, "etag": w.etag(), "changed": w.changed }),
    ))
}

async fn body_bytes(body: Body) -> Result<Vec<u8>, ApiError> {
    axum::body::to_bytes(body, INGEST_BODY_LIMIT)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| {
            ApiError::new(
                413,
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than {INGEST_BODY_LIMIT} bytes or was cut off"),
            )
        })
}

/// `PUT …/documents/{usage|incidents|policy}`: a whole document.
pub async fn put_document(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    Path((client, contract, doc)): Path<(String, String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let doc = Doc::from_route(&doc)?;
    let scope = scope_for(&state, &client, &contract)?;
    let bytes = body_bytes(body).await?;
    run_write(state, scope, Change::Document(doc, bytes)).await
}

#[derive(Deserialize)]
struct TelemetryBody {
    segments: Vec<Value>,
}

#[derive(Deserialize)]
pub struct ReplaceQuery {
    #[serde(default)]
    replace: bool,
}

/// Each posted segment checked by the core on its own (alignment, equal lengths,
/// `ok ≤ total`), errors named `telemetry: segments[i]…`; segments may overlap
/// each other and what is stored, and the merge decides.
fn parse_segments(bytes: &[u8]) -> Result<Vec<Segment>, ApiError> {
    const FILE: &str = "telemetry";
    let body: TelemetryBody = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            400,
            ErrorCode::DataInvalid,
            format!("{FILE}: $: not {{\"segments\":[{{\"start\",\"total\",\"ok\"}}]}} ({e})"),
        )
    })?;
    let mut out = Vec::with_capacity(body.segments.len());
    for (i, seg) in body.segments.into_iter().enumerate() {
        // A usage document around the one segment; its term does not bear on
        // whether the counts are well formed.
        let doc = json!({
            "schema": sla_rules::usage::USAGE_SCHEMA,
            "client": {"id": "ingest"},
            "contract": {"id": "ingest", "service_start": "1970-01-01", "service_end": "9999-12-31"},
            "telemetry": [seg],
        });
        let text = serde_json::to_vec(&doc).unwrap_or_default();
        let u = sla_rules::usage::parse_usage(&text, FILE).map_err(|e| {
            let path = e
                .path
                .replacen("telemetry[0]", &format!("segments[{i}]"), 1);
            ApiError::new(
                400,
                ErrorCode::DataInvalid,
                format!("{FILE}: {path}: {}", e.message),
            )
            .with_details(json!({ "file": FILE, "path": path }))
        })?;
        for s in u.telemetry {
            out.push(Segment {
                start_minute: s.start_minute,
                total: s.total,
                ok: s.ok,
            });
        }
    }
    Ok(out)
}

/// `POST …/telemetry[?replace=true]`: `{"segments":[{"start","total","ok"}]}` merged.
pub async fn post_telemetry(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    Path((client, contract)): Path<(String, String)>,
    Query(q): Query<ReplaceQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let scope = scope_for(&state, &client, &contract)?;
    let bytes = body_bytes(body).await?;
    let segments = blocking(move || parse_segments(&bytes)).await?;
    run_write(
        state,
        scope,
        Change::Telemetry {
            segments,
            replace: q.replace,
        },
    )
    .await
}

fn record_kind(kind: &str, id: &str) -> Result<RecordKind, ApiError> {
    let k = RecordKind::parse(kind).ok_or_else(ApiError::not_found)?;
    if id.is_empty() || id.len() > 200 {
        return Err(bad_request("a record id of 1 to 200 characters"));
    }
    Ok(k)
}

/// `PUT …/records/{kind}/{id}`: replaces or adds one record (the id is the month
/// for `signing` and `durability`).
pub async fn put_record(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    Path((client, contract, kind, id)): Path<(String, String, String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let scope = scope_for(&state, &client, &contract)?;
    let kind = record_kind(&kind, &id)?;
    let bytes = body_bytes(body).await?;
    let record: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            400,
            ErrorCode::DataInvalid,
            format!("record: $: not JSON ({e})"),
        )
    })?;
    run_write(state, scope, Change::PutRecord { kind, id, record }).await
}

/// `DELETE …/records/{kind}/{id}`.
pub async fn delete_record(
    State(state): State<Arc<AppState>>,
    _op: Operator,
    Path((client, contract, kind, id)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let scope = scope_for(&state, &client, &contract)?;
    let kind = record_kind(&kind, &id)?;
    run_write(state, scope, Change::DeleteRecord { kind, id }).await
}

/// The contracts of a files tree: `(scope, directory)` of every one-contract
/// client (`DIR/<client>/usage.json`) and group contract (`DIR/<client>/contracts/<id>/`).
fn tree_scopes(root: &FsPath) -> Result<Vec<(Scope, std::path::PathBuf)>, String> {
    let names = |dir: &FsPath| -> Result<Vec<String>, String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| crate::auth::valid_client_id(n))
            .collect();
        v.sort();
        Ok(v)
    };
    let mut out = Vec::new();
    for client in names(root)? {
        let dir = root.join(&client);
        let group = dir.join(CONTRACTS_DIR);
        if group.is_dir() {
            for id in names(&group)? {
                out.push((Scope::group(&client, &id), group.join(&id)));
            }
        } else if dir.join(Doc::Usage.file_name()).is_file() {
            out.push((Scope::single(&client), dir));
        }
    }
    Ok(out)
}

/// `sla-server import --db … --data DIR`: every document of the tree, each one
/// write; a document already stored as it is makes no new version, so a second
/// run changes nothing. A document missing from the tree is left as stored.
pub async fn import(db: &str, data: &FsPath) -> Result<(), String> {
    let _store = crate::open_store(db, 2, crate::sqlite::WriteMode::Naive).await?;
    let docs = Arc::new(DocDb::open(db).await?);
    let scopes = tree_scopes(data)?;
    let (mut changed, mut same) = (0usize, 0usize);
    for (scope, dir) in scopes {
        for doc in [Doc::Usage, Doc::Incidents, Doc::Policy] {
            let path = dir.join(doc.file_name());
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("{}: {e}", path.display())),
            };
            let w = docs
                .write(&scope, Change::Document(doc, bytes))
                .await
                .map_err(|e| match e {
                    WriteError::Invalid(e) => {
                        format!("{}: {}: {}", path.display(), e.path, e.message)
                    }
                    WriteError::Store(e) => format!("{}: {e}", path.display()),
                    other => format!("{}: {other:?}", path.display()),
                })?;
            if w.changed {
                changed += 1;
            } else {
                same += 1;
            }
        }
    }
    println!("imported: {changed} documents written, {same} already as stored");
    Ok(())
}
