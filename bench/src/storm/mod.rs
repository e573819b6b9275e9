//! The dependability demo: subscribers, a publisher, and a scripted storm between them.
//!
//! Subscribers connect through fault-injection proxies; the publisher talks to the server API directly,
//! so only the subscribers' side of the network misbehaves. Every publication carries a sequence number
//! per channel, so the end tally is exact: each subscriber must hold every sequence number the server
//! acknowledged, once.

mod cluster;
mod fleet;
mod publisher;
mod report;
mod script;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub use report::Report;

/// Any error, with a message for people.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Two Centrifugo nodes sharing a Redis instead of one on the memory engine.
    pub redis: bool,
    /// How many subscribing clients.
    pub subscribers: usize,
    /// How many channels each of them subscribes to.
    pub channels: usize,
    /// Publications per second into each channel.
    pub rate: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self { redis: false, subscribers: 16, channels: 2, rate: 40 }
    }
}

/// Everything the script and the progress line look at.
pub(crate) struct World {
    pub(crate) cluster: cluster::Cluster,
    pub(crate) counters: Arc<fleet::Counters>,
    pub(crate) publisher: Arc<publisher::Publisher>,
    pub(crate) subscribers: Vec<fleet::Subscriber>,
    pub(crate) phase: Arc<std::sync::Mutex<String>>,
    pub(crate) started: Instant,
    /// Per subscriber and channel: sequence numbers that could not be delivered (memory-engine restart).
    pub(crate) undeliverable: Vec<Vec<Vec<u64>>>,
    pub(crate) options: Options,
}

impl World {
    /// Subscriptions that should be active.
    pub(crate) fn subscriptions(&self) -> i64 {
        i64::try_from(self.options.subscribers * self.options.channels).unwrap_or(i64::MAX)
    }

    /// Deliveries owed so far: every acknowledged publication to every subscriber.
    pub(crate) fn expected(&self) -> u64 {
        self.publisher.total_sent() * self.options.subscribers as u64
    }

    /// Sets the phase shown on the progress line.
    pub(crate) fn phase(&self, name: &str) {
        if let Ok(mut phase) = self.phase.lock() {
            *phase = name.to_owned();
        }
        println!("[{:>4.1}s] >>> {name}", self.started.elapsed().as_secs_f64());
    }

    /// Waits until every subscription is active again (at most `limit`).
    pub(crate) async fn all_subscribed(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.counters.subscribed.load(Ordering::SeqCst) >= self.subscriptions() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Waits until every acknowledged publication has been received (at most `limit`).
    pub(crate) async fn drained(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.counters.received.load(Ordering::SeqCst) >= self.expected() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

/// Runs the whole demo and returns the tally.
pub async fn run(options: Options) -> Result<Report, BoxError> {
    let started = Instant::now();
    let cluster = cluster::Cluster::start(options.redis).await?;
    let version = cluster.nodes.first().map(|node| node.server.version().to_owned()).unwrap_or_default();
    let mode = if options.redis {
        format!("two Centrifugo v{version} nodes sharing Redis")
    } else {
        format!("one Centrifugo v{version}, memory engine")
    };
    println!(
        "storm: {} subscribers x {} channels, {} publications/s per channel, {mode}",
        options.subscribers, options.channels, options.rate
    );
    let channels: Vec<String> =
        (0..options.channels).map(|k| format!("{}:ch{k}", cluster::NAMESPACE)).collect();
    let counters = Arc::new(fleet::Counters::default());
    let mut subscribers = Vec::new();
    for index in 0..options.subscribers {
        subscribers.push(fleet::start(index, &cluster.urls_for(index), &channels, &counters)?);
    }
    let apis = cluster.nodes.iter().map(|n| n.api.clone()).collect();
    let world_publisher = publisher::start(apis, channels.clone(), options.rate);
    // The publisher starts paused until everyone is subscribed.
    world_publisher.paused.store(true, Ordering::SeqCst);
    let mut world = World {
        cluster,
        counters,
        publisher: world_publisher,
        subscribers,
        phase: Arc::new(std::sync::Mutex::new("starting".to_owned())),
        started,
        undeliverable: vec![vec![Vec::new(); options.channels]; options.subscribers],
        options,
    };
    if !world.all_subscribed(Duration::from_secs(15)).await {
        return Err("the subscribers did not all subscribe within 15 s".into());
    }
    world.publisher.paused.store(false, Ordering::SeqCst);
    let progress = report::progress(&world);
    let outcome = script::run(&mut world).await;
    progress.abort();
    outcome?;
    let report = Report::tally(&world);
    for subscriber in &world.subscribers {
        subscriber.client.close().await;
    }
    Ok(report)
}
