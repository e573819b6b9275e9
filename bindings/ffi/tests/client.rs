//! Every exported `Client` function, against a real Centrifugo.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ceaseless_ffi::{
    CeaselessError, Client, ClientOptions, ClientState, Event, Format, HistoryOptions, SubscriptionOptions,
    Transport,
};
use ceaseless_tests::Centrifugo;
use common::{Collect, Reader, Tokens, eventually, n};

fn options() -> ClientOptions {
    ClientOptions {
        reconnect_delay_min_ms: Some(50),
        reconnect_delay_max_ms: Some(500),
        offline_queue_timeout_ms: Some(500),
        ..ClientOptions::default()
    }
}

fn sub_options() -> SubscriptionOptions {
    SubscriptionOptions { positioned: Some(true), recoverable: Some(true), ..SubscriptionOptions::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_ready_state_disconnect_shutdown() {
    let server = Centrifugo::start().await.expect("server");
    let tokens = Tokens::new("alice", None);
    let client = Client::new(server.ws_url(), options(), Some(tokens.clone())).expect("client");
    assert_eq!(client.state(), ClientState::Disconnected);
    let mut events = Reader::new(client.events());
    client.connect();
    client.ready().await.expect("ready");
    assert_eq!(client.state(), ClientState::Connected);
    assert_eq!(tokens.calls(), 1);
    let (id, transport) = events
        .until(|e| match e {
            Event::Connected { client, transport, .. } => Some((client.clone(), transport.clone())),
            _ => None,
        })
        .await;
    assert!(!id.is_empty());
    assert_eq!(transport, "websocket");

    client.disconnect();
    let code =
        events.until(|e| if let Event::Disconnected { code, .. } = e { Some(*code) } else { None }).await;
    assert_eq!(code, 0, "disconnect called");
    assert_eq!(client.state(), ClientState::Disconnected);
    assert!(matches!(client.ready().await, Err(CeaselessError::Disconnected { code: 3, .. })));

    client.shutdown().await;
    assert_eq!(client.state(), ClientState::Closed);
    assert!(matches!(client.ready().await, Err(CeaselessError::Closed { code: 4, .. })));
    assert!(matches!(client.wake("after shutdown".into(), 100).await, Err(CeaselessError::Closed { .. })));
}

#[tokio::test(flavor = "multi_thread")]
async fn initial_token_and_set_token() {
    let server = Centrifugo::start().await.expect("server");
    let mut with_token = options();
    with_token.token = Some(server.token("bob", None));
    with_token.name = Some("ffi-tests".into());
    with_token.version = Some("1.0".into());
    with_token.data = Some(br#"{"hello":"server"}"#.to_vec());
    let client = Client::new(server.ws_url(), with_token, None).expect("client");
    client.connect();
    client.ready().await.expect("connects with the initial token");

    // A token replaced while connected is used for the next connect.
    client.set_token(server.token_signed_with_wrong_key("bob"));
    client.disconnect();
    let mut events = Reader::new(client.events());
    client.connect();
    let code =
        events.until(|e| if let Event::Disconnected { code, .. } = e { Some(*code) } else { None }).await;
    assert!(code >= 3500, "a refused token is terminal, got {code}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_and_their_errors() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("carol", None))).expect("client");
    client.connect();
    let channel = "test:ffi-commands".to_owned();
    let sub = client.clone().new_subscription(channel.clone(), sub_options(), None).expect("subscription");
    sub.subscribe();
    sub.ready().await.expect("subscribed");

    client.publish(channel.clone(), br#"{"n":1}"#.to_vec()).await.expect("publish");
    client.publish_text(channel.clone(), r#"{"n":2}"#.into()).await.expect("publish_text");
    let history = client
        .history(channel.clone(), HistoryOptions { limit: 10, since: None, reverse: false })
        .await
        .expect("history");
    assert_eq!(history.publications.iter().map(n).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(history.offset, 2);
    assert_eq!(history.publications[0].info.as_ref().map(|i| i.user.as_str()), Some("carol"));
    let presence = client.presence(channel.clone()).await.expect("presence");
    assert_eq!(presence.clients.len(), 1);
    let stats = client.presence_stats(channel.clone()).await.expect("presence stats");
    assert_eq!((stats.num_clients, stats.num_users), (1, 1));

    let rpc = client.rpc("missing".into(), b"{}".to_vec()).await.expect_err("no RPC proxy");
    assert!(matches!(rpc, CeaselessError::Server { .. }), "{rpc:?}");
    assert!((100..2000).contains(&rpc.code()));
    let invalid = client.publish_text(channel.clone(), "not json".into()).await.expect_err("invalid JSON");
    assert!(matches!(invalid, CeaselessError::InvalidPayload { .. }), "{invalid:?}");
    let empty =
        client.clone().new_subscription(String::new(), sub_options(), None).expect_err("empty channel");
    assert!(matches!(empty, CeaselessError::InvalidChannel { .. }), "{empty:?}");
    let twice = client.clone().new_subscription(channel.clone(), sub_options(), None).expect_err("duplicate");
    assert!(matches!(twice, CeaselessError::DuplicateSubscription { .. }), "{twice:?}");
    let url = Client::new("http://example.com".into(), options(), None).expect_err("bad URL");
    assert!(matches!(url, CeaselessError::InvalidUrl { .. }), "{url:?}");

    // `send` has no reply: it succeeds once handed to the transport. Centrifugo without a message
    // handler answers by disconnecting with 3508; the app connects again.
    let mut events = Reader::new(client.events());
    client.send(br#"{"ping":1}"#.to_vec()).await.expect("send");
    let code =
        events.until(|e| if let Event::Disconnected { code, .. } = e { Some(*code) } else { None }).await;
    assert_eq!(code, 3508);
    client.connect();
    client.ready().await.expect("ready again");
    client.publish_text(channel.clone(), r#"{"n":3}"#.into()).await.expect("publish after reconnecting");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn listener_and_handle() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("dave", None))).expect("client");
    let listener = Arc::new(Collect::default());
    let handle = client.add_listener(listener.clone()).expect("listener");
    client.connect();
    eventually("Connected at the listener", || listener.count(|e| matches!(e, Event::Connected { .. })) == 1)
        .await;
    assert!(!handle.is_cancelled());
    handle.cancel();
    assert!(handle.is_cancelled());
    let seen = listener.count(|_| true);
    client.disconnect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(listener.count(|_| true), seen, "no events after cancel");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_side_subscriptions_are_mapped() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("erin", None))).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    client.ready().await.expect("ready");
    server.api().subscribe("erin", "test:ffi-server-side").await.expect("server-side subscribe");
    let channel = events
        .until(|e| match e {
            Event::ServerSubscribed { channel, .. } => Some(channel.clone()),
            _ => None,
        })
        .await;
    assert_eq!(channel, "test:ffi-server-side");
    server.api().publish("test:ffi-server-side", serde_json::json!({"n": 9})).await.expect("publish");
    let publication = events
        .until(|e| match e {
            Event::ServerPublication { publication, .. } => Some(publication.clone()),
            _ => None,
        })
        .await;
    assert_eq!(n(&publication), 9);
    client.shutdown().await;
    events.until(|e| matches!(e, Event::Closed).then_some(())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn protobuf_over_http_streaming_carries_binary_data() {
    let server = Centrifugo::start().await.expect("server");
    let mut binary = options();
    binary.format = Some(Format::Protobuf);
    binary.transports = vec![Transport::HttpStream, Transport::WebSocket];
    binary.fallback_urls = vec![server.ws_url()];
    binary.timeout_ms = Some(5_000);
    let client = Client::new(server.ws_url(), binary, Some(Tokens::new("frank", None))).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    let transport = events
        .until(|e| if let Event::Connected { transport, .. } = e { Some(transport.clone()) } else { None })
        .await;
    assert_eq!(transport, "http_stream");
    let channel = "test:ffi-binary".to_owned();
    let sub = client.clone().new_subscription(channel.clone(), sub_options(), None).expect("subscription");
    let mut publications = Reader::new(sub.events());
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    let data = vec![0u8, 1, 2, 255, 254];
    client.publish(channel, data.clone()).await.expect("binary publish");
    assert_eq!(publications.publications(1).await[0].data, data);
    client.shutdown().await;
}
