//! Position saves through the real driver: off its task, coalesced, and complete when `close()` returns.
//!
//! Proven here, with a store whose `save` blocks until the test lets it go (as a slow disk would, only
//! for as long as the test wants, so nothing depends on real timing):
//! - while a save is blocked the driver keeps answering pings, delivers every publication and keeps the
//!   connection through a minute of (virtual) heartbeats;
//! - the positions that piled up meanwhile are saved once, newest wins (0, then 100: not 1..=99);
//! - `close()` returns only after the blocked save, the newest one and the store's `flush` are done;
//! - a subscription re-created while its position is still on its way to the store resumes from the
//!   newest position, not the stale stored one;
//! - `FilePositionStore` has the last position on disk when `close()` returns;
//! - a store that panics in `save` does not wedge the writer or `close()`.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use ceaseless::ClientState;
use ceaseless::StreamPosition;
use ceaseless::positions::{FilePositionStore, PositionStore};
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use serde_json::json;
use support::*;

/// What the store did, in order.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Save(String, u64),
    Flush,
}

struct Inner {
    blocked: Mutex<bool>,
    released: Condvar,
    entered: UnboundedSender<u64>,
    log: Mutex<Vec<Op>>,
    saved: Mutex<HashMap<String, StreamPosition>>,
    panic_on: Option<u64>,
}

/// A store whose `save` blocks while the gate is shut.
#[derive(Clone)]
struct GatedStore(Arc<Inner>);

impl GatedStore {
    fn new(blocked: bool, panic_on: Option<u64>) -> (Self, UnboundedReceiver<u64>) {
        let (entered, entries) = unbounded();
        let inner = Inner {
            blocked: Mutex::new(blocked),
            released: Condvar::new(),
            entered,
            log: Mutex::new(Vec::new()),
            saved: Mutex::new(HashMap::new()),
            panic_on,
        };
        (Self(Arc::new(inner)), entries)
    }

    fn release(&self) {
        *self.0.blocked.lock().unwrap() = false;
        self.0.released.notify_all();
    }

    fn log(&self) -> Vec<Op> {
        self.0.log.lock().unwrap().clone()
    }
}

impl PositionStore for GatedStore {
    fn load(&self, channel: &str) -> Option<StreamPosition> {
        self.0.saved.lock().unwrap().get(channel).cloned()
    }

    fn save(&self, channel: &str, position: &StreamPosition) {
        let _ = self.0.entered.unbounded_send(position.offset);
        let mut blocked = self.0.blocked.lock().unwrap();
        while *blocked {
            let (guard, wait) = self.0.released.wait_timeout(blocked, Duration::from_secs(30)).unwrap();
            assert!(!wait.timed_out(), "the test never released the store");
            blocked = guard;
        }
        drop(blocked);
        if self.0.panic_on == Some(position.offset) {
            panic!("the store fails on offset {} (on purpose)", position.offset);
        }
        self.0.saved.lock().unwrap().insert(channel.to_owned(), position.clone());
        self.0.log.lock().unwrap().push(Op::Save(channel.to_owned(), position.offset));
    }

    fn flush(&self) {
        self.0.log.lock().unwrap().push(Op::Flush);
    }
}

/// A connected client with `store`, subscribed to a recoverable "chat" at offset 0 (a position the
/// engine saves right away), and the publications of "chat".
async fn subscribed(
    rt: &ManualRuntime,
    store: impl PositionStore,
) -> (
    ceaseless::Client,
    ceaseless::Subscription,
    Conn,
    impl futures::Stream<Item = ceaseless::Publication> + Unpin,
) {
    let (client, mut server) = client_with(rt, |b| b.position_store(store));
    let sub = client.new_subscription("chat").recoverable(true).positioned(true).build().unwrap();
    let publications = sub.publications();
    client.connect();
    sub.subscribe();
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    conn.send(&[rest[0].reply(subscribe_result(0))]);
    (client, sub, conn, publications)
}

#[tokio::test]
async fn a_blocked_store_delays_neither_pongs_nor_events() {
    let rt = ManualRuntime::new();
    let (store, mut entries) = GatedStore::new(true, None);
    let (client, _sub, mut conn, mut publications) = subscribed(&rt, store.clone()).await;
    // The save of the subscribe position (offset 0) is stuck in the store from here on.
    assert_eq!(within("the first save", entries.next()).await, Some(0));
    conn.round_trip().await;
    for offset in 1..=100 {
        conn.publish("chat", [offset]);
    }
    conn.round_trip().await;
    let seen: Vec<u64> = drain(&mut publications).iter().map(|p| p.offset).collect();
    assert_eq!(seen, (1..=100).collect::<Vec<_>>(), "every publication while the store is stuck");
    for _ in 0..3 {
        rt.advance(Duration::from_secs(20)).await;
        conn.round_trip().await;
    }
    assert_eq!(client.state(), ClientState::Connected, "a minute of heartbeats with the store stuck");
    assert!(store.log().is_empty(), "the save is still blocked");

    // close() waits for the store.
    let closing = tokio::spawn({
        let client = client.clone();
        async move { client.close().await }
    });
    settle().await;
    assert_eq!(client.state(), ClientState::Closed);
    assert!(!closing.is_finished(), "close() waits for the blocked save");
    store.release();
    within("close", closing).await.unwrap();
    let chat = |offset| Op::Save("chat".to_owned(), offset);
    assert_eq!(store.log(), [chat(0), chat(100), Op::Flush], "coalesced: the newest position wins");
    assert!(entries.try_recv().is_ok_and(|offset| offset == 100));
}

#[tokio::test]
async fn a_subscription_recreated_mid_save_resumes_from_the_newest_position() {
    let rt = ManualRuntime::new();
    let (store, mut entries) = GatedStore::new(true, None);
    let (client, sub, mut conn, _publications) = subscribed(&rt, store.clone()).await;
    assert_eq!(within("the first save", entries.next()).await, Some(0));
    conn.publish("chat", 1..=5);
    conn.round_trip().await;

    sub.remove();
    let again = client.new_subscription("chat").recoverable(true).positioned(true).build().unwrap();
    again.subscribe();
    let subscribe = loop {
        let command = conn.command().await;
        if command.kind == "subscribe" {
            break command;
        }
    };
    assert_eq!(subscribe.body["recover"], json!(true));
    assert_eq!(subscribe.body["offset"], json!(5), "the newest position, not yet in the store");
    assert_eq!(subscribe.body["epoch"], json!("e1"));
    assert!(store.log().is_empty());

    store.release();
    within("close", client.close()).await;
    let log = store.log();
    assert_eq!(log.last(), Some(&Op::Flush));
    assert_eq!(log.iter().rev().nth(1), Some(&Op::Save("chat".to_owned(), 5)));
}

#[tokio::test]
async fn a_file_store_is_complete_when_close_returns() {
    let path = std::env::temp_dir().join(format!("ceaseless-driver-positions-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let rt = ManualRuntime::new();
    let (client, _sub, mut conn, _publications) =
        subscribed(&rt, FilePositionStore::open(&path).unwrap()).await;
    for offset in 1..=300 {
        conn.publish("chat", [offset]);
    }
    conn.round_trip().await;
    within("close", client.close()).await;

    let reopened = FilePositionStore::open(&path).unwrap();
    assert_eq!(reopened.load("chat"), Some(StreamPosition { offset: 300, epoch: "e1".to_owned() }));
    drop(reopened);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_panicking_store_does_not_wedge_close() {
    let rt = ManualRuntime::new();
    let (store, mut entries) = GatedStore::new(true, Some(0));
    let (client, _sub, mut conn, _publications) = subscribed(&rt, store.clone()).await;
    assert_eq!(within("the failing save", entries.next()).await, Some(0));
    conn.publish("chat", 1..=3);
    conn.round_trip().await;
    // close() asks for a flush while the failing save is still in the store; then the store panics.
    let closing = tokio::spawn({
        let client = client.clone();
        async move { client.close().await }
    });
    settle().await;
    assert!(!closing.is_finished());
    store.release();
    within("close", closing).await.unwrap();
    assert_eq!(store.log(), [Op::Save("chat".to_owned(), 3), Op::Flush], "the rest is saved and flushed");
}
