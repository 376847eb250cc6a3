//! Client documents from `DATA/<client>/{usage,incidents,policy}.json`, cached by
//! file size and modification time: a claim does not re-read and re-parse a year
//! of telemetry, and a document replaced on disk is picked up on the next request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use sla_rules::report::Report;
use sla_rules::usage::Usage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Doc {
    Usage,
    Incidents,
    Policy,
}

impl Doc {
    pub fn file_name(self) -> &'static str {
        match self {
            Doc::Usage => sla_rules::USAGE_FILE,
            Doc::Incidents => sla_rules::INCIDENTS_FILE,
            Doc::Policy => sla_rules::POLICY_FILE,
        }
    }
}

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileKey {
    len: u64,
    modified: Option<SystemTime>,
}

/// A document's bytes and a validator for conditional GET.
#[derive(Debug)]
pub struct FileDoc {
    key: FileKey,
    pub bytes: Bytes,
    /// A strong hash of the content, quoted, for `ETag`.
    pub etag: String,
}

/// Why a client's documents could not be used.
#[derive(Debug)]
pub enum DataError {
    /// The file does not exist.
    Missing(Doc),
    Io(String),
    /// The provider's own document does not pass the rules core's checks.
    Invalid(sla_rules::InputError),
}

pub struct DataDir {
    root: PathBuf,
    files: Mutex<HashMap<(String, Doc), Arc<FileDoc>>>,
    parsed: Mutex<HashMap<String, (FileKey, Arc<Usage>)>>,
}

fn key_of(path: &Path) -> std::io::Result<FileKey> {
    let m = std::fs::metadata(path)?;
    Ok(FileKey {
        len: m.len(),
        modified: m.modified().ok(),
    })
}

impl DataDir {
    pub fn new(root: PathBuf) -> DataDir {
        DataDir {
            root,
            files: Mutex::new(HashMap::new()),
            parsed: Mutex::new(HashMap::new()),
        }
    }

    fn path(&self, client: &str, doc: Doc) -> PathBuf {
        // `client` comes from the token table, which admits only safe path segments.
        self.root.join(client).join(doc.file_name())
    }

    /// The document's current bytes (blocking: call from `spawn_blocking`).
    pub fn file(&self, client: &str, doc: Doc) -> Result<Arc<FileDoc>, DataError> {
        let path = self.path(client, doc);
        let key = match key_of(&path) {
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DataError::Missing(doc))
            }
            Err(e) => return Err(DataError::Io(format!("{}: {e}", path.display()))),
        };
        let cache_key = (client.to_string(), doc);
        if let Some(f) = self.lock_files().get(&cache_key) {
            if f.key == key {
                return Ok(f.clone());
            }
        }
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => DataError::Missing(doc),
            _ => DataError::Io(format!("{}: {e}", path.display())),
        })?;
        // Size and time are read before the content: if the file changes in
        // between, the next request sees a new key and reads it again.
        let etag = format!("\"{}\"", crate::auth::hex(&Sha256::digest(&bytes)[..16]));
        let f = Arc::new(FileDoc {
            key,
            bytes: Bytes::from(bytes),
            etag,
        });
        self.lock_files().insert(cache_key, f.clone());
        Ok(f)
    }

    /// The parsed usage document, re-parsed only when the file changed.
    pub fn usage(&self, client: &str) -> Result<Arc<Usage>, DataError> {
        let f = self.file(client, Doc::Usage)?;
        if let Some((k, u)) = self.lock_parsed().get(client) {
            if *k == f.key {
                return Ok(u.clone());
            }
        }
        let u = Arc::new(
            sla_rules::usage::parse_usage(&f.bytes, Doc::Usage.file_name())
                .map_err(DataError::Invalid)?,
        );
        self.lock_parsed()
            .insert(client.to_string(), (f.key, u.clone()));
        Ok(u)
    }

    /// The client's report as of `as_of` (seconds since the epoch), computed by the
    /// rules core from the client's current documents.
    pub fn report(&self, client: &str, as_of: i64) -> Result<Report, DataError> {
        let policy = match self.file(client, Doc::Policy) {
            Ok(p) => sla_rules::policy::parse_policy(&p.bytes, Doc::Policy.file_name())
                .map_err(DataError::Invalid)?,
            Err(DataError::Missing(_)) => sla_rules::policy::Policy::default(),
            Err(e) => return Err(e),
        };
        let usage = self.usage(client)?;
        let inc = self.file(client, Doc::Incidents)?;
        let incidents =
            sla_rules::incidents::parse_incidents(&inc.bytes, Doc::Incidents.file_name())
                .map_err(DataError::Invalid)?;
        Ok(sla_rules::evaluate(&usage, &incidents, &policy, as_of).report)
    }

    fn lock_files(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Doc), Arc<FileDoc>>> {
        // A panic while holding the lock cannot leave the map half-updated
        // (inserts are single calls), so a poisoned lock is still usable.
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_parsed(&self) -> std::sync::MutexGuard<'_, HashMap<String, (FileKey, Arc<Usage>)>> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }
}
