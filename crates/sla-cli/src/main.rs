//! `sla`: the rules core on the command line, for operators and scripts.
//!
//! `sla report --usage FILE --incidents FILE [--policy FILE] [--as-of INSTANT]`
//! prints the report JSON; bad input exits 2 with `FILE: PATH: message`.
//! `sla verify --jwks FILE|URL INPUT` checks a signed receipt or statement (`verify.rs`).

mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The rules core on the command line: the report or a month's minute timeline as JSON.
#[derive(Parser)]
#[command(name = "sla", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the report JSON.
    Report {
        #[command(flatten)]
        docs: Docs,
    },
    /// Print the minute states of one month.
    Timeline {
        #[command(flatten)]
        docs: Docs,
        /// The month, `YYYY-MM`, in the contract timezone.
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
    /// Check a signed receipt, statement answer or evidence download: exit 0 prints what
    /// was signed, 1 names why it is not valid, 2 when the input or the keys cannot be read.
    Verify {
        /// The provider's JWKS: a file, or its `/.well-known/jwks.json` URL.
        #[arg(long, value_name = "FILE|URL")]
        jwks: String,
        /// A compact JWS, a claim answer (`receipt`), a statement answer or an evidence
        /// download (`jws`); `-` reads stdin.
        #[arg(value_name = "INPUT")]
        input: String,
    },
}

/// The documents and the instant of one evaluation.
#[derive(clap::Args)]
struct Docs {
    /// The usage document (`usage.json`).
    #[arg(long, value_name = "FILE")]
    usage: String,
    /// The incidents document (`incidents.json`).
    #[arg(long, value_name = "FILE")]
    incidents: String,
    /// The operator's policy (`policy.json`); the agreement's defaults without it.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// Evaluate as of this RFC 3339 instant (default: now).
    #[arg(long, value_name = "INSTANT")]
    as_of: Option<String>,
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: $: cannot read: {e}"))
}

fn run(command: Command) -> Result<String, (u8, String)> {
    let (a, month) = match command {
        Command::Report { docs } => (docs, None),
        Command::Timeline { docs, month } => (docs, Some(month)),
        Command::Verify { jwks, input } => {
            return verify::verify(&jwks, &input).map_err(|f| match f {
                verify::Failure::Invalid(m) => (1, format!("not valid: {m}")),
                verify::Failure::Unreadable(m) => (2, m),
            })
        }
    };
    let (usage_path, incidents_path) = (a.usage, a.incidents);
    let usage = read(&usage_path).map_err(|m| (2, m))?;
    let incidents = read(&incidents_path).map_err(|m| (2, m))?;
    let policy = a
        .policy
        .as_deref()
        .map(read)
        .transpose()
        .map_err(|m| (2, m))?;
    // The shell owns the clock; the core is given its instant.
    let as_of = a
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let inputs = sla_rules::Inputs {
        usage: &usage,
        incidents: &incidents,
        policy: policy.as_deref(),
    };
    let names = [
        usage_path.as_str(),
        incidents_path.as_str(),
        a.policy.as_deref().unwrap_or("policy.json"),
    ];
    let ev = sla_rules::evaluate_bytes(&inputs, &as_of, names).map_err(|e| (2, e.to_string()))?;
    let json = match month {
        None => serde_json::to_string_pretty(&ev.report),
        Some(month) => {
            sla_rules::time::Month::parse(&month).map_err(|m| (2, format!("--month: $: {m}")))?;
            serde_json::to_string_pretty(&sla_rules::timeline::month_timeline(&ev, &month))
        }
    };
    json.map_err(|e| (1, e.to_string()))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        // `--help` and `--version` print and succeed; a usage error keeps its
        // historical exit code 64 (EX_USAGE), apart from 2 for unreadable input.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(64);
        }
    };
    match run(cli.command) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err((code, msg)) => {
            eprintln!("{msg}");
            ExitCode::from(code)
        }
    }
}
