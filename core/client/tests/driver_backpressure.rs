//! Backpressure through the real driver and fan-out: event streams are unbounded, so an app that reads
//! slowly loses nothing and slows nothing down.
//!
//! Proven here: 10,000 publications pushed while the reader sleeps (on the manual clock) all arrive, in
//! order, once it wakes; meanwhile the driver keeps answering pings and the connection stays up.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use ceaseless::ClientState;
use futures::StreamExt;
use support::*;

const COUNT: u64 = 10_000;

#[tokio::test]
async fn a_sleeping_reader_loses_nothing() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    let sub = client.new_subscription("chat").recoverable(true).positioned(true).build().unwrap();
    let mut publications = sub.publications();
    client.connect();
    sub.subscribe();
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    conn.send(&[rest[0].reply(subscribe_result(0))]);

    // The reader sleeps 60 s (virtual), then reads everything.
    let reader = tokio::spawn({
        let nap = rt.sleep(Duration::from_secs(60));
        async move {
            nap.await;
            let mut seen = Vec::with_capacity(COUNT as usize);
            while seen.len() < COUNT as usize {
                match publications.next().await {
                    Some(p) => seen.push(p.offset),
                    None => break,
                }
            }
            seen
        }
    });

    // While it sleeps: the publications, one per frame and in batches of 100, and the heartbeat.
    for offset in 1..=COUNT / 2 {
        conn.publish("chat", [offset]);
    }
    for start in (COUNT / 2 + 1..=COUNT).step_by(100) {
        conn.publish("chat", start..start + 100);
    }
    conn.round_trip().await;
    for _ in 0..2 {
        rt.advance(Duration::from_secs(20)).await;
        conn.round_trip().await;
        assert!(!reader.is_finished(), "the reader is still asleep");
    }
    assert_eq!(client.state(), ClientState::Connected);

    rt.advance(Duration::from_secs(20)).await;
    let seen = within("the reader", reader).await.unwrap();
    assert_eq!(seen.len(), COUNT as usize);
    assert!(seen.iter().copied().eq(1..=COUNT), "every publication, once, in order");
    within("close", client.close()).await;
}
