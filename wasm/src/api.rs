//! The raw classes exported to JS. `npm/index.js` wraps them into `Client` and `Subscription`; apps do
//! not use these directly.
//!
//! Every method is a thin forward to [`ceaseless::Client`] or [`ceaseless::Subscription`]. Options
//! arrive as one JSON string, call results leave as JSON strings (parsed in JS), events leave in
//! batches through the pump, and errors reject with plain `{code, message, temporary}` objects that
//! the wrapper turns into `CeaselessError`s.

use std::cell::Cell;
use std::future::Future;

use ceaseless::{
    AppState, Client, ClientState, Error, HistoryOptions, Payload, StreamPosition, Subscription,
    SubscriptionState,
};
use futures::StreamExt;
use futures::future::LocalBoxFuture;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::encode;
use crate::options::{self, ClientOptions, SubscriptionOptions};
use crate::pump::{Pump, Tagged};
use crate::tokens::{JsConnectionToken, JsSubscriptionToken};

/// An error as the plain object the wrapper expects.
pub fn error_value(error: &Error) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| drop(Reflect::set(&object, &JsValue::from_str(key), &value));
    set("code", JsValue::from(error.code()));
    set("message", JsValue::from_str(&error.to_string()));
    set("temporary", JsValue::from_bool(error.is_temporary()));
    object.into()
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, JsValue> {
    serde_json::from_str(json).map_err(|e| error_value(&Error::Config(e.to_string())))
}

fn payload(json: &str) -> Result<Payload, Error> {
    Payload::from_json_str(json).map_err(|e| Error::InvalidPayload(e.to_string()))
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
    next_id: Cell<u32>,
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
        let options: ClientOptions = parse(options)?;
        let client = options::build_client(
            &options,
            get_token.map(JsConnectionToken),
            get_subscription_token.map(JsSubscriptionToken),
        )
        .map_err(|e| error_value(&e))?;
        let pump = Pump::start(on_events);
        pump.add(client.events().map(Tagged::Client).boxed_local());
        Ok(RawClient { client, pump, next_id: Cell::new(1) })
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
        match self.client.state() {
            ClientState::Disconnected => "disconnected",
            ClientState::Connecting => "connecting",
            ClientState::Connected => "connected",
            ClientState::Closed => "closed",
        }
        .to_owned()
    }

    /// Replaces the token for the next connect attempt.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(&self, token: String) {
        self.client.set_token(token);
    }

    /// The page went online or offline.
    #[wasm_bindgen(js_name = networkChanged)]
    pub fn network_changed(&self, online: bool) {
        self.client.network_changed(online);
    }

    /// The page became visible or hidden.
    #[wasm_bindgen(js_name = setVisible)]
    pub fn set_visible(&self, visible: bool) {
        self.client.set_app_state(if visible { AppState::Foreground } else { AppState::Background });
    }

    /// Publishes JSON text.
    pub fn publish(&self, channel: String, data: &str) -> Promise {
        let client = self.client.clone();
        let data = payload(data);
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
        let since = match (since_offset, since_epoch) {
            (Some(offset), Some(epoch)) => Some(StreamPosition { offset: offset as u64, epoch }),
            _ => None,
        };
        promise(async move {
            let result = client.history(&channel, HistoryOptions { limit, since, reverse }).await?;
            Ok(JsValue::from_str(&encode::history(&result)))
        })
    }

    /// Presence as JSON text.
    pub fn presence(&self, channel: String) -> Promise {
        let client = self.client.clone();
        promise(async move { Ok(JsValue::from_str(&encode::presence(&client.presence(&channel).await?))) })
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
        let client = self.client.clone();
        let data = payload(data);
        promise(async move {
            let reply = client.rpc(&method, data?).await?;
            Ok(JsValue::from_str(&encode::payload(reply.as_ref())))
        })
    }

    /// An async message to the server.
    pub fn send(&self, data: &str) -> Promise {
        let client = self.client.clone();
        let data = payload(data);
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
        let options: SubscriptionOptions = parse(options)?;
        let builder = options::configure_subscription(
            self.client.new_subscription(channel),
            &options,
            get_token.map(JsSubscriptionToken),
        )
        .map_err(|e| error_value(&e))?;
        let sub = builder.build().map_err(|e| error_value(&e))?;
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.pump.add(sub.events().map(move |event| Tagged::Subscription(id, event)).boxed_local());
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
        match self.sub().map(Subscription::state) {
            Ok(SubscriptionState::Subscribing) => "subscribing",
            Ok(SubscriptionState::Subscribed) => "subscribed",
            _ => "unsubscribed",
        }
        .to_owned()
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
