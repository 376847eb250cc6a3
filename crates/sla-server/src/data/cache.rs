//! The one byte-budgeted cache (`--cache-mb`) of documents, their compressed bodies,
//! parsed usage and reports, with honest byte weights and its counters for `/metrics`.

use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, Weighter};
use sla_rules::report::Report;
use sla_rules::usage::Usage;

use super::{Coding, Doc, FileDoc};

/// The default budget of `--cache-mb`.
pub const DEFAULT_CACHE_MB: u64 = 256;

/// What one entry holds for a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    File(Doc),
    Encoded(Doc, Coding),
    Usage,
    Report,
    /// A contract's report for the contracts document, kept until its month ends.
    Summary,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub client: Arc<str>,
    pub slot: Slot,
}

/// An entry and the version it was made from (`V`: a file's size and mtime, or a
/// report's key), so a stale entry is recognised and replaced, never served.
#[derive(Clone)]
pub enum Entry {
    File(Arc<FileDoc>),
    Encoded(super::FileKey, Bytes),
    Usage(super::FileKey, Arc<Usage>),
    Report(super::ReportKey, Arc<Report>),
    Summary(super::ReportKey, Arc<super::Summary>),
}

/// A per-element allowance for the heap strings an element owns (ids, titles,
/// RFC 3339 stamps): the estimate errs on the large side, so the budget holds.
const STRINGS: u64 = 96;

fn vec_bytes<T>(v: &[T], strings_each: u64) -> u64 {
    (size_of::<T>() as u64 + strings_each) * v.len() as u64
}

/// Bytes a parsed usage document holds: the minute counts dominate (two `u32`
/// per minute); everything else is counted by element with a string allowance.
pub fn usage_bytes(u: &Usage) -> u64 {
    let telemetry: u64 = u
        .telemetry
        .iter()
        .map(|s| size_of_val(s) as u64 + 4 * (s.total.capacity() as u64 + s.ok.capacity() as u64))
        .sum();
    size_of::<Usage>() as u64
        + telemetry
        + vec_bytes(&u.outages, STRINGS)
        + vec_bytes(&u.maintenance, 2 * STRINGS)
        + vec_bytes(&u.exclusions, 2 * STRINGS)
        // A B-tree node holds up to 11 entries; count each entry twice for the nodes.
        + 2 * 32 * (u.signing.len() + u.durability.len()) as u64
        + vec_bytes(&u.warnings, STRINGS)
        + (u.client_id.len() + u.client_name.len() + u.contract_id.len()) as u64
}

/// Bytes a report holds, by element: periods, outages, exclusions, incidents and
/// days each own a few strings and small vectors, hence the allowances.
pub fn report_bytes(r: &Report) -> u64 {
    size_of::<Report>() as u64
        + vec_bytes(&r.periods, 6 * STRINGS)
        + vec_bytes(&r.outages, 4 * STRINGS)
        + vec_bytes(&r.exclusions, 4 * STRINGS)
        + vec_bytes(&r.incidents, 8 * STRINGS)
        + vec_bytes(&r.incident_summary, STRINGS)
        + vec_bytes(&r.days, STRINGS)
        + vec_bytes(&r.metering, STRINGS)
        + vec_bytes(&r.policy_versions, 4 * STRINGS)
        + vec_bytes(&r.warnings, STRINGS)
        + 16 * STRINGS
}

#[derive(Clone)]
pub struct ByBytes;

impl Weighter<Key, Entry> for ByBytes {
    fn weight(&self, key: &Key, val: &Entry) -> u64 {
        // The key, the slot's bookkeeping and the Arc's header.
        let fixed = key.client.len() as u64 + 96;
        let body = match val {
            // The ETag (34 bytes, quoted hex) counts whether or not it is hashed
            // yet: a weight must not change while the entry is cached.
            Entry::File(f) => f.bytes.len() as u64 + 34,
            Entry::Encoded(_, b) => b.len() as u64,
            Entry::Usage(_, u) => usage_bytes(u),
            Entry::Report(_, r) => report_bytes(r),
            Entry::Summary(_, s) => report_bytes(&s.report) + s.name.len() as u64 + 24,
        };
        // Never 0: quick_cache would pin a weightless entry.
        fixed + body
    }
}

/// Counts evictions (an entry pushed out by the budget, not one replaced).
#[derive(Clone, Default)]
pub struct CountEvictions(Arc<AtomicU64>);

impl Lifecycle<Key, Entry> for CountEvictions {
    type RequestState = ();
    fn begin_request(&self) {}
    fn on_evict(&self, _: &mut (), _: Key, _: Entry) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The cache's figures for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub bytes: u64,
    pub capacity: u64,
    pub entries: u64,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
}

pub struct DocCache {
    cache: Cache<Key, Entry, ByBytes, DefaultHashBuilder, CountEvictions>,
    evictions: CountEvictions,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl DocCache {
    pub fn new(budget_bytes: u64) -> DocCache {
        // Each shard holds budget/shards: fewer shards for a small budget, so a
        // year of telemetry (about 4 MB parsed) still fits in one shard.
        let shards = (budget_bytes / (32 << 20)).clamp(1, 8).next_power_of_two() as usize;
        let evictions = CountEvictions::default();
        let options = quick_cache::OptionsBuilder::new()
            .estimated_items_capacity(((budget_bytes / (64 << 10)) as usize).max(16))
            .weight_capacity(budget_bytes.max(1))
            .shards(shards)
            .build();
        let cache = match options {
            Ok(o) => {
                Cache::with_options(o, ByBytes, DefaultHashBuilder::default(), evictions.clone())
            }
            // The options above are always valid; this only keeps a bad one from panicking.
            Err(_) => Cache::with(
                16,
                budget_bytes.max(1),
                ByBytes,
                DefaultHashBuilder::default(),
                evictions.clone(),
            ),
        };
        DocCache {
            cache,
            evictions,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The entry for `key` when `fresh` accepts it; otherwise `make` computes it
    /// once while other callers for the same key wait for that result (single
    /// flight). The waiting is async (quick_cache's async guard), so a caller
    /// waiting for another's parse holds no thread.
    pub async fn get_or_make<E>(
        &self,
        key: &Key,
        fresh: impl Fn(&Entry) -> bool,
        make: impl std::future::Future<Output = Result<Entry, E>>,
    ) -> Result<Entry, E> {
        // A stale entry is removed and the lookup repeated; a few rounds settle
        // even when a file changes under concurrent callers, then compute uncached.
        for _ in 0..3 {
            match self.cache.get_value_or_guard_async(key).await {
                Ok(v) if fresh(&v) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(v);
                }
                Ok(_) => {
                    self.cache.remove_if(key, |v| !fresh(v));
                }
                Err(g) => {
                    self.misses.fetch_add(1, Ordering::Relaxed);
                    let v = make.await?;
                    // The waiting callers get it; it is rejected only if it outweighs
                    // a shard, and then it is simply not kept.
                    let _ = g.insert(v.clone());
                    return Ok(v);
                }
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        make.await
    }

    /// The entry if it is cached and fresh, without counting or admitting anything
    /// (the sweep reads this way so that it does not push out what requests use).
    pub fn peek(&self, key: &Key, fresh: impl Fn(&Entry) -> bool) -> Option<Entry> {
        self.cache.peek(key).filter(|v| fresh(v))
    }

    pub fn stats(&self) -> Stats {
        Stats {
            bytes: self.cache.weight(),
            capacity: self.cache.capacity(),
            entries: self.cache.len() as u64,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.0.load(Ordering::Relaxed),
        }
    }
}
