//! The transport seam: how the driver moves frames, without knowing what carries them.
//!
//! A [`Transport`] opens a [`Connection`]: a sender for [`Outgoing`] items and a stream of [`Incoming`]
//! items. The driver never awaits a send: each connection owns its writer (a task, or the browser's
//! socket), so a slow write path (one HTTP POST at a time for the emulation transports) never stalls
//! heartbeats or timers.
//!
//! The shapes fit every carrier we plan:
//! - WebSocket (native here, the browser's in `ceaseless-wasm`): one socket, both directions.
//! - HTTP-streaming and SSE emulation: the first [`Outgoing::Frame`] (the `connect` command) becomes the
//!   body of the long-lived request; the core then hands over the `session` and `node` from the connect
//!   reply with [`Outgoing::Session`], and later frames go out as ordered POSTs to the emulation endpoint.
//!   Their [`TransportKind`] says so, and the core waits for the connect reply before sending
//!   `subscribe` commands.

#[cfg(feature = "native")]
mod emulation;
#[cfg(feature = "native")]
pub mod http_stream;
#[cfg(feature = "native")]
pub mod proxy;
#[cfg(feature = "native")]
pub mod sse;
#[cfg(feature = "native")]
pub mod websocket;

#[cfg(feature = "native")]
pub use proxy::ProxyConfig;
#[cfg(feature = "native")]
pub use websocket::SocketBuffers;

use bytes::Bytes;

use crate::maybe_send::{BoxFuture, BoxStream, MaybeSend, MaybeSync};

/// The encoding of frames on a connection: JSON (sent as text) or Protobuf (binary, the
/// `centrifuge-protobuf` subprotocol on WebSocket).
pub use ceaseless_proto::codec::Format as FrameFormat;

pub use targets::{TransportKind, endpoint_url};

/// The built-in native transport of `kind`, verifying servers against `tls` and going through `proxy`
/// (an HTTP `CONNECT` proxy) when one is given; a WebSocket keeps `buffers`.
///
/// # Errors
/// [`ceaseless_proto::Error::Config`] for a kind this build does not have.
#[cfg(feature = "native")]
pub fn native_transport(
    kind: TransportKind,
    tls: &crate::tls::TlsConfig,
    proxy: Option<&ProxyConfig>,
    buffers: websocket::SocketBuffers,
) -> Result<std::sync::Arc<dyn Transport>, ceaseless_proto::Error> {
    let proxy = proxy.cloned();
    Ok(match kind {
        TransportKind::WebSocket => std::sync::Arc::new(
            websocket::WebSocketTransport::new(tls.clone()).with_proxy(proxy).with_buffers(buffers),
        ),
        TransportKind::HttpStream => std::sync::Arc::new(http_stream::HttpStreamTransport::new(tls, proxy)),
        TransportKind::Sse => std::sync::Arc::new(sse::SseTransport::new(tls, proxy)),
    })
}

mod targets;

/// Everything a transport needs to open one connection.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    /// The endpoint, for example `wss://example.com/connection/websocket`.
    pub url: url::Url,
    /// How frames are encoded.
    pub format: FrameFormat,
    /// Emulation transports only: where later commands are POSTed (`/emulation` on the same origin by
    /// default).
    pub emulation_url: Option<url::Url>,
}

/// What the driver hands to an open connection.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// One frame: one or more encoded commands.
    Frame(Bytes),
    /// Emulation only: the session and node from the connect reply. Other transports ignore it.
    Session {
        /// `ConnectResult.session`.
        session: String,
        /// `ConnectResult.node`.
        node: String,
    },
    /// Close the connection (WebSocket close code and reason where the carrier has them).
    Close {
        /// Close code, 1000 for a normal close.
        code: u16,
        /// Short human-readable reason.
        reason: String,
    },
}

/// What an open connection reports to the driver.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// One received frame (one or more encoded replies).
    Frame(Bytes),
    /// The connection ended. Nothing follows.
    Closed(CloseInfo),
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// The close code from the peer (WebSocket close frame), if there was one.
    pub code: Option<u16>,
    /// The close reason, or a description of the failure.
    pub reason: String,
}

/// One open connection.
pub struct Connection {
    /// Items to send, in order. Dropping the sender closes the connection.
    pub outgoing: futures::channel::mpsc::UnboundedSender<Outgoing>,
    /// Received items. Ends after [`Incoming::Closed`].
    pub incoming: BoxStream<'static, Incoming>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

/// Why a connection could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    /// The broad class of failure.
    pub kind: TransportErrorKind,
    /// What went wrong, for humans. Never contains a token.
    pub message: String,
}

/// Broad classes of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// DNS, TCP connect or socket I/O failed.
    Io,
    /// The TLS handshake failed, for example an untrusted certificate.
    Tls,
    /// The server answered the upgrade or request with an unexpected HTTP status.
    Http(u16),
    /// Any other failure while opening.
    Other,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportErrorKind::Io => f.write_str("network error"),
            TransportErrorKind::Tls => f.write_str("TLS error"),
            TransportErrorKind::Http(status) => write!(f, "HTTP status {status}"),
            TransportErrorKind::Other => f.write_str("transport error"),
        }
    }
}

/// A way to reach the server. Implementations must be cheap to share between attempts.
pub trait Transport: MaybeSend + MaybeSync + 'static {
    /// Which protocol carrier this is: it decides the URLs the driver derives, what may be sent
    /// before the connect reply, and which encodings can be used.
    fn kind(&self) -> TransportKind;

    /// A short name reported to the app, e.g. `"websocket"`.
    fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// Opens one connection. The future resolves once the connection can carry frames.
    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>>;
}
