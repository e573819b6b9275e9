//! The raw classes exported to JS. `npm/index.js` wraps them into `Client` and `Subscription`; apps do
//! not use these directly.
//!
//! Every method is a thin forward to [`ceaseless::Client`] or [`ceaseless::Subscription`]. Options
//! arrive as one JSON string, call results leave as JSON strings (parsed in JS), events leave in
//! batches through the pump, and errors reject with plain `{kind, code, message, temporary}` objects
//! (from the shared error table, [`ceaseless_bridge::ErrorInfo`]) that the wrapper turns into the
//! `${kind}Error` classes. With the Protobuf format, data goes in as bytes (`publishBytes`, ...) and
//! results carrying data resolve with `[json, Uint8Array]` (see [`crate::encode`]).

use std::cell::Cell;
use std::future::Future;

use ceaseless::transport::FrameFormat;
use ceaseless::{Client, Duration, Error, HistoryOptions, Payload, StreamPosition, Subscription};
use ceaseless_bridge::{BatchStream, ErrorInfo, ErrorKind, names};
use futures::StreamExt;
use futures::future::LocalBoxFuture;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::encode::{self, Json};
use crate::options::{self, ClientOptions, SubscriptionOptions};
use crate::positions::JsPositionStore;
use crate::pump::{Pump, Tagged};
use crate::state::JsStateLoader;
use crate::tokens::{JsConnectionToken, JsSubscriptionToken};

/// An error as the plain `{kind, code, message, temporary}` object the wrapper expects.
pub fn error_value(error: &Error) -> JsValue {
    let info = ErrorInfo::from(error);
    let object = Object::new();
    let set = |key: &str, value: JsValue| drop(Reflect::set(&object, &JsValue::from_str(key), &value));
    set("kind", JsValue::from_str(info.kind.name()));
    set("code", JsValue::from(info.code));
    set("message", JsValue::from_str(&info.message));
    set("temporary", JsValue::from_bool(info.temporary));
    object.into()
}

/// The core's error of `kind` (`"Closed"`, `"Config"`, ...) as `{kind, code, message, temporary}`, for
/// errors the JS wrapper raises itself; an unknown kind (or `"Server"`) gives an `Internal` one.
#[wasm_bindgen(js_name = errorOf)]
pub fn error_of(kind: &str) -> JsValue {
    let error = ErrorKind::ALL.into_iter().find(|k| k.name() == kind).and_then(ErrorKind::sample);
    error_value(&error.unwrap_or_else(|| Error::Internal(format!("no JS-side error of kind {kind:?}"))))
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, JsValue> {
    serde_json::from_str(json).map_err(|e| error_value(&Error::Config(e.to_string())))
}

/// A result with data: JSON text, or `[text, bytes]` in binary mode.
fn with_data(json: Json) -> JsValue {
    match json.bytes {
        Some(bytes) => Array::of2(&JsValue::from_str(&json.text), &Uint8Array::from(bytes.as_slice())).into(),
        None => JsValue::from_str(&json.text),
    }
}

/// Runs `fut` as a Promise that rejects with an error object.
///
/// Boxed on purpose: one instantiation of the Promise machinery for every method keeps the wasm small.
fn promise(fut: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    to_promise(Box::pin(fut))
}

fn to_promise(fut: LocalBoxFuture<'static, Result<JsValue, Error>>) -> Promise {
    future_to_promise(async move { fut.await.map_err(|e| error_value(&e)) })
}

/// The raw client.
#[wasm_bindgen]
pub struct RawClient {
    client: Client,
    pump: Pump,
    format: Option<FrameFormat>,
    next_id: Cell<u32>,
}

impl RawClient {
    fn binary(&self) -> bool {
        self.format == Some(FrameFormat::Protobuf)
    }

    fn data(&self, data: Vec<u8>) -> Result<Payload, Error> {
        ceaseless_bridge::options::payload(data, self.format)
    }
}

#[wasm_bindgen]
impl RawClient {
    /// Builds a client from JSON options; `on_events` receives each JSON event batch.
    #[wasm_bindgen(constructor)]
    pub fn new(
        options: &str,
        get_token: Option<Function>,
        get_subscription_token: Option<Function>,
        on_events: Function,
    ) -> Result<RawClient, JsValue> {
        Self::create(options, get_token, get_subscription_token, on_events, None)
    }

    /// As the constructor, with the app's own position store (`{load, save, flush?}`).
    pub fn create(
        options: &str,
        get_token: Option<Function>,
        get_subscription_token: Option<Function>,
        on_events: Function,
        position_store: Option<Object>,
    ) -> Result<RawClient, JsValue> {
        let options: ClientOptions = parse(options)?;
        let format = options::format(&options).map_err(|e| error_value(&e))?;
        let store = position_store
            .map(JsPositionStore::new)
            .transpose()
            .map_err(|message| error_value(&Error::Config(message)))?;
        let client = options::build_client(
            options,
            get_token.map(JsConnectionToken),
            get_subscription_token.map(JsSubscriptionToken),
            store,
        )
        .map_err(|e| error_value(&e))?;
        let pump = Pump::start(on_events, format == Some(FrameFormat::Protobuf));
        pump.add(BatchStream::new(client.events().map(Tagged::Client)));
        Ok(RawClient { client, pump, format, next_id: Cell::new(1) })
    }

    /// Starts connecting.
    pub fn connect(&self) {
        self.client.connect();
    }

    /// Disconnects until the next `connect`.
    pub fn disconnect(&self) {
        self.client.disconnect();
    }

    /// Closes for good; resolves once the connection is let go.
    pub fn close(&self) -> Promise {
        let client = self.client.clone();
        promise(async move {
            client.close().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Resolves when connected.
    pub fn ready(&self) -> Promise {
        let client = self.client.clone();
        promise(async move { client.ready().await.map(|()| JsValue::UNDEFINED) })
    }

    /// `"disconnected"`, `"connecting"`, `"connected"` or `"closed"`.
    pub fn state(&self) -> String {
        names::client_state(self.client.state()).to_owned()
    }

    /// Replaces the token for the next connect attempt.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(&self, token: String) {
        self.client.set_token(token);
    }

    /// Replaces the emulated headers (a JSON object of strings) for the next connect.
    #[wasm_bindgen(js_name = setHeaders)]
    pub fn set_headers(&self, headers: &str) -> Result<(), JsValue> {
        self.client.set_headers(parse(headers)?);
        Ok(())
    }

    /// The network went away or came back.
    #[wasm_bindgen(js_name = networkChanged)]
    pub fn network_changed(&self, available: bool) {
        self.client.network_changed(available);
    }

    /// `"foreground"` or `"background"` (the page's visibility).
    #[wasm_bindgen(js_name = setAppState)]
    pub fn set_app_state(&self, state: &str) -> Result<(), JsValue> {
        self.client.set_app_state(names::app_state(state).map_err(|e| error_value(&e))?);
        Ok(())
    }

    /// Push wake for at most `max_ms`; resolves with the report as JSON text.
    pub fn wake(&self, max_ms: f64) -> Promise {
        let client = self.client.clone();
        let max = ceaseless_bridge::options::millis("maxMs", max_ms);
        promise(async move {
            let max: Duration = max?;
            Ok(JsValue::from_str(&encode::wake(&client.wake(max).await)))
        })
    }

    /// Publishes JSON text (or, with Protobuf, the text's bytes).
    pub fn publish(&self, channel: String, data: &str) -> Promise {
        self.publish_bytes(channel, data.as_bytes().to_vec())
    }

    /// Publishes bytes (checked as JSON with the JSON format).
    #[wasm_bindgen(js_name = publishBytes)]
    pub fn publish_bytes(&self, channel: String, data: Vec<u8>) -> Promise {
        let client = self.client.clone();
        let data = self.data(data);
        promise(async move { client.publish(&channel, data?).await.map(|()| JsValue::UNDEFINED) })
    }

    /// History as JSON text; `since_offset` with `since_epoch` starts after a position.
    pub fn history(
        &self,
        channel: String,
        limit: i32,
        since_offset: Option<f64>,
        since_epoch: Option<String>,
        reverse: bool,
    ) -> Promise {
        let client = self.client.clone();
        let binary = self.binary();
        let since = match (since_offset, since_epoch) {
            (Some(offset), Some(epoch)) => Some(StreamPosition { offset: offset as u64, epoch }),
            _ => None,
        };
        promise(async move {
            let result = client.history(&channel, HistoryOptions { limit, since, reverse }).await?;
            Ok(with_data(encode::history(&result, binary)))
        })
    }

    /// Presence as JSON text.
    pub fn presence(&self, channel: String) -> Promise {
        let client = self.client.clone();
        let binary = self.binary();
        promise(async move { Ok(with_data(encode::presence(&client.presence(&channel).await?, binary))) })
    }

    /// Presence counts as JSON text.
    #[wasm_bindgen(js_name = presenceStats)]
    pub fn presence_stats(&self, channel: String) -> Promise {
        let client = self.client.clone();
        promise(async move {
            Ok(JsValue::from_str(&encode::presence_stats(&client.presence_stats(&channel).await?)))
        })
    }

    /// An RPC call; resolves with the reply data as JSON text.
    pub fn rpc(&self, method: String, data: &str) -> Promise {
        self.rpc_bytes(method, data.as_bytes().to_vec())
    }

    /// An RPC call with bytes; resolves like `rpc`, or with `[json, bytes]` with Protobuf.
    #[wasm_bindgen(js_name = rpcBytes)]
    pub fn rpc_bytes(&self, method: String, data: Vec<u8>) -> Promise {
        let client = self.client.clone();
        let binary = self.binary();
        let data = self.data(data);
        promise(async move {
            let reply = client.rpc(&method, data?).await?;
            Ok(with_data(encode::payload(reply.as_ref(), binary)))
        })
    }

    /// An async message to the server.
    pub fn send(&self, data: &str) -> Promise {
        self.send_bytes(data.as_bytes().to_vec())
    }

    /// An async message of bytes.
    #[wasm_bindgen(js_name = sendBytes)]
    pub fn send_bytes(&self, data: Vec<u8>) -> Promise {
        let client = self.client.clone();
        let data = self.data(data);
        promise(async move { client.send(data?).await.map(|()| JsValue::UNDEFINED) })
    }

    /// Registers a subscription; its events arrive in the batches under its `id`.
    #[wasm_bindgen(js_name = newSubscription)]
    pub fn new_subscription(
        &self,
        channel: &str,
        options: &str,
        get_token: Option<Function>,
    ) -> Result<RawSubscription, JsValue> {
        self.subscription(channel, options, get_token, None)
    }

    /// As `newSubscription`, with a state loader `(channel) => Promise<{offset, epoch, state}>` (the
    /// state as JSON text, or a `Uint8Array` with Protobuf; see [`crate::state`]).
    pub fn subscription(
        &self,
        channel: &str,
        options: &str,
        get_token: Option<Function>,
        state_loader: Option<Function>,
    ) -> Result<RawSubscription, JsValue> {
        let options: SubscriptionOptions = parse(options)?;
        let builder = options::configure_subscription(
            self.client.new_subscription(channel),
            options,
            self.format,
            get_token.map(JsSubscriptionToken),
            state_loader.map(|f| JsStateLoader::new(f, self.format)),
        )
        .map_err(|e| error_value(&e))?;
        let sub = builder.build().map_err(|e| error_value(&e))?;
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.pump.add(BatchStream::new(sub.events().map(move |event| Tagged::Subscription(id, event))));
        Ok(RawSubscription { sub: Some(sub), id })
    }
}

/// The raw subscription.
#[wasm_bindgen]
pub struct RawSubscription {
    sub: Option<Subscription>,
    id: u32,
}

impl RawSubscription {
    fn sub(&self) -> Result<&Subscription, Error> {
        self.sub.as_ref().ok_or(Error::Unsubscribed)
    }
}

#[wasm_bindgen]
impl RawSubscription {
    /// The id its events carry in the batches.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Starts subscribing.
    pub fn subscribe(&self) {
        if let Ok(sub) = self.sub() {
            sub.subscribe();
        }
    }

    /// Stops (the position is kept for a later subscribe).
    pub fn unsubscribe(&self) {
        if let Ok(sub) = self.sub() {
            sub.unsubscribe();
        }
    }

    /// Unsubscribes and frees the channel name in the client.
    pub fn remove(&mut self) {
        if let Some(sub) = self.sub.take() {
            sub.remove();
        }
    }

    /// `"unsubscribed"`, `"subscribing"` or `"subscribed"`.
    pub fn state(&self) -> String {
        match self.sub() {
            Ok(sub) => names::subscription_state(sub.state()).to_owned(),
            Err(_) => names::subscription_state(ceaseless::SubscriptionState::Unsubscribed).to_owned(),
        }
    }

    /// Resolves when subscribed.
    pub fn ready(&self) -> Promise {
        let sub = self.sub().cloned();
        promise(async move { sub?.ready().await.map(|()| JsValue::UNDEFINED) })
    }

    /// The last delivered position as `{offset, epoch}` JSON text, or `null`.
    pub fn position(&self) -> Promise {
        let sub = self.sub().cloned();
        promise(async move {
            let position = sub?.position().await;
            Ok(JsValue::from_str(&match position {
                Some(p) => {
                    format!("{{\"offset\":{},\"epoch\":{}}}", p.offset, serde_json::Value::from(p.epoch))
                }
                None => "null".to_owned(),
            }))
        })
    }
}
