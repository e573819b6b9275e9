//! The client and subscription options of the shared option table, end to end in headless Chromium
//! against a real Centrifugo: transports derived from the client URL, Protobuf, delta compression,
//! backoff bounds, the lifecycle calls, the app's own position store and errors typed by kind.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use ceaseless::proto::{Duration, Instant};
use ceaseless_wasm::api::RawClient;
use js_sys::{Function, Object, Reflect, Uint8Array};
use serde_json::{Value, json};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Events with their data resolved: in binary batches each `data` range becomes `bytes` (numbers).
#[derive(Clone, Default)]
struct Binary(Rc<RefCell<Vec<Value>>>);

impl Binary {
    fn sink(&self) -> Function {
        let events = self.0.clone();
        let closure = Closure::<dyn FnMut(String, JsValue)>::new(move |batch: String, buffer: JsValue| {
            let buffer = buffer.dyn_into::<Uint8Array>().map(|b| b.to_vec()).ok();
            let batch: Vec<Value> = serde_json::from_str(&batch).unwrap();
            for mut event in batch {
                if let (Some(buffer), Some(range)) = (&buffer, event[2]["data"].as_array().cloned()) {
                    let (start, end) =
                        (range[0].as_u64().unwrap() as usize, range[1].as_u64().unwrap() as usize);
                    event[2]["bytes"] = json!(buffer[start..end]);
                }
                events.borrow_mut().push(event);
            }
        });
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        closure.forget();
        function
    }

    fn of(&self, target: u32, kind: &str) -> Vec<Value> {
        self.0.borrow().iter().filter(|e| e[0] == target && e[1] == kind).map(|e| e[2].clone()).collect()
    }
}

/// A client made from `options` exactly as given (no endpoint list added).
async fn raw(mut options: Value, store: Option<Object>) -> (RawClient, Binary) {
    let user = format!("wasm-options-{}", unique());
    options["token"] = json!(token(&user, None).await);
    let events = Binary::default();
    let client = RawClient::create(&options.to_string(), None, None, events.sink(), store).unwrap();
    (client, events)
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

/// Subscribes to a fresh channel, publishes from the client and the API, and returns what arrived.
async fn round_trip(options: Value, transport: &str) {
    let channel = format!("test:derived-{}", unique());
    let (client, events) = raw(options, None).await;
    let sub = client.new_subscription(&channel, "{}", None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    settle(client.publish(channel.clone(), r#"{"from":"client"}"#)).await.unwrap();
    api("publish", json!({ "channel": channel, "data": { "from": "api" } })).await;
    wait_until("both publications", 4000, || events.of(sub.id(), "publication").len() == 2).await;
    let from: Vec<Value> =
        events.of(sub.id(), "publication").iter().map(|p| p["data"]["from"].clone()).collect();
    assert_eq!(from, vec![json!("client"), json!("api")]);
    assert_eq!(events.of(0, "connected")[0]["transport"], transport);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn http_streaming_urls_are_derived_from_the_client_url() {
    let ws = server().await["ws"].clone();
    round_trip(json!({ "url": ws, "transports": ["http_stream"] }), "http_stream").await;
}

#[wasm_bindgen_test]
async fn sse_urls_are_derived_from_the_client_url() {
    let ws = server().await["ws"].clone();
    round_trip(json!({ "url": ws, "transports": ["sse"] }), "sse").await;
}

#[wasm_bindgen_test]
async fn protobuf_carries_bytes_both_ways() {
    let ws = server().await["ws"].clone();
    let channel = format!("test:protobuf-{}", unique());
    let (client, events) = raw(json!({ "url": ws, "format": "protobuf" }), None).await;
    let sub = client.new_subscription(&channel, r#"{"recoverable":true}"#, None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    // Not UTF-8: only a binary frame carries this.
    let bytes = vec![0u8, 0xff, 0x80, b'h', b'i'];
    settle(client.publish_bytes(channel.clone(), bytes.clone())).await.unwrap();
    wait_until("the publication", 3000, || events.of(sub.id(), "publication").len() == 1).await;
    let publication = &events.of(sub.id(), "publication")[0];
    assert_eq!(publication["bytes"], json!(bytes));
    assert_eq!(publication["offset"], 1);
    assert_eq!(events.of(0, "connected")[0]["transport"], "websocket");

    let history = settle(client.history(channel, -1, None, None, false)).await.unwrap();
    let parts: js_sys::Array = history.dyn_into().unwrap();
    let text: Value = serde_json::from_str(&parts.get(0).as_string().unwrap()).unwrap();
    let buffer = parts.get(1).dyn_into::<Uint8Array>().unwrap().to_vec();
    let range = text["publications"][0]["data"].as_array().unwrap();
    let (start, end) = (range[0].as_u64().unwrap() as usize, range[1].as_u64().unwrap() as usize);
    assert_eq!(buffer[start..end], bytes[..]);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn delta_subscriptions_deliver_whole_payloads() {
    let ws = server().await["ws"].clone();
    let channel = format!("test:delta-{}", unique());
    let (client, events) = raw(json!({ "url": ws }), None).await;
    let sub = client.new_subscription(&channel, r#"{"delta":true}"#, None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    let long = "the same long text, so that the server sends fossil deltas ".repeat(8);
    let sent: Vec<Value> = (0..4).map(|n| json!({ "n": n, "text": long })).collect();
    for data in &sent {
        api("publish", json!({ "channel": channel, "data": data, "delta": true })).await;
    }
    wait_until("every publication", 4000, || events.of(sub.id(), "publication").len() == 4).await;
    let got: Vec<Value> = events.of(sub.id(), "publication").iter().map(|p| p["data"].clone()).collect();
    assert_eq!(got, sent);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn reconnects_no_sooner_than_reconnect_delay_min() {
    let ws = server().await["ws"].clone();
    let user = format!("wasm-backoff-{}", unique());
    let options = json!({ "url": ws, "reconnectDelayMin": 1500, "reconnectDelayMax": 1600 });
    let events = Binary::default();
    let mut options = options;
    options["token"] = json!(token(&user, None).await);
    let client = RawClient::new(&options.to_string(), None, None, events.sink()).unwrap();
    client.connect();
    settle(client.ready()).await.unwrap();
    api("disconnect", json!({ "user": user, "disconnect": { "code": 4000, "reason": "come back" } })).await;
    let cut = Instant::now();
    wait_until("the reconnect", 6000, || events.of(0, "connected").len() == 2).await;
    let waited = Instant::now() - cut;
    assert!(waited >= Duration::from_millis(1400), "reconnected after {waited:?}");
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn wake_catches_up_in_the_background_and_reports() {
    let ws = server().await["ws"].clone();
    let channel = format!("test:wake-{}", unique());
    let (client, events) = raw(json!({ "url": ws, "backgroundGrace": 0 }), None).await;
    let sub = client.new_subscription(&channel, r#"{"recoverable":true}"#, None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    client.set_app_state("background").unwrap();
    wait_until("let go in the background", 3000, || client.state() == "disconnected").await;
    for n in 0..2 {
        api("publish", json!({ "channel": channel, "data": { "n": n } })).await;
    }
    let report = settle(client.wake(5000.0)).await.unwrap();
    let report: Value = serde_json::from_str(&report.as_string().unwrap()).unwrap();
    assert_eq!(report["caughtUp"], true, "{report}");
    assert_eq!(report["publications"][&channel], 2, "{report}");
    assert!(report["elapsed"].as_u64().is_some());
    assert_eq!(events.of(sub.id(), "publication").len(), 2);
    wait_until("back to the background", 3000, || client.state() == "disconnected").await;
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_js_position_store_is_loaded_and_saved() {
    let ws = server().await["ws"].clone();
    let channel = format!("test:store-{}", unique());
    let calls: Rc<RefCell<Vec<(String, Value)>>> = Rc::default();
    let store = Object::new();
    let (loads, saves) = (calls.clone(), calls.clone());
    let load = Closure::<dyn FnMut(String) -> JsValue>::new(move |channel: String| {
        loads.borrow_mut().push(("load".to_owned(), json!(channel)));
        JsValue::NULL
    });
    let save = Closure::<dyn FnMut(String, JsValue)>::new(move |channel: String, position: JsValue| {
        let offset = field(&position, "offset").as_f64().unwrap();
        let epoch = field(&position, "epoch").as_string().unwrap();
        saves.borrow_mut().push(("save".to_owned(), json!([channel, offset, epoch])));
    });
    Reflect::set(&store, &"load".into(), load.as_ref()).unwrap();
    Reflect::set(&store, &"save".into(), save.as_ref()).unwrap();
    load.forget();
    save.forget();

    let (client, events) = raw(json!({ "url": ws }), Some(store)).await;
    let sub = client.new_subscription(&channel, r#"{"recoverable":true}"#, None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    assert!(calls.borrow().iter().any(|(what, arg)| what == "load" && arg == &json!(channel)));
    api("publish", json!({ "channel": channel, "data": { "n": 1 } })).await;
    wait_until("the publication", 3000, || events.of(sub.id(), "publication").len() == 1).await;
    let saved =
        || calls.borrow().iter().filter(|(what, _)| what == "save").map(|(_, a)| a.clone()).next_back();
    wait_until("the save", 3000, || saved().is_some_and(|s| s[1] == 1.0)).await;
    let saved = saved().unwrap();
    assert_eq!(saved[0], json!(channel));
    assert!(!saved[2].as_str().unwrap().is_empty(), "an epoch: {saved}");
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn errors_carry_their_kind() {
    let ws = server().await["ws"].clone();
    let old = RawClient::new(
        &json!({ "url": ws, "minReconnectDelay": 1 }).to_string(),
        None,
        None,
        Function::new_no_args(""),
    );
    let error = old.err().unwrap();
    assert_eq!(field(&error, "kind"), "Config");
    assert_eq!(field(&error, "code").as_f64(), Some(12.0));
    let bad = RawClient::new(
        &json!({ "url": ws, "transports": ["pigeon"] }).to_string(),
        None,
        None,
        Function::new_no_args(""),
    );
    assert_eq!(field(&bad.err().unwrap(), "kind"), "Config");

    let (client, _) = raw(json!({ "url": ws }), None).await;
    client.connect();
    let rpc = settle(client.rpc("missing".to_owned(), "{}")).await.unwrap_err();
    assert_eq!(field(&rpc, "kind"), "Server");
    assert_eq!(field(&rpc, "code").as_f64(), Some(108.0));
    let channel = format!("test:kinds-{}", unique());
    let _first = client.new_subscription(&channel, "{}", None).unwrap();
    let duplicate = client.new_subscription(&channel, "{}", None).err().unwrap();
    assert_eq!(field(&duplicate, "kind"), "DuplicateSubscription");
    assert_eq!(field(&ceaseless_wasm::api::error_of("Closed"), "kind"), "Closed");
    assert_eq!(field(&ceaseless_wasm::api::error_of("Closed"), "code").as_f64(), Some(4.0));
    settle(client.close()).await.unwrap();
}
