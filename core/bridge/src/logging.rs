//! One `tracing` subscriber for every binding: formats events, redacts secrets, hands lines to a sink.
//!
//! A binding calls [`set_sink`] with where its lines go (Python's `logging`, the app's Kotlin/Swift
//! `LogSink`) and [`set_max_level`] with what it wants. The subscriber is installed once per library
//! (each binding is its own shared library with its own copy of this module) as the global default; a
//! disabled level costs one atomic load. Secrets never leave: a field whose name mentions a token,
//! secret, password or JWT is written as `<redacted>`, and anything shaped like a JWT (`eyJ…`) is cut
//! out of the whole line.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// One formatted log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The level.
    pub level: Level,
    /// The Rust module that logged it (e.g. `ceaseless::driver`).
    pub target: String,
    /// `message key=value …`, secrets redacted.
    pub message: String,
}

/// Where lines go. Called on the library's threads; keep it fast and never panic.
pub trait LogSink: Send + Sync + 'static {
    /// One line.
    fn log(&self, line: LogLine);
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

/// Sets the most verbose level forwarded (`None`: nothing).
pub fn set_max_level(level: Option<Level>) {
    LEVEL.store(level.map_or(0, rank), Ordering::Relaxed);
}

/// Sends lines to `sink` from now on (`None`: drop them). Installs the subscriber the first time.
pub fn set_sink(sink: Option<Arc<dyn LogSink>>) {
    INSTALL.call_once(|| {
        // Another global subscriber may be installed already (an app embedding us); then it wins.
        let _ = tracing::subscriber::set_global_default(Forwarder);
    });
    let mut slot = SINK.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    *slot = sink;
}

struct Forwarder;

impl Subscriber for Forwarder {
    /// Never cache a callsite's verdict: the level can change at any time.
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
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

    fn event(&self, event: &Event<'_>) {
        let sink = SINK.read().ok().and_then(|s| s.clone());
        let Some(sink) = sink else { return };
        let metadata = event.metadata();
        sink.log(LogLine {
            level: *metadata.level(),
            target: metadata.target().to_owned(),
            message: format_event(event),
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// `message key=value …` of one event, secrets redacted.
pub fn format_event(event: &Event<'_>) -> String {
    let mut fields = Fields::default();
    event.record(&mut fields);
    fields.message.push_str(&fields.rest);
    redact_jwts(&fields.message)
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

/// Whether a field of this name holds a secret.
pub fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "secret", "password", "jwt", "authorization"].iter().any(|s| name.contains(s))
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
pub fn redact_jwts(text: &str) -> String {
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
    use std::sync::Mutex;

    #[test]
    fn jwt_shaped_text_is_cut_out() {
        let text = "connect with eyJhbGciOi.eyJzdWIi.sig-_x failed; token eyJx";
        assert_eq!(redact_jwts(text), "connect with <redacted> failed; token <redacted>");
        assert_eq!(redact_jwts("plain"), "plain");
    }

    #[test]
    fn secret_field_names_are_recognised() {
        assert!(is_secret("token"));
        assert!(is_secret("refresh_Token"));
        assert!(is_secret("proxy_authorization"));
        assert!(!is_secret("channel"));
    }

    #[derive(Default)]
    struct Collect(Mutex<Vec<LogLine>>);

    impl LogSink for Collect {
        fn log(&self, line: LogLine) {
            if let Ok(mut lines) = self.0.lock() {
                lines.push(line);
            }
        }
    }

    #[test]
    fn lines_reach_the_sink_redacted_and_filtered_by_level() {
        let sink = Arc::new(Collect::default());
        set_sink(Some(sink.clone()));
        set_max_level(Some(Level::INFO));
        tracing::info!(token = "eyJabc.def", channel = "chat", "connecting with eyJzzz.yyy");
        tracing::debug!("too verbose");
        set_max_level(None);
        tracing::error!("off");
        set_sink(None);
        let lines = sink.0.lock().map(|l| l.clone()).unwrap_or_default();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].level, Level::INFO);
        assert_eq!(lines[0].message, "connecting with <redacted> token=<redacted> channel=chat");
        assert!(lines[0].target.contains("logging"));
    }
}
