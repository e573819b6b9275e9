//! The benchmark driver: runs every peer through every scenario against one Centrifugo.

pub mod jitter;
pub mod outage;
pub mod peer;
pub mod scenarios;
pub mod server;
pub mod table;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use peer::PeerSpec;

/// Any error, with a message for people.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Wall-clock nanoseconds (the peers' clock too: they run on the same machine).
pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// How big each measurement is.
#[derive(Debug, Clone, Serialize)]
pub struct Sizes {
    /// Publications in the saturation run.
    pub throughput: u64,
    /// How many saturation runs (the median is reported: CPU time is counted in 10 ms ticks and the
    /// machine may be shared).
    pub repeats: u32,
    /// Publications in the latency run.
    pub latency: u64,
    /// Their rate, per second.
    pub latency_rate: u32,
    /// Clients in one process (memory, reconnect storm).
    pub clients: u64,
    /// Publications made during the outage.
    pub missed: u64,
    /// The outage.
    pub outage: Duration,
    /// Outages of the whole fleet (time back as a distribution), each `outage` long.
    pub outage_runs: u32,
}

impl Sizes {
    /// The full run (the numbers in `bench/results.md`).
    pub fn full() -> Sizes {
        Sizes {
            throughput: 300_000,
            repeats: 3,
            latency: 10_000,
            latency_rate: 1_000,
            clients: 1_000,
            missed: 1_000,
            outage: Duration::from_secs(10),
            outage_runs: 3,
        }
    }

    /// A few seconds per peer, for CI.
    pub fn smoke() -> Sizes {
        Sizes {
            throughput: 2_000,
            repeats: 1,
            latency: 200,
            latency_rate: 1_000,
            clients: 20,
            missed: 100,
            outage: Duration::from_secs(1),
            outage_runs: 1,
        }
    }
}

/// One peer's results; `None` where a scenario failed (the reason is in `errors`).
#[derive(Debug, Clone, Serialize)]
pub struct PeerResult {
    /// The peer's name.
    pub name: String,
    /// Saturation.
    pub throughput: Option<scenarios::Throughput>,
    /// Latency.
    pub latency: Option<scenarios::Latency>,
    /// Memory and reconnect storm.
    pub fleet: Option<scenarios::Fleet>,
    /// Recovery.
    pub recovery: Option<scenarios::Recovery>,
    /// What failed, per scenario.
    pub errors: Vec<String>,
}

/// Runs `f`, turning its error into a note.
async fn attempt<T>(
    errors: &mut Vec<String>,
    what: &str,
    f: impl std::future::Future<Output = Result<T, BoxError>>,
) -> Option<T> {
    match f.await {
        Ok(value) => Some(value),
        Err(e) => {
            eprintln!("    {what}: FAILED: {e}");
            errors.push(format!("{what}: {e}"));
            None
        }
    }
}

/// Runs the scenarios named in `only` (all when empty) for every peer; logs go under `out/logs/<peer>/`.
/// Returns the results and the version of the Centrifugo they ran against.
pub async fn run(
    peers: &[PeerSpec],
    sizes: &Sizes,
    out: &Path,
    only: &[String],
) -> Result<(Vec<PeerResult>, String), BoxError> {
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let mut bench = server::Bench::start().await?;
    let version = bench.server.version().to_owned();
    let mut results = Vec::new();
    for spec in peers {
        eprintln!("== {}", spec.name);
        let logs: PathBuf = out.join("logs").join(spec.name.split_whitespace().next().unwrap_or("peer"));
        std::fs::create_dir_all(&logs)?;
        let mut errors = Vec::new();
        let mut result = PeerResult {
            name: spec.name.clone(),
            throughput: None,
            latency: None,
            fleet: None,
            recovery: None,
            errors: Vec::new(),
        };
        if wanted("throughput") {
            let mut runs = Vec::new();
            for _ in 0..sizes.repeats {
                let run = scenarios::throughput(&bench, spec, sizes, &logs);
                if let Some(t) = attempt(&mut errors, "throughput", run).await {
                    eprintln!("    throughput: {t:?}");
                    runs.push(t);
                }
            }
            result.throughput = scenarios::Throughput::median(&runs);
        }
        if wanted("latency") {
            result.latency =
                attempt(&mut errors, "latency", scenarios::latency(&bench, spec, sizes, &logs)).await;
            if let Some(l) = &result.latency {
                eprintln!("    latency: p50 {:.3} ms, p99 {:.3} ms", l.p50_ms, l.p99_ms);
            }
        }
        if wanted("recovery") {
            let run = scenarios::recovery(&bench, spec, sizes, &logs);
            result.recovery = attempt(&mut errors, "recovery", run).await;
            eprintln!("    recovery: {:?}", result.recovery);
        }
        if wanted("fleet") {
            result.fleet =
                attempt(&mut errors, "fleet", scenarios::fleet(&mut bench, spec, sizes, &logs)).await;
            if let Some(f) = &result.fleet {
                eprintln!(
                    "    fleet: {:.1} KiB/conn, {:.1} KiB/sub, peak {} vs {:.0} expected, back in {:?} s",
                    f.kib_per_connection,
                    f.kib_per_subscription,
                    f.peak_attempts_100ms,
                    f.expected_peak_100ms,
                    f.all_back_s
                );
                eprintln!("    outages: {:?}", f.outages);
            }
        }
        // Let the server settle between peers.
        tokio::time::sleep(Duration::from_secs(1)).await;
        result.errors = errors;
        results.push(result);
    }
    Ok((results, version))
}
