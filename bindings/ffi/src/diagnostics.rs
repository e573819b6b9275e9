//! [`DeliveryProbe`]: counts a subscription's publications inside Rust, without handing them to the
//! app, to tell how fast the Rust client alone delivers a stream. The benchmark runs one next to a
//! Kotlin collector on the same subscription, so both see the same publications in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ceaseless::SubscriptionEvent;
use futures::StreamExt;

use crate::error::CeaselessError;
use crate::subscription::Subscription;

/// What a [`DeliveryProbe`] saw.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeliveryMeasurement {
    /// Publications counted.
    pub count: u64,
    /// Nanoseconds from the first counted publication to the last.
    pub span_ns: u64,
}

/// Counts publications of one subscription from the moment it is created.
#[derive(uniffi::Object)]
pub struct DeliveryProbe {
    events: futures::lock::Mutex<ceaseless::EventStream<SubscriptionEvent>>,
}

impl std::fmt::Debug for DeliveryProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryProbe").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl DeliveryProbe {
    /// Starts counting `subscription`'s publications (from its creation when nothing has read its
    /// events yet, as [`Subscription::events`], otherwise from now on).
    #[uniffi::constructor]
    pub fn new(subscription: Arc<Subscription>) -> Arc<Self> {
        Arc::new(Self { events: futures::lock::Mutex::new(subscription.rust().events()) })
    }

    /// Waits until `count` publications were delivered or `timeout_ms` passed, and reports what it saw.
    ///
    /// # Errors
    /// `Internal` if the library's runtime is unavailable.
    pub async fn wait(
        self: Arc<Self>,
        count: u64,
        timeout_ms: u64,
    ) -> Result<DeliveryMeasurement, CeaselessError> {
        // Counted on the library's runtime, next to the client's driver: the Rust side alone.
        crate::runtime::run(async move {
            let mut events = self.events.lock().await;
            let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms);
            let mut seen = 0u64;
            let mut first = None;
            let mut last = Instant::now();
            while seen < count {
                match tokio::time::timeout_at(deadline, events.next()).await {
                    Ok(Some(SubscriptionEvent::Publication(_))) => {
                        last = Instant::now();
                        first.get_or_insert(last);
                        seen += 1;
                    }
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
            let span = first.map_or(0, |f| last.duration_since(f).as_nanos());
            DeliveryMeasurement { count: seen, span_ns: u64::try_from(span).unwrap_or(u64::MAX) }
        })
        .await
    }
}
