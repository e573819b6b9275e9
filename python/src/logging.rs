//! Bridges `tracing` events of the Rust client to the Python logger `"ceaseless"`.
//!
//! A minimal [`tracing::Subscriber`] is installed for this extension module (its own copy of
//! `tracing`, so nothing else in the process is affected). Whether an event is wanted is decided from
//! a cached level, read from `logging.getLogger("ceaseless").getEffectiveLevel()` when the module is
//! imported, when a client is created or connects, and by `refresh_log_level()`; so disabled levels
//! cost one atomic load and never touch the GIL. Values of fields whose name mentions a token or
//! secret are replaced by `<redacted>`, and JWT-looking text is cut out of every message.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// 0 off, 1 error, 2 warn, 3 info, 4 debug, 5 trace.
static LEVEL: AtomicU8 = AtomicU8::new(2);
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn python_level(level: &Level) -> u32 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    LOGGER
        .get_or_try_init(py, || Ok(py.import("logging")?.call_method1("getLogger", ("ceaseless",))?.unbind()))
        .map(|l| l.bind(py))
}

/// Re-reads the effective level of the `"ceaseless"` logger (call after changing it).
#[pyfunction]
pub(crate) fn refresh_log_level(py: Python<'_>) -> PyResult<()> {
    let level: u32 = logger(py)?.call_method0("getEffectiveLevel")?.extract()?;
    let rank = match level {
        0..=5 => 5,
        6..=10 => 4,
        11..=20 => 3,
        21..=30 => 2,
        31..=40 => 1,
        _ => 0,
    };
    LEVEL.store(rank, Ordering::Relaxed);
    Ok(())
}

/// Installs the bridge (once; later calls do nothing) and reads the current level.
pub(crate) fn install(py: Python<'_>) {
    let _ = tracing::subscriber::set_global_default(PythonLogging);
    let _ = refresh_log_level(py);
}

struct PythonLogging;

impl Subscriber for PythonLogging {
    /// Never cache a callsite's verdict: the Python level can change at any time.
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && rank(metadata.level()) <= LEVEL.load(Ordering::Relaxed)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = Fields::default();
        event.record(&mut text);
        let message = redact_jwts(&text.finish(event.metadata().target()));
        let level = python_level(event.metadata().level());
        Python::try_attach(|py| {
            if let Ok(logger) = logger(py) {
                // A failing handler is the app's business; never let it escape into Rust.
                if logger.call_method1("log", (level, message)).is_err() {
                    PyErr::take(py);
                }
            }
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// `message key=value ... (target)`, with secrets redacted.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Fields {
    fn finish(mut self, target: &str) -> String {
        self.message.push_str(&self.rest);
        let _ = write!(self.message, " ({target})");
        self.message
    }
}

fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "secret", "password", "jwt"].iter().any(|s| name.contains(s))
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if is_secret(field.name()) {
            let _ = write!(self.rest, " {}=<redacted>", field.name());
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else if is_secret(field.name()) {
            let _ = write!(self.rest, " {}=<redacted>", field.name());
        } else {
            let _ = write!(self.rest, " {}={value}", field.name());
        }
    }
}

/// Replaces anything shaped like a JWT (`eyJ` followed by base64url and dots) with `<redacted>`.
pub(crate) fn redact_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        out.push_str("<redacted>");
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_are_cut_out() {
        let text = "connect with eyJhbGciOi.eyJzdWIi.sig-_x failed; token eyJx";
        assert_eq!(redact_jwts(text), "connect with <redacted> failed; token <redacted>");
        assert_eq!(redact_jwts("plain"), "plain");
    }

    #[test]
    fn secret_fields_are_recognised() {
        assert!(is_secret("token"));
        assert!(is_secret("refresh_Token"));
        assert!(!is_secret("channel"));
    }
}
