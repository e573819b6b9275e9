//! The publisher: a fixed rate of numbered publications through the server API, straight to a node
//! (never through the faulty proxies), so the storm hits only the subscribers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless_tests::ServerApi;
use serde_json::json;

/// The publisher's controls and counts, shared with the script and the report.
pub struct Publisher {
    /// Per channel: publications the server acknowledged (their sequence numbers are 1..=sent).
    pub sent: Vec<AtomicU64>,
    /// Publishes that failed (the sequence number is skipped and never counted as sent or lost).
    pub failed: AtomicU64,
    /// When set, nothing is published.
    pub paused: AtomicBool,
    /// Set to end the publisher.
    pub stopped: AtomicBool,
    /// Which node's API to publish through.
    pub node: AtomicUsize,
    /// Per channel: sequence numbers whose publish failed.
    pub skipped: std::sync::Mutex<Vec<Vec<u64>>>,
}

impl Publisher {
    /// Publications acknowledged in every channel together.
    pub fn total_sent(&self) -> u64 {
        let skipped = self.skipped.lock().map(|s| s.clone()).unwrap_or_default();
        self.sent
            .iter()
            .enumerate()
            .map(|(k, top)| {
                let top = top.load(Ordering::SeqCst);
                let holes = skipped.get(k).map_or(0, |s| s.iter().filter(|seq| **seq <= top).count());
                top - holes as u64
            })
            .sum()
    }
}

/// Starts publishing `per_second` publications into each of `channels` (one round of all channels per
/// tick) through `apis[node]`.
pub fn start(apis: Vec<ServerApi>, channels: Vec<String>, per_second: u32) -> Arc<Publisher> {
    let publisher = Arc::new(Publisher {
        sent: channels.iter().map(|_| AtomicU64::new(0)).collect(),
        failed: AtomicU64::new(0),
        paused: AtomicBool::new(false),
        stopped: AtomicBool::new(false),
        node: AtomicUsize::new(0),
        skipped: std::sync::Mutex::new(vec![Vec::new(); channels.len()]),
    });
    let shared = publisher.clone();
    tokio::spawn(async move {
        let mut next = vec![1u64; channels.len()];
        let mut tick = tokio::time::interval(Duration::from_secs(1) / per_second.max(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !shared.stopped.load(Ordering::SeqCst) {
            tick.tick().await;
            if shared.paused.load(Ordering::SeqCst) {
                continue;
            }
            let api = &apis[shared.node.load(Ordering::SeqCst) % apis.len()];
            for (k, channel) in channels.iter().enumerate() {
                let seq = next[k];
                next[k] += 1;
                match api.publish(channel, json!({ "seq": seq })).await {
                    // Sequence numbers only ever go up, so `sent` is the highest acknowledged one.
                    Ok(_) => shared.sent[k].store(seq, Ordering::SeqCst),
                    Err(_) => {
                        shared.failed.fetch_add(1, Ordering::SeqCst);
                        if let Ok(mut skipped) = shared.skipped.lock() {
                            skipped[k].push(seq);
                        }
                    }
                }
            }
        }
    });
    publisher
}
