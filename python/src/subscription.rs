//! [`NativeSubscription`]: the Python-facing handle of one [`ceaseless::Subscription`].

use futures::StreamExt;
use pyo3::prelude::*;

use crate::awaitable::{awaitable, none};
use crate::events::Item;
use crate::stream::NativeStream;

/// The native subscription; `ceaseless.Subscription` wraps it.
#[pyclass(frozen, module = "ceaseless._ceaseless")]
pub struct NativeSubscription {
    subscription: ceaseless::Subscription,
}

impl NativeSubscription {
    pub(crate) fn new(subscription: ceaseless::Subscription) -> Self {
        Self { subscription }
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
        ceaseless_bridge::names::subscription_state(self.subscription.state())
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

    /// A stream of this subscription's events, the first one from its creation (it ends after the
    /// client's `Closed`).
    fn events(&self, py: Python<'_>) -> NativeStream {
        let channel = self.subscription.channel();
        NativeStream::new(py, self.subscription.events().map(Item::Sub), channel)
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
