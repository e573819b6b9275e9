//! [`LogSink`]: the Rust client's `tracing` events, forwarded to the app's logger.
//!
//! [`set_log_sink`] installs a small `tracing` subscriber for this library (once per process) and points
//! it at the app's sink; `null` / `nil` turns forwarding off. Events below the chosen level cost one
//! atomic load. Secrets never leave: a field whose name mentions a token, secret, password or JWT is
//! written as `<redacted>`, and anything shaped like a JWT (`eyJ...`) is cut out of the text.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Level, Metadata, Subscriber};

use crate::error::CeaselessError;

/// A log level, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Failures.
    Error,
    /// Problems the client works around.
    Warn,
    /// Connection lifecycle.
    Info,
    /// Protocol decisions.
    Debug,
    /// Everything.
    Trace,
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    /// The level.
    pub level: LogLevel,
    /// The Rust module that logged it (e.g. `ceaseless::driver`).
    pub target: String,
    /// The text with its fields (`message key=value ...`), secrets redacted.
    pub message: String,
}

/// Receives log lines. Implemented by the app (e.g. forwarding to `android.util.Log` or `os_log`).
///
/// Called on the library's threads; keep it fast. An exception thrown here is dropped.
#[uniffi::export(foreign)]
pub trait LogSink: Send + Sync {
    /// One log line.
    fn log(&self, record: LogRecord) -> Result<(), CeaselessError>;
}

/// 0 off, 1 error … 5 trace.
static LEVEL: AtomicU8 = AtomicU8::new(0);
static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
static INSTALL: Once = Once::new();

fn rank(level: Level) -> u8 {
    match level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn level_of(level: Level) -> LogLevel {
    match level {
        Level::ERROR => LogLevel::Error,
        Level::WARN => LogLevel::Warn,
        Level::INFO => LogLevel::Info,
        Level::DEBUG => LogLevel::Debug,
        Level::TRACE => LogLevel::Trace,
    }
}

fn rank_of(level: LogLevel) -> u8 {
    match level {
        LogLevel::Error => 1,
        LogLevel::Warn => 2,
        LogLevel::Info => 3,
        LogLevel::Debug => 4,
        LogLevel::Trace => 5,
    }
}

/// Sends the library's log lines at `level` and above to `sink` (replacing any earlier sink); `null` /
/// `nil` stops forwarding. If the process already has another `tracing` subscriber (only possible when
/// Rust code in the same library installed one), lines go there instead.
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, level: LogLevel) {
    INSTALL.call_once(|| {
        let _ = tracing::subscriber::set_global_default(Forwarder);
    });
    let enabled = sink.is_some();
    if let Ok(mut slot) = SINK.write() {
        *slot = sink;
    }
    LEVEL.store(if enabled { rank_of(level) } else { 0 }, Ordering::SeqCst);
}

struct Forwarder;

impl Subscriber for Forwarder {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // The level can change at any time, so nothing is cached per call site.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && rank(*metadata.level()) <= LEVEL.load(Ordering::Relaxed)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        // Checked again: the level may have changed since `enabled` let this event through.
        if rank(*event.metadata().level()) > LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let Some(sink) = SINK.read().ok().and_then(|slot| slot.clone()) else { return };
        let mut text = Text::default();
        event.record(&mut text);
        let record = LogRecord {
            level: level_of(*event.metadata().level()),
            target: event.metadata().target().to_owned(),
            message: redact_jwts(&text.finish()),
        };
        // A failing sink must not log about itself (that would recurse); the line is dropped.
        let _ = sink.log(record);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Collects `message key=value ...`, with secret fields redacted.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Text {
    fn finish(mut self) -> String {
        self.message.push_str(&self.fields);
        self.message
    }
}

fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "secret", "password", "jwt"].iter().any(|s| name.contains(s))
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if is_secret(field.name()) {
            let _ = write!(self.fields, " {}=<redacted>", field.name());
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else if is_secret(field.name()) {
            let _ = write!(self.fields, " {}=<redacted>", field.name());
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

/// Cuts out every JWT-shaped run (`eyJ` followed by base64url characters and dots).
pub(crate) fn redact_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .map_or(tail.len(), |(i, _)| i);
        out.push_str("<redacted>");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_shaped_text_is_cut_out() {
        assert_eq!(redact_jwts("token eyJhbGci.eyJzdWIi.c2ln done"), "token <redacted> done");
        assert_eq!(redact_jwts("eyJ"), "<redacted>");
        assert_eq!(redact_jwts("nothing here"), "nothing here");
    }

    #[test]
    fn secret_field_names_are_recognised() {
        assert!(is_secret("token"));
        assert!(is_secret("refresh_Token"));
        assert!(is_secret("api_secret"));
        assert!(!is_secret("channel"));
    }
}
