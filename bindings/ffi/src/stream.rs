//! Two ways to receive events: an [`EventStream`] the app pulls from (`next`, `nextBatch`; the
//! Kotlin `Flow` and Swift `AsyncSequence` wrappers sit on it), and an [`EventListener`] the library
//! pushes to, stopped through its [`ListenerHandle`].
//!
//! Both see every event from the moment they were opened, in order, with nothing dropped: the Rust
//! client's event streams are unbounded. `nextBatch` takes everything already queued (up to `max`)
//! in one call, so a busy channel crosses the boundary once per batch instead of once per event.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;
use futures::{FutureExt, Stream, StreamExt};

use crate::error::CeaselessError;
use crate::events::Event;

type Source = Pin<Box<dyn Stream<Item = Event> + Send>>;

/// The most events one `nextBatch` call returns when asked for 0.
const DEFAULT_BATCH: usize = 256;

/// How a stream is stopped from outside its reader.
#[derive(Debug, Default)]
struct Control {
    /// Ends at once: queued events are dropped.
    cancelled: AtomicBool,
    /// Ends once nothing is queued (after the client shut down).
    ending: AtomicBool,
    /// The reader waiting for an event, woken by either.
    waker: AtomicWaker,
}

impl Control {
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.waker.wake();
    }

    fn end_after_queued(&self) {
        self.ending.store(true, Ordering::SeqCst);
        self.waker.wake();
    }

    /// The next event, `None` once ended.
    fn poll_event(&self, source: &mut Source, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.waker.register(cx.waker());
        if self.cancelled.load(Ordering::SeqCst) {
            return Poll::Ready(None);
        }
        match source.poll_next_unpin(cx) {
            Poll::Ready(event) => Poll::Ready(event),
            Poll::Pending if self.ending.load(Ordering::SeqCst) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A stream of events. Ends (`next` returns null / nil) after [`EventStream::cancel`], and once the
/// queued events are read after `Client.shutdown` (or when the client and its subscriptions are all
/// dropped).
#[derive(uniffi::Object)]
pub struct EventStream {
    source: futures::lock::Mutex<Source>,
    control: Arc<Control>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").field("control", &self.control).finish_non_exhaustive()
    }
}

impl EventStream {
    fn new(source: impl Stream<Item = Event> + Send + 'static) -> Arc<Self> {
        Arc::new(Self { source: futures::lock::Mutex::new(source.boxed()), control: Arc::default() })
    }

    /// Waits for one event, then takes whatever else is already queued, up to `max`.
    pub(crate) async fn batch(&self, max: usize) -> Vec<Event> {
        let mut source = self.source.lock().await;
        let control = &self.control;
        let Some(first) = futures::future::poll_fn(|cx| control.poll_event(&mut source, cx)).await else {
            return Vec::new();
        };
        let mut events = Vec::with_capacity(max.min(64));
        events.push(first);
        while events.len() < max {
            match futures::future::poll_fn(|cx| control.poll_event(&mut source, cx)).now_or_never() {
                Some(Some(event)) => events.push(event),
                _ => break,
            }
        }
        events
    }

    fn end_after_queued(&self) {
        self.control.end_after_queued();
    }
}

#[uniffi::export]
impl EventStream {
    /// The next event, or null / nil once the stream has ended.
    pub async fn next(&self) -> Option<Event> {
        let mut source = self.source.lock().await;
        futures::future::poll_fn(|cx| self.control.poll_event(&mut source, cx)).await
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

    /// Ends the stream at once: a waiting `next` returns null / nil, and so does every later call.
    pub fn cancel(&self) {
        self.control.cancel();
    }
}

/// The streams opened from one client and its subscriptions, so `shutdown` can end them all: the Rust
/// client's streams only end once every handle is gone, but a Kotlin `Flow` or Swift `for await` over
/// a shut-down client should finish.
#[derive(Debug, Clone, Default)]
pub(crate) struct Streams(Arc<Mutex<OpenStreams>>);

#[derive(Debug, Default)]
struct OpenStreams {
    ended: bool,
    streams: Vec<Weak<EventStream>>,
}

impl Streams {
    /// Opens a stream over `source` and remembers it (one opened after the end ends when drained).
    pub(crate) fn open(&self, source: impl Stream<Item = Event> + Send + 'static) -> Arc<EventStream> {
        let stream = EventStream::new(source);
        if let Ok(mut open) = self.0.lock() {
            if open.ended {
                stream.end_after_queued();
            } else {
                open.streams.retain(|s| s.strong_count() > 0);
                open.streams.push(Arc::downgrade(&stream));
            }
        }
        stream
    }

    /// Ends every stream, now and later; readers see what was queued, then the end.
    pub(crate) fn end_all(&self) {
        let streams = match self.0.lock() {
            Ok(mut open) => {
                open.ended = true;
                std::mem::take(&mut open.streams)
            }
            Err(_) => Vec::new(),
        };
        for stream in streams.iter().filter_map(Weak::upgrade) {
            stream.end_after_queued();
        }
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
    control: Arc<Control>,
    cancelled: Arc<AtomicBool>,
}

#[uniffi::export]
impl ListenerHandle {
    /// Stops delivery. No event reaches the listener after this returns, except one already being
    /// delivered on the listener's thread.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.control.cancel();
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
    let handle = Arc::new(ListenerHandle { control: stream.control.clone(), cancelled: cancelled.clone() });
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
