//! Two ways to receive events: an [`EventStream`] the app pulls from (`next`, `nextBatch`; the
//! Kotlin `Flow` and Swift `AsyncSequence` wrappers sit on it), and an [`EventListener`] the library
//! pushes to, stopped through its [`ListenerHandle`].
//!
//! Both see every event from the moment they were opened, in order, with nothing dropped: the Rust
//! client's event streams are unbounded. `nextBatch` takes everything already queued (up to `max`)
//! in one call, so a busy channel crosses the boundary once per batch instead of once per event.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{AbortHandle, Abortable};
use futures::{FutureExt, Stream, StreamExt};

use crate::error::CeaselessError;
use crate::events::Event;

type Source = Abortable<Pin<Box<dyn Stream<Item = Event> + Send>>>;

/// The most events one `nextBatch` call returns when asked for 0.
const DEFAULT_BATCH: usize = 256;

/// A stream of events. Ends (`next` returns null / nil) when the client shuts down or is dropped, or
/// after [`EventStream::cancel`].
#[derive(uniffi::Object)]
pub struct EventStream {
    source: futures::lock::Mutex<Source>,
    abort: AbortHandle,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").field("cancelled", &self.abort.is_aborted()).finish()
    }
}

impl EventStream {
    pub(crate) fn new(source: impl Stream<Item = Event> + Send + 'static) -> Arc<Self> {
        let (source, abort) = futures::stream::abortable(source.boxed());
        Arc::new(Self { source: futures::lock::Mutex::new(source), abort })
    }

    /// Waits for one event, then takes whatever else is already queued, up to `max`.
    pub(crate) async fn batch(&self, max: usize) -> Vec<Event> {
        let mut source = self.source.lock().await;
        let Some(first) = source.next().await else { return Vec::new() };
        let mut events = Vec::with_capacity(max.min(64));
        events.push(first);
        while events.len() < max {
            match source.next().now_or_never() {
                Some(Some(event)) => events.push(event),
                _ => break,
            }
        }
        events
    }
}

#[uniffi::export]
impl EventStream {
    /// The next event, or null / nil once the stream has ended.
    pub async fn next(&self) -> Option<Event> {
        self.source.lock().await.next().await
    }

    /// Waits for at least one event and returns it together with every event already queued, at most
    /// `max` (0 means 256). An empty list means the stream has ended.
    pub async fn next_batch(&self, max: u32) -> Vec<Event> {
        let max = match usize::try_from(max) {
            Ok(0) | Err(_) => DEFAULT_BATCH,
            Ok(n) => n,
        };
        self.batch(max).await
    }

    /// Ends the stream: a waiting `next` returns null / nil, and so does every later call.
    pub fn cancel(&self) {
        self.abort.abort();
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
    abort: AbortHandle,
    cancelled: Arc<AtomicBool>,
}

#[uniffi::export]
impl ListenerHandle {
    /// Stops delivery. No event reaches the listener after this returns, except one already being
    /// delivered on the listener's thread.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.abort.abort();
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
    let handle = Arc::new(ListenerHandle { abort: stream.abort.clone(), cancelled: cancelled.clone() });
    std::thread::Builder::new()
        .name("ceaseless-listener".to_owned())
        .spawn(move || {
            loop {
                let events = futures::executor::block_on(stream.batch(DEFAULT_BATCH));
                if events.is_empty() {
                    break;
                }
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
