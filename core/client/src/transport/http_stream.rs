//! The native HTTP-streaming transport (`/connection/http_stream`, PROTOCOL.md 8.1): JSON or Protobuf.
//!
//! The `connect` command is POSTed to the stream endpoint (`text/plain` for JSON, which the server reads
//! as JSON, or `application/octet-stream` for Protobuf) and the response body stays open: the server
//! writes every reply as it happens, JSON replies each followed by `\n`, Protobuf replies
//! varint-delimited. `ceaseless_proto::emulation::StreamDecoder` cuts the body into frames of whole
//! messages; a chunk that already ends on a message boundary becomes a frame without being copied.
//!
//! Commands after the connect reply go to the emulation endpoint as ordered POSTs, one at a time
//! (`super::emulation`).

use crate::maybe_send::BoxFuture;
use crate::tls::TlsConfig;
use crate::transport::emulation::{self, HttpSettings};
use crate::transport::proxy::ProxyConfig;
use crate::transport::{Connection, OpenRequest, Transport, TransportError, TransportKind};

/// The native HTTP-streaming transport: JSON or Protobuf, over `http://` or `https://`.
///
/// Cheap to clone and to share between connection attempts.
#[derive(Debug, Clone)]
pub struct HttpStreamTransport {
    settings: HttpSettings,
}

impl HttpStreamTransport {
    /// A transport that verifies `https://` servers against `tls` and goes through `proxy`, if any.
    pub fn new(tls: &TlsConfig, proxy: Option<ProxyConfig>) -> Self {
        Self { settings: HttpSettings { tls: tls.client_config(), proxy } }
    }
}

impl Transport for HttpStreamTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::HttpStream
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        Box::pin(emulation::open(TransportKind::HttpStream, self.settings.clone(), request))
    }
}
