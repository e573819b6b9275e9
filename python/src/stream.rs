//! [`NativeStream`]: an event stream read by Python in batches.
//!
//! A small tokio task (the pump) moves events from the client's stream into a queue shared with the
//! Python object. Python calls `take()` (synchronous, no await) to get every queued item converted
//! in one call, and awaits `wait()` only when `take()` found nothing. Under load the consumer thus
//! never awaits a Rust future at all; when idle it costs one awaitable per wake-up.
//!
//! Nothing is lost to cancellation: `wait()` only waits (it takes nothing), so cancelling it, e.g.
//! with `asyncio.wait_for`, leaves every queued item in place for the next `take()`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::{FutureExt, Stream, StreamExt};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use tokio::sync::{Notify, oneshot, watch};

use crate::events::{Filter, Item, convert_batch};

/// The most items one `take()` converts, so the GIL is never held for long.
const MAX_BATCH: usize = 4096;

#[derive(Default)]
struct Queue {
    items: VecDeque<Item>,
    ended: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn ready(&self) -> bool {
        let queue = self.lock();
        queue.ended || !queue.items.is_empty()
    }
}

/// A stream of events or publications for the Python layer (`ceaseless._client` wraps it in an
/// async iterator).
#[pyclass(module = "ceaseless._ceaseless")]
pub struct NativeStream {
    shared: Arc<Shared>,
    channel: Py<PyString>,
    /// Dropping the sender stops the pump, which then drops the client's stream.
    stop: Mutex<Option<oneshot::Sender<()>>>,
}

impl NativeStream {
    /// Starts pumping `source` into a new stream, which ends with `source`, after the client's
    /// `Closed` event, or once `closed` turns true (the binding's `close()` finished).
    pub(crate) fn start<S>(py: Python<'_>, source: S, channel: &str, closed: watch::Receiver<bool>) -> Self
    where
        S: Stream<Item = Item> + Send + Unpin + 'static,
    {
        let shared = Arc::new(Shared::default());
        let (stop, stopped) = oneshot::channel();
        pyo3_async_runtimes::tokio::get_runtime().spawn(pump(source, shared.clone(), stopped, closed));
        Self { shared, channel: PyString::new(py, channel).unbind(), stop: Mutex::new(Some(stop)) }
    }
}

/// Moves items from `source` into the queue until it ends, the client is closed, or the stream is
/// stopped.
async fn pump<S>(
    mut source: S,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
    mut closed: watch::Receiver<bool>,
) where
    S: Stream<Item = Item> + Unpin,
{
    loop {
        let first = tokio::select! {
            item = source.next() => item,
            _ = async {
                // A dropped sender means the Python client object is gone, not that it closed.
                if closed.wait_for(|closed| *closed).await.is_err() {
                    std::future::pending::<()>().await;
                }
            } => None,
            _ = &mut stopped => return,
        };
        let mut queue = shared.lock();
        if queue.ended {
            return;
        }
        // Take whatever else is ready without another round through the scheduler (after a close,
        // this collects the last events the driver sent before it confirmed the close).
        let mut end = first.is_none();
        for item in first.into_iter().chain(std::iter::from_fn(|| source.next().now_or_never().flatten())) {
            end |= matches!(item, Item::Client(ceaseless::ClientEvent::Closed));
            queue.items.push_back(item);
        }
        queue.ended = end;
        drop(queue);
        shared.notify.notify_waiters();
        if end {
            return;
        }
    }
}

#[pymethods]
impl NativeStream {
    /// Every queued item (at most 4096) as a list, `[]` when none is queued, or `None` once the
    /// stream has ended and everything was taken. With `publications_only`, other events are
    /// dropped; with `raw`, data stays `bytes`.
    #[pyo3(signature = (publications_only=false, raw=false))]
    fn take<'py>(
        &self,
        py: Python<'py>,
        publications_only: bool,
        raw: bool,
    ) -> PyResult<Option<Bound<'py, PyList>>> {
        let items: Vec<Item> = {
            let mut queue = self.shared.lock();
            if queue.items.is_empty() && queue.ended {
                return Ok(None);
            }
            let n = queue.items.len().min(MAX_BATCH);
            queue.items.drain(..n).collect()
        };
        let filter = if publications_only { Filter::Publications } else { Filter::All };
        let objects = convert_batch(py, self.channel.bind(py), &items, filter, raw)?;
        PyList::new(py, objects).map(Some)
    }

    /// Resolves when an item is queued or the stream has ended. Takes nothing.
    fn wait<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = self.shared.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            loop {
                let notified = shared.notify.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if shared.ready() {
                    return Ok(());
                }
                notified.await;
            }
        })
    }

    /// Stops the stream: queued items are dropped and `take()` returns `None` from now on.
    fn close(&self) {
        let stop = self.stop.lock().ok().and_then(|mut s| s.take());
        drop(stop);
        let mut queue = self.shared.lock();
        queue.items.clear();
        queue.ended = true;
        drop(queue);
        self.shared.notify.notify_waiters();
    }
}
