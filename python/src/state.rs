//! State loaders written in Python: `async def load(channel) -> ((offset, epoch), state)`.
//!
//! Run like the token providers ([`crate::tokens`]): the Rust client calls the loader from a tokio
//! thread, which attaches to Python only to create the coroutine and hand it to the asyncio loop the
//! client captured, then waits without the GIL. The Python wrapper (`ceaseless._types._loader`) has
//! already checked the shape and encoded the state (JSON text, or `bytes` as given), so this side reads
//! `(offset, epoch, state)` and wraps `state` as a payload in the client's format. Any exception, or a
//! result of the wrong shape, is a [`StateLoadError`], which the client reports as a subscription
//! `Error` event and retries with the resubscribe backoff.

use std::sync::Arc;

use ceaseless::maybe_send::BoxFuture;
use ceaseless::state::StateLoader;
use ceaseless::transport::FrameFormat;
use ceaseless::{LoadedState, StateLoadError, StreamPosition};
use pyo3::prelude::*;

use crate::options::data_bytes;
use crate::tokens::LoopSlot;

/// A Python coroutine function used as a subscription's state loader.
pub(crate) struct PyStateLoader {
    function: Arc<Py<PyAny>>,
    event_loop: LoopSlot,
    format: Option<FrameFormat>,
}

impl PyStateLoader {
    pub(crate) fn new(function: Py<PyAny>, event_loop: LoopSlot, format: Option<FrameFormat>) -> Self {
        Self { function: Arc::new(function), event_loop, format }
    }
}

impl StateLoader for PyStateLoader {
    fn load_state(&self, channel: &str) -> BoxFuture<'static, Result<LoadedState, StateLoadError>> {
        let (function, event_loop, format) = (self.function.clone(), self.event_loop.clone(), self.format);
        Box::pin(load(function, event_loop, format, channel.to_owned()))
    }
}

fn failed(message: impl Into<String>) -> StateLoadError {
    StateLoadError(message.into())
}

/// Runs the loader on the captured event loop and reads its answer.
async fn load(
    function: Arc<Py<PyAny>>,
    event_loop: LoopSlot,
    format: Option<FrameFormat>,
    channel: String,
) -> Result<LoadedState, StateLoadError> {
    let locals = event_loop
        .get()
        .ok_or_else(|| failed("no asyncio event loop: create or connect the client inside a running loop"))?;
    let answer = crate::interpreter::attach(|py| {
        function
            .bind(py)
            .call1((channel.as_str(),))
            .and_then(|c| pyo3_async_runtimes::into_future_with_locals(&locals, c))
            .map_err(|e| failed(e.to_string()))
    })
    .ok_or_else(|| failed("the Python interpreter is shutting down"))??
    .await;
    crate::interpreter::attach(|py| {
        let answer = answer.map_err(|e| failed(e.to_string()))?;
        let (offset, epoch, state) = answer
            .extract::<(u64, String, Option<Bound<'_, PyAny>>)>(py)
            .map_err(|_| failed("the state loader must return ((offset, epoch), state)"))?;
        let state = match state {
            Some(state) => {
                let bytes = data_bytes(py, &state).map_err(|e| failed(e.to_string()))?;
                Some(ceaseless_bridge::options::payload(bytes, format).map_err(|e| failed(e.to_string()))?)
            }
            None => None,
        };
        Ok(LoadedState { position: StreamPosition { offset, epoch }, state })
    })
    .unwrap_or_else(|| Err(failed("the Python interpreter is shutting down")))
}
