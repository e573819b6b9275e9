//! [`FallbackTransport`]: an ordered list of `{transport, endpoint}`, centrifuge-js style.
//!
//! The core rotates through its endpoint list by itself: when an attempt fails before the server
//! accepted it, the next attempt goes to the next endpoint (after the first, short, backoff step). So
//! every `{transport, endpoint}` entry becomes one core endpoint, and this transport only has to
//! know which carrier serves which endpoint, plus one rule the core does not have yet: once an entry has
//! worked (its connection delivered a frame), every later attempt uses that entry, even when a
//! reconnect attempt fails.
//!
//! The core only accepts `ws(s)://` endpoints, so emulation entries are handed to it with the scheme
//! swapped (`http` to `ws`) and swapped back here.
//!
//! What belongs in the core instead (and this module then shrinks to the mapping): a transport kind per
//! endpoint, immediate (zero-delay) rotation until each entry has been tried once, stickiness, and
//! `optimistic_subscribe` as a property of the opened connection rather than of the transport.

use std::cell::Cell;
use std::rc::Rc;

use ceaseless::maybe_send::BoxFuture;
use ceaseless::transport::{
    Connection, Incoming, OpenRequest, Transport, TransportError, TransportErrorKind,
};
use futures::StreamExt;

use crate::emulation::{EmulationTransport, StreamKind};
use crate::ws::WebSocketTransport;

/// A carrier named in the JS options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `"websocket"`.
    WebSocket,
    /// `"http_stream"`.
    HttpStream,
    /// `"sse"`.
    Sse,
}

impl Kind {
    /// Parses a JS transport name.
    pub fn parse(name: &str) -> Option<Kind> {
        match name {
            "websocket" => Some(Kind::WebSocket),
            "http_stream" => Some(Kind::HttpStream),
            "sse" => Some(Kind::Sse),
            _ => None,
        }
    }
}

/// Rewrites `url` to the scheme the core accepts (`ws`/`wss`), or back to `http`/`https`.
pub fn with_scheme(url: &str, websocket: bool) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let secure = matches!(scheme, "wss" | "https");
    let scheme = match (websocket, secure) {
        (true, false) => "ws",
        (true, true) => "wss",
        (false, false) => "http",
        (false, true) => "https",
    };
    format!("{scheme}://{rest}")
}

/// Tries the entries in the core's order until one works, then sticks to it.
pub struct FallbackTransport {
    /// `(kind, core URL)` per entry, in order.
    entries: Vec<(Kind, String)>,
    websocket: WebSocketTransport,
    http_stream: EmulationTransport,
    sse: EmulationTransport,
    sticky: Rc<Cell<Option<usize>>>,
    last: Cell<Kind>,
}

impl FallbackTransport {
    /// `entries` are `(kind, URL as handed to the core)`; commands of emulation entries go to
    /// `emulation_url`.
    pub fn new(entries: Vec<(Kind, String)>, emulation_url: String) -> Self {
        let first = entries.first().map_or(Kind::WebSocket, |e| e.0);
        Self {
            entries,
            websocket: WebSocketTransport,
            http_stream: EmulationTransport::new(StreamKind::HttpStream, emulation_url.clone()),
            sse: EmulationTransport::new(StreamKind::Sse, emulation_url),
            sticky: Rc::new(Cell::new(None)),
            last: Cell::new(first),
        }
    }
}

impl Transport for FallbackTransport {
    fn name(&self) -> &'static str {
        self.carrier(self.last.get()).name()
    }

    /// The kind of the most recent `open`: the driver asks right after that open resolved, and attempts
    /// never overlap.
    fn optimistic_subscribe(&self) -> bool {
        self.last.get() == Kind::WebSocket
    }

    fn open(&self, mut request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        let requested = self.entries.iter().position(|(_, url)| url.as_str() == request.url.as_str());
        let Some(index) = self.sticky.get().or(requested) else {
            let message = format!("no transport configured for {}", request.url);
            return Box::pin(async move { Err(TransportError { kind: TransportErrorKind::Other, message }) });
        };
        let (kind, url) = &self.entries[index];
        self.last.set(*kind);
        if *kind != Kind::WebSocket {
            match url::Url::parse(&with_scheme(url, false)) {
                Ok(http) => request.url = http,
                Err(e) => {
                    let message = e.to_string();
                    return Box::pin(async move {
                        Err(TransportError { kind: TransportErrorKind::Other, message })
                    });
                }
            }
        } else if let Ok(ws) = url::Url::parse(url) {
            request.url = ws;
        }
        let open = self.carrier(*kind).open(request);
        let sticky = self.sticky.clone();
        Box::pin(async move {
            let mut connection = open.await?;
            connection.incoming = connection
                .incoming
                .inspect(move |item| {
                    if matches!(item, Incoming::Frame(_)) && sticky.get().is_none() {
                        sticky.set(Some(index));
                    }
                })
                .boxed_local();
            Ok(connection)
        })
    }
}

impl FallbackTransport {
    fn carrier(&self, kind: Kind) -> &dyn Transport {
        match kind {
            Kind::WebSocket => &self.websocket,
            Kind::HttpStream => &self.http_stream,
            Kind::Sse => &self.sse,
        }
    }
}
