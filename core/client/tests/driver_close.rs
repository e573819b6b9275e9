//! `close()` through the real driver and fan-out, on a fake transport and a manual clock.
//!
//! Proven here: `close()` ends every event stream (client, subscription and publication streams, each
//! after what was queued for it, the client's with `Closed` last) and resolves every pending call with
//! `Closed`: `ready()` on the client and on a subscription, and calls waiting for the connection. A call
//! already sent keeps `OutcomeUnknown` (it may have taken effect). Streams opened after the close end at
//! once, and later calls fail with `Closed` instead of waiting forever; a connection that opens after
//! the close is closed at once. Dropping every handle ends every stream as well.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use ceaseless::transport::Outgoing;
use ceaseless::{ClientEvent, ClientState, Error, Payload, SubscriptionEvent};
use support::*;

fn data() -> Payload {
    Payload::from_json_str(r#"{"text":"hi"}"#).unwrap()
}

#[tokio::test]
async fn close_ends_every_stream_and_fails_pending_calls() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    let mut client_events = client.events();
    let sub = client.new_subscription("chat").build().unwrap();
    let other = client.new_subscription("news").build().unwrap();
    let mut sub_events = sub.events();
    let mut publications = sub.publications();
    let mut other_events = other.events();
    client.connect();
    sub.subscribe();

    // The transport is slow to open: everything waits for the connection.
    let attempt = server.attempt().await;
    let ready = tokio::spawn({
        let client = client.clone();
        async move { client.ready().await }
    });
    let sub_ready = tokio::spawn({
        let sub = sub.clone();
        async move { sub.ready().await }
    });
    let publish = tokio::spawn({
        let client = client.clone();
        async move { client.publish("chat", data()).await }
    });
    settle().await;
    assert!(!ready.is_finished() && !sub_ready.is_finished() && !publish.is_finished());

    within("close", client.close()).await;
    assert_eq!(client.state(), ClientState::Closed);
    assert_eq!(within("ready", ready).await.unwrap(), Err(Error::Closed));
    assert_eq!(within("sub ready", sub_ready).await.unwrap(), Err(Error::Closed));
    assert_eq!(within("publish", publish).await.unwrap(), Err(Error::Closed));

    let seen = drain(&mut client_events);
    assert!(matches!(seen.last(), Some(ClientEvent::Closed)), "{seen:?}");
    assert!(ends(&mut client_events).await);
    let seen = drain(&mut sub_events);
    assert!(matches!(seen.last(), Some(SubscriptionEvent::Unsubscribed { .. })), "{seen:?}");
    assert!(ends(&mut sub_events).await);
    assert!(ends(&mut publications).await);
    assert!(ends(&mut other_events).await, "a subscription that never subscribed ends too");

    // The connection opens after all: it is closed at once, never used.
    let mut conn = attempt.accept();
    assert!(matches!(conn.next().await, Outgoing::Close { .. }));
}

#[tokio::test]
async fn a_call_already_sent_stays_outcome_unknown() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    client.connect();
    let mut conn = server.accept().await;
    conn.handshake(connect_result()).await;
    let publish = tokio::spawn({
        let client = client.clone();
        async move { client.publish("chat", data()).await }
    });
    assert_eq!(conn.command().await.kind, "publish");
    within("close", client.close()).await;
    assert_eq!(within("publish", publish).await.unwrap(), Err(Error::OutcomeUnknown));
    assert!(matches!(conn.next().await, Outgoing::Close { code: 1000, .. }));
}

#[tokio::test]
async fn streams_and_calls_after_close_end_at_once() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    let sub = client.new_subscription("chat").recoverable(true).positioned(true).build().unwrap();
    let mut before = client.events();
    client.connect();
    sub.subscribe();
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    conn.send(&[rest[0].reply(subscribe_result(0))]);
    conn.publish("chat", [1, 2]);
    conn.round_trip().await;
    within("close", client.close()).await;

    // A subscription's first stream started at its creation: it yields what was queued, then ends.
    let mut first = sub.events();
    let queued = drain(&mut first);
    assert!(
        queued.iter().any(|e| matches!(e, SubscriptionEvent::Publication(p) if p.offset == 2)),
        "{queued:?}"
    );
    assert!(ends(&mut first).await);
    // Opened after Closed: they end at once, from the client and from a subscription alike.
    assert!(ends(&mut client.events()).await);
    assert!(ends(&mut sub.events()).await);
    assert!(ends(&mut sub.publications()).await);
    // Later calls are answered at once.
    assert_eq!(within("ready", client.ready()).await, Err(Error::Closed));
    assert_eq!(within("sub ready", sub.ready()).await, Err(Error::Closed));
    assert_eq!(within("publish", client.publish("chat", data())).await, Err(Error::Closed));
    let report = within("wake", client.wake(Duration::from_secs(5))).await;
    assert!(!report.caught_up);
    assert!(matches!(client.new_subscription("late").build(), Err(Error::Closed)));
    // A second close returns too.
    within("second close", client.close()).await;

    // A stream opened before the close still yields what was queued for it, then ends.
    let seen = drain(&mut before);
    assert!(matches!(seen.first(), Some(ClientEvent::Connecting { .. })), "{seen:?}");
    assert!(matches!(seen.last(), Some(ClientEvent::Closed)), "{seen:?}");
    assert!(ends(&mut before).await);
}

#[tokio::test]
async fn dropping_every_handle_ends_every_stream() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    let sub = client.new_subscription("chat").build().unwrap();
    let mut client_events = client.events();
    let mut sub_events = sub.events();
    client.connect();
    let mut conn = server.accept().await;
    conn.handshake(connect_result()).await;
    conn.round_trip().await;
    drop(sub);
    drop(client);

    let seen = drain_until_end(&mut client_events).await;
    assert!(matches!(seen.last(), Some(ClientEvent::Closed)), "{seen:?}");
    drain_until_end(&mut sub_events).await;
    assert!(matches!(conn.next().await, Outgoing::Close { .. }));
    settle().await;
    assert!(conn.pending().is_empty(), "nothing after the close");
}

/// Every item until the stream ends.
async fn drain_until_end<S: futures::Stream + Unpin>(stream: &mut S) -> Vec<S::Item> {
    within("the stream to end", futures::StreamExt::collect::<Vec<_>>(stream)).await
}
