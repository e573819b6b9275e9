//! Input the client must refuse without panicking, and without harming the connection: bad endpoint
//! URLs; data that is not JSON (in a publish or RPC, as subscription data, as connect data); payloads
//! over the server's size limit (refused before sending; and when the client is told a larger limit,
//! the server's 1009 close stops it); channel names over 255 bytes; and a channel in a namespace the
//! server does not know (a server error, passed through as code 102).

mod common;

use std::time::Duration;

use bytes::Bytes;
use ceaseless::{Client, ClientEvent, ClientState, Error, HistoryOptions, Payload, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{
    STEP, assert_none_for, builder_for, connect, connected, is_connection_step, json, n_of, next_matching,
    publications, subscribed, unique, within,
};

/// A client for an address nothing listens on; it is never connected.
fn offline_client() -> Client {
    Client::builder("ws://127.0.0.1:9/connection/websocket").build().expect("client")
}

/// A JSON object of about `bytes` bytes.
fn big_json(bytes: usize) -> Payload {
    Payload::to_json(&serde_json::json!({ "blob": "x".repeat(bytes) })).expect("JSON")
}

/// Fails unless `client` is connected and a publish into `channel` still goes through.
async fn still_works(client: &Client, channel: &str) {
    assert_eq!(client.state(), ClientState::Connected);
    within(STEP, "a normal publish", client.publish(channel, json(r#"{"n":1}"#)))
        .await
        .expect("a normal publish still works");
}

#[test]
fn building_outside_a_runtime_is_a_config_error() {
    let result = Client::builder("ws://127.0.0.1:9/connection/websocket").build();
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
}

#[tokio::test]
async fn invalid_urls_are_refused() {
    for url in [
        "http://127.0.0.1:8000/connection/websocket",
        "https://example.com/connection/websocket",
        "ftp://example.com/",
        "not a url",
        "",
        "ws://",
        "ws://[::1/connection/websocket",
        "wss://exa mple.com/connection/websocket",
    ] {
        let result = Client::builder(url).build();
        assert!(matches!(result, Err(Error::InvalidUrl(_))), "{url:?}: {result:?}");
    }
}

#[tokio::test]
async fn non_json_payloads_are_refused() {
    init_tracing();
    assert!(Payload::from_json_str("not json").is_err());
    assert!(Payload::from_json_str(r#"{"a":1} {"b":2}"#).is_err(), "two values");
    assert!(Payload::from_json_bytes(vec![0xff, 0xfe]).is_err(), "not UTF-8");

    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:not-json");
    let (client, _client_events, _) = connected(&server, &unique("raw")).await;
    let (_sub, mut events) = subscribed(&client, &channel).await;
    // `from_raw` skips validation (it is meant for Protobuf data); the JSON client must still refuse.
    let raw = [
        Bytes::from_static(b"not json"),
        Bytes::from_static(b"{\"a\":1} {\"b\":2}"),
        Bytes::from_static(&[0xff, 0xfe]),
        Bytes::from_static(b"\"unterminated"),
    ];
    for bytes in raw {
        let payload = Payload::from_raw(bytes.clone());
        let published = client.publish(&channel, payload.clone()).await;
        assert!(matches!(published, Err(Error::InvalidPayload(_))), "{bytes:?}: {published:?}");
        let called = client.rpc("method", payload).await;
        assert!(matches!(called, Err(Error::InvalidPayload(_))), "{bytes:?}: {called:?}");
    }
    still_works(&client, &channel).await;
    let got = publications(&mut events, 1).await;
    assert_eq!(n_of(&got[0]), 1, "only the valid publication arrives");
    client.close().await;
}

/// Bytes that are not JSON, wrapped without validation.
fn not_json() -> Payload {
    Payload::from_raw(Bytes::from_static(b"not json"))
}

// `SubscriptionBuilder::data` with bytes that are not JSON (built with `from_raw`) must be refused, or
// fail alone: a subscribe that cannot be encoded once timed out and tore the whole connection down.
#[tokio::test]
async fn non_json_subscription_data_is_refused_without_harming_the_connection() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let builder = builder_for(&server, &unique("bad-sub-data")).timeout(Duration::from_secs(2));
    let (client, mut client_events, _) = connect(builder).await;
    let built = client.new_subscription(&unique("test:bad-data")).data(not_json()).build();
    match built {
        Err(Error::InvalidPayload(_)) => {}
        Err(other) => panic!("expected InvalidPayload, got {other:?}"),
        Ok(sub) => {
            // Accepting it is fine only if subscribing then fails alone, with an error.
            let mut events = sub.events();
            sub.subscribe();
            assert_none_for(&mut client_events, Duration::from_secs(3), is_connection_step).await;
            next_matching(&mut events, STEP, |e| {
                matches!(e, SubscriptionEvent::Error(Error::InvalidPayload(_)))
            })
            .await;
            assert_ne!(sub.state(), ceaseless::SubscriptionState::Subscribing, "it does not hang");
        }
    }
    still_works(&client, &unique("test:after-bad-data")).await;
    client.close().await;
}

// `ClientBuilder::data` that is not JSON must be refused: a `connect` that cannot be encoded once left
// the socket silent until the server closed it as stale (3502), hiding the real cause.
#[tokio::test]
async fn non_json_connect_data_is_refused() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let built = builder_for(&server, &unique("bad-connect-data")).data(not_json()).build();
    let client = match built {
        Err(Error::InvalidPayload(_)) => return,
        Err(other) => panic!("expected InvalidPayload, got {other:?}"),
        Ok(client) => client,
    };
    // Accepting it is fine only if connecting then reports the payload.
    let mut events = client.events();
    client.connect();
    let outcome = next_matching(&mut events, Duration::from_secs(8), |e| {
        matches!(e, ClientEvent::Error(_) | ClientEvent::Disconnected { .. } | ClientEvent::Connected { .. })
    })
    .await;
    assert!(
        matches!(outcome, ClientEvent::Error(Error::InvalidPayload(_))),
        "expected an InvalidPayload error, got {outcome:?}"
    );
    client.close().await;
}

#[tokio::test]
async fn an_oversized_publish_is_refused_and_the_connection_stays_up() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:too-large");
    let (client, mut client_events, _) = connected(&server, &unique("big")).await;
    let published = client.publish(&channel, big_json(70 * 1024)).await;
    match published {
        Err(Error::MessageTooLarge { size, limit }) => {
            assert_eq!(limit, 65_536);
            assert!(size > 70 * 1024, "size {size}");
        }
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    still_works(&client, &channel).await;
    assert_none_for(&mut client_events, Duration::from_millis(500), |e| {
        is_connection_step(e) || matches!(e, ClientEvent::Disconnected { .. })
    })
    .await;
    client.close().await;
}

#[tokio::test]
async fn the_server_enforces_its_limit_when_the_client_is_told_a_larger_one() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let builder = builder_for(&server, &unique("misconfigured")).max_message_size(1 << 20);
    let (client, mut client_events, _) = connect(builder).await;
    let published =
        within(STEP, "the oversized publish", client.publish("test:big", big_json(70 * 1024))).await;
    assert_eq!(published, Err(Error::OutcomeUnknown), "the server closed before replying");
    // The server closes with 1009; resending would fail the same way, so the client stops.
    let ended = next_matching(&mut client_events, STEP, |e| {
        is_connection_step(e) || matches!(e, ClientEvent::Disconnected { .. })
    })
    .await;
    assert!(
        matches!(
            ended,
            ClientEvent::Disconnected { code: ceaseless::codes::disconnected::MESSAGE_SIZE_LIMIT, .. }
        ),
        "{ended:?}"
    );
    assert_eq!(client.state(), ClientState::Disconnected);
    client.close().await;
}

#[tokio::test]
async fn channel_names_over_255_bytes_are_refused() {
    let client = offline_client();
    let longest = "c".repeat(255);
    let too_long = "c".repeat(256);
    // Multi-byte characters count in bytes: 128 × 2 bytes.
    let too_long_utf8 = "é".repeat(128);
    for channel in [too_long.as_str(), too_long_utf8.as_str(), ""] {
        let built = client.new_subscription(channel).build();
        assert!(matches!(built, Err(Error::InvalidChannel(_))), "{}: {built:?}", channel.len());
        let published = client.publish(channel, json("1")).await;
        assert!(matches!(published, Err(Error::InvalidChannel(_))), "{published:?}");
        let history = client.history(channel, HistoryOptions::default()).await;
        assert!(matches!(history, Err(Error::InvalidChannel(_))), "{history:?}");
        let presence = client.presence(channel).await;
        assert!(matches!(presence, Err(Error::InvalidChannel(_))), "{presence:?}");
    }
    client.new_subscription(&longest).build().expect("255 bytes is allowed");
    // Not connected, so a valid call fails for that reason instead.
    assert_eq!(client.publish(&longest, json("1")).await, Err(Error::Disconnected));
    client.close().await;
}

#[tokio::test]
async fn an_unknown_namespace_is_server_error_102() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (client, _client_events, _) = connected(&server, &unique("lost")).await;
    let channel = "nope:x";
    let published = within(STEP, "publish", client.publish(channel, json("1"))).await;
    assert!(matches!(published, Err(Error::Server { code: 102, .. })), "{published:?}");
    let presence = within(STEP, "presence", client.presence(channel)).await;
    assert!(matches!(presence, Err(Error::Server { code: 102, .. })), "{presence:?}");

    let sub = client.new_subscription(channel).build().expect("valid name");
    let mut events = sub.events();
    sub.subscribe();
    let ended = next_matching(&mut events, STEP, |e| {
        matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Unsubscribed { .. })
    })
    .await;
    assert!(matches!(ended, SubscriptionEvent::Unsubscribed { code: 102, .. }), "{ended:?}");
    still_works(&client, &unique("test:after-102")).await;
    client.close().await;
}
