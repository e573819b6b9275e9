//! The transports the protocol runs over, and what the protocol says about each.
//!
//! The engine picks a transport by its index in [`crate::Config::transports`]; the kind at that index
//! decides what may be sent before the connect reply and which encodings it can carry.

use std::fmt;

use crate::codec::Format;

/// A carrier of the client protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransportKind {
    /// WebSocket (`/connection/websocket`): bidirectional, JSON text or Protobuf binary frames.
    WebSocket,
    /// HTTP-streaming emulation (`/connection/http_stream` + `/emulation`): JSON or Protobuf.
    HttpStream,
    /// Server-sent events emulation (`/connection/sse` + `/emulation`): JSON only.
    Sse,
}

impl TransportKind {
    /// Every kind, in the default fallback order.
    pub const ALL: [TransportKind; 3] =
        [TransportKind::WebSocket, TransportKind::HttpStream, TransportKind::Sse];

    /// The protocol's name for it: `websocket`, `http_stream` or `sse`.
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::WebSocket => "websocket",
            TransportKind::HttpStream => "http_stream",
            TransportKind::Sse => "sse",
        }
    }

    /// How people call it, for messages: `WebSocket`, `HTTP-streaming` or `SSE`.
    pub fn label(self) -> &'static str {
        match self {
            TransportKind::WebSocket => "WebSocket",
            TransportKind::HttpStream => "HTTP-streaming",
            TransportKind::Sse => "SSE",
        }
    }

    /// The kind named `name` (as [`TransportKind::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether `subscribe` commands may ride in the same frame as `connect`. Emulation transports need
    /// the connect reply's session before anything else can be sent.
    pub fn optimistic_subscribe(self) -> bool {
        self == TransportKind::WebSocket
    }

    /// Whether this transport can carry `format`.
    pub fn carries(self, format: Format) -> bool {
        !(self == TransportKind::Sse && format == Format::Protobuf)
    }

    /// Whether this is one of the HTTP emulation transports.
    pub fn is_emulation(self) -> bool {
        self != TransportKind::WebSocket
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in TransportKind::ALL {
            assert_eq!(TransportKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(TransportKind::from_name("tcp"), None);
    }

    #[test]
    fn sse_carries_json_only() {
        assert!(TransportKind::Sse.carries(Format::Json));
        assert!(!TransportKind::Sse.carries(Format::Protobuf));
        assert!(TransportKind::HttpStream.carries(Format::Protobuf));
    }
}
