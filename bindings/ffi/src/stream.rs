//! Two ways to receive events: an [`EventStream`] the app pulls from (`next`, `nextBatch`; the
//! Kotlin `Flow` and Swift `AsyncSequence` wrappers sit on it), and an [`EventListener`] the library
//! pushes to, stopped through its [`ListenerHandle`].
//!
//! Both read through the shared layer's one batch drain (`ceaseless_bridge::BatchStream`), so they see
//! every event from the moment they were opened, in order, with nothing dropped, and `nextBatch` takes
//! everything already queued (up to `max`) in one call: a busy channel crosses the boundary once per
//! batch instead of once per event. Every stream ends after the client's `Closed` event (the core
//! guarantees it, also for streams opened after the client shut down).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ceaseless_bridge::BatchStream;
use futures::Stream;

use crate::error::CeaselessError;
use crate::events::Event;

/// The most events one `nextBatch` call returns when asked for 0.
const DEFAULT_BATCH: usize = 256;

/// A stream of events. Ends (`next` returns null / nil, `nextBatch` an empty list) after
/// [`EventStream::cancel`], and once the queued events are read after the client shut down (or when the
/// client and its subscriptions are all dropped). One reader at a time.
#[derive(Debug, uniffi::Object)]
pub struct EventStream {
    events: BatchStream<Event>,
}

impl EventStream {
    pub(crate) fn open(source: impl Stream<Item = Event> + Send + 'static) -> Arc<Self> {
        Arc::new(Self { events: BatchStream::new(source) })
    }
}

#[uniffi::export]
impl EventStream {
    /// The next event, or null / nil once the stream has ended.
    pub async fn next(&self) -> Option<Event> {
        self.events.next_batch(1).await.and_then(|batch| batch.into_iter().next())
    }

    /// Waits for at least one event and returns it together with every event already queued, at most
    /// `max` (0 means 256). An empty list means the stream has ended. Cancelling a waiting call (a
    /// cancelled coroutine or task) loses nothing: the events stay queued for the next call.
    pub async fn next_batch(&self, max: u32) -> Vec<Event> {
        let max = match usize::try_from(max) {
            Ok(0) | Err(_) => DEFAULT_BATCH,
            Ok(n) => n,
        };
        self.events.next_batch(max).await.unwrap_or_default()
    }

    /// Ends the stream at once: a waiting `next` returns null / nil, and so does every later call.
    pub fn cancel(&self) {
        self.events.cancel();
    }
}

/// Receives events pushed by the library. Implemented by the app.
///
/// Calls come one at a time, in order, on a thread of the library's own (one per listener), never on
/// the app's main thread: hop to it yourself if the UI needs the event. An exception thrown here is
/// logged and the next event is still delivered.
#[uniffi::export(foreign)]
pub trait EventListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: Event) -> Result<(), CeaselessError>;
}

/// Stops a listener added with `addListener`. Dropping the handle does not stop it: the listener
/// runs until [`ListenerHandle::cancel`] or until the client shuts down.
#[derive(Debug, uniffi::Object)]
pub struct ListenerHandle {
    stream: Arc<EventStream>,
    cancelled: Arc<AtomicBool>,
}

#[uniffi::export]
impl ListenerHandle {
    /// Stops delivery. No event reaches the listener after this returns, except one already being
    /// delivered on the listener's thread.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.stream.cancel();
    }

    /// Whether [`ListenerHandle::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// Delivers `stream` to `listener` on a dedicated thread, so a slow listener never holds up the
/// client's driver.
pub(crate) fn spawn_listener(
    stream: Arc<EventStream>,
    listener: Arc<dyn EventListener>,
) -> Result<Arc<ListenerHandle>, CeaselessError> {
    let cancelled = Arc::new(AtomicBool::new(false));
    let handle = Arc::new(ListenerHandle { stream: stream.clone(), cancelled: cancelled.clone() });
    std::thread::Builder::new()
        .name("ceaseless-listener".to_owned())
        .spawn(move || {
            while let Some(events) = futures::executor::block_on(stream.events.next_batch(DEFAULT_BATCH)) {
                for event in events {
                    if cancelled.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Err(error) = listener.on_event(event) {
                        tracing::warn!(%error, "an event listener threw; it keeps receiving events");
                    }
                }
            }
        })
        .map_err(|e| CeaselessError::internal(format!("cannot start a listener thread: {e}")))?;
    Ok(handle)
}
