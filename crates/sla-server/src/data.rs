//! Client documents from `DATA/<client>/{usage,incidents,policy}.json`, cached by
//! file size and modification time: a claim does not re-read and re-parse a year
//! of telemetry, and a document replaced on disk is picked up on the next request.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use sla_rules::report::Report;
use sla_rules::usage::Usage;

/// A strong entity tag for these bytes: the first 128 bits of their SHA-256, quoted.
pub fn content_etag(bytes: &[u8]) -> String {
    format!("\"{}\"", crate::auth::hex(&Sha256::digest(bytes)[..16]))
}

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

/// The size and modification time of each of a client's documents.
pub type Versions = Vec<Option<(u64, Option<SystemTime>)>>;

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
    // Compressed once per file version, on first demand: compressing a year of
    // telemetry takes far longer than sending it over a fast link.
    br: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

/// A content coding the server keeps ready for documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Br,
    Gzip,
}

impl Coding {
    pub fn name(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// The best coding `Accept-Encoding` allows (brotli over gzip), if any.
    pub fn choose(accept: &str) -> Option<Coding> {
        let allowed = |name: &str| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    let p = p.trim().replace(' ', "");
                    p == "q=0" || p.starts_with("q=0.0") && p.trim_end_matches('0') == "q=0."
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if allowed("br") {
            Some(Coding::Br)
        } else if allowed("gzip") {
            Some(Coding::Gzip)
        } else {
            None
        }
    }
}

impl FileDoc {
    /// The document in `coding` (blocking: compresses on first use).
    pub fn encoded(&self, coding: Coding) -> Bytes {
        match coding {
            Coding::Br => self
                .br
                .get_or_init(|| {
                    // Quality 5 is about gzip's speed with a smaller result.
                    let mut w = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 5, 22);
                    let _ = w.write_all(&self.bytes);
                    Bytes::from(w.into_inner())
                })
                .clone(),
            Coding::Gzip => self
                .gzip
                .get_or_init(|| {
                    let mut w =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                    let _ = w.write_all(&self.bytes);
                    Bytes::from(w.finish().unwrap_or_default())
                })
                .clone(),
        }
    }
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
    reports: Mutex<HashMap<String, (ReportKey, Arc<Report>)>>,
}

/// Everything a report depends on: the instant (whole seconds, the server's
/// clock resolution) and the version of each document. Equal keys give equal
/// reports, so a memoised report is exactly the one a new evaluation would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReportKey {
    as_of: i64,
    usage: FileKey,
    incidents: FileKey,
    policy: Option<FileKey>,
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
            reports: Mutex::new(HashMap::new()),
        }
    }

    /// The size and modification time of each of the client's documents (`None`
    /// for a missing one): what changes when a document is replaced, read without
    /// reading the files (the webhook evaluator polls it).
    pub fn versions(&self, client: &str) -> Versions {
        [Doc::Usage, Doc::Incidents, Doc::Policy]
            .into_iter()
            .map(|d| {
                key_of(&self.path(client, d))
                    .ok()
                    .map(|k| (k.len, k.modified))
            })
            .collect()
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
        let etag = content_etag(&bytes);
        let f = Arc::new(FileDoc {
            key,
            bytes: Bytes::from(bytes),
            etag,
            br: OnceLock::new(),
            gzip: OnceLock::new(),
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
    /// rules core from the client's current documents. The last report of each
    /// client is kept: claims filed in the same second (a burst, a double click,
    /// retries) share one evaluation of the year instead of one each.
    pub fn report(&self, client: &str, as_of: i64) -> Result<Arc<Report>, DataError> {
        let policy_file = match self.file(client, Doc::Policy) {
            Ok(p) => Some(p),
            Err(DataError::Missing(_)) => None,
            Err(e) => return Err(e),
        };
        let usage_file = self.file(client, Doc::Usage)?;
        let inc = self.file(client, Doc::Incidents)?;
        let key = ReportKey {
            as_of,
            usage: usage_file.key,
            incidents: inc.key,
            policy: policy_file.as_ref().map(|p| p.key),
        };
        if let Some((k, r)) = self.lock_reports().get(client) {
            if *k == key {
                return Ok(r.clone());
            }
        }
        let policy = match &policy_file {
            Some(p) => sla_rules::policy::parse_policy(&p.bytes, Doc::Policy.file_name())
                .map_err(DataError::Invalid)?,
            None => sla_rules::policy::Policy::default(),
        };
        let usage = self.usage(client)?;
        let incidents =
            sla_rules::incidents::parse_incidents(&inc.bytes, Doc::Incidents.file_name())
                .map_err(DataError::Invalid)?;
        let report = Arc::new(sla_rules::evaluate(&usage, &incidents, &policy, as_of).report);
        self.lock_reports()
            .insert(client.to_string(), (key, report.clone()));
        Ok(report)
    }

    fn lock_reports(&self) -> std::sync::MutexGuard<'_, HashMap<String, (ReportKey, Arc<Report>)>> {
        // Whole entries are inserted in one call: a poisoned map is still consistent.
        self.reports.lock().unwrap_or_else(|p| p.into_inner())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_is_preferred_and_q_zero_refuses_a_coding() {
        assert_eq!(Coding::choose("gzip, deflate, br"), Some(Coding::Br));
        assert_eq!(Coding::choose("gzip"), Some(Coding::Gzip));
        assert_eq!(Coding::choose("br;q=0, gzip;q=0.5"), Some(Coding::Gzip));
        assert_eq!(Coding::choose("br;q=0.000, gzip; q=0"), None);
        assert_eq!(Coding::choose("identity"), None);
        assert_eq!(Coding::choose(""), None);
    }

    #[test]
    fn encoded_documents_decode_to_the_original() {
        let text: String = (0..5000).map(|i| format!("{},", i % 97)).collect();
        let f = FileDoc {
            key: FileKey {
                len: 0,
                modified: None,
            },
            bytes: Bytes::from(text.clone()),
            etag: String::new(),
            br: OnceLock::new(),
            gzip: OnceLock::new(),
        };
        let mut gz = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&f.encoded(Coding::Gzip)[..]),
            &mut gz,
        )
        .expect("gunzip");
        assert_eq!(gz, text);
        let mut br = String::new();
        std::io::Read::read_to_string(
            &mut brotli::Decompressor::new(&f.encoded(Coding::Br)[..], 4096),
            &mut br,
        )
        .expect("unbrotli");
        assert_eq!(br, text);
        assert!(f.encoded(Coding::Br).len() * 3 < text.len());
    }

    #[test]
    fn a_report_is_reused_within_its_second_and_redone_when_a_document_changes() {
        let root = std::env::temp_dir().join(format!(
            "sla-server-data-{}-{}",
            std::process::id(),
            crate::clock::unix_nanos()
        ));
        let dir = root.join("acme");
        std::fs::create_dir_all(&dir).expect("dir");
        let usage = r#"{"schema":"sla-portal/usage/v1","client":{"id":"acme","name":"A"},
            "contract":{"id":"K-1","service_start":"2025-01-01","service_end":"2025-12-31",
            "timezone":"+08:00"},"telemetry":[],"outages":[],"signing":[]}"#;
        std::fs::write(dir.join("usage.json"), usage).expect("usage");
        let no_incidents = r#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
        std::fs::write(dir.join("incidents.json"), no_incidents).expect("incidents");
        let d = DataDir::new(root.clone());
        // 2026-01-01T00:00:00Z: the whole 2025 term has ended.
        let t = 1_767_225_600;
        let a = d.report("acme", t).expect("report");
        assert_eq!(a.contract_id, "K-1");
        assert!(Arc::ptr_eq(&a, &d.report("acme", t).expect("again")));
        // Another second: evaluated again (same figures, a new report).
        let b = d.report("acme", t + 1).expect("next second");
        assert!(!Arc::ptr_eq(&a, &b));
        // A changed document (another size): evaluated again, within the same second.
        std::fs::write(dir.join("incidents.json"), format!("{no_incidents}\n")).expect("incidents");
        let c = d.report("acme", t + 1).expect("changed");
        assert!(!Arc::ptr_eq(&b, &c));
        let _ = std::fs::remove_dir_all(&root);
    }
}
