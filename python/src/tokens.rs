//! Token providers written in Python: `async def get_token() -> str` for the connection and
//! `async def get_token(channel) -> str` for a subscription.
//!
//! The Rust client calls a provider from a tokio thread. The call attaches to Python only to create
//! the coroutine and hand it to the asyncio event loop captured when the client was created (or first
//! connected), then waits without holding the GIL. Raising `ceaseless.Unauthorized` answers
//! [`TokenError::Unauthorized`] (the client or subscription stops); any other exception, or a result
//! that is not a `str`, is a [`TokenError::Failed`], which the client reports and retries with backoff.
//! Nothing a provider does can panic or crash the process.

use std::sync::{Arc, Mutex};

use ceaseless::maybe_send::BoxFuture;
use ceaseless::{ConnectionTokenProvider, SubscriptionTokenProvider, TokenError};
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;

use crate::errors;

/// The asyncio loop (and context) token coroutines run on; set once a running loop is seen.
#[derive(Clone, Default)]
pub(crate) struct LoopSlot(Arc<Mutex<Option<TaskLocals>>>);

impl LoopSlot {
    /// Captures the running loop, if there is one and none was captured yet.
    pub(crate) fn capture(&self, py: Python<'_>) {
        let Ok(mut slot) = self.0.lock() else { return };
        if slot.is_none() {
            *slot = pyo3_async_runtimes::tokio::get_current_locals(py).ok();
        }
    }

    pub(crate) fn get(&self) -> Option<TaskLocals> {
        self.0.lock().ok().and_then(|slot| slot.clone())
    }
}

/// A Python coroutine function used as a token provider.
pub(crate) struct PyTokenProvider {
    function: Arc<Py<PyAny>>,
    event_loop: LoopSlot,
}

impl PyTokenProvider {
    pub(crate) fn new(function: Py<PyAny>, event_loop: LoopSlot) -> Self {
        Self { function: Arc::new(function), event_loop }
    }
}

impl ConnectionTokenProvider for PyTokenProvider {
    fn connection_token(&self) -> BoxFuture<'static, Result<String, TokenError>> {
        Box::pin(fetch(self.function.clone(), self.event_loop.clone(), None))
    }
}

impl SubscriptionTokenProvider for PyTokenProvider {
    fn subscription_token(&self, channel: &str) -> BoxFuture<'static, Result<String, TokenError>> {
        Box::pin(fetch(self.function.clone(), self.event_loop.clone(), Some(channel.to_owned())))
    }
}

fn shutting_down() -> TokenError {
    TokenError::Failed("the Python interpreter is shutting down".to_owned())
}

/// Runs the provider on the captured event loop and waits for its answer.
async fn fetch(
    function: Arc<Py<PyAny>>,
    event_loop: LoopSlot,
    channel: Option<String>,
) -> Result<String, TokenError> {
    let locals = event_loop.get().ok_or_else(|| {
        TokenError::Failed(
            "no asyncio event loop: create or connect the client inside a running loop".to_owned(),
        )
    })?;
    let answer = crate::interpreter::attach(|py| {
        let function = function.bind(py);
        let coroutine = match &channel {
            Some(channel) => function.call1((channel,)),
            None => function.call0(),
        };
        coroutine
            .and_then(|c| pyo3_async_runtimes::into_future_with_locals(&locals, c))
            .map_err(|e| classify(py, &e))
    })
    .ok_or_else(shutting_down)??
    .await;
    crate::interpreter::attach(|py| match answer {
        Ok(token) => token
            .extract::<String>(py)
            .map_err(|_| TokenError::Failed("the token provider must return a str".to_owned())),
        Err(e) => Err(classify(py, &e)),
    })
    .unwrap_or_else(|| Err(shutting_down()))
}

/// `ceaseless.Unauthorized` stops; anything else is retried.
fn classify(py: Python<'_>, err: &PyErr) -> TokenError {
    if errors::is_instance(py, err, "Unauthorized") {
        TokenError::Unauthorized
    } else {
        TokenError::Failed(err.to_string())
    }
}
