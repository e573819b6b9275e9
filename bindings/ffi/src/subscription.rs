//! [`Subscription`]: the app's handle to one channel, as a uniffi object.

use std::sync::Arc;

use ceaseless::transport::FrameFormat;
use ceaseless_bridge::options::payload;

use crate::error::CeaselessError;
use crate::events;
use crate::options::HistoryOptions;
use crate::stream::{EventListener, EventStream, ListenerHandle, spawn_listener};
use crate::types::{HistoryResult, PresenceResult, PresenceStats, StreamPosition, SubscriptionState};

/// A subscription to one channel, created with `Client.newSubscription`.
#[derive(Debug, uniffi::Object)]
pub struct Subscription {
    inner: ceaseless::Subscription,
    format: Option<FrameFormat>,
}

impl Subscription {
    pub(crate) fn new(inner: ceaseless::Subscription, format: Option<FrameFormat>) -> Arc<Self> {
        Arc::new(Self { inner, format })
    }

    pub(crate) fn rust(&self) -> &ceaseless::Subscription {
        &self.inner
    }
}

#[uniffi::export]
impl Subscription {
    /// The channel.
    pub fn channel(&self) -> String {
        self.inner.channel().to_owned()
    }

    /// The current state.
    pub fn state(&self) -> SubscriptionState {
        self.inner.state().into()
    }

    /// Starts subscribing; it keeps resubscribing (recovering what was missed) across reconnects until
    /// [`Subscription::unsubscribe`] or a terminal error. Open [`Subscription::events`] first to see
    /// everything.
    pub fn subscribe(&self) {
        self.inner.subscribe();
    }

    /// Stops the subscription; its position is kept, so a later subscribe recovers.
    pub fn unsubscribe(&self) {
        self.inner.unsubscribe();
    }

    /// Unsubscribes and removes the subscription from its client, freeing the channel name.
    pub fn remove(&self) {
        self.inner.clone().remove();
    }

    /// Waits until subscribed.
    ///
    /// # Errors
    /// `Unsubscribed` if it is (or becomes) unsubscribed first; `Closed`.
    pub async fn ready(&self) -> Result<(), CeaselessError> {
        Ok(self.inner.ready().await?)
    }

    /// Every event of this subscription: the first stream asked for starts at its creation (nothing
    /// published meanwhile is missed), later ones at their own.
    pub fn events(&self) -> Arc<EventStream> {
        let channel = self.channel();
        EventStream::open(futures::StreamExt::filter_map(self.inner.events(), move |e| {
            futures::future::ready(events::from_subscription(&channel, e))
        }))
    }

    /// Pushes this subscription's events to `listener` until the handle is cancelled or the client
    /// shuts down.
    ///
    /// # Errors
    /// `Internal` if no thread could be started for it.
    pub fn add_listener(
        &self,
        listener: Arc<dyn EventListener>,
    ) -> Result<Arc<ListenerHandle>, CeaselessError> {
        spawn_listener(self.events(), listener)
    }

    /// The position of the last publication delivered (or the stream top at subscribe), if known.
    pub async fn position(&self) -> Option<StreamPosition> {
        self.inner.position().await.map(Into::into)
    }

    /// Publishes `data` into this channel.
    ///
    /// # Errors
    /// As `Client.publish`.
    pub async fn publish(&self, data: Vec<u8>) -> Result<(), CeaselessError> {
        Ok(self.inner.publish(payload(data, self.format)?).await?)
    }

    /// Publishes a string into this channel.
    ///
    /// # Errors
    /// As `Client.publish`.
    pub async fn publish_text(&self, text: String) -> Result<(), CeaselessError> {
        self.publish(text.into_bytes()).await
    }

    /// This channel's history.
    ///
    /// # Errors
    /// As `Client.history`.
    #[uniffi::method(default(options))]
    pub async fn history(&self, options: HistoryOptions) -> Result<HistoryResult, CeaselessError> {
        Ok(self.inner.history(options.into()).await?.into())
    }

    /// Who is subscribed to this channel.
    ///
    /// # Errors
    /// As `Client.presence`.
    pub async fn presence(&self) -> Result<PresenceResult, CeaselessError> {
        Ok(self.inner.presence().await?.into())
    }

    /// How many connections and users are subscribed to this channel.
    ///
    /// # Errors
    /// As `Client.presenceStats`.
    pub async fn presence_stats(&self) -> Result<PresenceStats, CeaselessError> {
        Ok(self.inner.presence_stats().await?.into())
    }
}
