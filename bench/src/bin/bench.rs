//! `bench`: measures every peer against one local Centrifugo and writes the results (run it through
//! `bench/run.sh`, which installs the peers).
//!
//! ```text
//! bench [--smoke] [--out DIR] [--only throughput,latency,recovery,fleet] --peer NAME=COMMAND...
//!       [--skipped NAME=REASON...]
//! ```
//!
//! Prints the markdown table; writes `DIR/results.md`, `DIR/out/results.json` (every sample, for the
//! plots) and peer logs under `DIR/out/logs/`.

use std::path::PathBuf;
use std::process::ExitCode;

use ceaseless_bench::measure::{self, PeerSpec, Sizes, table};

struct Args {
    smoke: bool,
    out: PathBuf,
    peers: Vec<PeerSpec>,
    skipped: Vec<(String, String)>,
    only: Vec<String>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        smoke: false,
        out: PathBuf::from("bench"),
        peers: Vec::new(),
        skipped: Vec::new(),
        only: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--smoke" => args.smoke = true,
            "--only" => args
                .only
                .extend(it.next().ok_or("--only needs scenario names")?.split(',').map(str::to_owned)),
            "--out" => args.out = PathBuf::from(it.next().ok_or("--out needs a directory")?),
            "--peer" => args.peers.push(
                PeerSpec::parse(&it.next().ok_or("--peer needs NAME=COMMAND")?).map_err(|e| e.to_string())?,
            ),
            "--skipped" => {
                let raw = it.next().ok_or("--skipped needs NAME=REASON")?;
                let (name, reason) = raw.split_once('=').ok_or("--skipped needs NAME=REASON")?;
                args.skipped.push((name.to_owned(), reason.to_owned()));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.peers.is_empty() {
        return Err("give at least one --peer".to_owned());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(2);
        }
    };
    let sizes = if args.smoke { Sizes::smoke() } else { Sizes::full() };
    let out = args.out.join("out");
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("bench: cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let (results, server_version) = match measure::run(&args.peers, &sizes, &out, &args.only).await {
        Ok(done) => done,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let markdown = table::markdown(&results, &args.skipped, &sizes);
    let notes = table::notes(&results, &sizes, &server_version);
    println!("\n{markdown}\n{notes}");
    let json = serde_json::json!({ "sizes": sizes, "results": results, "skipped": args.skipped });
    let written = std::fs::write(out.join("results.json"), json.to_string()).and_then(|()| {
        if args.smoke {
            Ok(())
        } else {
            if !args.only.is_empty() {
                return Ok(());
            }
            let header = "# Benchmark results\n\nWritten by `bench/run.sh`; plots in `bench/plots/`.\n\n";
            std::fs::write(args.out.join("results.md"), format!("{header}{markdown}\n{notes}"))
        }
    });
    if let Err(e) = written {
        eprintln!("bench: cannot write the results: {e}");
        return ExitCode::FAILURE;
    }
    let failed = results.iter().any(|r| !r.errors.is_empty());
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
