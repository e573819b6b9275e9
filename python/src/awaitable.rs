//! Turning the Rust client's futures into asyncio awaitables.
//!
//! [`awaitable`] wraps [`pyo3_async_runtimes::tokio::future_into_py`]: the Rust future runs on the
//! shared tokio runtime without the GIL, and its outcome is converted to Python objects (or an
//! exception) only at the end, in the step that already holds the GIL to resolve the asyncio future.
//! Cancelling the asyncio task drops the Rust future, so no work is left running for it.

use std::future::Future;

use pyo3::prelude::*;

use crate::errors::to_pyerr;

type Convert = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>;

/// An outcome whose conversion to Python waits until the GIL is held anyway.
struct Deferred(Convert);

impl<'py> IntoPyObject<'py> for Deferred {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        (self.0)(py)
    }
}

/// An awaitable for `future`, whose value `convert` turns into a Python object; errors become
/// `ceaseless.errors` exceptions.
pub(crate) fn awaitable<'py, F, T, C>(py: Python<'py>, future: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, ceaseless::Error>> + Send + 'static,
    T: Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Bound<'a, PyAny>> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let outcome = future.await;
        Ok(Deferred(Box::new(move |py| match outcome {
            Ok(value) => convert(py, value),
            Err(e) => Err(to_pyerr(py, &e)),
        })))
    })
}

/// Converts `()` to `None`.
pub(crate) fn none(py: Python<'_>, _: ()) -> PyResult<Bound<'_, PyAny>> {
    Ok(py.None().into_bound(py))
}
