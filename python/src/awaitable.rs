//! Turning the Rust client's futures into asyncio awaitables.
//!
//! [`awaitable`] creates an asyncio future on the running loop and runs the Rust future on the shared
//! tokio runtime without the GIL. When it finishes, its outcome is converted to Python objects (or an
//! exception) and handed to the loop with `call_soon_threadsafe`, in one visit to the interpreter made
//! through [`crate::interpreter::attach`]: so a process that exits while a call is finishing exits
//! cleanly (the exit hook waits for that visit, and none starts after it). Cancelling the asyncio
//! future aborts the Rust task, so no work is left running for it; a result that arrives for a future
//! already done (cancelled) is dropped.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyTuple};

use crate::errors::to_pyerr;

static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `ceaseless._resolve.resolve(future, ok, value)`: sets the outcome unless the future is done.
fn resolve_function(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    RESOLVE
        .get_or_try_init(py, || Ok(py.import("ceaseless._resolve")?.getattr("resolve")?.unbind()))
        .map(|f| f.bind(py))
}

/// An awaitable for `future`, whose value `convert` turns into a Python object; errors become
/// `ceaseless.errors` exceptions.
pub(crate) fn awaitable<'py, F, T, C>(py: Python<'py>, future: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, ceaseless::Error>> + Send + 'static,
    T: Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Bound<'a, PyAny>> + Send + 'static,
{
    let resolve = resolve_function(py)?.clone().unbind();
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let target = py_future.clone().unbind();
    let event_loop = event_loop.unbind();
    let task = pyo3_async_runtimes::tokio::get_runtime().spawn(async move {
        let outcome = future.await;
        crate::interpreter::attach(move |py| {
            let future = target.bind(py);
            if future.call_method0("done").and_then(|d| d.is_truthy()).unwrap_or(true) {
                return;
            }
            let (ok, value) = match outcome.map_err(|e| to_pyerr(py, &e)).and_then(|v| convert(py, v)) {
                Ok(value) => (true, value),
                Err(err) => (false, err.into_value(py).into_bound(py).into_any()),
            };
            let scheduled = event_loop
                .bind(py)
                .call_method1("call_soon_threadsafe", (resolve.bind(py), future, ok, value));
            // The loop is closed: nobody can await the result any more.
            if scheduled.is_err() {
                PyErr::take(py);
            }
        });
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(py, None, None, move |_: &Bound<'_, PyTuple>, _| {
        abort.abort();
    })?;
    py_future.call_method1("add_done_callback", (on_done,))?;
    Ok(py_future)
}

/// Converts `()` to `None`.
pub(crate) fn none(py: Python<'_>, _: ()) -> PyResult<Bound<'_, PyAny>> {
    Ok(py.None().into_bound(py))
}
