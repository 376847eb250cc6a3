//! `sla-server`: the reference portal backend. It serves the widget and each
//! client's documents, and files claims only after the rules core agrees. The
//! binary only parses the command line and runs the library on one runtime.

use clap::Parser;
use sla_server::args::{self, Cli};

#[tokio::main]
async fn main() {
    let cli = Cli::parse_from(args::with_default_command(std::env::args_os().collect()));
    if let Err(e) = sla_server::run(cli).await {
        eprintln!("sla-server: {e}");
        std::process::exit(2);
    }
}
