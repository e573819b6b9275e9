//! `EventStream` (`next`, `next_batch`, `cancel`) and the `DeliveryProbe`.

mod common;

use std::time::Duration;

use ceaseless_ffi::{BackgroundGrace, Client, ClientOptions, DeliveryProbe, Event, SubscriptionOptions};
use ceaseless_tests::Centrifugo;
use common::{Tokens, n};

fn options() -> ClientOptions {
    ClientOptions { background_grace: Some(BackgroundGrace::Never), ..ClientOptions::default() }
}

fn plain() -> SubscriptionOptions {
    SubscriptionOptions::default()
}

#[tokio::test(flavor = "multi_thread")]
async fn next_batch_takes_everything_queued() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("alice", None))).expect("client");
    let channel = "test:ffi-batch";
    let sub = client.clone().new_subscription(channel.into(), plain(), None).expect("sub");
    let stream = sub.events();
    let probe = DeliveryProbe::new(sub.clone());
    client.connect();
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    match tokio::time::timeout(Duration::from_secs(5), stream.next()).await.expect("in time") {
        Some(Event::Subscribing { channel: c, .. }) => assert_eq!(c, channel),
        other => panic!("expected Subscribing, got {other:?}"),
    }
    match tokio::time::timeout(Duration::from_secs(5), stream.next()).await.expect("in time") {
        Some(Event::Subscribed { channel: c, .. }) => assert_eq!(c, channel),
        other => panic!("expected Subscribed, got {other:?}"),
    }
    for i in 0..50 {
        client.publish_text(channel.into(), format!(r#"{{"n":{i}}}"#)).await.expect("publish");
    }
    // The probe counts inside Rust; once it saw all 50, they are all queued on the stream too.
    let measured = probe.clone().wait(50, 10_000).await.expect("probe");
    assert_eq!(measured.count, 50);
    // The server pushes our own join (forced join/leave) ahead of the publications.
    let batch = stream.next_batch(0).await;
    assert_eq!(batch.len(), 51, "one call takes everything queued");
    assert!(matches!(&batch[0], Event::Join { info, .. } if info.user == "alice"), "{:?}", batch[0]);
    let numbers: Vec<i64> = batch[1..]
        .iter()
        .map(|e| match e {
            Event::Publication { publication, .. } => n(publication),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(numbers, (0..50).collect::<Vec<_>>());

    for i in 0..5 {
        client.publish_text(channel.into(), format!(r#"{{"n":{i}}}"#)).await.expect("publish");
    }
    assert_eq!(probe.clone().wait(5, 10_000).await.expect("probe").count, 5);
    assert_eq!(stream.next_batch(2).await.len(), 2, "at most max");
    assert_eq!(stream.next_batch(10).await.len(), 3, "the rest");

    // A probe that times out reports what it saw.
    let partial = probe.wait(1, 50).await.expect("probe");
    assert_eq!(partial.count, 0);

    // Cancel ends a waiting reader and every later read.
    let waiting = {
        let stream = stream.clone();
        tokio::spawn(async move { stream.next().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    stream.cancel();
    assert_eq!(waiting.await.expect("task"), None);
    assert!(stream.next_batch(0).await.is_empty());

    // A client stream ends when the client shuts down.
    let client_events = client.events();
    client.shutdown().await;
    let mut rest = Vec::new();
    while let Some(event) =
        tokio::time::timeout(Duration::from_secs(5), client_events.next()).await.expect("ends")
    {
        rest.push(event);
    }
    assert!(rest.iter().any(|e| matches!(e, Event::Closed)), "{rest:?}");

    // Streams of the client and its subscriptions opened after shutdown end too (the core's fan-out
    // ends them; this layer keeps no list of its own).
    for late in [client.events(), sub.events()] {
        let end =
            tokio::time::timeout(Duration::from_secs(5), async { while late.next().await.is_some() {} });
        end.await.expect("a stream opened after shutdown ends");
    }
}
