//! The URL derivation cases.

use super::{HTTP, SSE};
use crate::emulation::{ErrorKind, emulation_urls, websocket_url};
use crate::transport::TransportKind;

/// An endpoint and the URLs derived from it.
#[derive(Debug, Clone, Copy)]
pub struct UrlCase {
    /// The endpoint the app gave.
    pub endpoint: &'static str,
    /// The transport, or `None` for [`websocket_url`].
    pub kind: Option<TransportKind>,
    /// `(stream, emulation)` ([`emulation_urls`]) or `(websocket, "")` ([`websocket_url`]), or the error.
    pub expect: Result<(&'static str, &'static str), ErrorKind>,
}

impl UrlCase {
    /// Runs the case on [`emulation_urls`] or [`websocket_url`].
    ///
    /// # Errors
    /// The difference from the expected outcome.
    pub fn run(&self) -> Result<(), String> {
        let got = match self.kind {
            Some(kind) => emulation_urls(self.endpoint, kind).map(|u| (u.stream, u.emulation)),
            None => websocket_url(self.endpoint).map(|u| (u, String::new())),
        };
        let ok = match (&got, &self.expect) {
            (Ok((a, b)), Ok((x, y))) => a == x && b == y,
            (Err(err), Err(kind)) => err.kind() == *kind,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{} ({:?}): got {got:?}, expected {:?}", self.endpoint, self.kind, self.expect))
        }
    }
}

const fn url(
    endpoint: &'static str,
    kind: TransportKind,
    stream: &'static str,
    emulation: &'static str,
) -> UrlCase {
    UrlCase { endpoint, kind: Some(kind), expect: Ok((stream, emulation)) }
}

const fn bad_url(endpoint: &'static str, kind: Option<TransportKind>, error: ErrorKind) -> UrlCase {
    UrlCase { endpoint, kind, expect: Err(error) }
}

const fn ws(endpoint: &'static str, websocket: &'static str) -> UrlCase {
    UrlCase { endpoint, kind: None, expect: Ok((websocket, "")) }
}

static URLS: &[UrlCase] = &[
    url(
        "wss://rt.example.com/connection/websocket",
        HTTP,
        "https://rt.example.com/connection/http_stream",
        "https://rt.example.com/emulation",
    ),
    url(
        "ws://127.0.0.1:8000/connection/websocket?token=x",
        SSE,
        "http://127.0.0.1:8000/connection/sse",
        "http://127.0.0.1:8000/emulation",
    ),
    url(
        "wss://example.com/rt/connection/websocket",
        HTTP,
        "https://example.com/rt/connection/http_stream",
        "https://example.com/rt/emulation",
    ),
    url("ws://h/connection/websocket/#top", HTTP, "http://h/connection/http_stream", "http://h/emulation"),
    url("WSS://h/custom/websocket", SSE, "https://h/custom/sse", "https://h/custom/emulation"),
    url("wss://h", HTTP, "https://h/connection/http_stream", "https://h/emulation"),
    url("wss://h/", SSE, "https://h/connection/sse", "https://h/emulation"),
    url("wss://h/rt", SSE, "https://h/rt/connection/sse", "https://h/rt/emulation"),
    url("https://h/connection/sse", SSE, "https://h/connection/sse", "https://h/emulation"),
    url("http://h/connection/sse", HTTP, "http://h/connection/http_stream", "http://h/emulation"),
    url(
        "ws://[::1]:8000/connection/websocket",
        HTTP,
        "http://[::1]:8000/connection/http_stream",
        "http://[::1]:8000/emulation",
    ),
    bad_url("ftp://h/connection/websocket", Some(HTTP), ErrorKind::InvalidUrl),
    bad_url("/connection/websocket", Some(HTTP), ErrorKind::InvalidUrl),
    bad_url("ws:///connection/websocket", Some(SSE), ErrorKind::InvalidUrl),
    bad_url("wss://h/connection/websocket", Some(TransportKind::WebSocket), ErrorKind::NotEmulation),
    ws("http://h/connection/http_stream", "ws://h/connection/websocket"),
    ws("https://h/rt/connection/sse?v=1", "wss://h/rt/connection/websocket?v=1"),
    ws("wss://h/connection/websocket", "wss://h/connection/websocket"),
    ws("https://h/custom", "wss://h/custom"),
    bad_url("mailto:someone", None, ErrorKind::InvalidUrl),
];

/// The URL derivation cases.
pub fn urls() -> &'static [UrlCase] {
    URLS
}
