//! The native WebSocket transport: tokio + tokio-tungstenite, TLS through rustls.
//!
//! One connection is one socket split in two halves:
//! - the **writer task** (spawned on tokio) owns the sink and drains the connection's
//!   [`Outgoing`] channel. Frames go out as TEXT (JSON) or BINARY (Protobuf); consecutive frames that
//!   are already queued are written together and flushed once. An [`Outgoing::Close`] sends a close
//!   frame and ends the task; so does dropping the sender (with code 1000).
//! - the **incoming stream** owns the read half and maps TEXT/BINARY messages to
//!   [`Incoming::Frame`] without copying. It always ends with exactly one [`Incoming::Closed`]: the
//!   peer's close code and reason, or `code: None` and a description for a read error or EOF.
//!
//! WebSocket pings are answered by tungstenite itself: it queues the pong when the ping is read and
//! writes it out at the start of the next read, which the incoming stream performs right away (it
//! keeps reading after a ping). After the server's close frame the read half is handed to a short
//! background task that sends tungstenite's close reply and waits for the server to drop the socket.
//!
//! With a [`ProxyConfig`], the TCP connection is a `CONNECT` tunnel through that HTTP proxy (see
//! [`super::proxy`]); TLS and the upgrade then run through the tunnel exactly as without a proxy.
//!
//! Each socket's buffers are small by default ([`SocketBuffers`]): tungstenite's own default of 128 KiB
//! for reading, zero-filled on the first read, would make an idle connection cost more than three times
//! what it needs. The read buffer grows on its own for a frame larger than it, so the size only trades
//! memory per connection against read calls under a heavy backlog.
//!
//! No `Origin` header is sent. URLs may carry tokens in their query string, so log lines and error
//! messages only ever show the scheme, host, port and path.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::channel::mpsc::UnboundedReceiver;
use futures::stream::{SplitSink, SplitStream};
use futures::{FutureExt, SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, TlsError};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::maybe_send::{BoxFuture, BoxStream};
use crate::tls::TlsConfig;
use crate::transport::proxy::ProxyConfig;
use crate::transport::{
    CloseInfo, Connection, FrameFormat, Incoming, OpenRequest, Outgoing, Transport, TransportError,
    TransportErrorKind, TransportKind,
};

/// The subprotocol that selects Protobuf framing on Centrifugo.
const PROTOBUF_SUBPROTOCOL: &str = "centrifuge-protobuf";
/// Largest message (and frame) accepted from the server. The server bounds what it sends.
const MAX_INCOMING_MESSAGE: usize = 16 << 20;
/// A close reason must fit a control frame: 125 bytes minus the 2-byte code.
const MAX_CLOSE_REASON: usize = 123;
/// How long the close handshake may linger in the background after the server's close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(3);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How much memory each WebSocket keeps for reading and writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketBuffers {
    /// Bytes read from the socket at a time (default 8 KiB). It grows for a larger frame.
    pub read: usize,
    /// Outgoing bytes collected before they are written to the socket, between flushes (default
    /// 8 KiB). The writer flushes after every batch of queued frames anyway.
    pub write: usize,
}

impl SocketBuffers {
    /// The default read buffer: a few frames of an ordinary stream per read call.
    pub const DEFAULT_READ: usize = 8 << 10;
    /// The default write threshold.
    pub const DEFAULT_WRITE: usize = 8 << 10;
}

impl Default for SocketBuffers {
    fn default() -> Self {
        Self { read: Self::DEFAULT_READ, write: Self::DEFAULT_WRITE }
    }
}

/// The native WebSocket transport (`ws://` and `wss://`).
///
/// Cheap to clone and to share between connection attempts.
#[derive(Debug, Clone, Default)]
pub struct WebSocketTransport {
    tls: TlsConfig,
    proxy: Option<ProxyConfig>,
    buffers: SocketBuffers,
}

impl WebSocketTransport {
    /// A transport that verifies `wss://` servers against `tls`.
    pub fn new(tls: TlsConfig) -> Self {
        Self { tls, proxy: None, buffers: SocketBuffers::default() }
    }

    /// Uses `buffers` for every socket it opens.
    pub fn with_buffers(mut self, buffers: SocketBuffers) -> Self {
        self.buffers = buffers;
        self
    }

    /// Connects through an HTTP proxy (a `CONNECT` tunnel), or directly with `None`.
    pub fn with_proxy(mut self, proxy: Option<ProxyConfig>) -> Self {
        self.proxy = proxy;
        self
    }
}

impl Transport for WebSocketTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::WebSocket
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        let tls = self.tls.client_config();
        Box::pin(open(request, tls, self.proxy.clone(), self.buffers))
    }
}

/// Connects, performs the upgrade and starts the writer task.
async fn open(
    request: OpenRequest,
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<ProxyConfig>,
    buffers: SocketBuffers,
) -> Result<Connection, TransportError> {
    let OpenRequest { url, format, .. } = request;
    let target = SafeUrl::new(&url);
    // The socket and the tasks need a tokio runtime; fail instead of panicking without one.
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| TransportError {
        kind: TransportErrorKind::Other,
        message: "the WebSocket transport must run inside a tokio runtime".to_owned(),
    })?;
    let connector = match url.scheme() {
        "wss" => Connector::Rustls(tls),
        "ws" => Connector::Plain,
        other => {
            return Err(TransportError {
                kind: TransportErrorKind::Other,
                message: format!("unsupported URL scheme `{other}` (expected ws or wss)"),
            });
        }
    };

    let mut upgrade = url.as_str().into_client_request().map_err(|err| target.error(err))?;
    if format == FrameFormat::Protobuf {
        upgrade.headers_mut().insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOBUF_SUBPROTOCOL));
    }
    // tungstenite panics unless its (unlimited) write cap exceeds the threshold: keep the threshold sane.
    let config = WebSocketConfig::default()
        .read_buffer_size(buffers.read.max(1))
        .write_buffer_size(buffers.write.min(MAX_INCOMING_MESSAGE))
        .max_message_size(Some(MAX_INCOMING_MESSAGE))
        .max_frame_size(Some(MAX_INCOMING_MESSAGE));

    tracing::debug!(url = %target, ?format, proxy = proxy.is_some(), "opening WebSocket");
    let (socket, _response) = match proxy {
        None => {
            tokio_tungstenite::connect_async_tls_with_config(upgrade, Some(config), true, Some(connector))
                .await
                .map_err(|err| target.error(err))?
        }
        Some(proxy) => {
            let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
                return Err(TransportError {
                    kind: TransportErrorKind::Other,
                    message: format!("{target} has no host to reach through the proxy"),
                });
            };
            let tunnel = proxy.connect_tunnel(host, port).await?;
            tokio_tungstenite::client_async_tls_with_config(upgrade, tunnel, Some(config), Some(connector))
                .await
                .map_err(|err| target.error(err))?
        }
    };
    tracing::debug!(url = %target, "WebSocket open");

    let (sink, stream) = socket.split();
    let (outgoing, queue) = futures::channel::mpsc::unbounded();
    runtime.spawn(write_loop(sink, queue, format));
    Ok(Connection { outgoing, incoming: incoming(stream, runtime) })
}

/// The writer task: sends queued items until a close is asked for or the sender is dropped.
async fn write_loop(
    mut sink: SplitSink<Socket, Message>,
    mut queue: UnboundedReceiver<Outgoing>,
    format: FrameFormat,
) {
    loop {
        // Write out everything already queued, flushing once when the queue runs dry.
        let item = match queue.next().now_or_never() {
            Some(item) => item,
            None => {
                if let Err(err) = sink.flush().await {
                    tracing::debug!(error = %err, "WebSocket write failed");
                    return;
                }
                queue.next().await
            }
        };
        let message = match item {
            Some(Outgoing::Frame(bytes)) => match frame_message(bytes, format) {
                Some(message) => message,
                None => {
                    tracing::debug!("outgoing JSON frame is not valid UTF-8; closing the connection");
                    send_close(&mut sink, 1007, "invalid UTF-8 in a JSON frame").await;
                    return;
                }
            },
            Some(Outgoing::Session { .. }) => continue,
            Some(Outgoing::Close { code, reason }) => {
                send_close(&mut sink, code, &reason).await;
                return;
            }
            None => {
                send_close(&mut sink, 1000, "").await;
                return;
            }
        };
        if let Err(err) = sink.feed(message).await {
            tracing::debug!(error = %err, "WebSocket write failed");
            return;
        }
    }
}

/// The WebSocket message for one outgoing frame, `None` for a JSON frame that is not UTF-8.
fn frame_message(bytes: Bytes, format: FrameFormat) -> Option<Message> {
    match format {
        FrameFormat::Json => Utf8Bytes::try_from(bytes).ok().map(Message::Text),
        FrameFormat::Protobuf => Some(Message::Binary(bytes)),
    }
}

/// Sends a close frame (and flushes it). Codes that may not be sent on the wire become 1000.
async fn send_close(sink: &mut SplitSink<Socket, Message>, code: u16, reason: &str) {
    let mut close_code = CloseCode::from(code);
    if !close_code.is_allowed() {
        tracing::debug!(code, "close code may not be sent; using 1000");
        close_code = CloseCode::Normal;
    }
    let reason = Utf8Bytes::from(truncate(reason, MAX_CLOSE_REASON));
    tracing::debug!(code = u16::from(close_code), reason = %reason, "closing WebSocket");
    if let Err(err) = sink.send(Message::Close(Some(CloseFrame { code: close_code, reason }))).await {
        tracing::debug!(error = %err, "could not send the close frame");
    }
}

/// The longest prefix of `text` that fits `max` bytes without splitting a character.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The incoming side: frames, then exactly one `Closed`.
fn incoming(stream: SplitStream<Socket>, runtime: tokio::runtime::Handle) -> BoxStream<'static, Incoming> {
    futures::stream::unfold(Some((stream, runtime)), |state| async move {
        let (mut stream, runtime) = state?;
        let closed = loop {
            match stream.next().await {
                Some(Ok(Message::Text(text))) => {
                    return Some((Incoming::Frame(Bytes::from(text)), Some((stream, runtime))));
                }
                Some(Ok(Message::Binary(bytes))) => {
                    return Some((Incoming::Frame(bytes), Some((stream, runtime))));
                }
                // Keep reading: the next read also writes out the pong tungstenite queued.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(frame))) => {
                    let info = close_info(frame);
                    tracing::debug!(code = ?info.code, reason = %info.reason, "WebSocket closed by the server");
                    runtime.spawn(finish_close(stream));
                    break info;
                }
                Some(Err(err)) => {
                    tracing::debug!(error = %err, "WebSocket read failed");
                    break CloseInfo { code: None, reason: err.to_string() };
                }
                None => {
                    tracing::debug!("WebSocket ended without a close frame");
                    break CloseInfo { code: None, reason: "connection closed without a close frame".to_owned() };
                }
            }
        };
        Some((Incoming::Closed(closed), None))
    })
    .boxed()
}

/// The code and reason of a received close frame. A close frame without a status reports 1005, as
/// browsers do.
fn close_info(frame: Option<CloseFrame>) -> CloseInfo {
    match frame {
        Some(frame) => {
            CloseInfo { code: Some(u16::from(frame.code)), reason: frame.reason.as_str().to_owned() }
        }
        None => CloseInfo { code: Some(u16::from(CloseCode::Status)), reason: String::new() },
    }
}

/// Completes the close handshake after the server's close frame: reading sends tungstenite's close
/// reply, then waits (bounded) for the server to drop the socket.
async fn finish_close(mut stream: SplitStream<Socket>) {
    let drain = async { while stream.next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_LINGER, drain).await.is_err() {
        tracing::debug!("server did not end the socket after the close handshake");
    }
}

/// A URL reduced to what may be shown: no credentials, query or fragment.
pub(crate) struct SafeUrl {
    shown: String,
    secrets: Vec<String>,
}

impl SafeUrl {
    pub(crate) fn new(url: &url::Url) -> Self {
        let host = url.host_str().unwrap_or_default();
        let shown = match url.port() {
            Some(port) => format!("{}://{host}:{port}{}", url.scheme(), url.path()),
            None => format!("{}://{host}{}", url.scheme(), url.path()),
        };
        let mut secrets: Vec<String> = [url.query(), url.password(), url.fragment()]
            .into_iter()
            .flatten()
            .filter(|secret| !secret.is_empty())
            .map(str::to_owned)
            .collect();
        // Query values on their own too (decoded), when long enough to be credentials rather than
        // flags such as `format=json`.
        secrets
            .extend(url.query_pairs().map(|(_, value)| value.into_owned()).filter(|value| value.len() >= 8));
        Self { shown, secrets }
    }

    /// Removes anything secret that an error text might have picked up from the URL.
    pub(crate) fn scrub(&self, mut text: String) -> String {
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "<redacted>");
            }
        }
        text
    }

    /// Maps a connect/upgrade failure to a [`TransportError`].
    fn error(&self, err: WsError) -> TransportError {
        let (kind, message) = match err {
            WsError::Io(err) => match rustls_cause(&err) {
                Some(tls) => (TransportErrorKind::Tls, tls.to_string()),
                None => (TransportErrorKind::Io, format!("{}: {err}", self.shown)),
            },
            WsError::Tls(TlsError::Rustls(tls)) => (TransportErrorKind::Tls, tls.to_string()),
            WsError::Tls(err) => (TransportErrorKind::Tls, err.to_string()),
            WsError::Http(response) => {
                let status = response.status();
                (
                    TransportErrorKind::Http(status.as_u16()),
                    format!("the server refused the WebSocket upgrade at {} with HTTP {status}", self.shown),
                )
            }
            WsError::Url(err) => (TransportErrorKind::Other, format!("invalid WebSocket URL: {err}")),
            WsError::HttpFormat(err) => (TransportErrorKind::Other, format!("invalid WebSocket URL: {err}")),
            other => {
                (TransportErrorKind::Other, format!("WebSocket upgrade at {} failed: {other}", self.shown))
            }
        };
        let message = self.scrub(message);
        tracing::debug!(%kind, %message, "WebSocket open failed");
        TransportError { kind, message }
    }
}

impl std::fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The rustls error inside an I/O error, if the failure came from the TLS handshake.
pub(crate) fn rustls_cause(err: &std::io::Error) -> Option<&rustls::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> =
        err.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(current) = cause {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cause = current.source();
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn safe_url_hides_query_and_credentials() {
        let url =
            url::Url::parse("wss://user:hunter2@example.com:8443/connection/websocket?token=abc.def#frag")
                .unwrap();
        let safe = SafeUrl::new(&url);
        assert_eq!(safe.to_string(), "wss://example.com:8443/connection/websocket");
        assert_eq!(safe.scrub("x token=abc.def y hunter2".to_owned()), "x <redacted> y <redacted>");
        let url = url::Url::parse("ws://example.com/ws?format=json&token=secret%2Etoken").unwrap();
        assert_eq!(SafeUrl::new(&url).scrub("bad secret.token".to_owned()), "bad <redacted>");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate(&"x".repeat(200), MAX_CLOSE_REASON).len(), MAX_CLOSE_REASON);
    }

    #[test]
    fn json_frames_must_be_utf8() {
        assert!(frame_message(Bytes::from_static(b"{}"), FrameFormat::Json).is_some());
        assert!(frame_message(Bytes::from_static(b"\xff"), FrameFormat::Json).is_none());
        assert!(matches!(
            frame_message(Bytes::from_static(b"\xff"), FrameFormat::Protobuf),
            Some(Message::Binary(_))
        ));
    }

    #[test]
    fn close_without_status_reports_1005() {
        assert_eq!(close_info(None), CloseInfo { code: Some(1005), reason: String::new() });
    }
}
