//! The browser fallbacks (HTTP-streaming, SSE), transport fallback, and the `localStorage` position
//! store, against a real Centrifugo in headless Chromium.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use ceaseless_wasm::api::RawClient;
use serde_json::{Value, json};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Connects with `endpoints`, subscribes, publishes twice (client and server API) and receives both;
/// checks that `transport` carried it.
async fn round_trip(endpoints: Value, transport: &str) -> (RawClient, Events) {
    let user = format!("wasm-transport-{}", unique());
    let channel = format!("test:transport-{}", unique());
    let options = json!({ "endpoints": endpoints, "token": token(&user, None).await });
    let (client, events) = client(options, None).await;
    let sub = client.new_subscription(&channel, "{}", None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    settle(client.publish(channel.clone(), r#"{"from":"client"}"#)).await.unwrap();
    api("publish", json!({ "channel": channel, "data": { "from": "api" } })).await;
    wait_until("both publications", 3000, || events.count(sub.id(), "publication") == 2).await;
    let from: Vec<Value> =
        events.of(sub.id(), "publication").iter().map(|p| p["data"]["from"].clone()).collect();
    assert_eq!(from, vec![json!("client"), json!("api")]);
    let history = settle(client.history(channel, -1, None, None, false)).await.unwrap();
    assert!(history.as_string().unwrap().contains("\"offset\":2"));
    assert_eq!(events.of(0, "connected")[0]["transport"], transport);
    (client, events)
}

#[wasm_bindgen_test]
async fn http_streaming_carries_the_whole_protocol() {
    let base = server().await["base"].as_str().unwrap().to_owned();
    let endpoints =
        json!([{ "transport": "http_stream", "endpoint": format!("{base}/connection/http_stream") }]);
    let (client, _) = round_trip(endpoints, "http_stream").await;
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn sse_carries_the_whole_protocol() {
    let base = server().await["base"].as_str().unwrap().to_owned();
    let endpoints = json!([{ "transport": "sse", "endpoint": format!("{base}/connection/sse") }]);
    let (client, _) = round_trip(endpoints, "sse").await;
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn falls_back_when_websocket_is_unreachable_and_sticks() {
    let base = server().await["base"].as_str().unwrap().to_owned();
    // Port 9 (discard) on loopback refuses connections: the WebSocket fails before opening.
    let endpoints = json!([
        { "transport": "websocket", "endpoint": "ws://127.0.0.1:9/connection/websocket" },
        { "transport": "http_stream", "endpoint": format!("{base}/connection/http_stream") },
    ]);
    let (client, events) = round_trip(endpoints, "http_stream").await;
    // A reconnect stays on HTTP-streaming instead of trying the dead WebSocket first.
    client.disconnect();
    client.connect();
    settle(client.ready()).await.unwrap();
    let connected = events.of(0, "connected");
    assert_eq!(connected.len(), 2);
    assert_eq!(connected[1]["transport"], "http_stream");
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_reloaded_page_resumes_from_local_storage() {
    let user = format!("wasm-positions-{}", unique());
    let channel = format!("test:positions-{}", unique());
    let prefix = format!("ceaseless-test-{}:", unique());
    let options = json!({ "token": token(&user, None).await, "positionStore": prefix });
    let publish = |n: u32| api("publish", json!({ "channel": channel, "data": { "n": n } }));

    let (first, events) = client(options.clone(), None).await;
    let sub = first.new_subscription(&channel, r#"{"recoverable":true}"#, None).unwrap();
    first.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    publish(1).await;
    publish(2).await;
    wait_until("the first two", 3000, || events.count(sub.id(), "publication") == 2).await;
    settle(first.close()).await.unwrap();
    drop(sub);
    drop(first);

    publish(3).await;
    publish(4).await;
    // The "reloaded page": a new client with the same store sees only what it missed.
    let (second, events) = client(options, None).await;
    let sub = second.new_subscription(&channel, r#"{"recoverable":true}"#, None).unwrap();
    second.connect();
    sub.subscribe();
    wait_until("the missed two", 3000, || events.count(sub.id(), "publication") == 2).await;
    sleep(200).await;
    let numbers: Vec<Value> =
        events.of(sub.id(), "publication").iter().map(|p| p["data"]["n"].clone()).collect();
    assert_eq!(numbers, vec![json!(3), json!(4)]);
    assert_eq!(events.of(sub.id(), "subscribed")[0]["recovered"], true);
    settle(second.close()).await.unwrap();
}
