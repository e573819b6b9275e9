//! Calling into Python from the client's threads, safely up to the interpreter's exit.
//!
//! The client runs on tokio threads that call into Python (token providers, position stores, the log
//! sink). A thread that tries to take the GIL while the interpreter is finalizing is stopped inside
//! CPython with Rust frames on its stack, which crashes the process (`PyGILState_Release` fatal errors,
//! segmentation faults). So every such call goes through [`attach`], and an `atexit` hook
//! ([`prepare_exit`]) closes the door before finalization starts:
//!
//! - [`attach`] counts itself in, then checks the door: once it is closed it gives up (`None`) without
//!   touching Python; otherwise it attaches as usual and counts itself out when done.
//! - [`prepare_exit`] runs with the GIL held before the interpreter finalizes: it closes the door, then
//!   releases the GIL and waits (bounded) until every call that got in has finished. A call that got in
//!   before the door closed can therefore always take the GIL and finish; none can start afterwards.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

static CLOSED: AtomicBool = AtomicBool::new(false);
static INSIDE: AtomicUsize = AtomicUsize::new(0);

/// How long the exit hook waits for calls already in progress (a token provider still running).
const EXIT_WAIT: Duration = Duration::from_secs(2);

struct CountedIn;

impl Drop for CountedIn {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `f` with the GIL, or returns `None` when the interpreter is exiting (or gone).
pub(crate) fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    INSIDE.fetch_add(1, Ordering::SeqCst);
    let _counted = CountedIn;
    if CLOSED.load(Ordering::SeqCst) {
        return None;
    }
    Python::try_attach(f)
}

/// Registered with `atexit` when the module is imported: no Rust thread enters Python from now on.
#[pyfunction]
pub(crate) fn prepare_exit(py: Python<'_>) {
    CLOSED.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + EXIT_WAIT;
        while INSIDE.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Registers [`prepare_exit`] with `atexit`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(prepare_exit, m)?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}
