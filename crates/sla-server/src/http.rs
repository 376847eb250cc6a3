//! The HTTP service: routes, the hardening layers around them (security headers,
//! compression, timeouts, logs), and an accept loop with header-read timeouts and
//! graceful shutdown.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use sla_rules::wire::ErrorCode;
use tower_http::compression::CompressionLayer;

use crate::errors::ApiError;
use crate::{
    api, contracts, health, limits, metrics, operator_queue, signing, statements, static_files,
    subscriptions, AppState,
};

/// Content-Security-Policy of every response: the widget runs its own script and
/// WebAssembly, talks to its own origin, and nothing else loads.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/// A request that has not been answered in this time gets 503: evaluating a year
/// takes well under a second, so this only cuts off stuck or trickling requests.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A client must send its request headers within this time (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/v1/usage", get(api::usage))
        .route("/api/v1/incidents", get(api::incidents))
        .route("/api/v1/policy", get(api::policy))
        .route(
            "/api/v1/claims",
            get(api::list_claims).post(api::post_claim),
        )
        .route("/api/v1/contracts", get(contracts::list))
        .route(
            "/api/v1/contracts/{id}/claims",
            get(api::list_contract_claims).post(api::post_contract_claim),
        )
        .route("/api/v1/contracts/{id}/{doc}", get(api::contract_document))
        .route(
            "/api/v1/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        )
        .route(
            "/api/v1/subscriptions/{id}",
            axum::routing::delete(subscriptions::delete),
        )
        .route(
            "/api/v1/subscriptions/{id}/deliveries",
            get(subscriptions::deliveries),
        )
        .route("/api/v1/operator/claims", get(operator_queue::list))
        .route(
            "/api/v1/operator/claims/{claim_id}",
            get(operator_queue::detail),
        )
        .route(
            "/api/v1/operator/claims/{claim_id}/status",
            post(operator_queue::set_status),
        )
        .route("/api/v1/operator/exposure", get(crate::exposure::route))
        .route(
            "/api/v1/operator/clients",
            get(crate::operator_clients::list),
        )
        .route(
            "/api/v1/operator/clients/{client}/contracts/{id}/{doc}",
            get(crate::operator_clients::document_of),
        )
        .route(
            "/api/v1/operator/clients/{client}/contracts/{id}/documents/{doc}",
            axum::routing::put(crate::ingest::put_document),
        )
        .route(
            "/api/v1/operator/clients/{client}/contracts/{id}/telemetry",
            post(crate::ingest::post_telemetry),
        )
        .route(
            "/api/v1/operator/clients/{client}/contracts/{id}/records/{kind}/{record}",
            axum::routing::put(crate::ingest::put_record).delete(crate::ingest::delete_record),
        )
        .route("/api/v1/statements/{month}", get(statements::statement))
        .route(
            "/api/v1/contracts/{id}/statements/{month}",
            get(statements::contract_statement),
        )
        .route("/.well-known/jwks.json", get(signing::jwks))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/demo/token", get(api::demo_token))
        .route("/", get(static_files::index))
        .route("/sla-portal/{*path}", get(static_files::widget_file))
        .fallback(static_files::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), limits::rate_limit))
        .with_state(state)
        .layer(from_fn(security_headers))
        .layer(CompressionLayer::new())
        .layer(from_fn(timeout_and_log))
        .layer(from_fn(metrics::track))
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        405,
        ErrorCode::MethodNotAllowed,
        "this route does not take that method",
    )
    .into_response()
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn timeout_and_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    // The path only: a query may carry a client id, and headers carry the token.
    let path = req.uri().path().to_string();
    let r = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            ApiError::new(503, ErrorCode::Timeout, "the request took too long").into_response()
        }
    };
    tracing::info!(
        method = %method,
        path = %path,
        status = r.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    r
}

/// Counts an open connection until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves until `shutdown` completes, then stops accepting and lets requests in
/// flight finish (up to `DRAIN_TIMEOUT`). A connection beyond `max_connections`
/// gets one 429 and is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    max_connections: usize,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let n = open.fetch_add(1, Ordering::SeqCst) + 1;
                    let guard = Open(open.clone());
                    if n > max_connections {
                        let mut refuse = hyper::server::conn::http1::Builder::new();
                        refuse
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_READ_TIMEOUT)
                            .keep_alive(false);
                        tokio::spawn(async move {
                            let _guard = guard;
                            let svc = hyper::service::service_fn(|_req| async {
                                Ok::<_, std::convert::Infallible>(limits::over_capacity())
                            });
                            let _ = refuse.serve_connection(TokioIo::new(stream), svc).await;
                        });
                        continue;
                    }
                    let svc = TowerToHyperService::new(app.clone());
                    let conn = builder.serve_connection(TokioIo::new(stream), svc);
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        let _guard = guard;
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: draining requests in flight");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("drained"),
        _ = tokio::time::sleep(DRAIN_TIMEOUT) => tracing::warn!("drain timed out"),
    }
}

/// Completes on SIGTERM or SIGINT; with a `grace` period, calls `on_signal` at
/// the first signal and completes when the period has passed or at a second
/// signal (the same streams, so a quick second signal is not lost).
pub async fn shutdown_signal(on_signal: impl FnOnce(), grace: Duration) {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
            on_signal();
            if !grace.is_zero() {
                tracing::info!(
                    seconds = grace.as_secs(),
                    "shutting down: not ready, still serving"
                );
                tokio::select! {
                    _ = tokio::time::sleep(grace) => {},
                    _ = term.recv() => {},
                    _ = int.recv() => {},
                }
            }
        }
        _ => {
            tracing::warn!("no signal handlers: stop the server with SIGKILL");
            std::future::pending::<()>().await
        }
    }
}
