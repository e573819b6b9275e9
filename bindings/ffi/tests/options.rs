//! The shared options through the uniffi records, end to end against a real Centrifugo: transports,
//! Protobuf, delta, TLS roots, a proxy, a file position store, and bad values as typed errors.

mod common;

use std::time::Duration;

use ceaseless_ffi::{
    BackgroundGrace, CeaselessError, Client, ClientOptions, Event, Format, PositionStoreOption,
    SubscriptionOptions, Transport,
};
use ceaseless_tests::http_proxy::ForwardProxy;
use ceaseless_tests::{Centrifugo, ServerOptions};
use common::{Reader, Tokens, n};

/// Connects, subscribes to `channel`, publishes from the client and the server, and receives both.
async fn round_trip(server: &Centrifugo, options: ClientOptions, user: &str, channel: &str) -> String {
    let client = Client::new(server.ws_url(), options, Some(Tokens::new(user, None))).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    let transport = events
        .until(|e| if let Event::Connected { transport, .. } = e { Some(transport.clone()) } else { None })
        .await;
    let sub = client.clone().new_subscription(channel.into(), SubscriptionOptions::default(), None);
    let sub = sub.expect("subscription");
    let mut publications = Reader::new(sub.events());
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    client.publish_text(channel.into(), r#"{"n":1}"#.into()).await.expect("publish");
    server.api().publish(channel, serde_json::json!({"n": 2})).await.expect("server publish");
    assert_eq!(publications.publications(2).await.iter().map(n).collect::<Vec<_>>(), vec![1, 2]);
    client.shutdown().await;
    transport
}

#[tokio::test(flavor = "multi_thread")]
async fn http_streaming_alone_connects_and_receives() {
    let server = Centrifugo::start().await.expect("server");
    let options = ClientOptions { transports: vec![Transport::HttpStream], ..ClientOptions::default() };
    assert_eq!(round_trip(&server, options, "alice", "test:ffi-opt-http").await, "http_stream");
    let options = ClientOptions { transports: vec![Transport::Sse], ..ClientOptions::default() };
    assert_eq!(round_trip(&server, options, "alice", "test:ffi-opt-sse").await, "sse");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_duration_and_count_is_accepted() {
    let server = Centrifugo::start().await.expect("server");
    let options = ClientOptions {
        format: Some(Format::Protobuf),
        timeout_ms: Some(4_000),
        reconnect_delay_min_ms: Some(20),
        reconnect_delay_max_ms: Some(200),
        max_server_ping_delay_ms: Some(5_000),
        refresh_ahead_ms: Some(1_000),
        max_message_size: Some(1 << 20),
        offline_queue_limit: Some(10),
        offline_queue_timeout_ms: Some(1_000),
        suspend_after_ms: Some(60_000),
        background_grace: Some(BackgroundGrace::After { ms: 1_000 }),
        ..ClientOptions::default()
    };
    assert_eq!(round_trip(&server, options, "bob", "test:ffi-opt-all").await, "websocket");
}

#[tokio::test(flavor = "multi_thread")]
async fn delta_subscriptions_deliver_whole_publications() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), ClientOptions::default(), Some(Tokens::new("carol", None)))
        .expect("client");
    client.connect();
    let channel = "test:ffi-opt-delta".to_owned();
    let options = SubscriptionOptions {
        delta: Some(true),
        resubscribe_delay_min_ms: Some(50),
        resubscribe_delay_max_ms: Some(500),
        ..SubscriptionOptions::default()
    };
    let sub = client.clone().new_subscription(channel.clone(), options, None).expect("subscription");
    let mut events = Reader::new(sub.events());
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    let body = "x".repeat(400);
    for i in 1..=3 {
        let data = serde_json::json!({"body": body, "n": i});
        server.api().publish(&channel, data).await.expect("publish");
    }
    let received = events.publications(3).await;
    assert_eq!(received.iter().map(n).collect::<Vec<_>>(), vec![1, 2, 3]);
    for publication in &received {
        let value: serde_json::Value = serde_json::from_slice(&publication.data).expect("whole JSON");
        assert_eq!(value["body"].as_str(), Some(body.as_str()));
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_roots_and_a_proxy_are_used() {
    let server = Centrifugo::start_with(ServerOptions::new().tls()).await.expect("TLS server");
    let ca = server.ca_pem().expect("a TLS server has a CA");
    let proxy = ForwardProxy::start("user", "secret").await.expect("proxy");
    let options = ClientOptions {
        tls_root_ca_pem: vec![ca],
        proxy: Some(proxy.url_with("user", "secret")),
        ..ClientOptions::default()
    };
    assert_eq!(round_trip(&server, options, "dave", "test:ffi-opt-tls").await, "websocket");
    assert!(proxy.tunnels() >= 1, "{:?}", proxy.targets());

    // Without the root, the certificate is refused and reported as a transport error.
    let client = Client::new(server.ws_url(), ClientOptions::default(), Some(Tokens::new("dave", None)))
        .expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    let error =
        events.until(|e| if let Event::Error { error } = e { Some(error.clone()) } else { None }).await;
    assert!(matches!(error, CeaselessError::Transport { temporary: true, .. }), "{error:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_values_are_typed_errors() {
    let url = "ws://127.0.0.1:9/connection/websocket".to_owned();
    let pem = ClientOptions { tls_root_ca_pem: vec!["not a certificate".into()], ..ClientOptions::default() };
    let error = Client::new(url.clone(), pem, None).expect_err("bad PEM");
    assert!(matches!(error, CeaselessError::Config { temporary: false, .. }), "{error:?}");

    let proxy = ClientOptions { proxy: Some("socks5://127.0.0.1:1080".into()), ..ClientOptions::default() };
    let error = Client::new(url.clone(), proxy, None).expect_err("bad proxy");
    assert!(matches!(error, CeaselessError::InvalidUrl { .. }), "{error:?}");
    let proxy = ClientOptions {
        proxy: Some("http://user:hunter2@127.0.0.1:3128/path".into()),
        ..ClientOptions::default()
    };
    let error = Client::new(url.clone(), proxy, None).expect_err("a proxy URL with a path");
    assert!(matches!(error, CeaselessError::InvalidUrl { .. }), "{error:?}");
    assert!(!format!("{error:?}").contains("hunter2"), "the proxy password leaked: {error:?}");

    let data = ClientOptions { data: Some(b"not json".to_vec()), ..ClientOptions::default() };
    let error = Client::new(url.clone(), data, None).expect_err("bad data");
    assert!(matches!(error, CeaselessError::InvalidPayload { .. }), "{error:?}");

    let client = Client::new(url, ClientOptions::default(), None).expect("client");
    let data = SubscriptionOptions { data: Some(b"{".to_vec()), ..SubscriptionOptions::default() };
    let error = client.clone().new_subscription("test:x".into(), data, None).expect_err("bad data");
    assert!(matches!(error, CeaselessError::InvalidPayload { .. }), "{error:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_position_store_carries_positions_to_a_new_client() {
    let server = Centrifugo::start().await.expect("server");
    let dir = std::env::temp_dir().join(format!("ceaseless-ffi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("positions.json").to_string_lossy().into_owned();
    let options = || ClientOptions {
        position_store: Some(PositionStoreOption::File { path: path.clone() }),
        ..ClientOptions::default()
    };
    let recoverable = || SubscriptionOptions {
        positioned: Some(true),
        recoverable: Some(true),
        ..SubscriptionOptions::default()
    };
    let channel = "test:ffi-opt-file";
    {
        let first = Client::new(server.ws_url(), options(), Some(Tokens::new("erin", None))).expect("client");
        let sub = first.clone().new_subscription(channel.into(), recoverable(), None).expect("sub");
        let mut events = Reader::new(sub.events());
        first.connect();
        sub.subscribe();
        sub.ready().await.expect("subscribed");
        server.api().publish(channel, serde_json::json!({"n": 1})).await.expect("publish");
        assert_eq!(n(&events.publications(1).await[0]), 1);
        first.shutdown().await;
    }
    for i in 2..=3 {
        server.api().publish(channel, serde_json::json!({"n": i})).await.expect("publish");
    }
    let second = Client::new(server.ws_url(), options(), Some(Tokens::new("erin", None))).expect("client");
    let sub = second.clone().new_subscription(channel.into(), recoverable(), None).expect("sub");
    let mut events = Reader::new(sub.events());
    second.connect();
    sub.subscribe();
    assert_eq!(events.publications(2).await.iter().map(n).collect::<Vec<_>>(), vec![2, 3]);
    let extra = events.drain(Duration::from_millis(300)).await;
    assert!(!extra.iter().any(|e| matches!(e, Event::Publication { .. })), "duplicates: {extra:?}");
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn debug_output_never_shows_secrets() {
    let options = ClientOptions {
        token: Some("token-secret".to_owned()),
        headers: [("Authorization".to_owned(), "Bearer header-secret".to_owned())].into_iter().collect(),
        proxy: Some("http://user:proxy-secret@127.0.0.1:3128".to_owned()),
        ..ClientOptions::default()
    };
    let text = format!("{options:?}");
    for secret in ["token-secret", "header-secret", "proxy-secret"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("Authorization"), "header names stay visible: {text}");
    let sub = SubscriptionOptions { token: Some("sub-secret".to_owned()), ..SubscriptionOptions::default() };
    assert!(!format!("{sub:?}").contains("sub-secret"));
}
