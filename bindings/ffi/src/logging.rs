//! [`LogSink`]: the Rust client's `tracing` events, forwarded to the app's logger.
//!
//! Only the uniffi face of the shared layer's one subscriber (`ceaseless_bridge::logging`), which
//! formats every event as `message key=value …` and redacts secrets (fields named like tokens,
//! secrets, passwords or JWTs, and anything shaped like a JWT). [`set_log_sink`] points it at the app's
//! sink; `null` / `nil` turns forwarding off. Events below the chosen level cost one atomic load.

use std::sync::Arc;

use ceaseless_bridge::logging::{self, LogLine};
use tracing::Level;

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

impl From<LogLevel> for Level {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => Level::ERROR,
            LogLevel::Warn => Level::WARN,
            LogLevel::Info => Level::INFO,
            LogLevel::Debug => Level::DEBUG,
            LogLevel::Trace => Level::TRACE,
        }
    }
}

impl From<Level> for LogLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            Level::TRACE => LogLevel::Trace,
        }
    }
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

/// The app's sink as the shared subscriber's sink.
struct AppSink(Arc<dyn LogSink>);

impl logging::LogSink for AppSink {
    fn log(&self, line: LogLine) {
        let LogLine { level, target, message } = line;
        // A failing sink must not log about itself (that would recurse); the line is dropped.
        let _ = self.0.log(LogRecord { level: level.into(), target, message });
    }
}

/// Sends the library's log lines at `level` and above to `sink` (replacing any earlier sink); `null` /
/// `nil` stops forwarding. If the process already has another `tracing` subscriber (only possible when
/// Rust code in the same library installed one), lines go there instead.
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, level: LogLevel) {
    let level = sink.is_some().then(|| Level::from(level));
    logging::set_sink(sink.map(|sink| Arc::new(AppSink(sink)) as Arc<dyn logging::LogSink>));
    logging::set_max_level(level);
}
