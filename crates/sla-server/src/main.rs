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
use std::path::PathBuf;
use std::sync::Arc;

use args::{ClaimsCommand, Cli, Command, ServeArgs};
use clap::Parser;

/// What every handler shares.
pub struct AppState {
    pub data: data::DataDir,
    pub tokens: auth::Tokens,
    pub store: Arc<dyn store::Store>,
    pub dist: PathBuf,
    pub demo_token: Option<String>,
}

fn main() {
    let cli = Cli::parse_from(args::with_default_command(std::env::args_os().collect()));
    let result = match cli.command {
        Command::Serve(a) => serve(&a),
        Command::DemoData { out } => demo_data::write_demo(&out),
        Command::Claims {
            command: ClaimsCommand::List { db },
        } => ops::list(&db),
        Command::Claims {
            command:
                ClaimsCommand::SetStatus {
                    claim,
                    status,
                    db,
                    note,
                },
        } => ops::set_status(&db, &claim, &status, &note),
    };
    if let Err(e) = result {
        eprintln!("sla-server: {e}");
        std::process::exit(2);
    }
}

fn serve(args: &ServeArgs) -> Result<(), String> {
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
    let demo_token = if args.demo {
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
    let store = sqlite::SqliteStore::open(&args.db).map_err(|e| format!("--db: {e}"))?;
    let state = Arc::new(AppState {
        data: data::DataDir::new(data_dir),
        tokens,
        store: Arc::new(store),
        dist: args.dist.clone(),
        demo_token,
    });
    let addr = args.addr.clone();
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
