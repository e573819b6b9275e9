//! [`NativeStream`]: an event stream read by Python in batches, over [`ceaseless_bridge::BatchStream`].
//!
//! Python calls `take()` (synchronous, no await) to get every queued item converted in one call, and
//! awaits `wait()` only when `take()` found nothing. Under load the consumer thus never awaits a Rust
//! future at all; when idle it costs one awaitable per wake-up.
//!
//! Nothing is lost to cancellation: `wait()` only waits (it takes nothing), so cancelling it, e.g. with
//! `asyncio.wait_for`, leaves every queued item in place for the next `take()`. The core ends every
//! stream after the client's `Closed` event, so `take()` then returns `None`.

use std::sync::Arc;

use ceaseless_bridge::BatchStream;
use futures::Stream;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::events::{Filter, Item, convert_batch};

/// The most items one `take()` converts, so the GIL is never held for long.
const MAX_BATCH: usize = 4096;

/// A stream of events or publications for the Python layer (`ceaseless._stream` wraps it in an async
/// iterator).
#[pyclass(frozen, module = "ceaseless._ceaseless")]
pub struct NativeStream {
    stream: Arc<BatchStream<Item>>,
    channel: Py<PyString>,
}

impl NativeStream {
    /// Reads `source` in batches; `channel` names the publications' channel (empty for client events).
    pub(crate) fn new<S>(py: Python<'_>, source: S, channel: &str) -> Self
    where
        S: Stream<Item = Item> + Send + 'static,
    {
        Self { stream: Arc::new(BatchStream::new(source)), channel: PyString::new(py, channel).unbind() }
    }
}

#[pymethods]
impl NativeStream {
    /// Every queued item (at most 4096) as a list, `[]` when none is queued, or `None` once the stream
    /// has ended and everything was taken. With `publications_only`, other events are dropped; with
    /// `raw`, data stays `bytes`.
    #[pyo3(signature = (publications_only=false, raw=false))]
    fn take<'py>(
        &self,
        py: Python<'py>,
        publications_only: bool,
        raw: bool,
    ) -> PyResult<Option<Bound<'py, PyList>>> {
        let batch = self.stream.take_ready(MAX_BATCH);
        if batch.items.is_empty() && batch.ended {
            return Ok(None);
        }
        let filter = if publications_only { Filter::Publications } else { Filter::All };
        let objects = convert_batch(py, self.channel.bind(py), &batch.items, filter, raw)?;
        PyList::new(py, objects).map(Some)
    }

    /// Resolves when an item is queued or the stream has ended. Takes nothing.
    fn wait<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stream = self.stream.clone();
        crate::awaitable::awaitable(
            py,
            async move {
                stream.ready().await;
                Ok(())
            },
            crate::awaitable::none,
        )
    }

    /// Stops the stream: queued items are dropped and `take()` returns `None` from now on.
    fn close(&self) {
        self.stream.cancel();
    }
}
