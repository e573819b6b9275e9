//! Heartbeats through the real driver, on a fake transport and a manual clock.
//!
//! Proven here: every server ping gets exactly one pong (a lone ping's pong alone in its frame); with `ping: 25` and the
//! default 10 s margin, 35 s of silence closes the connection and reports `Connecting` with the
//! no-ping code, not a millisecond earlier; any frame re-arms the watchdog; the client reconnects after
//! its backoff.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use ceaseless::transport::Outgoing;
use ceaseless::{ClientEvent, ClientState, codes};
use support::*;

#[tokio::test]
async fn one_pong_per_ping() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    client.connect();
    let mut conn = server.accept().await;
    conn.handshake(connect_result()).await;

    conn.ping();
    match conn.next().await {
        Outgoing::Frame(frame) => assert_eq!(&frame[..], b"{}", "a pong is `{{}}`, alone in its frame"),
        other => panic!("expected the pong, got {other:?}"),
    }
    conn.send(&[serde_json::json!({}), serde_json::json!({})]);
    let pongs: Vec<String> = conn.frame().await.into_iter().map(|c| c.kind).collect();
    assert_eq!(pongs, ["pong", "pong"], "two batched pings, two pongs");
    settle().await;
    assert!(conn.pending().is_empty(), "no pong without a ping");
    within("close", client.close()).await;
}

#[tokio::test]
async fn silence_is_detected_on_the_manual_clock() {
    let rt = ManualRuntime::new();
    let (client, mut server) =
        client_with(&rt, |b| b.reconnect_delay(Duration::from_secs(1), Duration::from_secs(1)));
    let mut events = client.events();
    client.connect();
    let mut conn = server.accept().await;
    conn.handshake(connect_result()).await;
    settle().await;
    drain(&mut events);

    // A ping 20 s in re-arms the watchdog: the window (25 s + 10 s) starts again from there.
    rt.advance(Duration::from_secs(20)).await;
    conn.round_trip().await;
    rt.advance(Duration::from_secs(35) - Duration::from_millis(1)).await;
    assert_eq!(client.state(), ClientState::Connected);
    assert!(conn.pending().is_empty(), "nothing closed 1 ms before the window ends");
    assert!(drain(&mut events).is_empty());

    rt.advance(Duration::from_millis(1)).await;
    assert!(matches!(conn.next().await, Outgoing::Close { .. }), "the silent connection is closed");
    let seen = drain(&mut events);
    assert!(
        matches!(seen.as_slice(), [ClientEvent::Connecting { code, .. }] if *code == codes::connecting::NO_PING),
        "{seen:?}"
    );
    assert_eq!(rt.elapsed(), Duration::from_secs(55));

    // After the 1 s backoff, a new connection.
    assert!(!server.has_attempt());
    rt.advance(Duration::from_secs(1)).await;
    let mut conn = server.accept().await;
    conn.handshake(connect_result()).await;
    assert_eq!(within("ready", client.ready()).await, Ok(()));
    within("close", client.close()).await;
}
