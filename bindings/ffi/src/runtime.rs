//! The library's own tokio runtime.
//!
//! Kotlin and Swift drive the exported `async` functions themselves (uniffi polls the Rust futures
//! from the foreign executor), and most of them only await a one-shot answer from the client's driver,
//! which needs no runtime. The driver itself (sockets, timers) runs here: two worker threads, started
//! on first use and kept for the life of the process. Work that needs tokio's timers is handed to it
//! with [`run`].

use std::future::Future;
use std::sync::OnceLock;

use crate::error::CeaselessError;

static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();

/// The shared runtime, started on first use.
pub(crate) fn handle() -> Result<&'static tokio::runtime::Runtime, CeaselessError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("ceaseless")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the tokio runtime: {e}"))
        })
        .as_ref()
        .map_err(|e| CeaselessError::internal(e.clone()))
}

/// Runs `future` on the shared runtime and waits for it from whatever executor polls the caller.
/// Dropping the returned future (a cancelled coroutine or Swift task) aborts the work.
pub(crate) async fn run<F>(future: F) -> Result<F::Output, CeaselessError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut task = AbortOnDrop(handle()?.spawn(future));
    match (&mut task.0).await {
        Ok(value) => Ok(value),
        Err(e) => Err(CeaselessError::internal(format!("background task failed: {e}"))),
    }
}

/// A join handle that aborts its task when dropped before completion.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
