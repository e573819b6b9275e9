//! [`Client`]: the app's handle to one connection and its subscriptions.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use ceaseless_proto::Duration;
use ceaseless_proto::event::WakeReport;
use ceaseless_proto::wire::{HistoryResult, PresenceResult, PresenceStatsResult, StreamPosition};
use ceaseless_proto::{
    ClientEvent, ClientState, Engine, Error, Payload, Request, Response, SubscriptionConfig,
};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::channel::oneshot;

use crate::builder::ClientBuilder;
use crate::driver::{self, Call, StateCell};
use crate::events::EventStream;
use crate::runtime::Runtime;
use crate::subscription::{Subscription, SubscriptionBuilder};
use crate::transport::FrameFormat;
pub use ceaseless_proto::engine::AppState;

/// Options for [`Client::history`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryOptions {
    /// 0: only the stream top; -1: everything the server allows; n: up to n publications.
    pub limit: i32,
    /// Only publications after (or, with `reverse`, before) this position.
    pub since: Option<StreamPosition>,
    /// Newest first.
    pub reverse: bool,
}

/// A Centrifugo client. Cheap to clone; every clone drives the same connection. The connection ends
/// when the last clone (and the last [`Subscription`]) is dropped, or on [`Client::close`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    calls: UnboundedSender<Call>,
    state: Arc<StateCell>,
    channels: Mutex<HashSet<String>>,
    format: FrameFormat,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("state", &self.state()).finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client for a `ws://` or `wss://` endpoint, e.g.
    /// `wss://example.com/connection/websocket`.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    pub(crate) fn start<R: Runtime>(
        builder: ClientBuilder,
        runtime: R,
        targets: Vec<driver::Target>,
    ) -> Client {
        let mut config = builder.config;
        config.endpoints = targets.first().map_or(1, |t| t.urls.len());
        let format = config.format;
        config.has_token_provider = builder.token_provider.is_some();
        let seed = builder.seed.unwrap_or_else(|| runtime.seed());
        let engine = Engine::new(config, seed, runtime.now());
        let state = Arc::new(StateCell::default());
        let (calls, calls_rx) = unbounded();
        let parts = driver::DriverParts {
            runtime: runtime.clone(),
            targets,
            positions: builder.positions,
            format,
            token_provider: builder.token_provider,
            subscription_token_provider: builder.subscription_token_provider,
            client_state: state.clone(),
        };
        runtime.spawn(Box::pin(driver::run(parts, engine, calls_rx)));
        // On wasm32 the providers behind the handles are JS-backed (!Send); there is only one thread there.
        #[cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
        let inner = Arc::new(Inner { calls, state, channels: Mutex::new(HashSet::new()), format });
        Client { inner }
    }

    pub(crate) fn call(&self, call: Call) {
        // The driver only stops after every handle is gone, so this cannot fail while `self` exists;
        // if it ever did, the waiting side sees its oneshot dropped and reports `Error::Closed`.
        let _ = self.inner.calls.unbounded_send(call);
    }

    /// Starts connecting; the client keeps reconnecting with backoff until [`Client::disconnect`] or a
    /// terminal error.
    pub fn connect(&self) {
        self.call(Call::Connect);
    }

    /// Waits until the client is connected.
    ///
    /// # Errors
    /// [`Error::Disconnected`] if it is (or becomes) disconnected first, [`Error::Closed`] if closed.
    pub async fn ready(&self) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        self.call(Call::WaitConnected(tx));
        rx.await.unwrap_or(Err(Error::Closed))
    }

    /// Disconnects and stays disconnected until [`Client::connect`]. Subscriptions resume (recovering
    /// what was missed) on the next connect.
    pub fn disconnect(&self) {
        self.call(Call::Disconnect);
    }

    /// Closes the client for good and waits until it has let go of the connection and every position
    /// handed to the [`crate::positions::PositionStore`] is saved and flushed. Every event stream ends
    /// after the `Closed` event; calls still waiting (`ready()`, requests not yet sent) fail with
    /// [`Error::Closed`], requests already sent with [`Error::OutcomeUnknown`].
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        self.call(Call::Close(tx));
        let _ = rx.await;
    }

    /// The current state.
    pub fn state(&self) -> ClientState {
        self.inner.state.client()
    }

    /// A stream of client events (state changes, errors, server-side subscriptions, messages) from now on.
    pub fn events(&self) -> EventStream<ClientEvent> {
        let (tx, rx) = unbounded();
        self.call(Call::ClientEvents(tx));
        EventStream::new(rx)
    }

    /// Tells the client whether the device has a network. When it comes back, the client reconnects at
    /// once instead of waiting out its backoff; while it is down, no attempts are made.
    pub fn network_changed(&self, available: bool) {
        self.call(Call::NetworkChanged(available));
    }

    /// Tells the client whether the app is in the foreground. In the background the client lets go of
    /// the connection after the configured grace period (see [`ClientBuilder::background_grace`]) and
    /// makes no attempts; back in the foreground it reconnects and every subscription recovers.
    pub fn set_app_state(&self, state: AppState) {
        self.call(Call::AppState(state));
    }

    /// For a push notification that woke the app: connects if needed (even in the background), recovers
    /// every subscription (missed publications arrive on their streams as usual), and returns once
    /// caught up or after `max`, with per-channel counts. Then the client returns to what the app state
    /// asks for: in the background it lets go of the connection again.
    pub async fn wake(&self, max: Duration) -> WakeReport {
        let (tx, rx) = oneshot::channel();
        self.call(Call::Wake(max, tx));
        rx.await.unwrap_or_default()
    }

    /// Replaces the emulated headers (see [`ClientBuilder::headers`]). They go out with the next connect;
    /// the live connection is kept.
    pub fn set_headers(&self, headers: std::collections::BTreeMap<String, String>) {
        self.call(Call::SetHeaders(headers));
    }

    /// Replaces the connection token for the next connect attempt.
    pub fn set_token(&self, token: impl Into<String>) {
        self.call(Call::SetToken(token.into()));
    }

    /// Starts building a subscription to `channel` (one per channel per client).
    pub fn new_subscription(&self, channel: &str) -> SubscriptionBuilder {
        SubscriptionBuilder::new(self.clone(), channel)
    }

    pub(crate) fn register_subscription(
        &self,
        channel: &str,
        config: SubscriptionConfig,
        provider: Option<Arc<dyn crate::token::SubscriptionTokenProvider>>,
        loader: Option<Arc<dyn crate::state::StateLoader>>,
    ) -> Result<Subscription, Error> {
        ceaseless_proto::engine::check_subscription(channel, &config, self.inner.format)?;
        if self.state() == ClientState::Closed {
            return Err(Error::Closed);
        }
        let mut channels = self.inner.channels.lock().map_err(|_| Error::Closed)?;
        if !channels.insert(channel.to_owned()) {
            return Err(Error::DuplicateSubscription(channel.to_owned()));
        }
        drop(channels);
        let state = Arc::new(StateCell::default());
        self.call(Call::NewSubscription {
            channel: channel.to_owned(),
            config: Box::new(config),
            provider,
            loader,
            state: state.clone(),
        });
        Ok(Subscription::new(self.clone(), channel, state))
    }

    pub(crate) fn forget_subscription(&self, channel: &str) {
        if let Ok(mut channels) = self.inner.channels.lock() {
            channels.remove(channel);
        }
        self.call(Call::RemoveSubscription(channel.to_owned()));
    }

    pub(crate) async fn request(&self, request: Request) -> Result<Response, Error> {
        let (tx, rx) = oneshot::channel();
        self.call(Call::Request(request, tx));
        rx.await.unwrap_or(Err(Error::Closed))
    }

    /// Publishes JSON `data` into `channel`. Waits for the connection (up to the timeout) if it is
    /// connecting.
    ///
    /// # Errors
    /// [`Error::Server`] if the server refuses, [`Error::OutcomeUnknown`] if the connection dropped before
    /// the reply (it is not resent), [`Error::Timeout`], [`Error::Disconnected`], and input errors
    /// ([`Error::InvalidChannel`], [`Error::MessageTooLarge`]).
    pub async fn publish(&self, channel: &str, data: Payload) -> Result<(), Error> {
        match self.request(Request::Publish { channel: channel.to_owned(), data }).await? {
            Response::Published => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Serializes `value` to JSON and publishes it. See [`Client::publish`].
    ///
    /// # Errors
    /// [`Error::InvalidPayload`] if `value` does not serialize, else as [`Client::publish`].
    pub async fn publish_json<T: serde::Serialize>(&self, channel: &str, value: &T) -> Result<(), Error> {
        let data = Payload::to_json(value).map_err(|e| Error::InvalidPayload(e.to_string()))?;
        self.publish(channel, data).await
    }

    /// Reads the history of `channel`.
    ///
    /// # Errors
    /// As [`Client::publish`]; the server answers 108 when the channel has no history and 112 when
    /// `since` is in another epoch.
    pub async fn history(&self, channel: &str, options: HistoryOptions) -> Result<HistoryResult, Error> {
        let HistoryOptions { limit, since, reverse } = options;
        match self.request(Request::History { channel: channel.to_owned(), limit, since, reverse }).await? {
            Response::History(h) => Ok(h),
            other => Err(unexpected(other)),
        }
    }

    /// Who is subscribed to `channel`.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn presence(&self, channel: &str) -> Result<PresenceResult, Error> {
        match self.request(Request::Presence { channel: channel.to_owned() }).await? {
            Response::Presence(p) => Ok(p),
            other => Err(unexpected(other)),
        }
    }

    /// How many clients and users are subscribed to `channel`.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn presence_stats(&self, channel: &str) -> Result<PresenceStatsResult, Error> {
        match self.request(Request::PresenceStats { channel: channel.to_owned() }).await? {
            Response::PresenceStats(p) => Ok(p),
            other => Err(unexpected(other)),
        }
    }

    /// Calls an RPC `method` (Centrifugo forwards it to the configured RPC proxy).
    ///
    /// # Errors
    /// As [`Client::publish`]; Centrifugo answers 108 without an RPC proxy.
    pub async fn rpc(&self, method: &str, data: Payload) -> Result<Option<Payload>, Error> {
        match self.request(Request::Rpc { method: method.to_owned(), data }).await? {
            Response::Rpc(data) => Ok(data),
            other => Err(unexpected(other)),
        }
    }

    /// Sends an async message (no reply). Centrifugo without a custom message handler answers it by
    /// closing the connection with code 3508; it is meant for servers built on the Centrifuge library.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn send(&self, data: Payload) -> Result<(), Error> {
        match self.request(Request::Send { data }).await? {
            Response::Sent => Ok(()),
            other => Err(unexpected(other)),
        }
    }
}

fn unexpected(response: Response) -> Error {
    Error::Protocol(format!("unexpected response {response:?}"))
}
