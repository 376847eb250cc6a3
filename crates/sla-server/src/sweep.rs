//! The breach sweep: evaluates each client in turn with bounded concurrency, keeps
//! only a few bytes per client between passes, and evaluates a client again only
//! when one of its documents changed or one of its months ended.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sla_rules::time::Month;

use crate::data::{DataError, Versions};
use crate::AppState;

/// The sweep's figures for `/metrics`.
#[derive(Default)]
pub struct Progress {
    /// Clients evaluated since start.
    pub evaluated: AtomicU64,
    /// Clients whose current state another instance had evaluated (PostgreSQL).
    pub adopted: AtomicU64,
    /// Clients due in the pass under way and not yet evaluated.
    pub pending: AtomicU64,
    /// Clients per second of the last pass that evaluated any (f64 bits).
    pub rate_bits: AtomicU64,
    /// When the last pass ended with every client up to date (unix seconds; 0: never).
    pub last_full_pass: AtomicI64,
    /// How long that pass took, in milliseconds.
    pub last_full_pass_ms: AtomicU64,
    /// Notified by a document write (the ingestion API): the next tick comes now
    /// instead of after the sleep, so the written contract is looked at at once.
    pub wake: tokio::sync::Notify,
}

impl Progress {
    pub fn rate(&self) -> f64 {
        f64::from_bits(self.rate_bits.load(Ordering::Relaxed))
    }
}

/// What the sweep remembers of a client between passes: small and of fixed size,
/// whatever the client's documents hold.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    /// The documents' sizes and mtimes when it was last evaluated (or failed).
    versions: Versions,
    /// When a month in progress ends (unix seconds): the report can change then
    /// without any file changing. `None`: only a file change can change it.
    next_due: Option<i64>,
    /// A document was bad: nothing is tried again until a file changes.
    failed: bool,
    /// Breached months already recorded, so a re-evaluation asks the store only
    /// about new ones.
    emitted: Vec<Month>,
}

/// Whether a client is to be evaluated now.
fn due(seen: Option<&Seen>, versions: &Versions, now: i64) -> bool {
    match seen {
        None => true,
        Some(s) if s.versions != *versions => true,
        Some(s) if s.failed => false,
        Some(s) => s.next_due.is_some_and(|t| now >= t),
    }
}

/// What a lease row records of an evaluation: the versions it saw, when its
/// month in progress ends and whether a document was bad, e.g.
/// `120:1767225600.5|-|-;1767225600;ok`.
fn encode_done(versions: &Versions, next_due: Option<i64>, failed: bool) -> String {
    let v: Vec<String> = versions
        .iter()
        .map(|v| match v {
            None => "-".into(),
            Some((len, t)) => {
                let t = t
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| format!("{}.{}", d.as_secs(), d.subsec_nanos()))
                    .unwrap_or_default();
                format!("{len}:{t}")
            }
        })
        .collect();
    let next = next_due
        .map(|t| t.to_string())
        .unwrap_or_else(|| "-".into());
    format!(
        "{};{next};{}",
        v.join("|"),
        if failed { "bad" } else { "ok" }
    )
}

/// The other instance's evaluation, if it saw exactly these versions and nothing
/// has come due since.
fn adopt(done: &str, versions: &Versions, now: i64) -> Option<Seen> {
    let mut parts = done.rsplitn(3, ';');
    let (failed, next, seen_versions) = (parts.next()?, parts.next()?, parts.next()?);
    let ours = encode_done(versions, None, false);
    if ours.rsplitn(3, ';').nth(2)? != seen_versions {
        return None;
    }
    let next_due = match next {
        "-" => None,
        t => Some(t.parse::<i64>().ok()?),
    };
    let s = Seen {
        versions: versions.clone(),
        next_due,
        failed: failed == "bad",
        emitted: Vec::new(),
    };
    (!due(Some(&s), versions, now)).then_some(s)
}

/// What evaluating one client gave.
enum Outcome {
    Done {
        next_due: Option<i64>,
        emitted: Vec<Month>,
    },
    /// A bad or missing document: skipped until a file changes.
    Bad,
    /// The store or the file system did not answer: tried again next tick.
    Later,
}

/// Evaluates one client now (the data layer reads and evaluates a year of
/// telemetry on a blocking thread, through the cache without filling it),
/// records and queues each breach not recorded before, and drops the report.
async fn evaluate(state: &Arc<AppState>, scope: &str, mut emitted: Vec<Month>) -> Outcome {
    // `client` or `client/contracts/id` (data::Scope): the client's subscribers hear
    // it, and the breach is recorded for the contract ("" for a one-contract client).
    let (client, contract) = match scope.split_once('/') {
        Some((client, rest)) => (
            client,
            rest.strip_prefix(crate::data::CONTRACTS_DIR)
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(rest),
        ),
        None => (scope, ""),
    };
    let now = crate::clock::now_unix();
    let report = match state.data.report_passing(scope, now).await {
        Ok(r) => r,
        Err(DataError::Invalid(e)) => {
            // The operator's line: the file's full path, the JSON path, the message.
            let file = state.data.client_dir(scope).join(&e.file);
            tracing::warn!("{}: {}: {}", file.display(), e.path, e.message);
            return Outcome::Bad;
        }
        Err(DataError::Missing(doc)) => {
            tracing::debug!(scope, file = doc.file_name(), "sweep: document missing");
            return Outcome::Bad;
        }
        Err(DataError::Io(e)) => {
            tracing::warn!(scope, error = %e, "sweep: document not readable");
            return Outcome::Later;
        }
    };
    if !contract.is_empty() && report.contract_id != contract {
        tracing::warn!(
            "{}: contract.id is {:?}, not the directory's name {contract:?}",
            state.data.client_dir(scope).join("usage.json").display(),
            report.contract_id
        );
        return Outcome::Bad;
    }
    let mut fresh = Vec::new();
    let mut months = Vec::new();
    for (period, e) in crate::webhooks::breaches(client, &report) {
        let Ok(month) = Month::parse(&period) else {
            continue;
        };
        if !emitted.contains(&month) {
            months.push(month);
            fresh.push((period, e));
        }
    }
    // All of them or none: a failure leaves every one to the next pass.
    match state.store.emit_breaches(contract, &fresh).await {
        Ok(new) => {
            for ((period, e), new) in fresh.iter().zip(new) {
                if new {
                    tracing::info!(client, contract, period = %period, event_id = %e.id, "period.breached queued");
                }
            }
            emitted.extend(months);
        }
        Err(e) => {
            tracing::warn!(client, error = %e, "sweep: breach not recorded");
            return Outcome::Later;
        }
    }
    Outcome::Done {
        next_due: report.next_judgement_at(),
        emitted,
    }
}

/// The default concurrency of the sweep: the cores the process may use.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Sweeps forever: each tick, stats every client's files (no reads), evaluates
/// the due ones, at most `concurrency` at a time, and sleeps.
pub async fn run(state: Arc<AppState>, concurrency: usize, lease: Duration) {
    // Who holds a lease, in the lease rows; new at every start, so a restarted
    // instance never mistakes its predecessor's leases for its own.
    let owner = crate::events::random_hex(8);
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    let shared = state.store.shared_sweep();
    let tick = state
        .webhooks
        .evaluate_every
        .min(Duration::from_secs(1))
        .max(Duration::from_millis(50));
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut seen: HashMap<Arc<str>, Seen> = HashMap::new();
    let mut pass_started: Option<Instant> = None;
    loop {
        let clients: Vec<String> = state.tokens.clients().map(str::to_string).collect();
        // Each contract is swept on its own (a group client has several): the
        // scopes of data::Scope, which also key the leases.
        let stat = state.data.sweep_scopes(clients).await.map(|all| {
            all.into_iter()
                .map(|(scope, v)| (Arc::<str>::from(scope), v))
                .collect::<Vec<_>>()
        });
        let scopes = stat.as_ref().map_or(seen.len(), Vec::len);
        let now = crate::clock::now_unix();
        let due: Vec<(Arc<str>, Versions)> = match stat {
            Ok(all) => all
                .into_iter()
                .filter(|(c, v)| due(seen.get(c), v, now))
                .collect(),
            Err(_) => Vec::new(),
        };
        let progress = &state.sweep;
        if !due.is_empty() {
            let started = Instant::now();
            let before = progress.evaluated.load(Ordering::Relaxed);
            pass_started.get_or_insert(started);
            progress.pending.store(due.len() as u64, Ordering::Relaxed);
            let mut later = 0u64;
            let mut set = tokio::task::JoinSet::new();
            let mut todo = due;
            while !todo.is_empty() {
                // Leases are taken a share of what is left at a time, so instances
                // sweeping together interleave instead of one taking the whole list.
                // Each call names every client still to do: an eighth of them (between
                // twice the concurrency and 64) keeps a pass to O(n) lease rows read,
                // where a fixed few per call made it O(n²) (3,000 clients: 750 calls).
                let batch = if shared {
                    let least = 2 * concurrency.max(1);
                    (todo.len() / 8).clamp(least, least.max(64)) as i64
                } else {
                    i64::MAX
                };
                let names: Vec<String> = todo.iter().map(|(c, _)| c.to_string()).collect();
                let now_ms = crate::clock::now_millis();
                let leased = state
                    .store
                    .take_sweep_leases(&names, &owner, now_ms, now_ms + lease_ms, batch)
                    .await;
                let leased: HashMap<String, Option<String>> = match leased {
                    Ok(l) => l.into_iter().collect(),
                    Err(e) => {
                        tracing::warn!(error = %e, "sweep: leases not taken");
                        break;
                    }
                };
                if leased.is_empty() {
                    // The rest is leased by other instances: looked at again next tick.
                    break;
                }
                let (mine, rest): (Vec<_>, Vec<_>) = todo
                    .into_iter()
                    .partition(|(c, _)| leased.contains_key(&**c));
                todo = rest;
                for (client, versions) in mine {
                    let done = leased.get(&*client).cloned().flatten();
                    if let Some(other) = done.as_deref().and_then(|d| adopt(d, &versions, now)) {
                        // Another instance evaluated this very state: take its result.
                        progress.adopted.fetch_add(1, Ordering::Relaxed);
                        progress.pending.fetch_sub(1, Ordering::Relaxed);
                        seen.insert(client.clone(), other);
                        let _ = state.store.release_sweep_lease(&client, &owner, None).await;
                        continue;
                    }
                    let Ok(permit) = limit.clone().acquire_owned().await else {
                        break;
                    };
                    let emitted = seen
                        .get(&client)
                        .map(|s| s.emitted.clone())
                        .unwrap_or_default();
                    let (st, owner) = (state.clone(), owner.clone());
                    set.spawn(async move {
                        let o = evaluate(&st, &client, emitted).await;
                        let done = match &o {
                            Outcome::Done { next_due, .. } => {
                                Some(encode_done(&versions, *next_due, false))
                            }
                            Outcome::Bad => Some(encode_done(&versions, None, true)),
                            Outcome::Later => None,
                        };
                        if let Err(e) = st
                            .store
                            .release_sweep_lease(&client, &owner, done.as_deref())
                            .await
                        {
                            // The lease runs out; another instance evaluates it again
                            // (breaches stay exactly once: emitted_breaches' key).
                            tracing::warn!(error = %e, "sweep: lease not released");
                        }
                        drop(permit);
                        st.sweep.pending.fetch_sub(1, Ordering::Relaxed);
                        (client, versions, o)
                    });
                    while let Some(Ok(r)) = set.try_join_next() {
                        later += u64::from(record(&mut seen, r, progress));
                    }
                }
            }
            later += todo.len() as u64;
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    later += u64::from(record(&mut seen, r, progress));
                }
            }
            let evaluated = progress.evaluated.load(Ordering::Relaxed) - before;
            // Clients to try again next tick count as pending until then.
            progress.pending.store(later, Ordering::Relaxed);
            let secs = started.elapsed().as_secs_f64();
            if secs > 0.0 && evaluated > 0 {
                progress
                    .rate_bits
                    .store((evaluated as f64 / secs).to_bits(), Ordering::Relaxed);
            }
        }
        // A full pass: every client is up to date (or waits for a file change);
        // one that could not be evaluated keeps the pass open.
        let open = seen.len() < scopes || progress.pending.load(Ordering::Relaxed) > 0;
        if let (false, Some(p)) = (open, pass_started) {
            progress
                .last_full_pass
                .store(crate::clock::now_unix(), Ordering::Relaxed);
            progress
                .last_full_pass_ms
                .store(p.elapsed().as_millis() as u64, Ordering::Relaxed);
            pass_started = None;
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = state.sweep.wake.notified() => {}
        }
    }
}

/// Keeps what a client's evaluation gave; `true` when it is to be tried again.
fn record(
    seen: &mut HashMap<Arc<str>, Seen>,
    r: (Arc<str>, Versions, Outcome),
    p: &Progress,
) -> bool {
    let (client, versions, o) = r;
    match o {
        Outcome::Done { next_due, emitted } => {
            p.evaluated.fetch_add(1, Ordering::Relaxed);
            seen.insert(
                client,
                Seen {
                    versions,
                    next_due,
                    failed: false,
                    emitted,
                },
            );
        }
        Outcome::Bad => {
            p.evaluated.fetch_add(1, Ordering::Relaxed);
            let emitted = seen.remove(&client).map(|s| s.emitted).unwrap_or_default();
            seen.insert(
                client,
                Seen {
                    versions,
                    next_due: None,
                    failed: true,
                    emitted,
                },
            );
        }
        Outcome::Later => return true,
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_due_when_new_changed_or_a_month_ended_never_by_the_timer_alone() {
        let v1: Versions = vec![Some((10, None)), Some((20, None)), None];
        let v2: Versions = vec![Some((11, None)), Some((20, None)), None];
        assert!(due(None, &v1, 0));
        let s = Seen {
            versions: v1.clone(),
            next_due: Some(1_000),
            failed: false,
            emitted: Vec::new(),
        };
        assert!(!due(Some(&s), &v1, 999));
        assert!(due(Some(&s), &v1, 1_000));
        assert!(due(Some(&s), &v2, 0));
        let ended = Seen {
            next_due: None,
            ..s.clone()
        };
        assert!(!due(Some(&ended), &v1, i64::MAX));
        let bad = Seen {
            failed: true,
            next_due: Some(0),
            ..s
        };
        assert!(!due(Some(&bad), &v1, 1_000_000));
        assert!(due(Some(&bad), &v2, 1_000_000));
    }

    #[test]
    fn a_lease_row_is_adopted_only_for_the_same_versions_before_its_month_ends() {
        let t = std::time::UNIX_EPOCH + Duration::new(1_767_225_600, 5);
        let v: Versions = vec![Some((120, Some(t))), Some((50, Some(t))), None];
        let done = encode_done(&v, Some(2_000), false);
        assert_eq!(done, "120:1767225600.5|50:1767225600.5|-;2000;ok");
        assert_eq!(
            adopt(&done, &v, 1_999).map(|s| s.next_due),
            Some(Some(2_000))
        );
        assert!(adopt(&done, &v, 2_000).is_none());
        let changed: Versions = vec![Some((121, Some(t))), Some((50, Some(t))), None];
        assert!(adopt(&done, &changed, 0).is_none());
        let bad = encode_done(&v, None, true);
        assert!(adopt(&bad, &v, i64::MAX).is_some_and(|s| s.failed));
        assert!(adopt("garbage", &v, 0).is_none());
    }
}
