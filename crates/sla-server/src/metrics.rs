//! `/metrics` in the Prometheus text format: requests by route and status, their
//! latency, claims filed and refused by code, group-commit batch sizes, pool
//! use, webhook attempts, the breach sweep's progress and the document cache. Labels are route patterns, methods, status codes,
//! error codes and outcomes only, so no token, client id or claim id ever appears.

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::AppState;

/// The error code of an error response, left in its extensions by `ApiError` so
/// that the claims counter can label refusals without reading the body.
#[derive(Debug, Clone)]
pub struct ErrorCodeTag(pub String);

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    filed: IntCounter,
    replayed: IntCounter,
    refused: IntCounterVec,
    batch: Histogram,
    pool: IntGaugeVec,
    refused_connections: IntCounter,
    webhook_attempts: IntCounterVec,
    /// Figures read from their owners at each scrape (sweep, cache).
    snapshot: Snapshot,
}

/// Gauges set from the sweep's and the cache's own counters when `/metrics` is read
/// (those are the source of truth; these only publish them). Counters that only
/// grow are published as gauges named `_total`, set to the owner's count.
struct Snapshot {
    sweep_rate: Gauge,
    sweep_pending: IntGauge,
    sweep_evaluated: IntGauge,
    sweep_adopted: IntGauge,
    sweep_last_full_pass: IntGauge,
    sweep_last_full_pass_seconds: Gauge,
    cache_bytes: IntGauge,
    cache_capacity: IntGauge,
    cache_entries: IntGauge,
    cache_hits: IntGauge,
    cache_misses: IntGauge,
    cache_evictions: IntGauge,
    pull_minutes: IntGauge,
    pull_failures: IntGauge,
    pull_clamped: IntGauge,
    /// Per contract of the sources file, labelled by its index there (never an id).
    pull_lag: IntGaugeVec,
}

fn snapshot(registry: &Registry) -> Result<Snapshot, prometheus::Error> {
    let int = |name: &str, help: &str| -> Result<IntGauge, prometheus::Error> {
        let g = IntGauge::new(name, help)?;
        registry.register(Box::new(g.clone()))?;
        Ok(g)
    };
    let float = |name: &str, help: &str| -> Result<Gauge, prometheus::Error> {
        let g = Gauge::new(name, help)?;
        registry.register(Box::new(g.clone()))?;
        Ok(g)
    };
    Ok(Snapshot {
        sweep_rate: float(
            "sla_sweep_clients_per_second",
            "Clients evaluated per second in the last sweep pass that evaluated any",
        )?,
        sweep_pending: int(
            "sla_sweep_clients_pending",
            "Clients due for evaluation and not yet evaluated",
        )?,
        sweep_evaluated: int(
            "sla_sweep_clients_evaluated_total",
            "Client evaluations by this instance's sweep since start",
        )?,
        sweep_adopted: int(
            "sla_sweep_clients_adopted_total",
            "Clients whose current state another instance had evaluated (PostgreSQL)",
        )?,
        sweep_last_full_pass: int(
            "sla_sweep_last_full_pass_timestamp_seconds",
            "When the sweep last had every client up to date (unix time; 0: not yet)",
        )?,
        sweep_last_full_pass_seconds: float(
            "sla_sweep_last_full_pass_duration_seconds",
            "How long that full pass took",
        )?,
        cache_bytes: int(
            "sla_cache_bytes",
            "Estimated bytes held by the document cache",
        )?,
        cache_capacity: int(
            "sla_cache_capacity_bytes",
            "The cache's budget (--cache-mb)",
        )?,
        cache_entries: int("sla_cache_entries", "Entries in the document cache")?,
        cache_hits: int(
            "sla_cache_hits_total",
            "Cache lookups answered from the cache",
        )?,
        cache_misses: int(
            "sla_cache_misses_total",
            "Cache lookups that read or computed the entry",
        )?,
        cache_evictions: int(
            "sla_cache_evictions_total",
            "Entries pushed out of the cache by its budget",
        )?,
        pull_minutes: int(
            "sla_pull_minutes_total",
            "Minutes with data this instance pulled from Prometheus",
        )?,
        pull_failures: int(
            "sla_pull_failures_total",
            "Prometheus pulls that failed (nothing written for their minutes)",
        )?,
        pull_clamped: int(
            "sla_pull_clamped_minutes_total",
            "Pulled minutes whose ok was above total after rounding, clamped to total",
        )?,
        pull_lag: {
            let g = IntGaugeVec::new(
                Opts::new(
                    "sla_pull_lag_seconds",
                    "How far behind now a contract's pulled telemetry ends, by its index in the sources file",
                ),
                &["source"],
            )?;
            registry.register(Box::new(g.clone()))?;
            g
        },
    })
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new();
    let requests = IntCounterVec::new(
        Opts::new(
            "sla_http_requests_total",
            "HTTP requests by route and status",
        ),
        &["route", "method", "status"],
    )?;
    let latency = HistogramVec::new(
        HistogramOpts::new(
            "sla_http_request_duration_seconds",
            "Time from request to response head, by route",
        )
        .buckets(vec![
            0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
        ]),
        &["route", "method"],
    )?;
    let filed = IntCounter::new("sla_claims_filed_total", "Claims filed (201)")?;
    let replayed = IntCounter::new(
        "sla_claims_replayed_total",
        "Retries answered with the stored claim (200)",
    )?;
    let refused = IntCounterVec::new(
        Opts::new("sla_claims_refused_total", "Claims refused, by error code"),
        &["code"],
    )?;
    let batch = Histogram::with_opts(
        HistogramOpts::new(
            "sla_sqlite_group_commit_batch_size",
            "Claims written per SQLite group-commit transaction",
        )
        .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
    )?;
    let pool = IntGaugeVec::new(
        Opts::new(
            "sla_store_pool_connections",
            "PostgreSQL pool: max, open, idle connections and waiting requests",
        ),
        &["state"],
    )?;
    let refused_connections = IntCounter::new(
        "sla_connections_refused_total",
        "Connections over --max-connections, answered 429 and closed",
    )?;
    let webhook_attempts = IntCounterVec::new(
        Opts::new(
            "sla_webhook_attempts_total",
            "Webhook delivery attempts by outcome: delivered, retry, failed",
        ),
        &["outcome"],
    )?;
    registry.register(Box::new(webhook_attempts.clone()))?;
    registry.register(Box::new(refused_connections.clone()))?;
    registry.register(Box::new(requests.clone()))?;
    registry.register(Box::new(latency.clone()))?;
    registry.register(Box::new(filed.clone()))?;
    registry.register(Box::new(replayed.clone()))?;
    registry.register(Box::new(refused.clone()))?;
    registry.register(Box::new(batch.clone()))?;
    registry.register(Box::new(pool.clone()))?;
    let snapshot = snapshot(&registry)?;
    Ok(Metrics {
        registry,
        requests,
        latency,
        filed,
        replayed,
        refused,
        batch,
        pool,
        refused_connections,
        webhook_attempts,
        snapshot,
    })
}

// Built once; the names and labels are constants, so `build` cannot fail unless
// this file is wrong, and then every metric is simply absent instead of a panic.
static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| match build() {
    Ok(m) => Some(m),
    Err(e) => {
        tracing::error!(error = %e, "metrics disabled");
        None
    }
});

pub fn observe_batch(n: usize) {
    if let Some(m) = METRICS.as_ref() {
        m.batch.observe(n as f64);
    }
}

pub fn connection_refused() {
    if let Some(m) = METRICS.as_ref() {
        m.refused_connections.inc();
    }
}

/// Counts one webhook attempt by its outcome (`delivered`, `retry`, `failed`).
pub fn webhook_attempt(outcome: &str) {
    if let Some(m) = METRICS.as_ref() {
        m.webhook_attempts.with_label_values(&[outcome]).inc();
    }
}

/// Counts every request under its route pattern (`/sla-portal/{*path}`, never the
/// path itself: paths are unbounded and could carry anything).
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        _ => "other",
    };
    let r = next.run(req).await;
    if let Some(m) = METRICS.as_ref() {
        let status = r.status();
        m.requests
            .with_label_values(&[route.as_str(), method, status.as_str()])
            .inc();
        m.latency
            .with_label_values(&[route.as_str(), method])
            .observe(started.elapsed().as_secs_f64());
        if route == "/api/v1/claims" && method == "POST" {
            match status {
                StatusCode::CREATED => m.filed.inc(),
                StatusCode::OK => m.replayed.inc(),
                _ => {
                    let code = r
                        .extensions()
                        .get::<ErrorCodeTag>()
                        .map(|c| c.0.as_str())
                        .unwrap_or("other");
                    m.refused.with_label_values(&[code]).inc();
                }
            }
        }
    }
    r
}

/// `GET /metrics`: no token (scrapers run beside the load balancer), nothing
/// about any client.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let Some(m) = METRICS.as_ref() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    if let Some(p) = state.store.pool_status() {
        for (label, v) in [
            ("max", p.max_size),
            ("open", p.size),
            ("idle", p.available),
            ("waiting", p.waiting),
        ] {
            m.pool
                .with_label_values(&[label])
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        }
    }
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let (sn, sw, c) = (&m.snapshot, &state.sweep, state.data.cache_stats());
    use std::sync::atomic::Ordering::Relaxed;
    sn.sweep_rate.set(sw.rate());
    sn.sweep_pending.set(i(sw.pending.load(Relaxed)));
    sn.sweep_evaluated.set(i(sw.evaluated.load(Relaxed)));
    sn.sweep_adopted.set(i(sw.adopted.load(Relaxed)));
    sn.sweep_last_full_pass.set(sw.last_full_pass.load(Relaxed));
    sn.sweep_last_full_pass_seconds
        .set(sw.last_full_pass_ms.load(Relaxed) as f64 / 1000.0);
    sn.cache_bytes.set(i(c.bytes));
    sn.cache_capacity.set(i(c.capacity));
    sn.cache_entries.set(i(c.entries));
    sn.cache_hits.set(i(c.hits));
    sn.cache_misses.set(i(c.misses));
    sn.cache_evictions.set(i(c.evictions));
    let pl = &state.pull;
    sn.pull_minutes.set(i(pl.minutes.load(Relaxed)));
    sn.pull_failures.set(i(pl.failures.load(Relaxed)));
    sn.pull_clamped.set(i(pl.clamped.load(Relaxed)));
    if let Ok(through) = pl.through.lock() {
        let now = crate::clock::now_unix();
        for (index, minute) in through.iter() {
            sn.pull_lag
                .with_label_values(&[index.to_string().as_str()])
                .set(now - minute * 60);
        }
    }
    let encoder = TextEncoder::new();
    let mut buf = Vec::new();
    if encoder.encode(&m.registry.gather(), &mut buf).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut r = Response::new(axum::body::Body::from(buf));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
