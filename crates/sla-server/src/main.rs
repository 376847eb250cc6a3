//! `sla-server`: the reference portal backend. It serves the widget and each
//! client's documents, and files claims only after the rules core agrees.

mod api;
mod args;
mod auth;
mod clock;
mod data;
mod demo_data;
mod errors;
mod http;
mod ops;
mod sqlite;
mod static_files;
mod store;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use args::Args;

/// What every handler shares.
pub struct AppState {
    pub data: data::DataDir,
    pub tokens: auth::Tokens,
    pub store: Arc<dyn store::Store>,
    pub dist: PathBuf,
    pub demo_token: Option<String>,
}

const USAGE: &str = "usage:
  sla-server [serve] --data DIR --db FILE [--addr 127.0.0.1:8080] [--dist DIR] [--tokens FILE] [--demo]
  sla-server demo-data --out DIR
  sla-server claims list --db FILE
  sla-server claims set-status CLAIM STATUS --db FILE [--note TEXT]";

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
    let db = PathBuf::from(args.required("db")?);
    match args
        .positional
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            args.only(&["db"])?;
            ops::list(&db)
        }
        ["set-status", claim, status] => {
            args.only(&["db", "note"])?;
            ops::set_status(&db, claim, status, args.get("note").unwrap_or(""))
        }
        _ => Err(format!("unknown claims command\n{USAGE}")),
    }
}

fn serve(args: &Args) -> Result<(), String> {
    args.only(&["addr", "data", "db", "dist", "tokens"])?;
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
    let store = sqlite::SqliteStore::open(Path::new(args.required("db")?))
        .map_err(|e| format!("--db: {e}"))?;
    let state = Arc::new(AppState {
        data: data::DataDir::new(data_dir),
        tokens,
        store: Arc::new(store),
        dist: PathBuf::from(args.get("dist").unwrap_or("dist")),
        demo_token,
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
        http::serve(listener, http::router(state), http::shutdown_signal()).await;
        Ok::<(), String>(())
    })
}
