//! [`NativeSubscription`]: the Python-facing handle of one [`ceaseless::Subscription`].

use ceaseless::SubscriptionState;
use futures::StreamExt;
use pyo3::prelude::*;
use tokio::sync::watch;

use crate::awaitable::{awaitable, none};
use crate::events::Item;
use crate::stream::NativeStream;

/// The native subscription; `ceaseless.Subscription` wraps it.
#[pyclass(frozen, module = "ceaseless._ceaseless")]
pub struct NativeSubscription {
    subscription: ceaseless::Subscription,
    /// The client's "closed" signal, which ends this subscription's streams.
    closed: watch::Receiver<bool>,
}

impl NativeSubscription {
    pub(crate) fn new(subscription: ceaseless::Subscription, closed: watch::Receiver<bool>) -> Self {
        Self { subscription, closed }
    }
}

#[pymethods]
impl NativeSubscription {
    /// The channel.
    #[getter]
    fn channel(&self) -> &str {
        self.subscription.channel()
    }

    /// `"unsubscribed"`, `"subscribing"` or `"subscribed"`.
    #[getter]
    fn state(&self) -> &'static str {
        match self.subscription.state() {
            SubscriptionState::Unsubscribed => "unsubscribed",
            SubscriptionState::Subscribing => "subscribing",
            SubscriptionState::Subscribed => "subscribed",
        }
    }

    /// Starts subscribing (and resubscribing across reconnects).
    fn subscribe(&self) {
        self.subscription.subscribe();
    }

    /// Awaitable: resolves once subscribed.
    fn ready<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let subscription = self.subscription.clone();
        awaitable(py, async move { subscription.ready().await }, none)
    }

    /// Stops the subscription, keeping its position for a later `subscribe()`.
    fn unsubscribe(&self) {
        self.subscription.unsubscribe();
    }

    /// Unsubscribes and frees the channel name in the client.
    fn remove(&self) {
        self.subscription.clone().remove();
    }

    /// A stream of this subscription's events from now on.
    fn events(&self, py: Python<'_>) -> NativeStream {
        let channel = self.subscription.channel();
        NativeStream::start(py, self.subscription.events().map(Item::Sub), channel, self.closed.clone())
    }

    /// Awaitable: the last delivered position as `(offset, epoch)`, or `None`.
    fn position<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let subscription = self.subscription.clone();
        awaitable(py, async move { Ok(subscription.position().await) }, |py, position| match position {
            Some(p) => Ok((p.offset, p.epoch).into_pyobject(py)?.into_any()),
            None => Ok(py.None().into_bound(py)),
        })
    }
}
