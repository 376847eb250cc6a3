//! `sla-server`: the reference portal backend. It serves the widget and each
//! client's documents, and files claims only after the rules core agrees.

mod api;
mod args;
mod auth;
mod clock;
mod data;
mod demo_data;
mod errors;
mod group_commit;
mod health;
mod http;
mod limits;
mod metrics;
mod operator;
mod ops;
mod postgres;
mod sqlite;
mod static_files;
mod store;
#[cfg(test)]
mod store_tests;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use args::Args;

/// What every handler shares.
pub struct AppState {
    pub data: data::DataDir,
    pub tokens: auth::Tokens,
    pub store: Arc<dyn store::Store>,
    pub dist: PathBuf,
    pub demo_token: Option<String>,
    pub rate: limits::RateLimiter,
    /// Set on SIGTERM/SIGINT, so `/readyz` turns 503 while requests drain.
    pub shutting_down: AtomicBool,
}

/// Opens the store `--db` names: a `postgres://` URL or a SQLite file.
pub fn open_store(
    db: &str,
    pool_size: usize,
    mode: sqlite::WriteMode,
) -> Result<Arc<dyn store::Store>, String> {
    let store: Arc<dyn store::Store> = if postgres::is_url(db) {
        Arc::new(postgres::PgStore::connect(db, pool_size).map_err(|e| format!("--db: {e}"))?)
    } else {
        Arc::new(
            sqlite::SqliteStore::open_with(Path::new(db), mode)
                .map_err(|e| format!("--db: {e}"))?,
        )
    };
    Ok(store)
}

/// A numeric flag, with its default when absent.
fn number<T: std::str::FromStr>(args: &Args, name: &str, default: T) -> Result<T, String> {
    match args.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("--{name}: {v:?} is not a whole number")),
    }
}

const USAGE: &str = "usage:
  sla-server [serve] --data DIR --db FILE|postgres://USER@HOST:PORT/DB [--addr 127.0.0.1:8080]
             [--dist DIR] [--tokens FILE] [--demo] [--pool-size 16] [--sqlite-writer group|naive]
             [--rate-limit 100] [--max-connections 512] [--shutdown-grace 0]
  sla-server demo-data --out DIR
  sla-server claims list --db FILE|URL
  sla-server claims set-status CLAIM STATUS --db FILE|URL [--note TEXT]";

fn main() {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return;
    }
    let command = match argv.first() {
        Some(a) if !a.starts_with("--") => argv.remove(0),
        _ => "serve".to_string(),
    };
    let result = Args::parse(argv).and_then(|args| match command.as_str() {
        "serve" => serve(&args),
        "demo-data" => {
            args.only(&["out"])?;
            demo_data::write_demo(Path::new(args.required("out")?))
        }
        "claims" => claims(&args),
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    });
    if let Err(e) = result {
        eprintln!("sla-server: {e}");
        std::process::exit(2);
    }
}

fn claims(args: &Args) -> Result<(), String> {
    let db = args.required("db")?;
    match args
        .positional
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            args.only(&["db"])?;
            ops::list(db)
        }
        ["set-status", claim, status] => {
            args.only(&["db", "note"])?;
            ops::set_status(db, claim, status, args.get("note").unwrap_or(""))
        }
        _ => Err(format!("unknown claims command\n{USAGE}")),
    }
}

fn serve(args: &Args) -> Result<(), String> {
    args.only(&[
        "addr",
        "data",
        "db",
        "dist",
        "tokens",
        "pool-size",
        "sqlite-writer",
        "rate-limit",
        "max-connections",
        "shutdown-grace",
    ])?;
    if !args.positional.is_empty() {
        return Err(format!("unexpected argument {:?}", args.positional[0]));
    }
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let data_dir = PathBuf::from(args.required("data")?);
    let tokens_path = args
        .get("tokens")
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir.join("tokens.json"));
    let tokens_bytes =
        std::fs::read(&tokens_path).map_err(|e| format!("{}: {e}", tokens_path.display()))?;
    let tokens = auth::Tokens::parse(&tokens_bytes, &tokens_path.display().to_string())?;
    let demo_token = if args.switch("--demo") {
        let p = data_dir.join(demo_data::DEMO_TOKEN_FILE);
        let t = std::fs::read_to_string(&p)
            .map_err(|e| format!("--demo: {}: {e}", p.display()))?
            .trim()
            .to_string();
        if tokens.client_for(&t).is_none() {
            return Err(format!(
                "--demo: the token in {} is not in {}",
                p.display(),
                tokens_path.display()
            ));
        }
        Some(t)
    } else {
        None
    };
    let pool_size = number(args, "pool-size", postgres::DEFAULT_POOL_SIZE)?;
    let mode = match args.get("sqlite-writer").unwrap_or("group") {
        "group" => sqlite::WriteMode::Group,
        "naive" => sqlite::WriteMode::Naive,
        other => return Err(format!("--sqlite-writer: {other:?} is not group or naive")),
    };
    let rate = number(args, "rate-limit", limits::DEFAULT_RATE)?;
    let max_connections = number(args, "max-connections", limits::DEFAULT_MAX_CONNECTIONS)?;
    let grace: u64 = number(args, "shutdown-grace", 0)?;
    let store = open_store(args.required("db")?, pool_size, mode)?;
    let state = Arc::new(AppState {
        data: data::DataDir::new(data_dir),
        tokens,
        store,
        dist: PathBuf::from(args.get("dist").unwrap_or("dist")),
        demo_token,
        rate: limits::RateLimiter::new(rate),
        shutting_down: AtomicBool::new(false),
    });
    let addr = args.get("addr").unwrap_or("127.0.0.1:8080").to_string();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| format!("--addr {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        // The first stdout line tells scripts and tests where the server listens
        // (useful with port 0); everything else goes to the log on stderr.
        println!("sla-server listening on http://{local}");
        let _ = std::io::stdout().flush();
        tracing::info!(addr = %local, clients = state.tokens.clients().count(), "listening");
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
        Ok::<(), String>(())
    })
}
