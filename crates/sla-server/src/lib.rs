//! `sla-server` as a library: the server, its stores and its operator commands, so
//! the binary, the integration tests and the bench use the same modules.

pub mod api;
pub mod args;
pub mod auth;
pub mod claims_http;
pub mod clock;
pub mod contracts;
pub mod data;
pub mod demo_data;
pub mod errors;
pub mod events;
pub mod exposure;
pub mod health;
pub mod http;
pub mod ingest;
pub mod jwt;
pub mod limits;
pub mod metrics;
pub mod operator;
pub mod operator_clients;
pub mod operator_queue;
pub mod ops;
pub mod postgres;
pub mod pull;
pub mod queue_sql;
pub mod receipts;
pub mod signing;
pub mod sqlite;
pub mod statements;
pub mod static_files;
pub mod statuses;
pub mod store;
pub mod subscriptions;
pub mod sweep;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod webhooks;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use args::{ClaimsCommand, Cli, Command, KeysCommand, ServeArgs, SqliteWriter};

/// What every handler shares.
pub struct AppState {
    pub data: data::DataDir,
    pub tokens: auth::Tokens,
    /// JWT verification (`--jwks-url`), when configured.
    pub jwt: Option<Arc<jwt::Verifier>>,
    pub store: Arc<dyn store::Store>,
    pub dist: PathBuf,
    /// With `--demo`: the demo clients' tokens, acme's first (`GET /demo/token`).
    pub demo_tokens: Vec<(String, String)>,
    /// With `--demo`: the demo operator's token, when the demo data has one
    /// (`GET /demo/token?role=operator`, for the console's demo page).
    pub demo_operator_token: Option<String>,
    pub rate: limits::RateLimiter,
    /// Set on SIGTERM/SIGINT, so `/readyz` turns 503 while requests drain.
    pub shutting_down: AtomicBool,
    pub webhooks: webhooks::Config,
    /// The breach sweep's figures (`/metrics`).
    pub sweep: sweep::Progress,
    /// The key receipts and statements are signed with, and the published ones.
    pub signing: signing::Keys,
    /// The Prometheus pull's figures (`/metrics`; empty without `--sources`).
    pub pull: Arc<pull::PullStats>,
}

/// Opens the store `--db` names: a `postgres://` URL or a SQLite file.
pub async fn open_store(
    db: &str,
    pool_size: usize,
    mode: sqlite::WriteMode,
) -> Result<Arc<dyn store::Store>, String> {
    let store: Arc<dyn store::Store> = if postgres::is_url(db) {
        Arc::new(
            postgres::PgStore::connect(db, pool_size)
                .await
                .map_err(|e| format!("--db: {e}"))?,
        )
    } else {
        Arc::new(
            sqlite::SqliteStore::open_with(Path::new(db), mode)
                .await
                .map_err(|e| format!("--db: {e}"))?,
        )
    };
    Ok(store)
}

/// The extra CA a test build's https webhooks trust (`--webhook-test-ca`).
#[cfg(all(feature = "testkit", debug_assertions))]
fn webhook_test_roots(
    args: &ServeArgs,
) -> Result<Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>, String> {
    let Some(path) = &args.webhook_test_ca else {
        return Ok(Vec::new());
    };
    let der =
        std::fs::read(path).map_err(|e| format!("--webhook-test-ca {}: {e}", path.display()))?;
    Ok(vec![der.into()])
}

/// Any other build trusts Mozilla's roots only: it has no flag that could add one.
#[cfg(not(all(feature = "testkit", debug_assertions)))]
fn webhook_test_roots(
    _: &ServeArgs,
) -> Result<Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>, String> {
    Ok(Vec::new())
}

/// The floor of a JWKS's lifetime and the unknown-kid refetch interval: a test
/// build may lower both (`--jwks-test-seconds`).
#[cfg(all(feature = "testkit", debug_assertions))]
fn jwks_timing(args: &ServeArgs) -> (std::time::Duration, std::time::Duration) {
    match args.jwks_test_seconds {
        Some(s) => (
            std::time::Duration::from_secs(s),
            std::time::Duration::from_secs(s),
        ),
        None => (jwt::MIN_MAX_AGE, jwt::REFETCH_INTERVAL),
    }
}

/// Any other build keeps the documented constants: it has no flag that could lower them.
#[cfg(not(all(feature = "testkit", debug_assertions)))]
fn jwks_timing(_: &ServeArgs) -> (std::time::Duration, std::time::Duration) {
    (jwt::MIN_MAX_AGE, jwt::REFETCH_INTERVAL)
}

/// The JWT verifier `--jwks-url` asks for, if any.
fn jwt_verifier(
    args: &ServeArgs,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
) -> Result<Option<Arc<jwt::Verifier>>, String> {
    let Some(url) = &args.jwks_url else {
        return Ok(None);
    };
    let (min_max_age, refetch_interval) = jwks_timing(args);
    let config = jwt::Config {
        jwks_url: url.clone(),
        issuer: args.jwt_issuer.clone().unwrap_or_default(),
        audience: args.jwt_audience.clone().unwrap_or_default(),
        leeway_seconds: args.jwt_leeway_seconds,
        min_max_age,
        refetch_interval,
        tls,
    };
    Ok(Some(Arc::new(jwt::Verifier::new(config)?)))
}

/// Runs one command of the command line, on the caller's runtime (the binary's only one).
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(a) => serve(&a).await,
        Command::DemoData { out } => demo_data::write_demo(&out),
        Command::Claims {
            command: ClaimsCommand::List { db },
        } => ops::list(&db).await,
        Command::Claims {
            command:
                ClaimsCommand::SetStatus {
                    claim,
                    status,
                    db,
                    note,
                },
        } => ops::set_status(&db, &claim, &status, &note).await,
        Command::Import { db, data } => ingest::import(&db, &data).await,
        Command::Pull {
            once: _,
            db,
            sources,
            pull_lag,
            until,
        } => pull::once(&db, &sources, pull_lag, until.as_deref()).await,
        Command::Keys {
            command: KeysCommand::Generate { out },
        } => signing::generate(&out).map(|_| ()),
    }
}

async fn serve(args: &ServeArgs) -> Result<(), String> {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let data_dir = args.data.clone();
    let tokens_path = args
        .tokens
        .clone()
        .unwrap_or_else(|| data_dir.join("tokens.json"));
    let tokens_bytes =
        std::fs::read(&tokens_path).map_err(|e| format!("{}: {e}", tokens_path.display()))?;
    let tokens = auth::Tokens::parse(&tokens_bytes, &tokens_path.display().to_string())?;
    let mut demo_tokens = Vec::new();
    if args.demo {
        // acme's token is required; globex's (the group) is handed out when present.
        for (file, required) in [
            (demo_data::DEMO_TOKEN_FILE, true),
            (demo_data::GLOBEX_TOKEN_FILE, false),
        ] {
            let p = data_dir.join(file);
            let t = match std::fs::read_to_string(&p) {
                Ok(t) => t.trim().to_string(),
                Err(_) if !required => continue,
                Err(e) => return Err(format!("--demo: {}: {e}", p.display())),
            };
            let Some(client) = tokens.client_for(&t) else {
                return Err(format!(
                    "--demo: the token in {} is not in {}",
                    p.display(),
                    tokens_path.display()
                ));
            };
            demo_tokens.push((client.to_string(), t));
        }
    }
    let mut demo_operator_token = None;
    if args.demo {
        let p = data_dir.join(demo_data::OPERATOR_TOKEN_FILE);
        if let Ok(t) = std::fs::read_to_string(&p) {
            let t = t.trim().to_string();
            // Handed out only if tokens.json says it is an operator's.
            if !matches!(tokens.lookup(&t), Some((_, auth::Role::Operator))) {
                return Err(format!(
                    "--demo: the token in {} is not an operator's in {}",
                    p.display(),
                    tokens_path.display()
                ));
            }
            demo_operator_token = Some(t);
        }
    }
    let mode = match args.sqlite_writer {
        SqliteWriter::Group => sqlite::WriteMode::Group,
        SqliteWriter::Naive => sqlite::WriteMode::Naive,
    };
    let (rate, max_connections, grace) =
        (args.rate_limit, args.max_connections, args.shutdown_grace);
    let store = open_store(&args.db, args.pool_size, mode).await?;
    let source = match args.documents {
        args::Documents::Files => data::Source::Files,
        args::Documents::Db => data::Source::Db(Arc::new(data::db::DocDb::open(&args.db).await?)),
    };
    let puller = match (&args.sources, &source) {
        (None, _) => None,
        (Some(_), data::Source::Files) => {
            return Err("--sources: the pull writes to the database; add --documents db".into())
        }
        (Some(path), data::Source::Db(db)) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("--sources {}: {e}", path.display()))?;
            let sources = pull::parse_sources(&bytes, &path.display().to_string())?;
            if !(args.pull_every.is_finite() && args.pull_every > 0.0) {
                return Err("--pull-every: a positive number of seconds".into());
            }
            Some(pull::Puller::new(
                sources,
                db.clone(),
                args.pull_lag.max(0),
            )?)
        }
    };
    let pull_stats = puller.as_ref().map(|p| p.stats.clone()).unwrap_or_default();
    if !(args.evaluate_every.is_finite() && args.evaluate_every > 0.0) {
        return Err("--evaluate-every: a positive number of seconds".into());
    }
    let webhooks = webhooks::Config {
        allowed_hosts: args
            .allow_webhook_host
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
        backoff_base_ms: args.webhook_backoff_ms.max(1),
        evaluate_every: std::time::Duration::from_secs_f64(args.evaluate_every),
        tls: webhooks::tls_config(&webhook_test_roots(args)?)?,
    };
    let signing = signing::Keys::load(args.signing_key.as_deref(), args.published_keys.as_deref())?;
    // The JWKS is fetched with the webhooks' client and its trust roots.
    let jwt = jwt_verifier(args, webhooks.tls.clone())?;
    let state = Arc::new(AppState {
        data: data::DataDir::with_source(data_dir, source, args.cache_mb.saturating_mul(1 << 20)),
        tokens,
        jwt: jwt.clone(),
        store,
        dist: args.dist.clone(),
        demo_tokens,
        demo_operator_token,
        rate: limits::RateLimiter::new(rate),
        shutting_down: AtomicBool::new(false),
        webhooks,
        sweep: sweep::Progress::default(),
        signing,
        pull: pull_stats,
    });
    let addr = args.addr.clone();
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("--addr {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // The first stdout line tells scripts and tests where the server listens
    // (useful with port 0); everything else goes to the log on stderr.
    println!("sla-server listening on http://{local}");
    let _ = std::io::stdout().flush();
    tracing::info!(addr = %local, clients = state.tokens.clients().count(), "listening");
    match &state.signing.current {
        Some(s) => tracing::info!(
            kid = %s.public.kid,
            published = state.signing.published.len(),
            "signing receipts and statements"
        ),
        None => tracing::warn!(
            "no --signing-key: receipts and statements are not signed, and the JWKS is empty"
        ),
    }
    // The outbox worker and the breach sweep run beside the listener;
    // their state is in the store, so stopping them anywhere loses nothing.
    tokio::spawn(webhooks::run_worker(state.clone()));
    if let Some(v) = jwt {
        // Keys load beside the listener: an identity provider that is down does
        // not keep the server (and its static tokens) from starting.
        tokio::spawn(v.load_until_ready());
    }
    let concurrency = args
        .sweep_concurrency
        .unwrap_or_else(sweep::default_concurrency);
    tokio::spawn(sweep::run(
        state.clone(),
        concurrency,
        std::time::Duration::from_millis(args.sweep_lease_ms.max(1)),
    ));
    if let Some(p) = puller {
        tokio::spawn(pull::run(
            p,
            std::time::Duration::from_secs_f64(args.pull_every),
            state.clone(),
        ));
    }
    let st = state.clone();
    // At the first signal `/readyz` answers 503; during the grace period the
    // server keeps serving, so a load balancer sees that and moves traffic
    // away before the listener closes.
    let shutdown = http::shutdown_signal(
        move || {
            st.shutting_down
                .store(true, std::sync::atomic::Ordering::SeqCst)
        },
        std::time::Duration::from_secs(grace),
    );
    http::serve(listener, http::router(state), shutdown, max_connections).await;
    Ok(())
}
