//! Command-line flags, parsed by clap so that every command has a real `--help`
//! and a typo is refused instead of silently ignored.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The reference portal backend: serves the widget and each client's documents,
/// and files claims only after the rules core agrees.
#[derive(Parser, Debug)]
#[command(name = "sla-server", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API, the claims store and the widget (the default command).
    Serve(Box<ServeArgs>),
    /// Write the demo client's documents and tokens into a directory.
    DemoData {
        /// The directory to write (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Operator commands on the claims store.
    Claims {
        #[command(subcommand)]
        command: ClaimsCommand,
    },
    /// Load a directory of documents (`CLIENT/usage.json`, `CLIENT/contracts/ID/…`)
    /// into the database `--documents db` serves from. Running it again with the
    /// same files changes nothing (no new versions).
    Import {
        /// A SQLite file or a `postgres://` URL (migrated when older).
        #[arg(long, value_name = "FILE|URL")]
        db: String,
        /// The directory of documents.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
    /// Pull telemetry from Prometheus into the database, as `serve --sources` does.
    Pull {
        /// One pass over every contract of the sources file, then exit (the
        /// continuous pull runs inside `serve`).
        #[arg(long, required = true)]
        once: bool,
        /// A SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "FILE|URL")]
        db: String,
        /// The sources file (schema `sla-portal/sources/v1`).
        #[arg(long, value_name = "FILE")]
        sources: PathBuf,
        /// Seconds before now that are not pulled yet (late scrapes).
        #[arg(long, value_name = "SECONDS", default_value_t = 120)]
        pull_lag: i64,
        /// Pull no minute that ends after this instant (RFC 3339): a backfill
        /// up to a point.
        #[arg(long, value_name = "INSTANT")]
        until: Option<String>,
    },
    /// The Ed25519 keys receipts and statements are signed with (docs/SIGNATURES.md).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Write a new key pair: DIR/signing-key.pem (PKCS#8, mode 0600) and DIR/KID.json.
    Generate {
        /// The directory to write (created when missing; an existing key is kept).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free one and prints it).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The directory of client documents (`CLIENT/usage.json`, …).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The claims store: a SQLite file (created when missing) or a `postgres://` URL.
    #[arg(long, value_name = "FILE|URL")]
    pub db: String,
    /// Where client documents come from: `DATA`'s files, or the `--db` database
    /// (written by the operator ingestion API and `sla-server import`).
    #[arg(long, value_enum, default_value_t = Documents::Files)]
    pub documents: Documents,
    /// Pull telemetry from Prometheus for the contracts of this file (schema
    /// `sla-portal/sources/v1`; needs `--documents db`).
    #[arg(long, value_name = "FILE")]
    pub sources: Option<PathBuf>,
    /// Seconds between pulls.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60.0,
        requires = "sources"
    )]
    pub pull_every: f64,
    /// Seconds before now that are not pulled yet (late scrapes).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 120,
        requires = "sources"
    )]
    pub pull_lag: i64,
    /// The built widget to serve under `/sla-portal/`.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub dist: PathBuf,
    /// The token file (default: `DATA/tokens.json`).
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// Serve the demo page and hand its token to it (`GET /demo/token`).
    #[arg(long)]
    pub demo: bool,
    /// PostgreSQL connections in the pool.
    #[arg(long, default_value_t = crate::postgres::DEFAULT_POOL_SIZE)]
    pub pool_size: usize,
    /// How SQLite commits claims: batched (`group`) or one transaction each (`naive`).
    #[arg(long, value_enum, default_value_t = SqliteWriter::Group)]
    pub sqlite_writer: SqliteWriter,
    /// Requests per second and client before 429.
    #[arg(long, default_value_t = crate::limits::DEFAULT_RATE)]
    pub rate_limit: u32,
    /// Open connections before new ones wait.
    #[arg(long, default_value_t = crate::limits::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Seconds `/readyz` answers 503 before the listener closes on SIGTERM.
    #[arg(long, default_value_t = 0)]
    pub shutdown_grace: u64,
    /// A webhook host that may be reached over plain `http://` and at a private
    /// or loopback address (repeatable; as written in the URL, e.g. `127.0.0.1`).
    #[arg(long, value_name = "HOST")]
    pub allow_webhook_host: Vec<String>,
    /// How often (seconds, at most every second) the breach sweep looks at the
    /// documents' sizes and mtimes; a client is evaluated again only when one
    /// changed or one of its months ended.
    #[arg(long, value_name = "SECONDS", default_value_t = 300.0)]
    pub evaluate_every: f64,
    /// Clients the breach sweep evaluates at once (default: the cores).
    #[arg(long, value_name = "N")]
    pub sweep_concurrency: Option<usize>,
    /// How long (ms) a sweep lease keeps other instances on the same PostgreSQL
    /// off a client: longer than one evaluation, so it only runs out when its
    /// instance died. For tests; the default suits real clients.
    #[arg(long, value_name = "MS", default_value_t = 60_000, hide = true)]
    pub sweep_lease_ms: u64,
    /// The cache of documents, their compressed bodies, parsed usage and reports,
    /// in MiB (one budget for all of them).
    #[arg(long, value_name = "MIB", default_value_t = crate::data::cache::DEFAULT_CACHE_MB)]
    pub cache_mb: u64,
    /// The first webhook retry waits about this long (ms), doubling after each
    /// failure. For tests; the default suits real receivers.
    #[arg(long, value_name = "MS", default_value_t = 30_000, hide = true)]
    pub webhook_backoff_ms: i64,
    /// Sign claim receipts and statements with this Ed25519 key (PKCS#8 PEM).
    /// Without it the server signs nothing.
    #[arg(long, value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
    /// Public JWKs (`*.json`) still published in the JWKS after a rotation, so
    /// what older keys signed keeps verifying.
    #[arg(long, value_name = "DIR")]
    pub published_keys: Option<PathBuf>,
    /// Accept JWT bearer tokens signed by the keys of this JWKS (the identity
    /// provider's `jwks_uri`): `https://`, or `http://` to a loopback address.
    #[arg(long, value_name = "URL", requires_all = ["jwt_issuer", "jwt_audience"])]
    pub jwks_url: Option<String>,
    /// The `iss` a JWT must carry (required with `--jwks-url`).
    #[arg(long, value_name = "ISS", requires = "jwks_url")]
    pub jwt_issuer: Option<String>,
    /// The `aud` a JWT must carry (required with `--jwks-url`).
    #[arg(long, value_name = "AUD", requires = "jwks_url")]
    pub jwt_audience: Option<String>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub jwt_leeway_seconds: u64,
    /// Test builds only (like `--webhook-test-ca`): the shortest time a fetched
    /// JWKS is kept and the wait between refetches for unknown kids, instead of
    /// `jwt::MIN_MAX_AGE` (60 s) and `jwt::REFETCH_INTERVAL` (30 s), so a test can
    /// watch keys come and go in seconds.
    #[cfg(all(feature = "testkit", debug_assertions))]
    #[arg(long, value_name = "SECONDS", hide = true)]
    pub jwks_test_seconds: Option<u64>,
    /// Test builds only (the `testkit` feature, on for `cargo test` alone, and
    /// debug assertions): also trust this CA certificate (DER) for https webhooks.
    /// A release build has no such flag, so no production server can be told to.
    #[cfg(all(feature = "testkit", debug_assertions))]
    #[arg(long, value_name = "FILE", hide = true)]
    pub webhook_test_ca: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Documents {
    Files,
    Db,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqliteWriter {
    Group,
    Naive,
}

#[derive(Subcommand, Debug)]
pub enum ClaimsCommand {
    /// List every filed claim.
    List {
        /// A SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "FILE|URL")]
        db: String,
    },
    /// Move a claim along its workflow, with an audit row.
    SetStatus {
        /// The claim's `claim_id`.
        claim: String,
        // The statuses a claim can move to, from the rules core's list.
        #[arg(help = crate::statuses::or_list(&crate::statuses::targets()) + ".")]
        status: String,
        /// A SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "FILE|URL")]
        db: String,
        /// Why (kept in the audit row).
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// Inserts the default command: `sla-server --data D --db F` means `sla-server serve --data D --db F`.
pub fn with_default_command(mut argv: Vec<OsString>) -> Vec<OsString> {
    let first = argv.get(1).and_then(|a| a.to_str());
    let is_flag =
        first.is_some_and(|a| a.starts_with("--") && !matches!(a, "--help" | "--version"));
    if is_flag {
        argv.insert(1, "serve".into());
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        let argv = std::iter::once("sla-server")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        Cli::try_parse_from(with_default_command(argv))
    }

    #[test]
    fn serve_is_the_default_command_and_keeps_its_defaults() {
        let cli = parse(&["--data", "d", "--db=c.db", "--demo"]).unwrap();
        let Command::Serve(s) = cli.command else {
            panic!("not serve: {:?}", cli.command)
        };
        assert_eq!(s.data, PathBuf::from("d"));
        assert_eq!(s.db, "c.db");
        assert_eq!(s.addr, "127.0.0.1:8080");
        assert_eq!(s.dist, PathBuf::from("dist"));
        assert!(s.demo && s.tokens.is_none());
        assert_eq!((s.sqlite_writer, s.rate_limit), (SqliteWriter::Group, 100));
        assert_eq!((s.evaluate_every, s.webhook_backoff_ms), (300.0, 30_000));
        assert!(s.allow_webhook_host.is_empty());
        assert_eq!(s.documents, Documents::Files);
        let cli = parse(&[
            "--data",
            "d",
            "--db",
            "postgres://u@h:5432/db",
            "--sqlite-writer",
            "naive",
            "--pool-size",
            "4",
        ])
        .unwrap();
        let Command::Serve(s) = cli.command else {
            panic!("not serve")
        };
        assert_eq!((s.sqlite_writer, s.pool_size), (SqliteWriter::Naive, 4));
        assert!(parse(&["--data", "d", "--db", "c.db", "--sqlite-writer", "fast"]).is_err());
    }

    #[test]
    fn typos_and_missing_values_are_refused() {
        assert!(parse(&["serve", "--data", "d", "--db", "c.db", "--adr", "x"]).is_err());
        assert!(
            parse(&["serve", "--data", "d"]).is_err(),
            "--db is required"
        );
        assert!(parse(&["demo-data"]).is_err(), "--out is required");
        assert!(parse(&["claims", "set-status", "id", "--db", "c.db"]).is_err());
    }

    #[test]
    fn operator_commands_take_their_words_and_flags() {
        let cli = parse(&["claims", "set-status", "C-1", "approved", "--db", "c.db"]).unwrap();
        match cli.command {
            Command::Claims {
                command:
                    ClaimsCommand::SetStatus {
                        claim,
                        status,
                        note,
                        ..
                    },
            } => assert_eq!(
                (claim.as_str(), status.as_str(), note.as_str()),
                ("C-1", "approved", "")
            ),
            other => panic!("{other:?}"),
        }
    }
}
