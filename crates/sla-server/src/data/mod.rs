//! Client documents from `DATA/<client>/{usage,incidents,policy}.json` (a client
//! with one contract) or `DATA/<client>/contracts/<id>/…` (a group's contracts),
//! cached by file size and modification time: a claim does not re-read and
//! re-parse a year of telemetry, and a document replaced on disk is picked up on
//! the next request.
//!
//! Every function taking a `scope` reads the documents of one contract: the
//! scope is the client id for a one-contract client and `client/contracts/id` for
//! a group's contract ([`Scope`]), both a relative path and the cache's key.
//!
//! With `--documents db` the same functions read the claims database instead
//! ([`Source::Db`], `data/db.rs`): the key of a document is then its contract's
//! version, checked with one indexed row per request, so routes, the sweep,
//! receipts, statements and exposure read documents the same way from either.
//!
//! The functions that read are async: file stats and reads, parsing, evaluation
//! and compression run on tokio's blocking pool and are awaited, so callers on
//! async workers just `.await` them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use sla_rules::report::Report;
use sla_rules::usage::Usage;

pub mod cache;
pub mod db;

use cache::{DocCache, Entry, Key, Slot};

/// A strong entity tag for these bytes: the first 128 bits of their SHA-256, quoted.
pub fn content_etag(bytes: &[u8]) -> String {
    format!("\"{}\"", crate::auth::hex(&Sha256::digest(bytes)[..16]))
}

/// The directory of a group's contracts, under the client's.
pub const CONTRACTS_DIR: &str = "contracts";

/// Where one contract's documents are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub client: String,
    /// The directory name of a group's contract; `None` for the one contract of a
    /// client without `contracts/` (its id is its usage.json's `contract.id`).
    pub contract: Option<String>,
    /// The documents' directory relative to the data root, and the cache's key.
    pub dir: String,
}

impl Scope {
    pub fn single(client: &str) -> Scope {
        Scope {
            client: client.to_string(),
            contract: None,
            dir: client.to_string(),
        }
    }

    pub fn group(client: &str, contract: &str) -> Scope {
        Scope {
            client: client.to_string(),
            contract: Some(contract.to_string()),
            dir: format!("{client}/{CONTRACTS_DIR}/{contract}"),
        }
    }
}

/// What the contracts document says of a contract besides its claims: the
/// report it is summarised from (as of when it was made; its summary figures only
/// change when a month ends or a document changes) and its display name.
#[derive(Debug)]
pub struct Summary {
    pub report: Arc<Report>,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Doc {
    Usage,
    Incidents,
    Policy,
}

impl Doc {
    /// The document a route's last segment names (`usage`, `incidents`, `policy`): one
    /// list for the client, operator and ingestion routes; anything else is their 404.
    pub fn from_route(segment: &str) -> Result<Doc, crate::errors::ApiError> {
        match segment {
            "usage" => Ok(Doc::Usage),
            "incidents" => Ok(Doc::Incidents),
            "policy" => Ok(Doc::Policy),
            _ => Err(crate::errors::ApiError::not_found()),
        }
    }

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

/// What identifies one version of a document without reading it: a file's size
/// and modification time, or (from the database) its contract's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKey {
    len: u64,
    modified: Option<SystemTime>,
    /// The contract's version in the database; 0 for a file.
    version: i64,
}

/// A document's bytes and a validator for conditional GET.
#[derive(Debug)]
pub struct FileDoc {
    key: FileKey,
    pub bytes: Bytes,
    // Hashed on first use: the sweep reads every client's files and never needs
    // one (a SHA-256 of a year of telemetry costs about as much as its parse).
    etag: OnceLock<String>,
}

impl FileDoc {
    /// A strong hash of the content, quoted, for `ETag`.
    pub fn etag(&self) -> &str {
        self.etag.get_or_init(|| content_etag(&self.bytes))
    }

    /// The entity tag if it is known without hashing (a database document's, or
    /// one hashed before), so a caller hashes off the async workers only when needed.
    pub fn etag_ready(&self) -> Option<&str> {
        self.etag.get().map(String::as_str)
    }
}

/// A content coding the server keeps ready for documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// usage.json's optional `contract.name` (the rules core has no use for it).
fn contract_name(usage: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Doc {
        contract: Contract,
    }
    #[derive(serde::Deserialize)]
    struct Contract {
        name: Option<String>,
    }
    serde_json::from_slice::<Doc>(usage)
        .ok()
        .and_then(|d| d.contract.name)
        .filter(|n| !n.trim().is_empty())
}

/// `bytes` in `coding`.
fn compress(bytes: &[u8], coding: Coding) -> Bytes {
    match coding {
        Coding::Br => {
            // Quality 5 is about gzip's speed with a smaller result.
            let mut w = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 5, 22);
            let _ = w.write_all(bytes);
            Bytes::from(w.into_inner())
        }
        Coding::Gzip => {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            let _ = w.write_all(bytes);
            Bytes::from(w.finish().unwrap_or_default())
        }
    }
}

/// Where the documents come from (`--documents files|db`).
pub enum Source {
    /// `DATA/<client>/…` on this server's disk.
    Files,
    /// The claims database (`data/db.rs`).
    Db(Arc<crate::data::db::DocDb>),
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

/// Whether a lookup may admit what it reads into the cache. Requests do; the
/// breach sweep reads every client once in turn and does not, so it cannot push
/// out the documents that requests are using.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    Keep,
    Pass,
}

pub struct DataDir {
    root: PathBuf,
    source: Source,
    cache: DocCache,
}

/// Everything a report depends on: the instant (whole seconds, the server's
/// clock resolution) and the version of each document. Equal keys give equal
/// reports, so a memoised report is exactly the one a new evaluation would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportKey {
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
        version: 0,
    })
}

fn db_error(e: crate::store::StoreError) -> DataError {
    DataError::Io(format!("documents database: {e}"))
}

/// How often a report is read again when a document changed while it was read.
const READ_ATTEMPTS: usize = 4;

/// An entry of another kind than its slot holds: cannot happen (each slot is
/// filled by one function), answered as an error rather than a panic.
fn wrong_slot() -> DataError {
    DataError::Io("internal: a cache slot held another kind of entry".into())
}

/// Runs filesystem reads, parsing and evaluation on tokio's blocking pool and
/// awaits them, so no async worker spends a year's parse or waits on a disk.
async fn off<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, DataError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DataError::Io(format!("internal: a blocking task failed: {e}")))
}

/// A file's key, or why it cannot be used.
fn stat_file(path: &Path, doc: Doc) -> Result<FileKey, DataError> {
    match key_of(path) {
        Ok(k) => Ok(k),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DataError::Missing(doc)),
        Err(e) => Err(DataError::Io(format!("{}: {e}", path.display()))),
    }
}

/// [`DataDir::group_contracts`] from files (blocking).
fn group_dir(root: &Path, client: &str) -> Result<Option<Vec<String>>, DataError> {
    let dir = root.join(client).join(CONTRACTS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DataError::Io(format!("{}: {e}", dir.display()))),
    };
    let mut ids = Vec::new();
    for e in entries {
        let e = e.map_err(|e| DataError::Io(format!("{}: {e}", dir.display())))?;
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if let (true, Some(name)) = (is_dir, e.file_name().to_str()) {
            if crate::auth::valid_client_id(name) {
                ids.push(name.to_string());
            }
        }
    }
    ids.sort();
    Ok(Some(ids))
}

/// [`DataDir::versions`] from files (blocking).
fn file_versions(root: &Path, client: &str) -> Versions {
    [Doc::Usage, Doc::Incidents, Doc::Policy]
        .into_iter()
        .map(|d| {
            key_of(&root.join(client).join(d.file_name()))
                .ok()
                .map(|k| (k.len, k.modified))
        })
        .collect()
}

impl DataDir {
    /// A data directory whose cache holds at most `cache_bytes` (documents,
    /// compressed bodies, parsed usage and reports together).
    pub fn new(root: PathBuf, cache_bytes: u64) -> DataDir {
        DataDir::with_source(root, Source::Files, cache_bytes)
    }

    /// A data directory reading its documents from `source`.
    pub fn with_source(root: PathBuf, source: Source, cache_bytes: u64) -> DataDir {
        DataDir {
            root,
            source,
            cache: DocCache::new(cache_bytes),
        }
    }

    /// The documents' database, with `--documents db`.
    pub fn db(&self) -> Option<&Arc<crate::data::db::DocDb>> {
        match &self.source {
            Source::Db(d) => Some(d),
            Source::Files => None,
        }
    }

    /// Whether `contract` is one of the client's group contracts.
    pub async fn is_group_contract(&self, client: &str, contract: &str) -> bool {
        match &self.source {
            Source::Files => {
                let dir = self.root.join(client).join(CONTRACTS_DIR).join(contract);
                off(move || dir.is_dir()).await.unwrap_or(false)
            }
            Source::Db(d) => d
                .contracts_of(client)
                .await
                .is_ok_and(|ids| ids.iter().any(|i| i == contract)),
        }
    }

    /// The cache's figures (`/metrics`).
    pub fn cache_stats(&self) -> crate::data::cache::Stats {
        self.cache.stats()
    }

    /// The size and modification time of each of the client's documents (`None`
    /// for a missing one): what changes when a document is replaced, read without
    /// reading the files (the breach sweep polls it).
    pub async fn versions(&self, client: &str) -> Versions {
        if let Source::Db(d) = &self.source {
            // One version for all three documents; the sweep only compares them.
            return vec![d
                .head(client)
                .await
                .ok()
                .flatten()
                .map(|h| (u64::try_from(h.version).unwrap_or(0), None))];
        }
        let (root, client) = (self.root.clone(), client.to_string());
        off(move || file_versions(&root, &client))
            .await
            .unwrap_or_else(|_| vec![None; 3])
    }

    /// Every contract of `clients` as its scope (a group client's contracts, or
    /// the client itself when it has none or they cannot be listed) with its
    /// [`Versions`]: what the breach sweep polls. From files the whole walk is one
    /// blocking task: a poll of 10,000 clients is 40,000 stats, too many to hand
    /// to the blocking pool one by one.
    pub async fn sweep_scopes(
        &self,
        clients: Vec<String>,
    ) -> Result<Vec<(String, Versions)>, DataError> {
        if let Source::Db(_) = &self.source {
            let mut out = Vec::with_capacity(clients.len());
            for c in &clients {
                let scopes = match self.group_contracts(c).await {
                    Ok(Some(ids)) => ids.iter().map(|id| Scope::group(c, id).dir).collect(),
                    _ => vec![c.clone()],
                };
                for scope in scopes {
                    let v = self.versions(&scope).await;
                    out.push((scope, v));
                }
            }
            return Ok(out);
        }
        let root = self.root.clone();
        off(move || {
            clients
                .iter()
                .flat_map(|c| match group_dir(&root, c) {
                    Ok(Some(ids)) => ids.iter().map(|id| Scope::group(c, id).dir).collect(),
                    _ => vec![c.clone()],
                })
                .map(|scope| {
                    let v = file_versions(&root, &scope);
                    (scope, v)
                })
                .collect()
        })
        .await
    }

    /// The client's directory (for log lines).
    pub fn client_dir(&self, client: &str) -> PathBuf {
        self.root.join(client)
    }

    /// Where the client's document is.
    pub fn path(&self, client: &str, doc: Doc) -> PathBuf {
        // `client` comes from the token table, which admits only safe path segments.
        self.root.join(client).join(doc.file_name())
    }

    async fn lookup(
        &self,
        client: &str,
        slot: Slot,
        fill: Fill,
        fresh: impl Fn(&Entry) -> bool,
        make: impl std::future::Future<Output = Result<Entry, DataError>>,
    ) -> Result<Entry, DataError> {
        let key = Key {
            client: client.into(),
            slot,
        };
        match fill {
            Fill::Keep => self.cache.get_or_make(&key, fresh, make).await,
            Fill::Pass => match self.cache.peek(&key, fresh) {
                Some(e) => Ok(e),
                None => make.await,
            },
        }
    }

    async fn stat(&self, client: &str, doc: Doc) -> Result<FileKey, DataError> {
        if let Source::Db(d) = &self.source {
            return match d.head(client).await.map_err(db_error)? {
                Some(h) if h.docs.contains(&doc) => Ok(FileKey {
                    len: 0,
                    modified: None,
                    version: h.version,
                }),
                _ => Err(DataError::Missing(doc)),
            };
        }
        let path = self.path(client, doc);
        off(move || stat_file(&path, doc)).await?
    }

    /// The contracts of a group client, in byte order of their directory names
    /// (only names that are valid ids count); `None` for a client without a
    /// `contracts/` directory (one contract, at the client's top level).
    pub async fn group_contracts(&self, client: &str) -> Result<Option<Vec<String>>, DataError> {
        if let Source::Db(d) = &self.source {
            let mut ids = d.contracts_of(client).await.map_err(db_error)?;
            ids.retain(|i| crate::auth::valid_client_id(i));
            return Ok((!ids.is_empty()).then_some(ids));
        }
        let (root, client) = (self.root.clone(), client.to_string());
        off(move || group_dir(&root, &client)).await?
    }

    /// The keys of the contract's usage, incidents and policy (`None`: it has no
    /// policy): three stats of files (on one blocking thread), or one head row of
    /// the database, so the three keys of a database contract are always one version.
    async fn keys(&self, scope: &str) -> Result<(FileKey, FileKey, Option<FileKey>), DataError> {
        if let Source::Db(d) = &self.source {
            let h = d.head(scope).await.map_err(db_error)?;
            let h = h.ok_or(DataError::Missing(Doc::Usage))?;
            let key = FileKey {
                len: 0,
                modified: None,
                version: h.version,
            };
            for doc in [Doc::Usage, Doc::Incidents] {
                if !h.docs.contains(&doc) {
                    return Err(DataError::Missing(doc));
                }
            }
            return Ok((key, key, h.docs.contains(&Doc::Policy).then_some(key)));
        }
        let path = |d| self.path(scope, d);
        let (u, i, p) = (path(Doc::Usage), path(Doc::Incidents), path(Doc::Policy));
        off(move || {
            let policy = match stat_file(&p, Doc::Policy) {
                Ok(k) => Some(k),
                Err(DataError::Missing(_)) => None,
                Err(e) => return Err(e),
            };
            Ok((
                stat_file(&u, Doc::Usage)?,
                stat_file(&i, Doc::Incidents)?,
                policy,
            ))
        })
        .await?
    }

    /// The contract's summary as of `now`, made again only when a document
    /// changed or the instant `until` gives for its report (when the month in
    /// progress ends, in the contract's timezone; `None`: never) has come.
    pub async fn summary(
        &self,
        scope: &str,
        now: i64,
        until: impl FnOnce(&Report) -> Option<i64>,
    ) -> Result<Arc<Summary>, DataError> {
        let (usage, incidents, policy) = self.keys(scope).await?;
        let files = (usage, incidents);
        let e = self
            .lookup(
                scope,
                Slot::Summary,
                Fill::Keep,
                // `as_of` of a summary's key is when it stops being current.
                |e| {
                    matches!(e, Entry::Summary(k, _) if k.usage == files.0 && k.incidents == files.1
                    && k.policy == policy && now < k.as_of)
                },
                async {
                    let report = self.report_with(scope, now, Fill::Pass).await?;
                    let usage = self.file_with(scope, Doc::Usage, Fill::Pass).await?;
                    // Reading the name scans the whole year's JSON: off the workers.
                    let bytes = usage.bytes.clone();
                    let name = off(move || contract_name(&bytes))
                        .await?
                        .unwrap_or_else(|| report.client_name.clone());
                    let until = until(&report).unwrap_or(i64::MAX);
                    let key = ReportKey {
                        as_of: until,
                        usage: files.0,
                        incidents: files.1,
                        policy,
                    };
                    Ok(Entry::Summary(key, Arc::new(Summary { report, name })))
                },
            )
            .await?;
        match e {
            Entry::Summary(_, s) => Ok(s),
            _ => Err(wrong_slot()),
        }
    }

    /// The document's current bytes.
    pub async fn file(&self, client: &str, doc: Doc) -> Result<Arc<FileDoc>, DataError> {
        self.file_with(client, doc, Fill::Keep).await
    }

    async fn file_with(
        &self,
        client: &str,
        doc: Doc,
        fill: Fill,
    ) -> Result<Arc<FileDoc>, DataError> {
        let key = self.stat(client, doc).await?;
        let path = self.path(client, doc);
        let e = self
            .lookup(
                client,
                Slot::File(doc),
                fill,
                |e| matches!(e, Entry::File(f) if f.key == key),
                async {
                    if let Source::Db(d) = &self.source {
                        // One transaction: the bytes and the version they are, which
                        // may be newer than `key`; the entry carries what was read.
                        let r = d
                            .read(client, doc)
                            .await
                            .map_err(db_error)?
                            .ok_or(DataError::Missing(doc))?;
                        let etag = OnceLock::new();
                        let _ = etag.set(crate::data::db::version_etag(&r.epoch, r.version));
                        return Ok(Entry::File(Arc::new(FileDoc {
                            key: FileKey {
                                len: 0,
                                modified: None,
                                version: r.version,
                            },
                            bytes: r.bytes,
                            etag,
                        })));
                    }
                    let bytes = off(move || {
                        std::fs::read(&path).map_err(|e| match e.kind() {
                            std::io::ErrorKind::NotFound => DataError::Missing(doc),
                            _ => DataError::Io(format!("{}: {e}", path.display())),
                        })
                    })
                    .await??;
                    // Size and time are read before the content: if the file changes in
                    // between, the next request sees a new key and reads it again.
                    Ok(Entry::File(Arc::new(FileDoc {
                        key,
                        bytes: Bytes::from(bytes),
                        etag: OnceLock::new(),
                    })))
                },
            )
            .await?;
        match e {
            Entry::File(f) => Ok(f),
            _ => Err(wrong_slot()),
        }
    }

    /// The document `f` (the client's `doc`) in `coding`, compressed once per file
    /// version (on a blocking thread): compressing a year of telemetry takes far
    /// longer than sending it over a fast link. The compressed bodies share the
    /// cache's budget.
    pub async fn encoded(&self, client: &str, doc: Doc, f: &FileDoc, coding: Coding) -> Bytes {
        let (key, bytes) = (f.key, f.bytes.clone());
        let e = self
            .lookup(
                client,
                Slot::Encoded(doc, coding),
                Fill::Keep,
                |e| matches!(e, Entry::Encoded(k, _) if *k == key),
                async move {
                    let b = off(move || compress(&bytes, coding)).await?;
                    Ok(Entry::Encoded(key, b))
                },
            )
            .await;
        match e {
            Ok(Entry::Encoded(_, b)) => b,
            // Only a failed blocking task or a wrong slot: compress uncached.
            _ => {
                let bytes = f.bytes.clone();
                off(move || compress(&bytes, coding))
                    .await
                    .unwrap_or_default()
            }
        }
    }

    /// The parsed usage document, re-parsed only when the file changed (or its
    /// parse was evicted).
    pub async fn usage(&self, client: &str) -> Result<Arc<Usage>, DataError> {
        self.usage_keyed(client, Fill::Keep).await.map(|(_, u)| u)
    }

    /// The parsed usage and the key of the version it was parsed from.
    async fn usage_keyed(
        &self,
        client: &str,
        fill: Fill,
    ) -> Result<(FileKey, Arc<Usage>), DataError> {
        let f = self.file_with(client, Doc::Usage, fill).await?;
        let (key, bytes) = (f.key, f.bytes.clone());
        let e = self
            .lookup(
                client,
                Slot::Usage,
                fill,
                |e| matches!(e, Entry::Usage(k, _) if *k == key),
                async move {
                    let u = off(move || {
                        sla_rules::usage::parse_usage(&bytes, Doc::Usage.file_name())
                            .map_err(DataError::Invalid)
                    })
                    .await??;
                    Ok(Entry::Usage(key, Arc::new(u)))
                },
            )
            .await?;
        match e {
            Entry::Usage(k, u) => Ok((k, u)),
            _ => Err(wrong_slot()),
        }
    }

    /// The client's report as of `as_of` (seconds since the epoch), computed by the
    /// rules core from the client's current documents. The last report of each
    /// client is kept while the cache has room: claims filed in the same second (a
    /// burst, a double click, retries) share one evaluation of the year.
    pub async fn report(&self, client: &str, as_of: i64) -> Result<Arc<Report>, DataError> {
        self.report_with(client, as_of, Fill::Keep).await
    }

    /// `report`, for the sweep: uses what is cached but admits nothing.
    pub async fn report_passing(&self, client: &str, as_of: i64) -> Result<Arc<Report>, DataError> {
        self.report_with(client, as_of, Fill::Pass).await
    }

    async fn report_with(
        &self,
        client: &str,
        as_of: i64,
        fill: Fill,
    ) -> Result<Arc<Report>, DataError> {
        // Only the documents' keys decide whether the kept report is current, so
        // a warm claim reads no document.
        let (usage, incidents, policy) = self.keys(client).await?;
        let key = ReportKey {
            as_of,
            usage,
            incidents,
            policy,
        };
        let e = self
            .lookup(
                client,
                Slot::Report,
                fill,
                |e| matches!(e, Entry::Report(k, _) if *k == key),
                async {
                    let mut key = key;
                    for _ in 0..READ_ATTEMPTS {
                        let policy_file = match self.file_with(client, Doc::Policy, fill).await {
                            Ok(p) => Some(p),
                            Err(DataError::Missing(_)) => None,
                            Err(e) => return Err(e),
                        };
                        let inc = self.file_with(client, Doc::Incidents, fill).await?;
                        let (usage_key, usage) = self.usage_keyed(client, fill).await?;
                        let read = ReportKey {
                            as_of,
                            usage: usage_key,
                            incidents: inc.key,
                            policy: policy_file.as_ref().map(|p| p.key),
                        };
                        if read != key {
                            // A document changed between the keys and the reads (a
                            // write landed): read the new state again, so a report is
                            // never made of two versions.
                            let (usage, incidents, policy) = self.keys(client).await?;
                            key = ReportKey {
                                as_of,
                                usage,
                                incidents,
                                policy,
                            };
                            continue;
                        }
                        let report = off(move || {
                            let policy = match &policy_file {
                                Some(p) => sla_rules::policy::parse_policy(
                                    &p.bytes,
                                    Doc::Policy.file_name(),
                                )
                                .map_err(DataError::Invalid)?,
                                None => sla_rules::policy::Policy::default(),
                            };
                            let incidents = sla_rules::incidents::parse_incidents(
                                &inc.bytes,
                                Doc::Incidents.file_name(),
                            )
                            .map_err(DataError::Invalid)?;
                            Ok(sla_rules::evaluate(&usage, &incidents, &policy, as_of).report)
                        })
                        .await??;
                        // Tagged with the versions read: a document replaced since gives
                        // a new key at the next call, which evaluates again.
                        return Ok(Entry::Report(key, Arc::new(report)));
                    }
                    Err(DataError::Io(
                        "the documents kept changing while they were read; try again".into(),
                    ))
                },
            )
            .await?;
        match e {
            Entry::Report(_, r) => Ok(r),
            _ => Err(wrong_slot()),
        }
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
        let gz_bytes = compress(text.as_bytes(), Coding::Gzip);
        let br_bytes = compress(text.as_bytes(), Coding::Br);
        let mut gz = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz_bytes[..]), &mut gz)
            .expect("gunzip");
        assert_eq!(gz, text);
        let mut br = String::new();
        std::io::Read::read_to_string(&mut brotli::Decompressor::new(&br_bytes[..], 4096), &mut br)
            .expect("unbrotli");
        assert_eq!(br, text);
        assert!(br_bytes.len() * 3 < text.len());
    }

    #[tokio::test]
    async fn a_report_is_reused_within_its_second_and_redone_when_a_document_changes() {
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
        let d = DataDir::new(root.clone(), 64 << 20);
        // 2026-01-01T00:00:00Z: the whole 2025 term has ended.
        let t = 1_767_225_600;
        let a = d.report("acme", t).await.expect("report");
        assert_eq!(a.contract_id, "K-1");
        assert!(Arc::ptr_eq(&a, &d.report("acme", t).await.expect("again")));
        // Another second: evaluated again (same figures, a new report).
        let b = d.report("acme", t + 1).await.expect("next second");
        assert!(!Arc::ptr_eq(&a, &b));
        // A changed document (another size): evaluated again, within the same second.
        std::fs::write(dir.join("incidents.json"), format!("{no_incidents}\n")).expect("incidents");
        let c = d.report("acme", t + 1).await.expect("changed");
        assert!(!Arc::ptr_eq(&b, &c));
        let _ = std::fs::remove_dir_all(&root);
    }

    fn temp_root(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "sla-server-{name}-{}-{}",
            std::process::id(),
            crate::clock::unix_nanos()
        ))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_first_reads_share_one_read_and_one_parse() {
        let root = temp_root("flight");
        let dir = root.join("acme");
        std::fs::create_dir_all(&dir).expect("dir");
        let usage = r#"{"schema":"sla-portal/usage/v1","client":{"id":"acme","name":"A"},
            "contract":{"id":"K-1","service_start":"2025-01-01","service_end":"2025-12-31",
            "timezone":"+08:00"},"telemetry":[],"outages":[],"signing":[]}"#;
        std::fs::write(dir.join("usage.json"), usage).expect("usage");
        let d = Arc::new(DataDir::new(root.clone(), 1 << 20));
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (d, b) = (d.clone(), barrier.clone());
                tokio::spawn(async move {
                    b.wait().await;
                    d.usage("acme").await.expect("usage")
                })
            })
            .collect();
        let mut got: Vec<Arc<Usage>> = Vec::new();
        for t in tasks {
            got.push(t.await.expect("join"));
        }
        assert!(got.iter().all(|u| Arc::ptr_eq(u, &got[0])));
        // 8 callers × 2 slots (the file, its parse): one miss each slot, 14 hits.
        let s = d.cache_stats();
        assert_eq!((s.misses, s.hits, s.entries), (2, 14, 2));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn the_budget_evicts_and_an_evicted_document_is_read_again() {
        let root = temp_root("evict");
        // 40 clients, each an incidents file of 10,000 bytes: weighed 10,000 + 34
        // (the ETag) + 96 + the id's 3 bytes = 10,133 each, 405,320 for all, in a
        // budget of 100,000: at most 9 fit at once.
        for i in 0..40 {
            let dir = root.join(format!("c{i:02}"));
            std::fs::create_dir_all(&dir).expect("dir");
            std::fs::write(
                dir.join("incidents.json"),
                vec![b'a' + (i % 26) as u8; 10_000],
            )
            .expect("file");
        }
        let d = DataDir::new(root.clone(), 100_000);
        for round in 0..3 {
            for i in 0..40 {
                let f = d
                    .file(&format!("c{i:02}"), Doc::Incidents)
                    .await
                    .expect("file");
                assert_eq!(f.bytes.len(), 10_000);
                assert!(
                    f.bytes.iter().all(|&b| b == b'a' + (i % 26) as u8),
                    "round {round}"
                );
                let s = d.cache_stats();
                assert!(s.bytes <= 100_000, "{s:?}");
                assert!(s.entries <= 9, "{s:?}");
            }
        }
        let s = d.cache_stats();
        assert_eq!(s.hits + s.misses, 120);
        assert!(s.evictions >= 31, "{s:?}");
        assert!(s.misses >= 40, "{s:?}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn the_sweep_reads_through_the_cache_without_filling_it() {
        let root = temp_root("pass");
        let dir = root.join("acme");
        std::fs::create_dir_all(&dir).expect("dir");
        let usage = r#"{"schema":"sla-portal/usage/v1","client":{"id":"acme","name":"A"},
            "contract":{"id":"K-1","service_start":"2025-01-01","service_end":"2025-12-31",
            "timezone":"+08:00"},"telemetry":[],"outages":[],"signing":[]}"#;
        std::fs::write(dir.join("usage.json"), usage).expect("usage");
        std::fs::write(
            dir.join("incidents.json"),
            r#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#,
        )
        .expect("incidents");
        let d = DataDir::new(root.clone(), 1 << 20);
        let r = d
            .report_passing("acme", 1_767_225_600)
            .await
            .expect("report");
        assert_eq!(r.contract_id, "K-1");
        assert_eq!(d.cache_stats().entries, 0);
        let _ = std::fs::remove_dir_all(&root);
    }
}
