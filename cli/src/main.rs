//! `ceaseless`: a command-line client for Centrifugo, built on the ceaseless library.
//!
//! ```text
//! ceaseless listen chat news --output json          # print publications, resuming across reconnects
//! echo '{"text":"hi"}' | ceaseless publish chat     # publish from standard input
//! ceaseless history chat --limit 5 --reverse
//! ceaseless presence chat --stats
//! ```
//!
//! Exit codes are listed in [`failure`]; every failure prints one `ceaseless: ...` line on stderr.

mod args;
mod commands;
mod connect;
mod failure;
mod listen;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::output::Printer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ceaseless: cannot start the async runtime: {e}");
            return ExitCode::from(failure::EXIT_OTHER);
        }
    };
    let out = Printer { mode: cli.global.output };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Listen(args) => listen::listen(&cli.global, args, out).await,
            Command::Publish(args) => commands::publish(&cli.global, args, out).await,
            Command::History(args) => commands::history(&cli.global, args, out).await,
            Command::Presence(args) => commands::presence(&cli.global, args, out).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ceaseless: {}", failure.message);
            ExitCode::from(failure.exit)
        }
    }
}

/// Logs the client's internals to stderr with `-v` (info), `-vv` (debug) or `-vvv` (trace); `RUST_LOG`
/// overrides.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
