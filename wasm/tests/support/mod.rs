//! Helpers for the browser tests: the relay (tokens, server API), event recording, waiting.
//!
//! The relay is started by `test/harness.mjs` together with Centrifugo; its URL is compiled in from
//! `CEASELESS_RELAY_URL`. Everything else (the server's URL, tokens) is asked from it at run time.

#![allow(dead_code, clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;

use ceaseless::proto::{Duration, Instant};
use ceaseless_wasm::api::RawClient;
use ceaseless_wasm::runtime::Sleep;
use js_sys::{Function, Object, Promise, Reflect};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The relay started by the harness.
pub const RELAY: &str = match option_env!("CEASELESS_RELAY_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:38471",
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch(url: &str, init: &Object) -> Promise;
}

/// A GET (no body) or POST to `url`; the response text.
pub async fn http(url: &str, body: Option<&str>) -> String {
    let init = Object::new();
    if let Some(body) = body {
        Reflect::set(&init, &"method".into(), &"POST".into()).unwrap();
        Reflect::set(&init, &"body".into(), &body.into()).unwrap();
    }
    let response: web_sys::Response = JsFuture::from(fetch(url, &init)).await.unwrap().dyn_into().unwrap();
    JsFuture::from(response.text().unwrap()).await.unwrap().as_string().unwrap()
}

/// `{ws, base}` of the server.
pub async fn server() -> Value {
    serde_json::from_str(&http(&format!("{RELAY}/config"), None).await).unwrap()
}

/// A connection token for `user`, expiring after `ttl` seconds if given.
pub async fn token(user: &str, ttl: Option<u32>) -> String {
    let ttl = ttl.map(|t| format!("&ttl={t}")).unwrap_or_default();
    http(&format!("{RELAY}/token?user={user}{ttl}"), None).await
}

/// Calls the server API through the relay; the reply's `result`.
pub async fn api(method: &str, params: Value) -> Value {
    let reply: Value =
        serde_json::from_str(&http(&format!("{RELAY}/api/{method}"), Some(&params.to_string())).await)
            .unwrap();
    assert!(reply.get("error").is_none(), "API {method} failed: {reply}");
    reply["result"].clone()
}

/// A unique suffix for names.
pub fn unique() -> String {
    format!("{:x}", (js_sys::Math::random() * 1e12) as u64)
}

/// Sleeps on the library's own timer.
pub async fn sleep(ms: u64) {
    Sleep::until(Instant::now() + Duration::from_millis(ms)).await;
}

/// Every event a client delivered, as `[target, kind, fields]`.
#[derive(Clone, Default)]
pub struct Events(Rc<RefCell<Vec<Value>>>);

impl Events {
    /// A JS function that records each batch.
    pub fn sink(&self) -> Function {
        let events = self.0.clone();
        let closure = Closure::<dyn FnMut(String)>::new(move |batch: String| {
            let batch: Vec<Value> = serde_json::from_str(&batch).expect("a batch is a JSON array");
            events.borrow_mut().extend(batch);
        });
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        closure.forget();
        function
    }

    /// The fields of every event of `kind` for `target` (0: the client).
    pub fn of(&self, target: u32, kind: &str) -> Vec<Value> {
        self.0.borrow().iter().filter(|e| e[0] == target && e[1] == kind).map(|e| e[2].clone()).collect()
    }

    /// The kinds of every event for `target`, in order.
    pub fn all(&self, target: u32) -> Vec<String> {
        let events = self.0.borrow();
        events
            .iter()
            .filter(|e| e[0] == target)
            .map(|e| e[1].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// How many events of `kind` for `target`.
    pub fn count(&self, target: u32, kind: &str) -> usize {
        self.of(target, kind).len()
    }
}

/// Waits (up to `ms`) until `done()` holds; panics with `what` otherwise.
pub async fn wait_until(what: &str, ms: u64, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_millis(ms);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(20).await;
    }
}

/// A client with `options` (merged over a WebSocket endpoint) and its recorded events.
pub async fn client(options: Value, get_token: Option<Function>) -> (RawClient, Events) {
    let server = server().await;
    let mut merged = json!({ "endpoints": [{ "transport": "websocket", "endpoint": server["ws"] }] });
    merged.as_object_mut().unwrap().extend(options.as_object().unwrap().clone());
    let events = Events::default();
    let client = RawClient::new(&merged.to_string(), get_token, None, events.sink()).unwrap();
    (client, events)
}

/// Awaits a raw Promise; `Ok` value or the rejection.
pub async fn settle(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

/// The `code` of a rejection object.
pub fn code(error: &JsValue) -> u32 {
    Reflect::get(error, &"code".into()).unwrap().as_f64().unwrap() as u32
}
