//! # ceaseless-py: the native half of the `ceaseless` Python package
//!
//! This crate wraps the Rust client ([`ceaseless`]) for Python with pyo3. It is deliberately thin: the
//! idiomatic API (`async with Client(...)`, `async for pub in sub.publications()`, the exception
//! hierarchy, the event dataclasses) lives in the pure-Python layer `python/python/ceaseless`, which
//! calls the classes here.
//!
//! ## How it crosses the boundary
//!
//! - Commands (`publish`, `history`, ...) become asyncio awaitables with
//!   [`pyo3_async_runtimes::tokio::future_into_py`]. Cancelling the Python task drops the Rust future.
//! - Options are converted into [`ceaseless_bridge::ClientOptions`] / `SubscriptionOptions`
//!   ([`options`]); the defaults are the core's, never this crate's.
//! - Event streams ([`stream::NativeStream`]) are read in batches through
//!   [`ceaseless_bridge::BatchStream`]: `take()` hands every queued item to Python in one call
//!   (decoding all JSON payloads of the batch with one `json.loads`), and `wait()` is awaited only
//!   when nothing is queued.
//! - Token providers and state loaders are Python coroutine functions, run on the event loop that
//!   created the client ([`tokens`], [`state`]).
//! - `tracing` events go, redacted by [`ceaseless_bridge::logging`], to the Python logger `"ceaseless"`
//!   ([`logging`]).
//! - Errors become instances of the exception classes in `ceaseless.errors`, chosen by
//!   [`ceaseless_bridge::ErrorKind`] ([`errors`]). Nothing here
//!   panics on input from Python or the server.
//! - The client's threads enter Python only through [`interpreter::attach`], which an `atexit` hook
//!   shuts before the interpreter finalizes, so a process that exits while a token provider or a store
//!   is being called exits cleanly.

mod awaitable;
mod client;
mod convert;
mod errors;
mod events;
mod interpreter;
mod logging;
mod options;
mod state;
mod stream;
mod subscription;
mod tokens;

use std::sync::OnceLock;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

static RUNTIME: OnceLock<Result<(), String>> = OnceLock::new();

/// Builds the tokio runtime every client of this process runs on, with one worker thread by default
/// (`CEASELESS_WORKER_THREADS` overrides it): a client is I/O-bound, and one thread keeps the socket
/// reader, the driver and the stream readers from waking each other across cores.
fn start_runtime() -> PyResult<()> {
    RUNTIME
        .get_or_init(|| {
            let threads = std::env::var("CEASELESS_WORKER_THREADS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(1);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .thread_name("ceaseless")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
            let _ = pyo3_async_runtimes::tokio::init_with_runtime(Box::leak(Box::new(runtime)));
            Ok(())
        })
        .clone()
        .map_err(PyRuntimeError::new_err)
}

/// The native module `ceaseless._ceaseless`.
#[pymodule]
fn _ceaseless(m: &Bound<'_, PyModule>) -> PyResult<()> {
    start_runtime()?;
    logging::install(m.py());
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<subscription::NativeSubscription>()?;
    m.add_class::<stream::NativeStream>()?;
    m.add_class::<convert::Publication>()?;
    m.add_class::<convert::ClientInfo>()?;
    m.add_class::<convert::HistoryResult>()?;
    m.add_class::<convert::PresenceStats>()?;
    m.add_class::<convert::WakeReport>()?;
    m.add_function(wrap_pyfunction!(logging::refresh_log_level, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_table, m)?)?;
    interpreter::register(m)?;
    Ok(())
}
