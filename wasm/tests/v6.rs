//! Centrifugo v6 options in headless Chromium against the real server: a publication tags filter
//! (`tagsFilter`) live on the `tagged:` namespace and its refusals as `InvalidTagsFilter` errors, a
//! state loader whose answer arrives as `stateLoaded` before publications, and `headers` /
//! `setHeaders` accepted across a reconnect.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use ceaseless_wasm::api::RawClient;
use js_sys::{Function, Reflect};
use serde_json::json;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOOD_OR_BIG: &str =
    r#"{"op":"or","nodes":[{"key":"kind","cmp":"eq","val":"good"},{"key":"n","cmp":"gte","val":"6"}]}"#;

/// Waits for `client.ready()` to reject; the rejection and how long it took, printed under `what`.
async fn ready_error(client: &RawClient, what: &str) -> (JsValue, f64) {
    let started = js_sys::Date::now();
    let error = settle(client.ready()).await.expect_err(what);
    let took = js_sys::Date::now() - started;
    console_log!(
        "{what}: {} {} (code {}) after {took} ms",
        text(&error, "kind"),
        text(&error, "message"),
        code(&error)
    );
    (error, took)
}

fn text(value: &JsValue, name: &str) -> String {
    Reflect::get(value, &name.into()).unwrap().as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_tags_filter_delivers_only_matching_publications() {
    let user = format!("wasm-tf-{}", unique());
    let channel = format!("tagged:wasm-{}", unique());
    let (client, events) = client(json!({ "token": token(&user, None).await }), None).await;
    let options = format!(r#"{{"tagsFilter":{GOOD_OR_BIG}}}"#);
    let sub = client.new_subscription(&channel, &options, None).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    for n in 1..=7 {
        let kind = if n % 2 == 1 { "good" } else { "bad" };
        let tags = json!({ "kind": kind, "n": n.to_string() });
        api("publish", json!({ "channel": channel, "data": { "n": n }, "tags": tags })).await;
    }
    wait_until("5 matching publications", 3000, || events.count(sub.id(), "publication") >= 5).await;
    sleep(300).await;
    let got: Vec<_> = events.of(sub.id(), "publication").iter().map(|p| p["data"]["n"].clone()).collect();
    assert_eq!(got, vec![json!(1), json!(3), json!(5), json!(6), json!(7)], "kind=good or n>=6 only");
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn bad_tags_filters_are_refused_with_the_typed_kind() {
    let (client, _events) = client(json!({ "token": token("wasm-tf-bad", None).await }), None).await;
    let cases = [
        r#"{"tagsFilter":{"key":"kind","cmp":"in","vals":[]}}"#.to_owned(),
        r#"{"tagsFilter":{"op":"and","nodes":[]}}"#.to_owned(),
        r#"{"tagsFilter":[1,2]}"#.to_owned(),
        format!(r#"{{"tagsFilter":{GOOD_OR_BIG},"delta":true}}"#),
    ];
    for (i, options) in cases.iter().enumerate() {
        let Err(error) = client.new_subscription(&format!("tagged:wasm-bad-{i}"), options, None) else {
            panic!("{options} was accepted");
        };
        assert_eq!(text(&error, "kind"), "InvalidTagsFilter", "{options}");
        assert_eq!(code(&error), 23, "{options}");
    }
    // Nothing was registered: the names are still free.
    assert!(client.new_subscription("tagged:wasm-bad-0", "{}", None).is_ok());
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_state_loader_answer_arrives_as_state_loaded_before_publications() {
    let channel = format!("small:wasm-loader-{}", unique());
    for n in 1..=3 {
        api("publish", json!({ "channel": channel, "data": { "n": n } })).await;
    }
    let top = api("history", json!({ "channel": channel, "limit": 0 })).await;
    let (offset, epoch) = (top["offset"].as_u64().unwrap(), top["epoch"].as_str().unwrap().to_owned());
    // What the JS wrapper hands the raw client: the state already encoded as JSON text.
    let body = format!(
        "return Promise.resolve({{ offset: {offset}, epoch: {epoch:?}, state: '{{\"upto\":{offset}}}' }});"
    );
    let loader = Function::new_with_args("channel", &body);
    let (client, events) = client(json!({ "token": token("wasm-loader", None).await }), None).await;
    let sub = client.subscription(&channel, "{}", None, Some(loader)).unwrap();
    client.connect();
    sub.subscribe();
    settle(sub.ready()).await.unwrap();
    api("publish", json!({ "channel": channel, "data": { "n": 4 } })).await;
    wait_until("the publication after the state", 3000, || events.count(sub.id(), "publication") == 1).await;
    let loaded = events.of(sub.id(), "stateLoaded");
    assert_eq!(loaded.len(), 1, "one load on the first subscribe");
    assert_eq!(loaded[0]["state"], json!({ "upto": 3 }));
    assert_eq!(loaded[0]["position"], json!({ "offset": offset, "epoch": epoch }));
    assert_eq!(events.of(sub.id(), "publication")[0]["data"]["n"], 4, "only what follows the state");
    let order: Vec<_> = events
        .all(sub.id())
        .into_iter()
        .filter(|kind| kind == "stateLoaded" || kind == "publication")
        .collect();
    assert_eq!(order, ["stateLoaded", "publication"]);
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_throwing_state_loader_is_a_callback_error_and_retried() {
    let loader = Function::new_with_args("channel", "throw new Error('database down');");
    let (client, events) = client(json!({ "token": token("wasm-loader-bad", None).await }), None).await;
    let options = r#"{"resubscribeDelayMin":50,"resubscribeDelayMax":100}"#;
    let sub =
        client.subscription(&format!("small:wasm-broken-{}", unique()), options, None, Some(loader)).unwrap();
    client.connect();
    sub.subscribe();
    wait_until("two loader errors", 3000, || events.count(sub.id(), "error") >= 2).await;
    let error = &events.of(sub.id(), "error")[0]["error"];
    assert_eq!(error["kind"], "Callback");
    assert!(error["message"].as_str().unwrap().contains("database down"), "{error}");
    settle(client.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn headers_and_set_headers_are_accepted_across_a_reconnect() {
    let user = format!("wasm-headers-{}", unique());
    let options = json!({
        "token": token(&user, None).await,
        "headers": { "X-Tenant": "blue" },
        "reconnectDelayMin": 20,
        "reconnectDelayMax": 100,
    });
    let (client, events) = client(options, None).await;
    client.connect();
    settle(client.ready()).await.unwrap();
    client.set_headers(r#"{"X-Tenant":"green"}"#).unwrap();
    assert!(client.set_headers(r#"{"X-Tenant":1}"#).is_err(), "header values are strings");
    api("disconnect", json!({ "user": user, "disconnect": { "code": 4000, "reason": "test" } })).await;
    wait_until("the reconnect", 3000, || events.count(0, "connected") == 2).await;
    assert!(events.of(0, "connecting").iter().any(|c| c["code"] == 4000));
    settle(client.close()).await.unwrap();
}

/// First contact in the browser: an invalid token ends `ready()` at once with the server's code and
/// reason, not temporary; a refused subscribe carries the server's 103.
#[wasm_bindgen_test]
async fn ready_says_why_the_client_or_a_subscription_cannot_get_in() {
    let (refused, _events) = client(json!({ "token": "not-a-jwt", "timeout": 2000 }), None).await;
    refused.connect();
    let started = js_sys::Date::now();
    let error = settle(refused.ready()).await.expect_err("an invalid token is refused");
    assert_eq!(text(&error, "kind"), "Server");
    assert_eq!(code(&error), 3500);
    assert_eq!(Reflect::get(&error, &"temporary".into()).unwrap().as_bool(), Some(false));
    assert!(js_sys::Date::now() - started < 2000.0, "at once, not after the timeout");
    settle(refused.close()).await.unwrap();

    let user = format!("wasm-denied-{}", unique());
    let (client, _events) = client(json!({ "token": token(&user, None).await }), None).await;
    let sub = client.new_subscription(&format!("secure:wasm-denied-{}", unique()), "{}", None).unwrap();
    client.connect();
    sub.subscribe();
    let error = settle(sub.ready()).await.expect_err("no subscription token for secure:");
    assert_eq!((text(&error, "kind"), code(&error)), ("Server".to_owned(), 103));
    settle(client.close()).await.unwrap();
}

/// First contact in the browser, the causes a page cannot see: the browser reports a refused
/// connection, an HTTP 404 and a failed TLS handshake alike (a WebSocket closed before it opened, with
/// no reason), so each ends `ready()` after the timeout with that transport error, temporary, while the
/// client keeps trying. A token callback that throws ends it after the timeout too, as a `Token`
/// error carrying the callback's message. An expired token without a provider is `Unauthorized` at
/// once, with the server's 109.
#[wasm_bindgen_test]
async fn ready_ends_after_the_timeout_when_the_browser_hides_the_cause() {
    let server = server().await;
    let ws = server["ws"].as_str().unwrap().to_owned();
    let cases = [
        ("connection refused", server["refused"].as_str().unwrap().to_owned()),
        ("HTTP 404", ws.replace("/connection/websocket", "/no/such/path")),
        ("wss to a plain server", ws.replacen("ws://", "wss://", 1)),
    ];
    for (what, url) in cases {
        let endpoints = json!([{ "transport": "websocket", "endpoint": url }]);
        let (client, _events) =
            client(json!({ "endpoints": endpoints, "token": "t", "timeout": 2000 }), None).await;
        client.connect();
        let (error, took) = ready_error(&client, what).await;
        assert_eq!(text(&error, "kind"), "Transport", "{what}");
        assert_eq!(Reflect::get(&error, &"temporary".into()).unwrap().as_bool(), Some(true), "{what}");
        assert!((2000.0..4500.0).contains(&took), "{what}: after the timeout, took {took} ms");
        assert_eq!(client.state(), "connecting", "{what}: still trying");
        settle(client.close()).await.unwrap();
    }

    let failing = Function::new_no_args("return Promise.reject(new Error('token backend down'));");
    let (raising, _events) = client(json!({ "timeout": 2000, "reconnectDelayMin": 50 }), Some(failing)).await;
    raising.connect();
    let (error, took) = ready_error(&raising, "token provider raising").await;
    assert_eq!(text(&error, "kind"), "Token");
    assert!(text(&error, "message").contains("token backend down"), "the callback's message is carried");
    assert!((2000.0..4500.0).contains(&took), "after the timeout, took {took} ms");
    settle(raising.close()).await.unwrap();

    let expired = token(&format!("wasm-expired-{}", unique()), Some(1)).await;
    sleep(2100).await;
    let (client, _events) = client(json!({ "token": expired, "timeout": 2000 }), None).await;
    client.connect();
    let (error, took) = ready_error(&client, "expired token").await;
    assert_eq!((text(&error, "kind"), code(&error)), ("Unauthorized".to_owned(), 6));
    assert!(text(&error, "message").contains("109"), "the server's reason is carried");
    assert!(took < 2000.0, "at once");
    settle(client.close()).await.unwrap();
}
