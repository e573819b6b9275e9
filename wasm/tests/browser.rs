//! The browser package against a real Centrifugo, in headless Chromium (`wasm/run-tests.sh`).
//!
//! Each test drives the exported `RawClient` exactly as the JS wrapper does: JSON options in, event
//! batches and JSON results out.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde_json::{Value, json};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn connects_with_a_token() {
    let user = format!("wasm-connect-{}", unique());
    let (client, events) = client(json!({ "token": token(&user, None).await }), None).await;
    assert_eq!(client.state(), "disconnected");
    client.connect();
    settle(client.ready()).await.unwrap();
    assert_eq!(client.state(), "connected");
    wait_until("the connected event", 2000, || events.count(0, "connected") == 1).await;
    assert!(!events.of(0, "connected")[0]["client"].as_str().unwrap().is_empty());
    settle(client.close()).await.unwrap();
    assert_eq!(client.state(), "closed");
}

#[wasm_bindgen_test]
async fn subscribes_publishes_and_reads_history_and_presence() {
    let user = format!("wasm-pubsub-{}", unique());
    let channel = format!("test:wasm-{}", unique());
    let (client, events) = client(json!({ "token": token(&user, None).await }), None).await;
    let sub = client.new_subscription(&channel, "{}", None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    assert_eq!(sub.state(), "subscribed");

    settle(client.publish(channel.clone(), r#"{"text":"hello"}"#)).await.unwrap();
    wait_until("the publication", 3000, || events.count(sub.id(), "publication") == 1).await;
    let publication = &events.of(sub.id(), "publication")[0];
    assert_eq!(publication["data"], json!({ "text": "hello" }));
    assert_eq!(publication["offset"], 1);
    assert_eq!(publication["info"]["user"], user.as_str());

    let history = settle(client.history(channel.clone(), -1, None, None, false)).await.unwrap();
    let history: Value = serde_json::from_str(&history.as_string().unwrap()).unwrap();
    assert_eq!(history["publications"][0]["data"]["text"], "hello");
    assert_eq!(history["offset"], 1);

    let presence = settle(client.presence(channel.clone())).await.unwrap();
    let presence: Value = serde_json::from_str(&presence.as_string().unwrap()).unwrap();
    let clients = presence["clients"].as_object().unwrap();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients.values().next().unwrap()["user"], user.as_str());

    let stats = settle(client.presence_stats(channel.clone())).await.unwrap();
    let stats: Value = serde_json::from_str(&stats.as_string().unwrap()).unwrap();
    assert_eq!(stats, json!({ "numClients": 1, "numUsers": 1 }));

    let bad = settle(client.publish(channel.clone(), "{not json")).await.unwrap_err();
    assert_eq!(code(&bad), 15, "invalid payload");
    assert_eq!(field(&bad, "kind"), "InvalidPayload");
    settle(client.close()).await.unwrap();
}

/// A string field of a rejection object.
fn field(error: &JsValue, name: &str) -> String {
    js_sys::Reflect::get(error, &name.into()).unwrap().as_string().unwrap_or_default()
}

/// A JS token function that fetches a token with a `ttl` from the relay and counts its calls.
fn token_function(user: String, ttl: u32, calls: Rc<Cell<u32>>) -> Function {
    let closure = Closure::<dyn FnMut() -> Promise>::new(move || {
        calls.set(calls.get() + 1);
        let user = user.clone();
        wasm_bindgen_futures::future_to_promise(async move { Ok(token(&user, Some(ttl)).await.into()) })
    });
    let function = closure.as_ref().unchecked_ref::<Function>().clone();
    closure.forget();
    function
}

#[wasm_bindgen_test]
async fn refreshes_the_token_in_band() {
    let calls = Rc::new(Cell::new(0));
    let getter = token_function(format!("wasm-refresh-{}", unique()), 3, calls.clone());
    let (client, events) = client(json!({}), Some(getter)).await;
    client.connect();
    settle(client.ready()).await.unwrap();
    assert_eq!(calls.get(), 1, "the first token is fetched for connect");
    // Tokens live 3 s; the server closes an expired connection 2 s after expiry. Outlive both twice.
    sleep(8000).await;
    assert!(calls.get() >= 3, "refreshed {} times", calls.get() - 1);
    assert_eq!(client.state(), "connected");
    assert_eq!(events.count(0, "connected"), 1, "never reconnected");
    assert_eq!(events.count(0, "connecting"), 1, "only the initial connect");
    assert_eq!(events.count(0, "disconnected"), 0);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_unauthorized_token_function_stops_the_client() {
    let closure = Closure::<dyn FnMut() -> Promise>::new(|| {
        let error = js_sys::Error::new("no session");
        error.set_name("UnauthorizedError");
        Promise::reject(&error)
    });
    let getter = closure.as_ref().unchecked_ref::<Function>().clone();
    closure.forget();
    let (client, events) = client(json!({}), Some(getter)).await;
    client.connect();
    wait_until("the disconnected event", 3000, || events.count(0, "disconnected") == 1).await;
    assert_eq!(client.state(), "disconnected");
    assert_eq!(events.count(0, "connected"), 0);
}

#[wasm_bindgen_test]
async fn recovers_everything_after_a_server_disconnect() {
    let user = format!("wasm-recover-{}", unique());
    let channel = format!("test:recover-{}", unique());
    let options = json!({
        "token": token(&user, None).await,
        "reconnectDelayMin": 600,
        "reconnectDelayMax": 1200,
    });
    let (client, events) = client(options, None).await;
    let sub = client.new_subscription(&channel, r#"{"recoverable":true}"#, None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    let publish = |n: u32| api("publish", json!({ "channel": channel, "data": { "n": n } }));
    for n in 0..3 {
        publish(n).await;
    }
    wait_until("the first publications", 3000, || events.count(sub.id(), "publication") == 3).await;

    api("disconnect", json!({ "user": user, "disconnect": { "code": 4000, "reason": "come back" } })).await;
    for n in 3..8 {
        publish(n).await;
    }
    wait_until("every publication", 8000, || events.count(sub.id(), "publication") == 8).await;
    sleep(300).await;

    let received = events.of(sub.id(), "publication");
    let offsets: Vec<u64> = received.iter().map(|p| p["offset"].as_u64().unwrap()).collect();
    let numbers: Vec<u64> = received.iter().map(|p| p["data"]["n"].as_u64().unwrap()).collect();
    assert_eq!(offsets, (1..=8).collect::<Vec<_>>(), "each once, in order");
    assert_eq!(numbers, (0..8).collect::<Vec<_>>());
    let connecting = events.of(0, "connecting");
    assert!(connecting.iter().any(|e| e["code"] == 4000), "{connecting:?}");
    let subscribed = events.of(sub.id(), "subscribed");
    assert_eq!(subscribed.len(), 2);
    assert_eq!(subscribed[1]["wasRecovering"], true);
    assert_eq!(subscribed[1]["recovered"], true);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn subscription_tokens_come_from_the_js_function() {
    let user = format!("wasm-secure-{}", unique());
    let channel = format!("secure:{}", unique());
    let asked = Rc::new(Cell::new(0));
    let getter = {
        let (user, asked) = (user.clone(), asked.clone());
        let closure = Closure::<dyn FnMut(String) -> Promise>::new(move |channel: String| {
            asked.set(asked.get() + 1);
            let url = format!("{RELAY}/token?user={user}&channel={}", js_sys::encode_uri_component(&channel));
            wasm_bindgen_futures::future_to_promise(async move { Ok(http(&url, None).await.into()) })
        });
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        closure.forget();
        function
    };
    let server = server().await;
    let options = json!({
        "endpoints": [{ "transport": "websocket", "endpoint": server["ws"] }],
        "token": token(&user, None).await,
    });
    let events = Events::default();
    let client =
        ceaseless_wasm::api::RawClient::new(&options.to_string(), None, Some(getter), events.sink()).unwrap();
    let sub = client.new_subscription(&channel, "{}", None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    assert_eq!(asked.get(), 1);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn follows_the_network_and_the_page_visibility() {
    let user = format!("wasm-lifecycle-{}", unique());
    let options = json!({ "token": token(&user, None).await, "backgroundGrace": 100 });
    let (client, events) = client(options, None).await;
    client.connect();
    settle(client.ready()).await.unwrap();

    client.network_changed(false);
    wait_until("offline: connecting without attempts", 2000, || client.state() == "connecting").await;
    sleep(300).await;
    assert_eq!(events.count(0, "connected"), 1, "no attempt while offline");
    client.network_changed(true);
    settle(client.ready()).await.unwrap();
    assert_eq!(events.count(0, "connected"), 2);

    client.set_app_state("background").unwrap();
    wait_until("hidden past the grace: let go", 2000, || client.state() == "disconnected").await;
    client.set_app_state("foreground").unwrap();
    settle(client.ready()).await.unwrap();
    assert_eq!(events.count(0, "connected"), 3);
    settle(client.close()).await.unwrap();
}
