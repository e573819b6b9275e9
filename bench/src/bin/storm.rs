//! `storm`: the dependability demo (the README's main command, `scripts/storm.sh`).
//!
//! Starts a local Centrifugo (memory engine; with `--redis`, two nodes sharing a Redis), connects
//! subscribers through fault-injection proxies, publishes numbered publications at a fixed rate and runs
//! a scripted storm: a network cut, a blackhole, added latency, short-lived tokens renewed in band, a
//! server restart and a clean close. One progress line per second; a table at the end. The exit code is
//! non-zero when anything was lost, duplicated or reordered, or the run itself failed.

use std::process::ExitCode;

use ceaseless_bench::storm::{self, Options};

const USAGE: &str = "\
The ceaseless dependability demo: a scripted network storm against a local Centrifugo.

Usage: storm [--redis] [--subscribers N] [--channels N] [--rate N]

Options:
  --redis           Two Centrifugo nodes sharing a Redis (rolling restart instead of a memory restart)
  --subscribers N   Subscribing clients (default 16)
  --channels N      Channels each subscribes to (default 2)
  --rate N          Publications per second into each channel (default 40)
  -h, --help        Print this help
";

fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            value
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name}: {value:?} is not a positive number"))
        };
        match arg.as_str() {
            "--redis" => options.redis = true,
            "--subscribers" => options.subscribers = number("--subscribers")?,
            "--channels" => options.channels = number("--channels")?,
            "--rate" => {
                options.rate =
                    u32::try_from(number("--rate")?).map_err(|_| "--rate is too large".to_owned())?
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("storm: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    }
    match storm::run(options).await {
        Ok(report) => {
            println!();
            println!("{report}");
            if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("storm: the run failed: {e}");
            ExitCode::FAILURE
        }
    }
}
