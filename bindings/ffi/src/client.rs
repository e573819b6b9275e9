//! [`Client`]: the app's handle to one connection, as a uniffi object.
//!
//! Thin by design: every method maps its arguments, calls `ceaseless::Client`, and maps the answer
//! back. Commands are `async` (Kotlin `suspend`, Swift `async throws`) and await the Rust client's
//! one-shot answer, so they need no runtime of their own; the driver runs on [`crate::runtime`].

use std::sync::Arc;

use ceaseless::Duration;
use ceaseless::transport::FrameFormat;
use ceaseless_bridge::options::payload;

use crate::callbacks::{ConnectionTokens, SubscriptionTokenProvider, SubscriptionTokens, TokenProvider};
use crate::error::CeaselessError;
use crate::events;
use crate::options::{ClientOptions, HistoryOptions, SubscriptionOptions};
use crate::stream::{EventListener, EventStream, ListenerHandle, spawn_listener};
use crate::subscription::Subscription;
use crate::types::{AppState, ClientState, HistoryResult, PresenceResult, PresenceStats};
use crate::wake::WakeReport;

/// A Centrifugo client. Starts disconnected: call [`Client::connect`].
///
/// Dropping the last reference (Kotlin `close()` / `use {}`, Swift deinit) together with every
/// [`Subscription`] ends the connection; [`Client::shutdown`] ends it explicitly and waits.
#[derive(Debug, uniffi::Object)]
pub struct Client {
    inner: ceaseless::Client,
    format: Option<FrameFormat>,
}

/// The name reported to the server when the app sets none.

#[uniffi::export]
impl Client {
    /// Creates a client for a `ws://` or `wss://` endpoint such as
    /// `wss://example.com/connection/websocket`.
    ///
    /// `token_provider` is asked for connection tokens (initially when `options.token` is not set, on
    /// expiry, and ahead of expiry to refresh in band). `options.positionStore` keeps subscription
    /// positions across client objects and app runs (default: in memory, for this client only).
    ///
    /// # Errors
    /// `InvalidUrl` for a bad URL, `Config` for bad settings (a certificate, a proxy URL, a file
    /// position store that cannot be opened), `InvalidPayload` for bad connect data.
    #[uniffi::constructor(default(token_provider = None, options))]
    pub fn new(
        url: String,
        options: ClientOptions,
        token_provider: Option<Arc<dyn TokenProvider>>,
    ) -> Result<Arc<Self>, CeaselessError> {
        let runtime = crate::runtime::handle()?;
        let options = ceaseless_bridge::ClientOptions::from(options);
        let format = options.format;
        let mut builder = options.builder_for(ceaseless_bridge::options::Binding::Mobile, &url)?;
        if let Some(provider) = token_provider {
            builder = builder.token_provider(ConnectionTokens(provider));
        }
        // The driver task is spawned on the library's runtime.
        let _entered = runtime.enter();
        let inner = builder.build()?;
        Ok(Arc::new(Self { inner, format }))
    }

    /// Starts connecting; the client keeps reconnecting with backoff until [`Client::disconnect`] or a
    /// terminal error.
    pub fn connect(&self) {
        self.inner.connect();
    }

    /// Disconnects and stays disconnected until [`Client::connect`]. Subscriptions resume, recovering
    /// what was missed, on the next connect.
    pub fn disconnect(&self) {
        self.inner.disconnect();
    }

    /// Shuts the client down for good and waits until it let go of the connection; every later call
    /// fails with `Closed`. Event streams and listeners of the client and its subscriptions end after
    /// their queued events (the last client event is `Closed`). (Not named `close`: uniffi's Kotlin
    /// objects already have a `close()` that frees the native handle.)
    pub async fn shutdown(&self) {
        self.inner.close().await;
    }

    /// Waits until connected.
    ///
    /// # Errors
    /// `Disconnected` if it is (or becomes) disconnected first; `Closed`.
    pub async fn ready(&self) -> Result<(), CeaselessError> {
        Ok(self.inner.ready().await?)
    }

    /// The current state.
    pub fn state(&self) -> ClientState {
        self.inner.state().into()
    }

    /// Replaces the connection token for the next connect attempt.
    pub fn set_token(&self, token: String) {
        self.inner.set_token(token);
    }

    /// Replaces the emulated headers (the whole set) for the next connect; the live connection keeps
    /// the ones it connected with.
    pub fn set_headers(&self, headers: std::collections::HashMap<String, String>) {
        self.inner.set_headers(headers.into_iter().collect());
    }

    /// Tells the client whether the app is in the foreground. In the background it lets go of the
    /// connection after the grace period and makes no attempts until foreground again (or [`Client::wake`]).
    pub fn set_app_state(&self, state: AppState) {
        self.inner.set_app_state(state.into());
    }

    /// Tells the client whether the device has a network: no attempts while it is down, an immediate
    /// reconnect when it comes back.
    pub fn network_changed(&self, available: bool) {
        self.inner.network_changed(available);
    }

    /// For a push notification that woke the app: connects if needed (even in the background),
    /// recovers every subscription (missed publications arrive on their streams and listeners as
    /// usual), and returns once caught up or after `max_duration_ms`, with per-channel counts. Then the
    /// client returns to what the app state asks for: in the background it lets go of the connection.
    /// `reason` is only logged (e.g. the push type).
    ///
    /// # Errors
    /// `Closed` if the client was shut down.
    pub async fn wake(&self, reason: String, max_duration_ms: u64) -> Result<WakeReport, CeaselessError> {
        if self.inner.state() == ceaseless::ClientState::Closed {
            return Err(ceaseless::Error::Closed.into());
        }
        tracing::info!(reason, max_duration_ms, "wake");
        let report = self.inner.wake(Duration::from_millis(max_duration_ms)).await;
        tracing::info!(reason, caught_up = report.caught_up, elapsed = ?report.elapsed, "wake finished");
        Ok(report.into())
    }

    /// Creates a subscription to `channel` (one per channel per client); call
    /// [`Subscription::subscribe`] on it. `token_provider` supplies tokens for channels that need them.
    ///
    /// # Errors
    /// `InvalidChannel`, `InvalidPayload` (bad data), `DuplicateSubscription` (a second subscription to
    /// the channel), `Closed`.
    #[uniffi::method(default(token_provider = None, options))]
    pub fn new_subscription(
        self: Arc<Self>,
        channel: String,
        options: SubscriptionOptions,
        token_provider: Option<Arc<dyn SubscriptionTokenProvider>>,
    ) -> Result<Arc<Subscription>, CeaselessError> {
        let options = ceaseless_bridge::SubscriptionOptions::from(options);
        let mut builder = options.apply(self.inner.new_subscription(&channel), self.format)?;
        if let Some(provider) = token_provider {
            builder = builder.token_provider(SubscriptionTokens(provider));
        }
        Ok(Subscription::new(builder.build()?, self.format))
    }

    /// Client-level events from now on (state changes, errors, messages, server-side subscriptions).
    /// Subscription events come from [`Subscription::events`].
    pub fn events(&self) -> Arc<EventStream> {
        EventStream::open(futures::StreamExt::filter_map(self.inner.events(), |e| {
            futures::future::ready(events::from_client(e))
        }))
    }

    /// Pushes client-level events to `listener` until the handle is cancelled or the client shuts down.
    ///
    /// # Errors
    /// `Internal` if no thread could be started for it.
    pub fn add_listener(
        &self,
        listener: Arc<dyn EventListener>,
    ) -> Result<Arc<ListenerHandle>, CeaselessError> {
        spawn_listener(self.events(), listener)
    }

    /// Publishes `data` (JSON text in JSON mode) into `channel`.
    ///
    /// # Errors
    /// `Server` if refused, `OutcomeUnknown` if the connection dropped before the reply, `Timeout`,
    /// `Disconnected`, `InvalidChannel`, `InvalidPayload`, `MessageTooLarge`.
    pub async fn publish(&self, channel: String, data: Vec<u8>) -> Result<(), CeaselessError> {
        Ok(self.inner.publish(&channel, payload(data, self.format)?).await?)
    }

    /// Publishes a string (JSON text in JSON mode). See [`Client::publish`].
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn publish_text(&self, channel: String, text: String) -> Result<(), CeaselessError> {
        self.publish(channel, text.into_bytes()).await
    }

    /// Reads `channel`'s history.
    ///
    /// # Errors
    /// As [`Client::publish`]; the server answers 108 without history and 112 for a `since` in another
    /// epoch.
    #[uniffi::method(default(options))]
    pub async fn history(
        &self,
        channel: String,
        options: HistoryOptions,
    ) -> Result<HistoryResult, CeaselessError> {
        Ok(self.inner.history(&channel, options.into()).await?.into())
    }

    /// Who is subscribed to `channel`.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn presence(&self, channel: String) -> Result<PresenceResult, CeaselessError> {
        Ok(self.inner.presence(&channel).await?.into())
    }

    /// How many connections and users are subscribed to `channel`.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn presence_stats(&self, channel: String) -> Result<PresenceStats, CeaselessError> {
        Ok(self.inner.presence_stats(&channel).await?.into())
    }

    /// Calls the server RPC `method` with `data`; returns its data, if any.
    ///
    /// # Errors
    /// As [`Client::publish`]; Centrifugo answers 108 without an RPC proxy.
    pub async fn rpc(&self, method: String, data: Vec<u8>) -> Result<Option<Vec<u8>>, CeaselessError> {
        let answer = self.inner.rpc(&method, payload(data, self.format)?).await?;
        Ok(answer.map(crate::types::bytes))
    }

    /// Sends an async message (no reply), for servers with a message handler.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn send(&self, data: Vec<u8>) -> Result<(), CeaselessError> {
        Ok(self.inner.send(payload(data, self.format)?).await?)
    }
}
