//! Event order through the real driver and fan-out, on a fake transport and a manual clock.
//!
//! Proven here: a client stream and a subscription stream each see their events in the order the
//! engine produced them, across a connection loss, a reconnect with recovery and a close; and
//! publications reach the app once each, in offset order, however the server batches them and even
//! when it repeats some.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use ceaseless::{ClientEvent, SubscriptionEvent, codes};
use serde_json::json;
use support::*;

/// A short name for each client event, so whole sequences compare at a glance.
fn client_kind(event: &ClientEvent) -> String {
    match event {
        ClientEvent::Connecting { code, .. } => format!("connecting({code})"),
        ClientEvent::Connected { client, .. } => format!("connected({client})"),
        ClientEvent::Disconnected { code, .. } => format!("disconnected({code})"),
        ClientEvent::Closed => "closed".to_owned(),
        other => format!("{other:?}"),
    }
}

fn sub_kind(event: &SubscriptionEvent) -> String {
    match event {
        SubscriptionEvent::Subscribing { code, .. } => format!("subscribing({code})"),
        SubscriptionEvent::Subscribed(info) => format!("subscribed(recovered={})", info.recovered),
        SubscriptionEvent::Unsubscribed { code, .. } => format!("unsubscribed({code})"),
        SubscriptionEvent::Publication(p) => format!("pub({})", p.offset),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn client_and_subscription_events_follow_the_engine() {
    let rt = ManualRuntime::new();
    let (client, mut server) =
        client_with(&rt, |b| b.reconnect_delay(Duration::from_secs(1), Duration::from_secs(1)));
    let mut client_events = client.events();
    let sub = client.new_subscription("chat").recoverable(true).positioned(true).build().unwrap();
    let mut sub_events = sub.events();
    client.connect();
    sub.subscribe();

    // One frame carries connect and subscribe (WebSocket is optimistic); one frame answers both and
    // brings three publications.
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    assert_eq!(rest.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["subscribe"]);
    conn.send(&[rest[0].reply(subscribe_result(0)), push_pub("chat", 1), push_pub("chat", 2)]);
    conn.publish("chat", [3]);
    conn.round_trip().await;

    // The network drops; after the 1 s backoff the client reconnects and recovers 4 and 5.
    conn.close(None, "network down");
    settle().await;
    rt.advance(Duration::from_secs(1)).await;
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    let resubscribe = &rest[0];
    assert_eq!(resubscribe.body["recover"], json!(true));
    assert_eq!(resubscribe.body["offset"], json!(3), "recovers from the last delivered offset");
    let recovered = json!({
        "recoverable": true, "positioned": true, "epoch": "e1", "offset": 5, "recovered": true,
        "was_recovering": true, "publications": [publication(4), publication(5)],
    });
    conn.send(&[resubscribe.reply(recovered)]);
    conn.publish("chat", [6]);
    conn.round_trip().await;
    within("close", client.close()).await;

    let client_seen: Vec<String> = drain(&mut client_events).iter().map(client_kind).collect();
    let connecting = codes::connecting::CONNECT_CALLED;
    let lost = codes::connecting::TRANSPORT_CLOSED;
    let closed = codes::disconnected::DISCONNECT_CALLED;
    assert_eq!(
        client_seen,
        [
            format!("connecting({connecting})"),
            "connected(client-1)".to_owned(),
            format!("connecting({lost})"),
            "connected(client-1)".to_owned(),
            format!("disconnected({closed})"),
            "closed".to_owned(),
        ]
    );
    assert!(ends(&mut client_events).await, "Closed is the last client event");

    let sub_seen: Vec<String> = drain(&mut sub_events).iter().map(sub_kind).collect();
    let subscribing = codes::subscribing::SUBSCRIBE_CALLED;
    let sub_lost = codes::subscribing::TRANSPORT_CLOSED;
    let sub_closed = codes::unsubscribed::CLIENT_CLOSED;
    assert_eq!(
        sub_seen,
        [
            format!("subscribing({subscribing})"),
            "subscribed(recovered=false)".to_owned(),
            "pub(1)".to_owned(),
            "pub(2)".to_owned(),
            "pub(3)".to_owned(),
            format!("subscribing({sub_lost})"),
            "subscribed(recovered=true)".to_owned(),
            "pub(4)".to_owned(),
            "pub(5)".to_owned(),
            "pub(6)".to_owned(),
            // close() first leaves the connection (as any disconnect does), then ends the subscription.
            format!("subscribing({sub_lost})"),
            format!("unsubscribed({sub_closed})"),
        ]
    );
    assert!(ends(&mut sub_events).await, "the subscription stream ends after Closed");
}

#[tokio::test]
async fn publications_arrive_once_in_offset_order() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    let sub = client.new_subscription("chat").recoverable(true).positioned(true).build().unwrap();
    let mut publications = sub.publications();
    client.connect();
    sub.subscribe();
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    conn.send(&[rest[0].reply(subscribe_result(0))]);

    // Frames of every size, and the server repeating itself: 10..=20 twice, 31 twice in one frame.
    conn.publish("chat", 1..=9);
    conn.publish("chat", [10]);
    conn.publish("chat", 11..=20);
    conn.publish("chat", 10..=20);
    conn.publish("chat", [21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 31, 32]);
    for offset in 33..=50 {
        conn.publish("chat", [offset]);
    }
    conn.round_trip().await;

    let seen: Vec<u64> = drain(&mut publications).iter().map(|p| p.offset).collect();
    assert_eq!(seen, (1..=50).collect::<Vec<_>>());
    within("close", client.close()).await;
    assert!(ends(&mut publications).await);
}
