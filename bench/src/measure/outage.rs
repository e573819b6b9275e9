//! Time back after an outage, as a distribution over a fleet: every client of one peer process (each
//! with one subscription) loses its connection at once (connections reset, new ones refused for the
//! outage), then the proxy lets connections through again and counts the connections it accepts:
//! the time from the outage's end until half, 95 % and all of the clients are connected again (each
//! client connects once, and on loopback its resubscribe, which carries its position, is answered
//! within a millisecond of that, so this is the time to recovery up to that millisecond). The
//! server's own counts are no use here: Centrifugo refreshes them every few seconds. Each SDK uses its
//! default backoff; several outages per peer, as one is a random sample.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::BoxError;
use super::server::Bench;

/// How often the proxy's count is read while clients come back.
const POLL: Duration = Duration::from_millis(5);
/// The longest wait for the fleet to come back after one outage.
const GIVE_UP: Duration = Duration::from_secs(60);

/// One outage: seconds from its end until that share of the fleet was subscribed again.
#[derive(Debug, Clone, Serialize)]
pub struct OutageRun {
    /// Half of the clients.
    pub median_s: Option<f64>,
    /// 95 % of them.
    pub p95_s: Option<f64>,
    /// All of them (`None`: not within a minute).
    pub all_s: Option<f64>,
}

/// Every outage of one peer, and the medians over them.
#[derive(Debug, Clone, Serialize)]
pub struct Outages {
    /// The median of the runs' medians.
    pub median_s: Option<f64>,
    /// The median of the runs' 95th percentiles.
    pub p95_s: Option<f64>,
    /// Each outage.
    pub runs: Vec<OutageRun>,
}

/// `runs` outages of `length` each over the fleet of `clients` already connected and subscribed
/// through the bench's proxy.
pub async fn outages(bench: &Bench, clients: u64, length: Duration, runs: u32) -> Result<Outages, BoxError> {
    let mut all = Vec::new();
    for _ in 0..runs {
        all.push(one(bench, clients, length).await?);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let median = |pick: fn(&OutageRun) -> Option<f64>| {
        let mut values: Vec<f64> = all.iter().filter_map(pick).collect();
        values.sort_by(f64::total_cmp);
        (values.len() == all.len() && !values.is_empty()).then(|| values[values.len() / 2])
    };
    Ok(Outages { median_s: median(|r| r.median_s), p95_s: median(|r| r.p95_s), runs: all })
}

async fn one(bench: &Bench, clients: u64, length: Duration) -> Result<OutageRun, BoxError> {
    bench.proxy.refuse(true);
    let live = bench.proxy.cut(true);
    if live < clients {
        bench.proxy.refuse(false);
        return Err(format!("only {live} of {clients} clients were connected before the outage").into());
    }
    let started = Instant::now();
    tokio::time::sleep_until((started + length).into()).await;
    let before = bench.proxy.connections_accepted();
    bench.proxy.refuse(false);
    let ended = Instant::now();
    let (half, most) = (clients.div_ceil(2), (clients * 95).div_ceil(100));
    let mut run = OutageRun { median_s: None, p95_s: None, all_s: None };
    while ended.elapsed() < GIVE_UP {
        let back = bench.proxy.connections_accepted() - before;
        let at = Some(ended.elapsed().as_secs_f64());
        if back >= half && run.median_s.is_none() {
            run.median_s = at;
        }
        if back >= most && run.p95_s.is_none() {
            run.p95_s = at;
        }
        if back >= clients {
            run.all_s = at;
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(run)
}
