//! Helpers shared by the `continuity_*` tests (faults, positions, scale-out, soak), on top of the
//! general ones in `common/` (bounded waits, numbered publications, unique names), which a test binary
//! declares next to this module: collecting and reading event streams by `n`, loopback addresses and
//! history checks.
//!
//! Every wait is bounded and fails the test with what it saw instead of hanging.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use ceaseless::{ClientEvent, Payload, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, ServerApi};
use futures::{Stream, StreamExt};
use serde_json::Value;
use tokio::time::{Instant, timeout_at};

use super::common::{n_of, numbered};

/// `127.0.0.1:port`.
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// The address of `server`'s WebSocket port, for a proxy to forward to.
pub fn server_addr(server: &Centrifugo) -> SocketAddr {
    loopback(server.port())
}

/// A payload from a JSON value.
pub fn payload(value: &Value) -> Payload {
    Payload::to_json(value).expect("test JSON serializes")
}

/// Every item `stream` yields during `period`.
pub async fn collect_for<S, T>(stream: &mut S, period: Duration) -> Vec<T>
where
    S: Stream<Item = T> + Unpin,
{
    let deadline = Instant::now() + period;
    let mut seen = Vec::new();
    while let Ok(Some(item)) = timeout_at(deadline, stream.next()).await {
        seen.push(item);
    }
    seen
}

/// Whether a client event is `Connected`.
pub fn is_connected(event: &ClientEvent) -> bool {
    matches!(event, ClientEvent::Connected { .. })
}

/// Whether a client event is `Connecting`.
pub fn is_connecting(event: &ClientEvent) -> bool {
    matches!(event, ClientEvent::Connecting { .. })
}

/// Publications (by `n`) from a list of subscription events, in the order they came.
pub fn ns(events: &[SubscriptionEvent]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|event| match event {
            SubscriptionEvent::Publication(p) => Some(n_of(p)),
            _ => None,
        })
        .collect()
}

/// Reads subscription events until publications up to `last` (by `n`) have arrived, or `limit`
/// passes; returns every event read (so callers can check order, duplicates and other events).
pub async fn events_until_n<S>(stream: &mut S, last: u64, limit: Duration) -> Vec<SubscriptionEvent>
where
    S: Stream<Item = SubscriptionEvent> + Unpin,
{
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        match timeout_at(deadline, stream.next()).await {
            Ok(Some(event)) => {
                let done = matches!(&event, SubscriptionEvent::Publication(p) if n_of(p) >= last);
                seen.push(event);
                if done {
                    return seen;
                }
            }
            Ok(None) => panic!("the subscription stream ended before n={last}; saw {seen:#?}"),
            Err(_) => panic!("n={last} did not arrive within {limit:?}; saw {:?}", ns(&seen)),
        }
    }
}

/// Publishes `{"n": n}` for every `n` in `range` through `api`, in order.
pub async fn api_publish_numbered(api: &ServerApi, channel: &str, range: std::ops::RangeInclusive<u64>) {
    for n in range {
        api.publish(channel, numbered(n))
            .await
            .unwrap_or_else(|e| panic!("API publish {n} into {channel}: {e}"));
    }
}

/// How many publications in `channel`'s history carry `"marker": marker`.
pub async fn history_count(api: &ServerApi, channel: &str, marker: &str) -> usize {
    let history = api.history(channel, -1).await.unwrap_or_else(|e| panic!("API history of {channel}: {e}"));
    history["publications"]
        .as_array()
        .map(|list| list.iter().filter(|p| p["data"]["marker"] == marker).count())
        .unwrap_or(0)
}

/// Polls `channel`'s history until `marker` appears `count` times, failing after `limit`.
pub async fn wait_history_count(api: &ServerApi, channel: &str, marker: &str, count: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let seen = history_count(api, channel, marker).await;
        if seen == count {
            return;
        }
        assert!(Instant::now() < deadline, "{marker} is in {channel}'s history {seen} times, not {count}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Milliseconds with one decimal, for printed measurements.
pub fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
