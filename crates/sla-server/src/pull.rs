//! Telemetry pulled from Prometheus (`--sources FILE`): the provider's monitoring
//! system is the source of its per-minute counts, so nobody has to export them.
//!
//! Each contract of the sources file names two PromQL expressions giving the
//! requests (all, and ok) in each minute. A pass asks `/api/v1/query_range` with
//! `step=60s`, in chunks of [`CHUNK_MINUTES`] points (Prometheus refuses more than
//! 11,000), from where the contract's pull stopped up to the last whole minute
//! before now less `--pull-lag`. The value at step `t` counts the minute before
//! it, `[t − 60 s, t)`: minute `m` (starting at `m × 60`) is read at `(m + 1) × 60`.
//!
//! Values are rounded half to even (`f64::round_ties_even`): `increase()`
//! extrapolates, so a count can come back as 99.99999 or 100.5, and ties going
//! either way at random would bias nothing but would not be reproducible. A step
//! without a sample in either series is a minute without data, never a zero; a
//! negative or non-finite value is no data too. `ok > total` after rounding is
//! clamped to `total`, counted (`sla_pull_clamped_minutes_total`) and logged.
//! A chunk that fails (connection, HTTP status, `status` not `success`, any
//! warning: a partial answer) writes nothing; the contract is retried with
//! backoff from the same minute. The state (how far each contract is pulled and
//! a lease, as for the sweep) is in the database, so several instances on one
//! PostgreSQL never pull one contract at once.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use crate::data::db::{Change, DocDb, Segment, WriteError};
use crate::data::Scope;

/// The schema tag of a sources file.
pub const SOURCES_SCHEMA: &str = "sla-portal/sources/v1";
/// Minutes per query_range request: under Prometheus' 11,000 points per series.
pub const CHUNK_MINUTES: i64 = 10_000;
/// How long a pull lease keeps other instances off a contract: longer than one
/// pass over it, so it only runs out when its instance died.
const LEASE_MS: i64 = 120_000;
/// The largest answer read from Prometheus (10,000 points of two series).
const BODY_CAP: usize = 16 << 20;

/// One contract of the sources file.
#[derive(Debug, Clone)]
pub struct SourceContract {
    pub scope: Scope,
    pub total: String,
    pub ok: String,
    /// The first minute to pull (minutes since the epoch).
    pub since_minute: i64,
}

#[derive(Debug, Clone)]
pub struct Sources {
    pub url: String,
    pub contracts: Vec<SourceContract>,
}

#[derive(Deserialize)]
struct SourcesDoc {
    schema: String,
    prometheus: PromDoc,
    contracts: Vec<ContractDoc>,
}

#[derive(Deserialize)]
struct PromDoc {
    url: String,
}

#[derive(Deserialize)]
struct ContractDoc {
    client: String,
    contract: String,
    total: String,
    ok: String,
    since: String,
}

/// Parses a sources file; errors are `FILE: PATH: message`.
pub fn parse_sources(bytes: &[u8], file: &str) -> Result<Sources, String> {
    let doc: SourcesDoc = serde_json::from_slice(bytes).map_err(|e| format!("{file}: $: {e}"))?;
    if doc.schema != SOURCES_SCHEMA {
        return Err(format!(
            "{file}: schema: {:?} is not {SOURCES_SCHEMA:?}",
            doc.schema
        ));
    }
    let url = doc.prometheus.url.trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "{file}: prometheus.url: {url:?} is not an http:// or https:// URL"
        ));
    }
    let mut contracts = Vec::new();
    for (i, c) in doc.contracts.into_iter().enumerate() {
        let at = |f: &str| format!("{file}: contracts[{i}].{f}");
        for (f, id) in [("client", &c.client), ("contract", &c.contract)] {
            if !crate::auth::valid_client_id(id) {
                return Err(format!("{}: {id:?} is not a valid id", at(f)));
            }
        }
        for (f, q) in [("total", &c.total), ("ok", &c.ok)] {
            if q.trim().is_empty() {
                return Err(format!("{}: an empty PromQL expression", at(f)));
            }
        }
        let since = sla_rules::time::parse_instant(&c.since)
            .map_err(|m| format!("{}: {m}", at("since")))?;
        let scope = if c.contract == c.client {
            Scope::single(&c.client)
        } else {
            Scope::group(&c.client, &c.contract)
        };
        contracts.push(SourceContract {
            scope,
            total: c.total,
            ok: c.ok,
            // A since inside a minute starts at the next whole one.
            since_minute: (since + 59).div_euclid(60),
        });
    }
    Ok(Sources { url, contracts })
}

/// The pull's figures for `/metrics`.
#[derive(Default)]
pub struct PullStats {
    /// Minutes with data written by the pull.
    pub minutes: AtomicU64,
    /// Chunks that failed (nothing written for them).
    pub failures: AtomicU64,
    /// Minutes whose ok was above total after rounding, clamped.
    pub clamped: AtomicU64,
    /// Per contract (its index in the sources file, never an id): how far it is
    /// pulled, in minutes since the epoch (exclusive).
    pub through: Mutex<HashMap<usize, i64>>,
}

/// Rounds a Prometheus sample to a count: half to even; `None` for what is no count.
pub fn round_count(v: f64) -> Option<u32> {
    if !v.is_finite() || v < -0.5 {
        return None;
    }
    let r = v.round_ties_even();
    (r <= f64::from(u32::MAX)).then_some(r.max(0.0) as u32)
}

/// `query_range`'s answer: one series (or none), its values by step time.
#[derive(Deserialize)]
struct PromReply {
    status: String,
    #[serde(default)]
    data: Option<PromData>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct PromData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<PromSeries>,
}

#[derive(Deserialize)]
struct PromSeries {
    values: Vec<(f64, String)>,
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where Prometheus is, resolved once per request.
struct Endpoint {
    target: crate::webhooks::Target,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
}

impl Endpoint {
    fn new(url: &str) -> Result<Endpoint, String> {
        let uri: axum::http::Uri = url
            .parse()
            .map_err(|_| format!("prometheus.url: {url:?} is not a URL"))?;
        let https = uri.scheme_str() == Some("https");
        let host = uri
            .host()
            .ok_or_else(|| format!("prometheus.url: {url:?} has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let target = crate::webhooks::Target {
            https,
            port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
            path: uri.path().trim_end_matches('/').to_string(),
            host,
        };
        Ok(Endpoint {
            target,
            tls: crate::webhooks::tls_config(&[])?,
        })
    }

    /// The values of `query` at each step of `[start_s, end_s]`, by step time;
    /// an error for anything but a complete, successful answer of at most one series.
    async fn range(
        &self,
        query: &str,
        start_s: i64,
        end_s: i64,
    ) -> Result<HashMap<i64, f64>, String> {
        let mut t = self.target.clone();
        t.path = format!(
            "{}/api/v1/query_range?query={}&start={start_s}&end={end_s}&step=60s",
            t.path,
            percent_encode(query)
        );
        let addr: SocketAddr = tokio::net::lookup_host((t.host.as_str(), t.port))
            .await
            .map_err(|e| format!("dns: {}: {e}", t.host))?
            .next()
            .ok_or_else(|| format!("dns: {} has no address", t.host))?;
        let r = crate::webhooks::get(&t, addr, &self.tls, BODY_CAP).await?;
        let reply: PromReply = serde_json::from_slice(&r.body)
            .map_err(|e| format!("HTTP {}: not a Prometheus answer ({e})", r.status))?;
        if r.status != 200 || reply.status != "success" {
            return Err(format!(
                "HTTP {}: {}",
                r.status,
                reply.error.unwrap_or(reply.status)
            ));
        }
        if !reply.warnings.is_empty() {
            return Err(format!("a partial answer: {}", reply.warnings.join("; ")));
        }
        let data = reply.data.ok_or("an answer without data")?;
        if data.result_type != "matrix" {
            return Err(format!("a {} answer, not a matrix", data.result_type));
        }
        if data.result.len() > 1 {
            return Err(format!(
                "{} series for {query:?}: wrap it in sum(…) to give one",
                data.result.len()
            ));
        }
        let mut out = HashMap::new();
        for s in data.result {
            for (t, v) in s.values {
                let Ok(v) = v.parse::<f64>() else { continue };
                out.insert(t.round() as i64, v);
            }
        }
        Ok(out)
    }
}

/// Counts of minutes `[from, to)` from the two answers: runs of minutes with both
/// values as segments, and how many were clamped.
pub fn segments_of(
    from: i64,
    to: i64,
    total: &HashMap<i64, f64>,
    ok: &HashMap<i64, f64>,
) -> (Vec<Segment>, u64) {
    let mut out: Vec<Segment> = Vec::new();
    let mut clamped = 0;
    for m in from..to {
        // Minute m is the step at its end.
        let t = (m + 1) * 60;
        let (Some(tv), Some(ov)) = (
            total.get(&t).copied().and_then(round_count),
            ok.get(&t).copied().and_then(round_count),
        ) else {
            continue;
        };
        let ov = if ov > tv {
            clamped += 1;
            tv
        } else {
            ov
        };
        match out.last_mut() {
            Some(s) if s.start_minute + s.total.len() as i64 == m => {
                s.total.push(tv);
                s.ok.push(ov);
            }
            _ => out.push(Segment {
                start_minute: m,
                total: vec![tv],
                ok: vec![ov],
            }),
        }
    }
    (out, clamped)
}

/// One instance's puller: its lease owner id and each contract's backoff.
pub struct Puller {
    pub sources: Sources,
    pub db: Arc<DocDb>,
    pub lag_s: i64,
    /// No minute ending after this instant is pulled (`pull --once --until`).
    pub until_s: Option<i64>,
    pub stats: Arc<PullStats>,
    owner: String,
    endpoint: Endpoint,
    /// Per contract index: failures in a row and when to try again (unix ms).
    backoff: HashMap<usize, (u32, i64)>,
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub minutes: u64,
    pub failures: u64,
    pub written: u64,
}

impl Puller {
    pub fn new(sources: Sources, db: Arc<DocDb>, lag_s: i64) -> Result<Puller, String> {
        let endpoint = Endpoint::new(&sources.url)?;
        Ok(Puller {
            sources,
            db,
            lag_s,
            until_s: None,
            stats: Arc::new(PullStats::default()),
            owner: crate::events::random_hex(8),
            endpoint,
            backoff: HashMap::new(),
        })
    }

    /// One pass over every contract whose backoff allows it, at `now_s`.
    /// `wrote` is told of each write (it wakes the sweep).
    pub async fn pass(&mut self, now_s: i64, wrote: &(dyn Fn() + Sync)) -> Pass {
        let mut pass = Pass::default();
        let now_ms = now_s.saturating_mul(1000);
        // The last whole minute ending at or before now − lag is minute end − 1.
        let mut end = (now_s - self.lag_s).div_euclid(60);
        if let Some(u) = self.until_s {
            end = end.min(u.div_euclid(60));
        }
        for i in 0..self.sources.contracts.len() {
            if self.backoff.get(&i).is_some_and(|(_, next)| now_ms < *next) {
                continue;
            }
            match self.pull_one(i, end, now_ms, wrote).await {
                Ok((minutes, written)) => {
                    self.backoff.remove(&i);
                    pass.minutes += minutes;
                    pass.written += written;
                }
                Err(e) => {
                    pass.failures += 1;
                    self.stats.failures.fetch_add(1, Ordering::Relaxed);
                    let (n, _) = self.backoff.get(&i).copied().unwrap_or((0, 0));
                    // 5 s doubling per failure in a row, at most 10 minutes.
                    let wait = (5_000i64 << n.min(7)).min(600_000);
                    self.backoff.insert(i, (n + 1, now_ms + wait));
                    tracing::warn!(
                        contract = %self.sources.contracts[i].scope.dir,
                        error = %e,
                        retry_in_ms = wait,
                        "pull failed; nothing written for the minutes not pulled"
                    );
                }
            }
        }
        pass
    }

    async fn pull_one(
        &mut self,
        i: usize,
        end: i64,
        now_ms: i64,
        wrote: &(dyn Fn() + Sync),
    ) -> Result<(u64, u64), String> {
        let c = self.sources.contracts[i].clone();
        let lease = self
            .db
            .take_pull_lease(&c.scope.dir, &self.owner, now_ms, now_ms + LEASE_MS)
            .await
            .map_err(|e| e.to_string())?;
        let Some(through) = lease else {
            // Another instance pulls it now.
            return Ok((0, 0));
        };
        let result = self.pull_leased(i, &c, through, end, wrote).await;
        let _ = self.db.release_pull_lease(&c.scope.dir, &self.owner).await;
        result
    }

    async fn pull_leased(
        &mut self,
        i: usize,
        c: &SourceContract,
        through: Option<i64>,
        end: i64,
        wrote: &(dyn Fn() + Sync),
    ) -> Result<(u64, u64), String> {
        let mut from = through.unwrap_or(c.since_minute).max(c.since_minute);
        let (mut minutes, mut written) = (0u64, 0u64);
        if let Ok(mut t) = self.stats.through.lock() {
            t.insert(i, from);
        }
        while from < end {
            let to = (from + CHUNK_MINUTES).min(end);
            // Steps at the ends of minutes from..to: (from + 1) × 60 … to × 60.
            let (start_s, end_s) = ((from + 1) * 60, to * 60);
            let total = self.endpoint.range(&c.total, start_s, end_s).await?;
            let ok = self.endpoint.range(&c.ok, start_s, end_s).await?;
            let (segments, clamped) = segments_of(from, to, &total, &ok);
            if clamped > 0 {
                self.stats.clamped.fetch_add(clamped, Ordering::Relaxed);
                tracing::warn!(
                    contract = %c.scope.dir,
                    minutes = clamped,
                    "pull: ok above total after rounding; clamped to total"
                );
            }
            let n: u64 = segments.iter().map(|s| s.total.len() as u64).sum();
            let (db, scope, owner) = (&self.db, &c.scope, &self.owner);
            let changed = async {
                // Prometheus is the source of these minutes: what it says now
                // replaces what an earlier pull stored (a late scrape).
                let w = db
                    .write(
                        scope,
                        Change::Telemetry {
                            segments,
                            replace: true,
                        },
                    )
                    .await
                    .map_err(|e| match e {
                        WriteError::NoUsage => {
                            "the contract has no usage document yet: PUT documents/usage first"
                                .to_string()
                        }
                        other => format!("{other:?}"),
                    })?;
                // Only then is the chunk pulled: a crash in between pulls it again,
                // which writes the same counts (no new version).
                if !db
                    .set_pulled(&scope.dir, owner, to)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err("the pull lease was lost".to_string());
                }
                Ok::<_, String>(w.changed)
            }
            .await?;
            if changed {
                written += 1;
                wrote();
            }
            minutes += n;
            self.stats.minutes.fetch_add(n, Ordering::Relaxed);
            from = to;
            if let Ok(mut t) = self.stats.through.lock() {
                t.insert(i, from);
            }
        }
        Ok((minutes, written))
    }
}

/// Pulls every `every` until the process ends (`serve --sources`).
pub async fn run(mut puller: Puller, every: Duration, state: Arc<crate::AppState>) {
    loop {
        let st = state.clone();
        let p = puller
            .pass(crate::clock::now_unix(), &move || {
                st.sweep.wake.notify_one()
            })
            .await;
        if p.minutes > 0 || p.failures > 0 {
            tracing::info!(minutes = p.minutes, failures = p.failures, "pull pass");
        }
        // A failed contract's backoff can be shorter than `every`.
        let wait = if p.failures > 0 {
            every.min(Duration::from_secs(5))
        } else {
            every
        };
        tokio::time::sleep(wait).await;
    }
}

/// `sla-server pull --once`: one pass, then exit; an error if any contract failed.
pub async fn once(
    db: &str,
    sources: &std::path::Path,
    lag_s: i64,
    until: Option<&str>,
) -> Result<(), String> {
    let until_s = match until {
        Some(u) => Some(sla_rules::time::parse_instant(u).map_err(|m| format!("--until: {m}"))?),
        None => None,
    };
    let bytes = std::fs::read(sources).map_err(|e| format!("{}: {e}", sources.display()))?;
    let sources = parse_sources(&bytes, &sources.display().to_string())?;
    let _store = crate::open_store(db, 2, crate::sqlite::WriteMode::Naive).await?;
    let docs = Arc::new(DocDb::open(db).await?);
    let mut p = Puller::new(sources, docs, lag_s)?;
    p.until_s = until_s;
    let pass = p.pass(crate::clock::now_unix(), &|| {}).await;
    println!(
        "pulled: {} minutes, {} writes, {} failures",
        pass.minutes, pass.written, pass.failures
    );
    if pass.failures > 0 {
        return Err(format!("{} contracts failed (see the log)", pass.failures));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_to_even_and_nonsense_is_no_data() {
        assert_eq!(round_count(99.999_999), Some(100));
        assert_eq!(round_count(100.5), Some(100));
        assert_eq!(round_count(101.5), Some(102));
        assert_eq!(round_count(0.4), Some(0));
        assert_eq!(round_count(-0.2), Some(0));
        assert_eq!(round_count(-3.0), None);
        assert_eq!(round_count(f64::NAN), None);
        assert_eq!(round_count(f64::INFINITY), None);
    }

    #[test]
    fn the_step_at_a_minutes_end_counts_it_and_gaps_stay_gaps() {
        // Minutes 10..14 asked; steps are at 660, 720, …, 900 (the ends of 10..14).
        let total: HashMap<i64, f64> = [(660, 5.0), (720, 6.0), (840, 8.0), (900, 9.0)]
            .into_iter()
            .collect();
        let ok: HashMap<i64, f64> = [(660, 5.0), (720, 6.6), (780, 1.0), (840, 8.0), (900, 2.0)]
            .into_iter()
            .collect();
        let (s, clamped) = segments_of(10, 15, &total, &ok);
        // Minute 12 (step 780) has no total: no data. Minute 11's ok rounds to 7 > 6:
        // clamped to 6.
        assert_eq!(clamped, 1);
        assert_eq!(
            s,
            vec![
                Segment {
                    start_minute: 10,
                    total: vec![5, 6],
                    ok: vec![5, 6]
                },
                Segment {
                    start_minute: 13,
                    total: vec![8, 9],
                    ok: vec![8, 2]
                },
            ]
        );
    }

    #[test]
    fn a_sources_file_is_checked() {
        let good =
            br#"{"schema":"sla-portal/sources/v1","prometheus":{"url":"http://127.0.0.1:9090/"},
            "contracts":[{"client":"acme","contract":"acme","total":"sum(increase(r[1m]))",
            "ok":"sum(increase(ok[1m]))","since":"2025-03-01T00:00:30Z"}]}"#;
        let s = parse_sources(good, "sources.json").expect("parses");
        assert_eq!(s.url, "http://127.0.0.1:9090");
        assert_eq!(s.contracts[0].scope, Scope::single("acme"));
        // 2025-03-01T00:00:30Z is inside minute 29,013,120: pulling starts at the next.
        assert_eq!(s.contracts[0].since_minute, 29_013_121);
        let bad = String::from_utf8_lossy(good).replace("\"acme\",\"total\"", "\"../x\",\"total\"");
        assert_eq!(
            parse_sources(bad.as_bytes(), "sources.json").unwrap_err(),
            "sources.json: contracts[0].contract: \"../x\" is not a valid id"
        );
    }
}
