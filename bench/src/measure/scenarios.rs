//! The four measurements, each run for one peer against the shared server.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::peer::{Peer, PeerSpec};
use super::server::{Bench, body};
use super::{BoxError, Sizes, jitter, now_ns};

/// Saturation throughput for one subscriber.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Publications received per second (first to last receipt).
    pub per_second: f64,
    /// CPU time of the peer process per received publication, in microseconds.
    pub cpu_us_per_pub: f64,
}

impl Throughput {
    /// The median of each figure over several runs (`None` for no runs).
    pub fn median(runs: &[Throughput]) -> Option<Throughput> {
        let median = |f: &dyn Fn(&Throughput) -> f64| {
            let mut values: Vec<f64> = runs.iter().map(f).collect();
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied()
        };
        Some(Throughput {
            per_second: median(&|t| t.per_second)?,
            cpu_us_per_pub: median(&|t| t.cpu_us_per_pub)?,
        })
    }
}

/// Publish-to-receive latency at a fixed rate.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Median, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Every sample, µs.
    pub samples_us: Vec<u64>,
}

/// Memory of many clients in one process, and their reconnect storm.
#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    /// KiB of resident memory per connected, idle client.
    pub kib_per_connection: f64,
    /// KiB per subscription (one per client) on top.
    pub kib_per_subscription: f64,
    /// The most connection attempts the proxy saw in any 100 ms window after the drop.
    pub peak_attempts_100ms: u64,
    /// The same peak expected from full-jitter backoff (500 ms base, 20 s cap) for this downtime.
    pub expected_peak_100ms: f64,
    /// Seconds from the server stop until every client was connected and subscribed again.
    pub all_back_s: Option<f64>,
    /// How long the server was down, s.
    pub down_s: f64,
    /// Connection attempts per 100 ms window from the stop on.
    pub attempts_timeline: Vec<u64>,
    /// Time back after outages of the whole fleet, or why it could not be measured.
    pub outages: Result<super::outage::Outages, String>,
}

/// Catching up after an outage.
#[derive(Debug, Clone, Serialize)]
pub struct Recovery {
    /// Publications missed during the outage.
    pub missed: u64,
    /// Of those, how many arrived.
    pub recovered: u64,
    /// Duplicates seen.
    pub duplicates: u64,
    /// ms from the first accepted connection after the outage to the last missed publication.
    pub catch_up_ms: Option<f64>,
    /// ms from the end of the outage to the last missed publication (includes the SDK's backoff).
    pub from_restore_ms: Option<f64>,
}

fn env(bench: &Bench, scenario: &str, url: String, channel: &str, count: u64) -> Vec<(&'static str, String)> {
    vec![
        ("BENCH_SCENARIO", scenario.to_owned()),
        ("BENCH_URL", url),
        ("BENCH_TOKEN", bench.token()),
        ("BENCH_CHANNEL", channel.to_owned()),
        ("BENCH_COUNT", count.to_string()),
    ]
}

/// One subscriber at saturation. The peer is paused (SIGSTOP) while every publication is made, so the
/// server queues them all for it; resumed, it reads a full backlog as fast as it can, and neither the
/// publisher nor the server's publish path share the CPU with it meanwhile.
pub async fn throughput(
    bench: &Bench,
    spec: &PeerSpec,
    sizes: &Sizes,
    logs: &Path,
) -> Result<Throughput, BoxError> {
    let channel = format!("bench:tp-{}", now_ns());
    let n = sizes.throughput;
    let vars = env(bench, "throughput", bench.server.ws_url(), &channel, n);
    let mut peer = Peer::spawn(spec, &vars, &logs.join("throughput.log"))?;
    peer.expect("ready", Duration::from_secs(30)).await?;
    peer.signal("STOP")?;
    let published = async {
        let batch = 500;
        let mut next = 1;
        while next <= n {
            let end = (next + batch - 1).min(n);
            bench.publish_batch(&channel, (next..=end).map(body)).await?;
            next = end + 1;
        }
        // Let the server hand the last ones to the connection's queue.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok::<_, BoxError>(())
    }
    .await;
    let cpu_before = peer.cpu_seconds()?;
    peer.signal("CONT")?;
    published?;
    let done = peer.expect("done", Duration::from_secs(120)).await?;
    let cpu = peer.cpu_seconds()? - cpu_before;
    peer.finish().await;
    let first = done["first_ns"].as_u64().unwrap_or(0);
    let last = done["last_ns"].as_u64().unwrap_or(0);
    let seconds = (last.saturating_sub(first) as f64 / 1e9).max(1e-6);
    Ok(Throughput { per_second: n as f64 / seconds, cpu_us_per_pub: cpu * 1e6 / n as f64 })
}

/// Publications at a fixed rate, one API call each; the peer reports receive time minus send time.
pub async fn latency(
    bench: &Bench,
    spec: &PeerSpec,
    sizes: &Sizes,
    logs: &Path,
) -> Result<Latency, BoxError> {
    let channel = format!("bench:lat-{}", now_ns());
    let n = sizes.latency;
    let vars = env(bench, "latency", bench.server.ws_url(), &channel, n);
    let mut peer = Peer::spawn(spec, &vars, &logs.join("latency.log"))?;
    peer.expect("ready", Duration::from_secs(30)).await?;
    let mut tick = tokio::time::interval(Duration::from_secs(1) / sizes.latency_rate);
    for i in 1..=n {
        tick.tick().await;
        bench.publish_one(&channel, body(i)).await?;
    }
    let done = peer.expect("done", Duration::from_secs(60)).await?;
    peer.finish().await;
    let mut samples: Vec<u64> =
        done["lat_us"].as_array().ok_or("no samples")?.iter().filter_map(serde_json::Value::as_u64).collect();
    samples.sort_unstable();
    let pct = |p: f64| {
        samples.get(((samples.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0) as f64 / 1e3
    };
    Ok(Latency { p50_ms: pct(0.50), p99_ms: pct(0.99), samples_us: samples })
}

/// Many clients in one process: memory per connection and per subscription, then a server restart.
pub async fn fleet(
    bench: &mut Bench,
    spec: &PeerSpec,
    sizes: &Sizes,
    logs: &Path,
) -> Result<Fleet, BoxError> {
    let prefix = format!("bench:m{}-", now_ns());
    let clients = sizes.clients;
    let mut vars = env(bench, "fleet", bench.proxy.ws_url(), &prefix, 0);
    vars.push(("BENCH_CLIENTS", clients.to_string()));
    let mut peer = Peer::spawn(spec, &vars, &logs.join("fleet.log"))?;
    peer.expect("baseline", Duration::from_secs(30)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss0 = peer.rss_kib()?;
    peer.step().await?;
    peer.expect("connected", Duration::from_secs(120)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss1 = peer.rss_kib()?;
    peer.step().await?;
    peer.expect("subscribed", Duration::from_secs(120)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss2 = peer.rss_kib()?;

    // The storm: stop the server (clients get "shutdown"), keep it down a second, start it again.
    bench.reset_http();
    let storm = storm(bench, clients).await;
    // Outages only once the storm is over: every client back.
    let outages = match &storm {
        Ok((.., Some(_))) => super::outage::outages(bench, clients, sizes.outage, sizes.outage_runs)
            .await
            .map_err(|e| e.to_string()),
        _ => Err("not every client came back after the storm".to_owned()),
    };
    peer.finish().await;
    let (samples, base, down_s, all_back_s) = storm?;
    let timeline = windows(&samples, base);
    let peak = timeline.iter().copied().max().unwrap_or(0);
    let per = |kib: u64| kib as f64 / clients as f64;
    Ok(Fleet {
        kib_per_connection: per(rss1.saturating_sub(rss0)),
        kib_per_subscription: per(rss2.saturating_sub(rss1)),
        peak_attempts_100ms: peak,
        expected_peak_100ms: jitter::expected_peak(clients, down_s),
        all_back_s,
        down_s,
        attempts_timeline: timeline,
        outages,
    })
}

/// Restarts the server while sampling the proxy's connection attempts every 10 ms; returns the
/// samples, the count before, the downtime and when all `clients` were back (connected and subscribed).
async fn storm(
    bench: &mut Bench,
    clients: u64,
) -> Result<(Vec<(f64, u64)>, u64, f64, Option<f64>), BoxError> {
    let Bench { server, proxy, api, .. } = bench;
    let attempts = || proxy.connections_accepted() + proxy.connections_refused();
    let (base, started) = (attempts(), Instant::now());
    let mut samples = Vec::new();
    let restart = async {
        server.stop().await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        server.start_again().await?;
        let down_s = started.elapsed().as_secs_f64();
        while started.elapsed() < Duration::from_secs(90) {
            if super::server::counts(api).await == Some((clients, clients)) {
                return Ok::<_, BoxError>((down_s, Some(started.elapsed().as_secs_f64())));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok((down_s, None))
    };
    tokio::pin!(restart);
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let (down_s, back) = loop {
        tokio::select! {
            result = &mut restart => break result?,
            _ = tick.tick() => samples.push((started.elapsed().as_secs_f64(), attempts())),
        }
    };
    // A little more, so late attempts are seen.
    for _ in 0..20 {
        tick.tick().await;
        samples.push((started.elapsed().as_secs_f64(), attempts()));
    }
    Ok((samples, base, down_s, back))
}

/// Attempts per 100 ms window from cumulative `(seconds, count)` samples.
fn windows(samples: &[(f64, u64)], base: u64) -> Vec<u64> {
    let Some(end) = samples.last().map(|s| s.0) else { return Vec::new() };
    let slots = (end / 0.1).floor() as usize + 1;
    let mut cumulative = vec![base; slots + 1];
    for (t, count) in samples {
        let slot = ((t / 0.1).floor() as usize + 1).min(slots);
        cumulative[slot] = cumulative[slot].max(*count);
    }
    for k in 1..cumulative.len() {
        cumulative[k] = cumulative[k].max(cumulative[k - 1]);
    }
    cumulative.windows(2).map(|w| w[1] - w[0]).collect()
}

/// A 10 s outage (connections reset, new ones refused) with publications made meanwhile; then the
/// time to catch up.
pub async fn recovery(
    bench: &Bench,
    spec: &PeerSpec,
    sizes: &Sizes,
    logs: &Path,
) -> Result<Recovery, BoxError> {
    let channel = format!("rec:r{}", now_ns());
    let (warmup, missed) = (10u64, sizes.missed);
    let vars = env(bench, "recovery", bench.proxy.ws_url(), &channel, warmup + missed);
    let mut peer = Peer::spawn(spec, &vars, &logs.join("recovery.log"))?;
    peer.expect("ready", Duration::from_secs(30)).await?;
    for i in 1..=warmup {
        bench.publish_one(&channel, body(i)).await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    bench.proxy.refuse(true);
    bench.proxy.cut(true);
    let outage = Instant::now();
    let rounds = 100u64;
    for round in 0..rounds {
        let from = warmup + 1 + round * missed / rounds;
        let to = warmup + (round + 1) * missed / rounds;
        bench.publish_batch(&channel, (from..=to).map(body)).await?;
        tokio::time::sleep_until((outage + sizes.outage.mul_f64((round + 1) as f64 / rounds as f64)).into())
            .await;
    }
    let accepted = bench.proxy.connections_accepted();
    bench.proxy.refuse(false);
    let restore_ns = now_ns();
    let reconnect_ns = async {
        while bench.proxy.connections_accepted() == accepted {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        now_ns()
    };
    let done = tokio::time::timeout(Duration::from_secs(60), async {
        let (reconnect, done) = tokio::join!(reconnect_ns, peer.expect("done", Duration::from_secs(60)));
        (reconnect, done)
    })
    .await;
    let (reconnect, report) = match done {
        Ok((reconnect, Ok(report))) => (Some(reconnect), report),
        other => {
            peer.step().await?;
            (other.ok().map(|o| o.0), peer.expect("status", Duration::from_secs(5)).await?)
        }
    };
    peer.finish().await;
    let unique = report["unique"].as_u64().unwrap_or(0);
    let last = report["last_ns"].as_u64().unwrap_or(0);
    let complete = unique >= warmup + missed;
    let ms = |from: u64| (complete && last >= from).then(|| (last - from) as f64 / 1e6);
    Ok(Recovery {
        missed,
        recovered: unique.saturating_sub(warmup).min(missed),
        duplicates: report["dups"].as_u64().unwrap_or(0),
        catch_up_ms: reconnect.and_then(ms),
        from_restore_ms: ms(restore_ns),
    })
}

#[cfg(test)]
mod tests {
    use super::windows;

    #[test]
    fn cumulative_samples_become_attempts_per_window() {
        // 3 attempts before 0.1 s, none in the next window, 5 in the third.
        let samples = [(0.0, 10), (0.05, 12), (0.09, 13), (0.15, 13), (0.21, 15), (0.29, 18)];
        assert_eq!(windows(&samples, 10), vec![3, 0, 5]);
    }
}
