//! The native SSE transport (`/connection/sse`, PROTOCOL.md 8.2). JSON only.
//!
//! The `connect` command is POSTed to the SSE endpoint (the server also takes it as a `cf_connect`
//! query parameter, but a body keeps the token out of URLs and logs; the browser sends it the same way).
//! The response is an event stream (`text/event-stream`): an opening `\r\n`, then one
//! `data: <reply JSON>` event per reply, cut into frames by
//! `ceaseless_proto::emulation::StreamDecoder`. The client runs its own reconnect logic: the stream is
//! never resumed with `Last-Event-ID`.
//!
//! Commands after the connect reply go to the emulation endpoint as ordered POSTs, one at a time
//! (`super::emulation`).

use crate::maybe_send::BoxFuture;
use crate::tls::TlsConfig;
use crate::transport::emulation::{self, HttpSettings};
use crate::transport::proxy::ProxyConfig;
use crate::transport::{Connection, OpenRequest, Transport, TransportError, TransportKind};

/// The native SSE transport (JSON only), over `http://` or `https://`.
///
/// Cheap to clone and to share between connection attempts.
#[derive(Debug, Clone)]
pub struct SseTransport {
    settings: HttpSettings,
}

impl SseTransport {
    /// A transport that verifies `https://` servers against `tls` and goes through `proxy`, if any.
    pub fn new(tls: &TlsConfig, proxy: Option<ProxyConfig>) -> Self {
        Self { settings: HttpSettings { tls: tls.client_config(), proxy } }
    }
}

impl Transport for SseTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::Sse
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        Box::pin(emulation::open(TransportKind::Sse, self.settings.clone(), request))
    }
}
