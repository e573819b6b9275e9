//! Test support for driving the real driver and fan-out without sockets or real time: a
//! [`ManualRuntime`] (virtual clock) and a [`FakeTransport`] the test plays the server for, plus the
//! few helpers every driver test needs. Each `tests/driver_*.rs` includes it with `mod support;`.
#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod clock;
pub mod transport;

use std::future::Future;
use std::time::Duration;

use ceaseless::{Client, ClientBuilder, SubscriptionEvent};
use futures::{Stream, StreamExt};
use serde_json::{Value, json};

pub use clock::{ManualRuntime, settle};
pub use transport::{Command, Conn, Server, fake_transport, publication, push_pub};

/// The endpoint every test client is built for (never resolved: the transport is fake).
pub const URL: &str = "ws://fake.invalid/connection/websocket";

/// A guard against a hung test, in real time. Nothing waits for it on a passing run: every awaited
/// thing is already on its way when a test awaits it.
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(10), fut).await {
        Ok(value) => value,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

/// A client on `runtime` and a fresh fake transport; `configure` adjusts the builder (a token and a
/// fixed seed are set already).
pub fn client_with(
    runtime: &ManualRuntime,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> (Client, Server) {
    let (transport, server) = fake_transport();
    let builder = configure(Client::builder(URL).token("connection-token").seed(7));
    let client = builder.build_with(runtime.clone(), vec![transport]).expect("a valid client");
    (client, server)
}

/// The connect result of a server that pings every 25 s and wants pongs.
pub fn connect_result() -> Value {
    json!({ "client": "client-1", "version": "5.4.9", "ping": 25, "pong": true })
}

/// A subscribe result: recoverable and positioned, stream top at `offset` in epoch `e1`.
pub fn subscribe_result(offset: u64) -> Value {
    json!({ "recoverable": true, "positioned": true, "epoch": "e1", "offset": offset })
}

/// The next item of `stream`, which must come.
pub async fn next<S: Stream + Unpin>(stream: &mut S) -> S::Item {
    within("the next event", stream.next()).await.expect("the stream ended early")
}

/// Whether `stream` ends now (with nothing left in it).
pub async fn ends<S: Stream + Unpin>(stream: &mut S) -> bool
where
    S::Item: std::fmt::Debug,
{
    match within("the stream to end", stream.next()).await {
        None => true,
        Some(item) => panic!("expected the end, got {item:?}"),
    }
}

/// Everything `stream` has queued right now, without waiting.
pub fn drain<S: Stream + Unpin>(stream: &mut S) -> Vec<S::Item> {
    let mut items = Vec::new();
    while let Some(Some(item)) = futures::FutureExt::now_or_never(stream.next()) {
        items.push(item);
    }
    items
}

/// The offsets of the publications among `events`.
pub fn offsets(events: &[SubscriptionEvent]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Publication(p) => Some(p.offset),
            _ => None,
        })
        .collect()
}
