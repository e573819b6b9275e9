//! The publisher: numbered messages at a steady rate, alternating between the nodes.

use std::time::Duration;

use ceaseless_tests::ServerApi;
use serde_json::json;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep};

use crate::RATE_PER_CHANNEL;

/// Publishes `{"n": 1}`, `{"n": 2}`, ... into `channel` at [`RATE_PER_CHANNEL`] until `until`, each
/// through node A or B in turn, retrying a failed call on the other node with the same idempotency
/// key. Returns how many were published and how many calls were retried.
pub(crate) async fn publish_channel(apis: [ServerApi; 2], channel: String, until: Instant) -> (u64, u64) {
    let mut ticker = interval(Duration::from_secs(1) / RATE_PER_CHANNEL as u32);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut n = 0;
    let mut retries = 0;
    loop {
        ticker.tick().await;
        if Instant::now() >= until {
            return (n, retries);
        }
        n += 1;
        let params = json!({
            "channel": channel,
            "data": { "n": n },
            "idempotency_key": format!("{channel}#{n}"),
        });
        let mut node = (n % 2) as usize;
        let give_up = Instant::now() + Duration::from_secs(30);
        while let Err(e) = apis[node].call("publish", params.clone()).await {
            retries += 1;
            assert!(
                Instant::now() < give_up,
                "publishing {n} into {channel} failed on both nodes for 30 s: {e}"
            );
            node = 1 - node;
            sleep(Duration::from_millis(20)).await;
        }
    }
}
