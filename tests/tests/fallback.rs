//! Automatic transport fallback behind a gateway that blocks WebSockets (a reverse proxy that answers
//! `403` to every upgrade and forwards everything else to a real Centrifugo):
//!
//! - a client configured with `[WebSocket, HttpStream, Sse]` connects over `http_stream` by itself, at
//!   once (no backoff between the failed WebSocket and the next transport), says so in `Connected`, and
//!   after a forced server disconnect comes back on `http_stream` (it never retries the WebSocket) with
//!   every publication recovered exactly once; in JSON and in Protobuf;
//! - when `/connection/http_stream` is blocked too, it ends up on SSE.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use ceaseless::transport::{FrameFormat, TransportKind};
use ceaseless::{Client, ClientEvent, EventStream, SubscriptionEvent};
use ceaseless_tests::http_proxy::GatewayProxy;
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{
    STEP, api_publish_numbered, is_connection_step, n_of, next_matching, numbered, publications, subscribed,
    unique,
};
use tokio::time::Instant;

const ALL: [TransportKind; 3] = [TransportKind::WebSocket, TransportKind::HttpStream, TransportKind::Sse];

/// The next `Connected` (skipping errors and the like); returns the transport it names.
async fn connected_transport(events: &mut EventStream<ClientEvent>) -> String {
    match next_matching(events, STEP, |e| matches!(e, ClientEvent::Connected { .. })).await {
        ClientEvent::Connected { transport, .. } => transport,
        other => unreachable!("filtered: {other:?}"),
    }
}

async fn falls_back_to_http_stream_and_recovers(format: FrameFormat) {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let gateway =
        GatewayProxy::start(SocketAddr::from(([127, 0, 0, 1], server.port())), &[]).await.expect("gateway");
    let (user, channel) = (unique("fallback"), unique("test:fallback"));
    let kinds: Vec<TransportKind> = match format {
        FrameFormat::Json => ALL.to_vec(),
        // SSE carries JSON only.
        FrameFormat::Protobuf => vec![TransportKind::WebSocket, TransportKind::HttpStream],
    };
    let client = Client::builder(&gateway.ws_url())
        .token(server.token(&user, None))
        .transports(kinds)
        .format(format)
        .reconnect_delay(Duration::from_millis(1500), Duration::from_millis(2000))
        .build()
        .expect("client");
    let mut client_events = client.events();
    let started = Instant::now();
    client.connect();
    assert_eq!(connected_transport(&mut client_events).await, "http_stream");
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "the fallback is immediate, not after the reconnect delay: {:?}",
        started.elapsed()
    );
    assert_eq!(gateway.upgrades_refused(), 1, "one WebSocket attempt");

    let (_sub, mut events) = subscribed(&client, &channel).await;
    api_publish_numbered(&server, &channel, 1..=5).await;
    let mut received: Vec<u64> = publications(&mut events, 5).await.iter().map(n_of).collect();

    server.api().disconnect(&user, 4000, "come back").await.expect("API disconnect");
    api_publish_numbered(&server, &channel, 6..=25).await;
    let connecting = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ClientEvent::Connecting { code: 4000, .. }), "{connecting:?}");
    assert_eq!(connected_transport(&mut client_events).await, "http_stream", "it sticks to what worked");

    loop {
        match next_matching(&mut events, STEP, |e| {
            matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Publication(_))
        })
        .await
        {
            SubscriptionEvent::Subscribed(info) => {
                assert!(info.was_recovering && info.recovered, "recovered: {info:?}");
                break;
            }
            SubscriptionEvent::Publication(p) => received.push(n_of(&p)),
            _ => unreachable!("filtered above"),
        }
    }
    received.extend(publications(&mut events, 25 - received.len()).await.iter().map(n_of));
    server.api().publish(&channel, numbered(26)).await.expect("API publish");
    received.extend(publications(&mut events, 1).await.iter().map(n_of));
    assert_eq!(received, (1..=26).collect::<Vec<_>>(), "every publication once, in order");
    assert_eq!(gateway.upgrades_refused(), 1, "the reconnect did not try the WebSocket again");
    client.close().await;
}

#[tokio::test]
async fn blocked_websocket_falls_back_to_http_stream_json() {
    falls_back_to_http_stream_and_recovers(FrameFormat::Json).await;
}

#[tokio::test]
async fn blocked_websocket_falls_back_to_http_stream_protobuf() {
    falls_back_to_http_stream_and_recovers(FrameFormat::Protobuf).await;
}

#[tokio::test]
async fn blocked_websocket_and_http_stream_fall_back_to_sse() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let gateway =
        GatewayProxy::start(SocketAddr::from(([127, 0, 0, 1], server.port())), &["/connection/http_stream"])
            .await
            .expect("gateway");
    let client = Client::builder(&gateway.ws_url())
        .token(server.token(&unique("sse-fallback"), None))
        .transports(ALL)
        .reconnect_delay(Duration::from_millis(1500), Duration::from_millis(2000))
        .build()
        .expect("client");
    let mut client_events = client.events();
    client.connect();
    assert_eq!(connected_transport(&mut client_events).await, "sse");
    assert_eq!((gateway.upgrades_refused(), gateway.paths_refused()), (1, 1));

    let channel = unique("test:sse-fallback");
    let (_sub, mut events) = subscribed(&client, &channel).await;
    api_publish_numbered(&server, &channel, 1..=3).await;
    assert_eq!(publications(&mut events, 3).await.iter().map(n_of).collect::<Vec<_>>(), vec![1, 2, 3]);
    client.close().await;
}
