//! The core live scenarios on every transport and codec the server supports: WebSocket, HTTP-streaming
//! and SSE, in JSON and Protobuf (SSE is JSON only). Each scenario is written once, as a function of
//! `(TransportKind, FrameFormat)`, and instantiated for every pair by `on_every_transport!`:
//!
//! - connect (and the client reports the transport in use), subscribe, publish from a client and through
//!   the server API, receive both with the right offsets and publisher, join and leave, presence and
//!   presence stats, history pages;
//! - a server disconnect with a reconnect code: the client comes back on the same transport and the
//!   subscription recovers every publication missed meanwhile, exactly once and in order;
//! - in-band refresh of short-lived connection and subscription tokens, with server pings every 3 s
//!   (so on the emulation transports every pong travels as a POST) and no reconnect in between.
//!
//! Plus `https://` emulation against a TLS server, verified with the same trust settings as `wss://`.

mod common;
mod common_transport;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless::tls::TlsConfig;
use ceaseless::transport::{FrameFormat, TransportKind};
use ceaseless::{
    Client, ClientBuilder, ClientEvent, ClientState, Error, EventStream, HistoryOptions, Payload,
    SubscribedInfo, SubscriptionEvent, SubscriptionState, TokenError,
};
use ceaseless_tests::{Centrifugo, ServerOptions, init_tracing};
use common::{
    STEP, api_publish_numbered, assert_none_for, client_id, is_connection_step, n_of, next_matching,
    numbered, publications, subscribe, subscribed, unique, within,
};
use common_transport::builder_on;

/// Builds, connects, and checks that the client says it uses `kind`. Returns the client, its events
/// (opened before connecting) and its client id.
async fn connect_on(
    builder: ClientBuilder,
    kind: TransportKind,
) -> (Client, EventStream<ClientEvent>, String) {
    let client = builder.build().expect("client builds");
    let mut events = client.events();
    client.connect();
    let connected = next_matching(&mut events, STEP, |e| matches!(e, ClientEvent::Connected { .. })).await;
    match &connected {
        ClientEvent::Connected { transport, .. } => {
            assert_eq!(transport, kind.name(), "the transport in use")
        }
        other => unreachable!("filtered: {other:?}"),
    }
    (client, events, client_id(&connected))
}

/// Connect, subscribe, publish (client and API), receive, join/leave, presence, history.
async fn pubsub_history_presence(kind: TransportKind, format: FrameFormat) {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:transports");
    let (alice_name, bob_name) = (unique("alice"), unique("bob"));
    let (alice, _alice_events, alice_id) =
        connect_on(builder_on(&server, &alice_name, kind, format), kind).await;
    let (bob, _bob_events, bob_id) = connect_on(builder_on(&server, &bob_name, kind, format), kind).await;
    let (alice_sub, mut events) = subscribed(&alice, &channel).await;

    // A client publication (bob is not subscribed) reaches alice with bob's identity.
    let data = Payload::to_json(&numbered(1)).expect("JSON");
    within(STEP, "bob's publish", bob.publish(&channel, data)).await.expect("publish");
    let got = publications(&mut events, 1).await;
    assert_eq!((n_of(&got[0]), got[0].offset), (1, 1));
    let info = got[0].info.as_ref().expect("a client publication names its publisher");
    assert_eq!((info.user.as_str(), info.client.as_str()), (bob_name.as_str(), bob_id.as_str()));

    // API publications arrive in order at the offsets the API reported.
    let mut positions = Vec::new();
    for n in 2..=5 {
        positions.push(server.api().publish(&channel, numbered(n)).await.expect("API publish"));
    }
    let got = publications(&mut events, 4).await;
    assert_eq!(got.iter().map(n_of).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    assert_eq!(
        got.iter().map(|p| p.offset).collect::<Vec<_>>(),
        positions.iter().map(|p| p.offset).collect::<Vec<_>>()
    );
    assert!(got.iter().all(|p| p.info.is_none()), "API publications have no publisher");

    // Bob joins: alice sees it, and presence lists both.
    let (bob_sub, _bob_sub_events) = subscribed(&bob, &channel).await;
    let is_join_or_leave =
        |e: &SubscriptionEvent| matches!(e, SubscriptionEvent::Join(_) | SubscriptionEvent::Leave(_));
    let joined = loop {
        match next_matching(&mut events, STEP, is_join_or_leave).await {
            SubscriptionEvent::Join(info) if info.client == alice_id => continue,
            other => break other,
        }
    };
    assert!(
        matches!(&joined, SubscriptionEvent::Join(info) if info.client == bob_id),
        "bob's join: {joined:?}"
    );
    let presence = within(STEP, "presence", alice_sub.presence()).await.expect("presence");
    let mut present: Vec<(String, String)> =
        presence.presence.values().map(|info| (info.client.clone(), info.user.clone())).collect();
    present.sort();
    let mut expected = vec![(alice_id.clone(), alice_name.clone()), (bob_id.clone(), bob_name.clone())];
    expected.sort();
    assert_eq!(present, expected);
    let stats = within(STEP, "presence stats", alice_sub.presence_stats()).await.expect("presence stats");
    assert_eq!((stats.num_clients, stats.num_users), (2, 2));

    // History: all five, then the newest two backwards.
    let all = within(STEP, "history", alice_sub.history(HistoryOptions { limit: -1, ..Default::default() }))
        .await
        .expect("history");
    assert_eq!(all.publications.iter().map(n_of).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert_eq!(all.offset, 5);
    let newest =
        within(STEP, "history", alice_sub.history(HistoryOptions { limit: 2, since: None, reverse: true }))
            .await
            .expect("history");
    assert_eq!(newest.publications.iter().map(|p| p.offset).collect::<Vec<_>>(), vec![5, 4]);

    // Bob leaves.
    bob_sub.unsubscribe();
    match next_matching(&mut events, STEP, is_join_or_leave).await {
        SubscriptionEvent::Leave(info) => assert_eq!(info.client, bob_id),
        other => panic!("expected bob's Leave, got {other:?}"),
    }
    alice.close().await;
    bob.close().await;
}

/// Reads `events` up to the next `Subscribed`; returns the `n` of every publication before it, and
/// its details.
async fn until_subscribed(events: &mut EventStream<SubscriptionEvent>) -> (Vec<u64>, SubscribedInfo) {
    let mut before = Vec::new();
    loop {
        let event = next_matching(events, STEP, |e| {
            matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Publication(_))
        })
        .await;
        match event {
            SubscriptionEvent::Subscribed(info) => return (before, info),
            SubscriptionEvent::Publication(p) => before.push(n_of(&p)),
            _ => unreachable!("filtered above"),
        }
    }
}

/// A server disconnect with a reconnect code: back on the same transport, every publication once.
async fn recovery_after_server_disconnect(kind: TransportKind, format: FrameFormat) {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("recovering"), unique("test:recovery"));
    let builder = builder_on(&server, &user, kind, format)
        .reconnect_delay(Duration::from_millis(1500), Duration::from_millis(2000));
    let (client, mut client_events, first_id) = connect_on(builder, kind).await;
    let (_sub, mut events) = subscribed(&client, &channel).await;

    api_publish_numbered(&server, &channel, 1..=5).await;
    let mut received: Vec<u64> = publications(&mut events, 5).await.iter().map(n_of).collect();

    server.api().disconnect(&user, 4000, "come back").await.expect("API disconnect");
    // The client waits at least 1.5 s before reconnecting, so these happen while it is away.
    api_publish_numbered(&server, &channel, 6..=25).await;

    let connecting = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ClientEvent::Connecting { code: 4000, .. }), "{connecting:?}");
    let connected = next_matching(&mut client_events, STEP, is_connection_step).await;
    match &connected {
        ClientEvent::Connected { client, transport, .. } => {
            assert_ne!(client, &first_id, "a new connection");
            assert_eq!(transport, kind.name(), "the same transport");
        }
        other => panic!("expected Connected, got {other:?}"),
    }
    let (live, info) = until_subscribed(&mut events).await;
    received.extend(live);
    assert!(info.was_recovering && info.recovered, "the resubscribe recovers: {info:?}");
    let replayed: Vec<u64> = publications(&mut events, 25 - received.len()).await.iter().map(n_of).collect();
    assert!(!replayed.is_empty(), "some publications were missed and replayed");
    received.extend(replayed);

    api_publish_numbered(&server, &channel, 26..=30).await;
    received.extend(publications(&mut events, 5).await.iter().map(n_of));
    assert_eq!(received, (1..=30).collect::<Vec<_>>(), "every publication once, in order");
    assert_none_for(&mut events, Duration::from_millis(300), |e| {
        matches!(e, SubscriptionEvent::Publication(_) | SubscriptionEvent::Gap(_))
    })
    .await;
    client.close().await;
}

/// How long the tokens live.
const TTL: Duration = Duration::from_secs(4);
/// Past expiry, the server's 2 s grace and its 1 s expiry check.
const OUTLIVE: Duration = Duration::from_secs(9);

/// Short-lived connection and subscription tokens are refreshed in band; pings every 3 s are answered.
async fn token_refresh_in_band(kind: TransportKind, format: FrameFormat) {
    init_tracing();
    let options = ServerOptions::new()
        .config(serde_json::json!({ "client": { "ping_interval": "3s", "pong_timeout": "2s" } }));
    let server = Arc::new(Centrifugo::start_with(options).await.expect("server"));
    let (user, channel) = (unique("refresh"), unique("secure:refresh"));
    let connection_calls = Arc::new(AtomicUsize::new(0));
    let subscription_calls = Arc::new(AtomicUsize::new(0));
    let connection_provider = {
        let (server, user, calls) = (server.clone(), user.clone(), connection_calls.clone());
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            let token = server.token(&user, Some(TTL));
            async move { Ok::<_, TokenError>(token) }
        }
    };
    let subscription_provider = {
        let (server, user, calls) = (server.clone(), user.clone(), subscription_calls.clone());
        move |channel: String| {
            calls.fetch_add(1, Ordering::SeqCst);
            let token = server.subscription_token(&user, &channel, Some(TTL));
            async move { Ok::<_, TokenError>(token) }
        }
    };
    let builder = Client::builder(&server.ws_url())
        .token(server.token(&user, Some(TTL)))
        .token_provider(connection_provider)
        .transports([kind])
        .format(format);
    let (client, mut client_events, id) = connect_on(builder, kind).await;
    let sub = client
        .new_subscription(&channel)
        .token(server.subscription_token(&user, &channel, Some(TTL)))
        .token_provider(subscription_provider)
        .build()
        .expect("subscription");
    let mut events = subscribe(&sub).await;

    let (client_quiet, sub_quiet) = tokio::join!(
        assert_none_for(&mut client_events, OUTLIVE, |e| {
            is_connection_step(e) || matches!(e, ClientEvent::Disconnected { .. })
        }),
        assert_none_for(&mut events, OUTLIVE, |e| {
            matches!(e, SubscriptionEvent::Unsubscribed { .. } | SubscriptionEvent::Subscribing { .. })
        }),
    );
    drop((client_quiet, sub_quiet));
    assert_eq!(client.state(), ClientState::Connected);
    assert_eq!(sub.state(), SubscriptionState::Subscribed);
    for (what, calls) in [("connection", &connection_calls), ("subscription", &subscription_calls)] {
        let calls = calls.load(Ordering::SeqCst);
        assert!(calls >= 2, "the {what} token was refreshed at least twice, got {calls} calls");
    }
    // Still the first connection, and publications still arrive.
    let presence = within(STEP, "presence", sub.presence()).await.expect("presence");
    assert!(presence.presence.contains_key(&id), "{id} not in {presence:?}");
    server.api().publish(&channel, numbered(1)).await.expect("API publish");
    assert_eq!(n_of(&publications(&mut events, 1).await[0]), 1);
    client.close().await;
}

/// Several subscriptions made before connecting: their `subscribe` commands leave together (in the
/// connect frame on WebSocket, in one POST after the connect reply on the emulation transports), and all
/// of them work.
async fn subscriptions_made_before_connect(kind: TransportKind, format: FrameFormat) {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let client = builder_on(&server, &unique("early"), kind, format).build().expect("client");
    let channels: Vec<String> = (0..3).map(|_| unique("test:early")).collect();
    let mut subs = Vec::new();
    for channel in &channels {
        let sub = client.new_subscription(channel).build().expect("subscription");
        let events = sub.events();
        sub.subscribe();
        subs.push((sub, events));
    }
    client.connect();
    for (sub, events) in &mut subs {
        let outcome = next_matching(events, STEP, |e| {
            matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Unsubscribed { .. })
        })
        .await;
        assert!(matches!(outcome, SubscriptionEvent::Subscribed(_)), "{}: {outcome:?}", sub.channel());
    }
    for (n, channel) in (1..).zip(&channels) {
        server.api().publish(channel, numbered(n)).await.expect("API publish");
    }
    for ((_, events), n) in subs.iter_mut().zip(1..) {
        assert_eq!(n_of(&publications(events, 1).await[0]), n);
    }
    client.close().await;
}

/// Instantiates every scenario for every (transport, format) pair.
macro_rules! on_every_transport {
    ($($pair:ident => ($kind:expr, $format:expr)),* $(,)?) => {$(
        mod $pair {
            use super::*;

            #[tokio::test]
            async fn pubsub_history_presence() {
                super::pubsub_history_presence($kind, $format).await;
            }

            #[tokio::test]
            async fn recovery_after_server_disconnect() {
                super::recovery_after_server_disconnect($kind, $format).await;
            }

            #[tokio::test]
            async fn token_refresh_in_band() {
                super::token_refresh_in_band($kind, $format).await;
            }

            #[tokio::test]
            async fn subscriptions_made_before_connect() {
                super::subscriptions_made_before_connect($kind, $format).await;
            }
        }
    )*};
}

// Protobuf frames that carry several commands (connect + a recovering subscribe, or several subscribes)
// once broke here: the engine joined them with a JSON newline. The Protobuf pairs below guard that.
on_every_transport! {
    websocket_json => (TransportKind::WebSocket, FrameFormat::Json),
    websocket_protobuf => (TransportKind::WebSocket, FrameFormat::Protobuf),
    http_stream_json => (TransportKind::HttpStream, FrameFormat::Json),
    http_stream_protobuf => (TransportKind::HttpStream, FrameFormat::Protobuf),
    sse_json => (TransportKind::Sse, FrameFormat::Json),
}

/// `https://` emulation against a TLS server: trusting the CA connects; without it the handshake fails
/// on the certificate, as for `wss://`.
#[tokio::test]
async fn https_emulation_verifies_certificates_like_wss() {
    init_tracing();
    let server = Centrifugo::start_with(ServerOptions::new().tls()).await.expect("TLS server");
    let ca = server.ca_pem().expect("a TLS server has a CA");
    for (kind, format) in
        [(TransportKind::HttpStream, FrameFormat::Protobuf), (TransportKind::Sse, FrameFormat::Json)]
    {
        let trusted = TlsConfig::only_root_ca_pem(ca.as_bytes()).expect("CA PEM");
        let (client, _events, _) =
            connect_on(builder_on(&server, &unique("tls"), kind, format).tls(trusted), kind).await;
        let channel = unique("test:tls-emulation");
        let (_sub, mut events) = subscribed(&client, &channel).await;
        server.api().publish(&channel, numbered(1)).await.expect("API publish");
        assert_eq!(n_of(&publications(&mut events, 1).await[0]), 1);
        client.close().await;

        let untrusted = builder_on(&server, &unique("untrusted"), kind, format)
            .reconnect_delay(Duration::from_millis(200), Duration::from_millis(400))
            .build()
            .expect("client");
        let mut events = untrusted.events();
        untrusted.connect();
        let failed = next_matching(&mut events, STEP, |e| {
            matches!(e, ClientEvent::Error(_) | ClientEvent::Connected { .. })
        })
        .await;
        match failed {
            ClientEvent::Error(Error::Transport(message)) => assert!(
                message.to_lowercase().contains("certificate"),
                "the error names the certificate: {message}"
            ),
            other => panic!("expected a transport error, got {other:?}"),
        }
        untrusted.close().await;
    }
}
