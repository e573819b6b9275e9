//! [`Subscription`]: the app's handle to one channel.

use std::sync::Arc;

use ceaseless_proto::backoff::Backoff;
use ceaseless_proto::wire::{
    HistoryResult, PresenceResult, PresenceStatsResult, Publication, StreamPosition,
};
use ceaseless_proto::{
    Duration, Error, Payload, Request, Response, SubscriptionConfig, SubscriptionEvent, SubscriptionState,
};
use futures::channel::mpsc::unbounded;
use futures::channel::oneshot;
use futures::{Stream, StreamExt};

use crate::client::{Client, HistoryOptions};
use crate::driver::{Call, StateCell};
use crate::events::EventStream;
use crate::state::StateLoader;
use crate::token::SubscriptionTokenProvider;

/// A new stream of `channel`'s events from now on.
fn open_events(client: &Client, channel: &str) -> EventStream<SubscriptionEvent> {
    let (tx, rx) = unbounded();
    client.call(Call::SubscriptionEvents(channel.to_owned(), tx));
    EventStream::new(rx)
}

/// Builds a [`Subscription`]. Start with [`Client::new_subscription`].
#[must_use]
pub struct SubscriptionBuilder {
    client: Client,
    channel: String,
    config: SubscriptionConfig,
    provider: Option<Arc<dyn SubscriptionTokenProvider>>,
    loader: Option<Arc<dyn StateLoader>>,
}

impl std::fmt::Debug for SubscriptionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionBuilder")
            .field("channel", &self.channel)
            .field("config", &self.config)
            .finish()
    }
}

impl SubscriptionBuilder {
    pub(crate) fn new(client: Client, channel: &str) -> Self {
        Self {
            client,
            channel: channel.to_owned(),
            config: SubscriptionConfig::default(),
            provider: None,
            loader: None,
        }
    }

    /// The initial subscription token (for channels that require one).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = token.into();
        self
    }

    /// Asks `provider` for subscription tokens (overrides the client's default provider).
    pub fn token_provider(mut self, provider: impl SubscriptionTokenProvider) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// Custom data sent with every `subscribe`.
    pub fn data(mut self, data: Payload) -> Self {
        self.config.data = Some(data);
        self
    }

    /// Asks the server to track positions (needs the namespace's permission).
    pub fn positioned(mut self, on: bool) -> Self {
        self.config.positioned = on;
        self
    }

    /// Asks the server to enable recovery (needs the namespace's permission).
    pub fn recoverable(mut self, on: bool) -> Self {
        self.config.recoverable = on;
        self
    }

    /// Asks for join and leave events.
    pub fn join_leave(mut self, on: bool) -> Self {
        self.config.join_leave = on;
        self
    }

    /// Asks for fossil delta compression: the server may send publications as deltas against the
    /// previous one (the namespace must allow it). The app always receives whole payloads; a delta that
    /// does not apply cleanly triggers a resubscribe with recovery, never corrupt data.
    pub fn delta(mut self, on: bool) -> Self {
        self.config.delta = on;
        self
    }

    /// Only publications whose tags match `filter` are sent (the namespace must allow tags filters).
    /// Offsets then have gaps where publications were filtered out; that is not loss. Cannot be
    /// combined with [`SubscriptionBuilder::delta`]: [`SubscriptionBuilder::build`] refuses the
    /// combination, and any filter the server would refuse, with [`Error::InvalidTagsFilter`].
    pub fn tags_filter(mut self, filter: ceaseless_proto::TagsFilter) -> Self {
        self.config.tags_filter = Some(filter);
        self
    }

    /// The app owns this channel's state and loads it with `loader` (see [`crate::state`]): instead of
    /// hearing of a gap after a failed recovery, the app is asked for fresh state and the stream resumes
    /// from the position it returns, announced by [`SubscriptionEvent::StateLoaded`]. Turns on
    /// positioning and recovery for the subscription (the namespace must allow recovery).
    pub fn state_loader(mut self, loader: impl StateLoader) -> Self {
        self.loader = Some(Arc::new(loader));
        self
    }

    /// Starts from a known position: the first subscribe recovers everything after it.
    pub fn since(mut self, position: StreamPosition) -> Self {
        self.config.since = Some(position);
        self
    }

    /// Resubscribe backoff bounds (default 500 ms to 20 s, full jitter).
    pub fn resubscribe_delay(mut self, min: Duration, max: Duration) -> Self {
        self.config.resubscribe = Backoff::new(min, max);
        self
    }

    /// Registers the subscription (unsubscribed; call [`Subscription::subscribe`]).
    ///
    /// # Errors
    /// [`Error::InvalidChannel`] (empty or over 255 bytes), [`Error::InvalidPayload`] (`data` cannot be
    /// sent), [`Error::InvalidTagsFilter`], [`Error::DuplicateSubscription`], [`Error::Closed`].
    pub fn build(mut self) -> Result<Subscription, Error> {
        self.config.has_state_loader = self.loader.is_some();
        self.client.register_subscription(&self.channel, self.config, self.provider, self.loader)
    }
}

/// A subscription to one channel. Cheap to clone (clones share everything below).
///
/// Events are kept from the moment the subscription is created until the first
/// [`Subscription::events`] or [`Subscription::publications`] stream takes them over, so none is
/// missed whichever order the app subscribes, publishes and starts reading in. Later streams see
/// events from their own creation on. (Until that first stream exists the events are buffered: read
/// them, or drop the subscription, rather than leave them unread for the life of the client.)
#[derive(Clone)]
pub struct Subscription {
    client: Client,
    channel: Arc<str>,
    state: Arc<StateCell>,
    first: Arc<std::sync::Mutex<Option<EventStream<SubscriptionEvent>>>>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").field("channel", &self.channel).field("state", &self.state()).finish()
    }
}

impl Subscription {
    /// The handle of a subscription the driver has just been told about (by the previous call on
    /// the same queue, so the first stream sees every event from the start).
    pub(crate) fn new(client: Client, channel: &str, state: Arc<StateCell>) -> Self {
        let first = open_events(&client, channel);
        Self { client, channel: channel.into(), state, first: Arc::new(std::sync::Mutex::new(Some(first))) }
    }

    /// The channel.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// The current state.
    pub fn state(&self) -> SubscriptionState {
        self.state.subscription()
    }

    /// Starts subscribing; the subscription keeps resubscribing (recovering what was missed) across
    /// reconnects until [`Subscription::unsubscribe`] or a terminal error.
    pub fn subscribe(&self) {
        self.client.call(Call::Subscribe(self.channel.to_string()));
    }

    /// Waits until subscribed.
    ///
    /// # Errors
    /// [`Error::Unsubscribed`] if it is (or becomes) unsubscribed first; [`Error::Closed`].
    pub async fn ready(&self) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        self.client.call(Call::WaitSubscribed(self.channel.to_string(), tx));
        rx.await.unwrap_or(Err(Error::Closed))
    }

    /// Stops the subscription. Its position is kept: a later [`Subscription::subscribe`] recovers.
    pub fn unsubscribe(&self) {
        self.client.call(Call::Unsubscribe(self.channel.to_string()));
    }

    /// Unsubscribes and removes the subscription from the client, freeing the channel name.
    pub fn remove(self) {
        self.client.forget_subscription(&self.channel);
    }

    /// This subscription's events: the first stream asked for starts at the subscription's creation,
    /// any later one at its own.
    pub fn events(&self) -> EventStream<SubscriptionEvent> {
        let first = self.first.lock().ok().and_then(|mut first| first.take());
        first.unwrap_or_else(|| open_events(&self.client, &self.channel))
    }

    /// Only the publications, each once, in stream order (from the creation of the subscription when
    /// this is the first stream, as [`Subscription::events`]).
    pub fn publications(&self) -> impl Stream<Item = Publication> + Unpin + use<> {
        self.events()
            .filter_map(|event| async move {
                match event {
                    SubscriptionEvent::Publication(p) => Some(p),
                    _ => None,
                }
            })
            .boxed()
    }

    /// The position of the last publication delivered (or the stream top at subscribe), if known.
    pub async fn position(&self) -> Option<StreamPosition> {
        let (tx, rx) = oneshot::channel();
        self.client.call(Call::Position(self.channel.to_string(), tx));
        rx.await.ok().flatten()
    }

    /// Publishes into this channel. See [`Client::publish`]. When the server set a publish debounce for
    /// this subscription (`publish_debounce`), publishes inside its window are coalesced: only the newest
    /// is sent when the window ends, and such a call returns at once (fire-and-forget; a failure shows as
    /// an error event). The first publish of a window, and every publish without a debounce, waits for
    /// the server's answer.
    ///
    /// # Errors
    /// As [`Client::publish`].
    pub async fn publish(&self, data: Payload) -> Result<(), Error> {
        let request = Request::SubscriptionPublish { channel: self.channel.to_string(), data };
        match self.client.request(request).await? {
            Response::Published | Response::Debounced => Ok(()),
            other => Err(Error::Protocol(format!("unexpected response {other:?}"))),
        }
    }

    /// This channel's history. See [`Client::history`].
    ///
    /// # Errors
    /// As [`Client::history`].
    pub async fn history(&self, options: HistoryOptions) -> Result<HistoryResult, Error> {
        self.client.history(&self.channel, options).await
    }

    /// This channel's presence. See [`Client::presence`].
    ///
    /// # Errors
    /// As [`Client::presence`].
    pub async fn presence(&self) -> Result<PresenceResult, Error> {
        self.client.presence(&self.channel).await
    }

    /// This channel's presence counts. See [`Client::presence_stats`].
    ///
    /// # Errors
    /// As [`Client::presence_stats`].
    pub async fn presence_stats(&self) -> Result<PresenceStatsResult, Error> {
        self.client.presence_stats(&self.channel).await
    }
}
