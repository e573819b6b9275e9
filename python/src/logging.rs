//! Sends the Rust client's `tracing` events to the Python logger `"ceaseless"`.
//!
//! Formatting and redaction are [`ceaseless_bridge::logging`]'s (fields naming a token or secret become
//! `<redacted>`, JWT-shaped text is cut out); this module is the sink: each line is handed to
//! `logging.getLogger("ceaseless").log(level, "%s (%s)", message, target)` under the GIL, attached with
//! [`crate::interpreter::attach`] (nothing is logged once the interpreter is exiting). Which levels are wanted is
//! cached in the bridge from `getEffectiveLevel()` when the module is imported, when a client is created
//! or connects, and by `refresh_log_level()`, so disabled levels cost one atomic load and never touch the
//! GIL.

use std::sync::Arc;

use ceaseless_bridge::logging::{LogLine, LogSink};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tracing::Level;

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The `logging` level number of a `tracing` level.
fn python_level(level: Level) -> u32 {
    match level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

/// The most verbose `tracing` level a `logging` level lets through (`None`: above `ERROR`).
fn tracing_level(level: u32) -> Option<Level> {
    match level {
        0..=5 => Some(Level::TRACE),
        6..=10 => Some(Level::DEBUG),
        11..=20 => Some(Level::INFO),
        21..=30 => Some(Level::WARN),
        31..=40 => Some(Level::ERROR),
        _ => None,
    }
}

/// The Python logger `"ceaseless"`.
pub(crate) fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    LOGGER
        .get_or_try_init(py, || Ok(py.import("logging")?.call_method1("getLogger", ("ceaseless",))?.unbind()))
        .map(|l| l.bind(py))
}

/// Re-reads the effective level of the `"ceaseless"` logger (call after changing it).
#[pyfunction]
pub(crate) fn refresh_log_level(py: Python<'_>) -> PyResult<()> {
    let level: u32 = logger(py)?.call_method0("getEffectiveLevel")?.extract()?;
    ceaseless_bridge::logging::set_max_level(tracing_level(level));
    Ok(())
}

/// Installs the sink and reads the current level.
pub(crate) fn install(py: Python<'_>) {
    ceaseless_bridge::logging::set_sink(Some(Arc::new(PythonLogger)));
    let _ = refresh_log_level(py);
}

struct PythonLogger;

impl LogSink for PythonLogger {
    fn log(&self, line: LogLine) {
        let level = python_level(line.level);
        crate::interpreter::attach(|py| {
            if let Ok(logger) = logger(py) {
                // A failing handler is the app's business; never let it escape into Rust.
                if logger.call_method1("log", (level, "%s (%s)", line.message, line.target)).is_err() {
                    PyErr::take(py);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_levels_map_to_tracing_levels_and_back() {
        for level in [Level::ERROR, Level::WARN, Level::INFO, Level::DEBUG, Level::TRACE] {
            assert_eq!(tracing_level(python_level(level)), Some(level));
        }
        assert_eq!(tracing_level(50), None);
        assert_eq!(tracing_level(0), Some(Level::TRACE));
    }
}
