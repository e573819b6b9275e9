//! What the two bidirectional emulation transports (HTTP-streaming and SSE) share: HTTP/1.1
//! connections, the long-lived stream request, and the ordered writer that POSTs commands to the
//! emulation endpoint (PROTOCOL.md section 8).
//!
//! One emulation connection is two HTTP/1.1 connections, both made with hyper over our own TCP (and
//! TLS through the same rustls configuration as WebSocket, so certificates are verified the same way):
//! - the **stream connection** is opened by [`open`] (so connection failures are reported as typed
//!   [`TransportError`]s). The first [`Outgoing::Frame`], the `connect` command, becomes the body of
//!   the request that opens the stream (`POST /connection/http_stream` or `POST /connection/sse`); its
//!   response body is read by the **reader task** and cut into [`Incoming::Frame`]s by the transport's
//!   decoder ([`super::http_stream`] or [`super::sse`]). A status other than 200, a read error or the
//!   end of the body ends the connection with [`Incoming::Closed`].
//! - the **POST connection** carries everything after the connect reply. The **writer task** waits for
//!   [`Outgoing::Session`] (the `session` and `node` of the connect reply), then sends the queued frames
//!   as `EmulationRequest`s, **one POST at a time and in order** (pongs included): frames queued while a
//!   POST is in flight go together in the next one. JSON bodies are
//!   `{"node","session","data":"<commands as a JSON string>"}` (`application/json`); Protobuf bodies are
//!   a protobuf `EmulationRequest` (`application/octet-stream`). The server answers 204 once it has
//!   processed the commands; anything else (404 when the session's node is gone, 413, 500…) or a network
//!   failure ends the connection with [`Incoming::Closed`], and the client reconnects. The connection is
//!   kept alive between POSTs; a request that hyper reports as never sent on a closed keep-alive
//!   connection is sent again on a fresh one (so no command can be sent twice).
//!
//! [`Outgoing::Close`] (or dropping the sender) aborts the stream request, which is how the server learns
//! that the client left. The incoming stream always ends with exactly one [`Incoming::Closed`], with
//! `code: None`: server disconnect codes arrive in band, as `disconnect` pushes.
//!
//! Through an HTTP proxy ([`ProxyConfig`]), `https://` endpoints are reached through a `CONNECT` tunnel
//! and `http://` ones by sending requests to the proxy in absolute form.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use http_body_util::{BodyDataStream, BodyExt, Full, Limited};
use hyper::body::Incoming as IncomingBody;
use hyper::client::conn::http1;
use hyper::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::maybe_send::BoxStream;
use crate::transport::proxy::ProxyConfig;
use crate::transport::websocket::{SafeUrl, rustls_cause};
use crate::transport::{
    CloseInfo, Connection, FrameFormat, Incoming, OpenRequest, Outgoing, TransportError, TransportErrorKind,
};

/// How long one POST to the emulation endpoint may take before the connection is given up.
const POST_TIMEOUT: Duration = Duration::from_secs(30);
/// Frames are merged into one POST only while the commands stay under this size: the server refuses
/// bodies over 64 KiB, and a JSON body escapes quotes in `data`.
const MAX_BATCH: usize = 16 * 1024;
/// How much of an error response body is quoted.
const MAX_ERROR_BODY: usize = 512;

const JSON: &str = "application/json";
const PROTOBUF: &str = "application/octet-stream";
const USER_AGENT_VALUE: &str = concat!("ceaseless/", env!("CARGO_PKG_VERSION"));

/// A stream of decoded frames, or the reason the stream broke.
pub(crate) type FrameStream = BoxStream<'static, Result<Bytes, String>>;
/// The data chunks of a response body, or the reason reading failed.
pub(crate) type ChunkStream = BoxStream<'static, Result<Bytes, String>>;

/// Which emulation transport: they differ in the stream request and how its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKind {
    /// `/connection/http_stream`: newline-delimited JSON or varint-delimited Protobuf.
    HttpStream,
    /// `/connection/sse`: one `data:` event per reply, JSON only.
    Sse,
}

impl StreamKind {
    fn name(self) -> &'static str {
        match self {
            StreamKind::HttpStream => "http_stream",
            StreamKind::Sse => "sse",
        }
    }

    /// The decoder for this kind's response body.
    fn frames(self, chunks: ChunkStream, format: FrameFormat) -> FrameStream {
        match self {
            StreamKind::HttpStream => super::http_stream::frames(chunks, format),
            StreamKind::Sse => super::sse::frames(chunks),
        }
    }
}

/// How the emulation transports reach the server: TLS settings and an optional proxy. Cheap to clone.
#[derive(Clone)]
pub(crate) struct HttpSettings {
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) proxy: Option<ProxyConfig>,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSettings").field("proxy", &self.proxy).finish_non_exhaustive()
    }
}

/// Opens an emulation connection of `kind`: connects the stream connection and starts the connection
/// task, which sends the stream request with the first frame.
pub(crate) async fn open(
    kind: StreamKind,
    settings: HttpSettings,
    request: OpenRequest,
) -> Result<Connection, TransportError> {
    let OpenRequest { url, format, emulation_url } = request;
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| TransportError {
        kind: TransportErrorKind::Other,
        message: format!("the {} transport must run inside a tokio runtime", kind.name()),
    })?;
    if kind == StreamKind::Sse && format == FrameFormat::Protobuf {
        return Err(TransportError {
            kind: TransportErrorKind::Other,
            message: "SSE carries JSON only; use http_stream with Protobuf".to_owned(),
        });
    }
    let Some(emulation_url) = emulation_url else {
        return Err(TransportError {
            kind: TransportErrorKind::Other,
            message: format!("the {} transport needs an emulation endpoint URL", kind.name()),
        });
    };
    let target = SafeUrl::new(&url);
    tracing::debug!(url = %target, ?format, proxy = settings.proxy.is_some(), "opening {}", kind.name());
    let stream = HttpConnection::connect(&settings, &url).await?;
    tracing::debug!(url = %target, "{} connection open", kind.name());

    let (outgoing, queue) = futures::channel::mpsc::unbounded();
    let (incoming_tx, incoming_rx) = futures::channel::mpsc::unbounded();
    let task = ConnectionTask { kind, settings, url, emulation_url, format, runtime: runtime.clone() };
    runtime.spawn(task.run(stream, queue, incoming_tx));
    Ok(Connection { outgoing, incoming: closed_once(incoming_rx) })
}

/// Ends the stream after the first [`Incoming::Closed`], and adds one if the senders go away without it.
fn closed_once(rx: UnboundedReceiver<Incoming>) -> BoxStream<'static, Incoming> {
    futures::stream::unfold(Some(rx), |state| async move {
        let mut rx = state?;
        match rx.next().await {
            Some(Incoming::Frame(frame)) => Some((Incoming::Frame(frame), Some(rx))),
            Some(closed @ Incoming::Closed(_)) => Some((closed, None)),
            None => Some((Incoming::Closed(closed("the connection ended")), None)),
        }
    })
    .boxed()
}

fn closed(reason: impl Into<String>) -> CloseInfo {
    CloseInfo { code: None, reason: reason.into() }
}

/// Everything the connection task needs besides its channels.
struct ConnectionTask {
    kind: StreamKind,
    settings: HttpSettings,
    url: url::Url,
    emulation_url: url::Url,
    format: FrameFormat,
    runtime: tokio::runtime::Handle,
}

impl ConnectionTask {
    /// Waits for the connect frame, starts the reader with it, then runs the writer until the
    /// connection ends.
    async fn run(
        self,
        stream: HttpConnection,
        mut queue: UnboundedReceiver<Outgoing>,
        incoming: UnboundedSender<Incoming>,
    ) {
        let connect = loop {
            match queue.next().await {
                Some(Outgoing::Frame(frame)) => break frame,
                Some(Outgoing::Session { .. }) => {}
                Some(Outgoing::Close { .. }) | None => {
                    let _ = incoming.unbounded_send(Incoming::Closed(closed("closed by the client")));
                    return;
                }
            }
        };
        let reader = self.runtime.spawn(read_stream(
            self.kind,
            stream,
            self.url.clone(),
            self.format,
            connect,
            incoming.clone(),
        ));
        let reader = AbortOnDrop(reader);
        let outcome = Writer::new(&self).run(&mut queue).await;
        drop(reader);
        let info = match outcome {
            Ok(()) => closed("closed by the client"),
            Err(info) => {
                tracing::debug!(reason = %info.reason, "{} emulation writer failed", self.kind.name());
                info
            }
        };
        let _ = incoming.unbounded_send(Incoming::Closed(info));
    }
}

/// The reader task: sends the stream request and forwards its frames; always ends with one `Closed`.
async fn read_stream(
    kind: StreamKind,
    mut connection: HttpConnection,
    url: url::Url,
    format: FrameFormat,
    connect: Bytes,
    incoming: UnboundedSender<Incoming>,
) {
    let target = SafeUrl::new(&url);
    let info = match read_frames(kind, &mut connection, &url, format, connect, &incoming).await {
        Ok(()) => closed(format!("the server ended the {} stream", kind.name())),
        Err(reason) => closed(target.scrub(reason)),
    };
    tracing::debug!(url = %target, reason = %info.reason, "{} stream ended", kind.name());
    let _ = incoming.unbounded_send(Incoming::Closed(info));
}

async fn read_frames(
    kind: StreamKind,
    connection: &mut HttpConnection,
    url: &url::Url,
    format: FrameFormat,
    connect: Bytes,
    incoming: &UnboundedSender<Incoming>,
) -> Result<(), String> {
    let target = SafeUrl::new(url);
    let (content_type, accept) = match (kind, format) {
        (StreamKind::Sse, _) => (JSON, Some("text/event-stream")),
        (StreamKind::HttpStream, FrameFormat::Json) => (JSON, None),
        (StreamKind::HttpStream, FrameFormat::Protobuf) => (PROTOBUF, None),
    };
    let request = connection.post_request(url, content_type, accept, connect)?;
    let response = connection
        .send(request)
        .await
        .map_err(|err| format!("the {} request to {target} failed: {err}", kind.name()))?;
    let status = response.status();
    if status != StatusCode::OK {
        let body = error_body(response).await;
        return Err(format!("the {} request to {target} was answered with HTTP {status}{body}", kind.name()));
    }
    let chunks = BodyDataStream::new(response.into_body())
        .map(move |chunk| chunk.map_err(|err| format!("reading the {} stream failed: {err}", kind.name())))
        .boxed();
    let mut frames = kind.frames(chunks, format);
    while let Some(frame) = frames.next().await {
        if incoming.unbounded_send(Incoming::Frame(frame?)).is_err() {
            // Nobody listens any more.
            return Ok(());
        }
    }
    Ok(())
}

/// `": <start of the body>"` of an error response, or nothing.
async fn error_body(response: Response<IncomingBody>) -> String {
    let collected = Limited::new(response.into_body(), MAX_ERROR_BODY).collect();
    match tokio::time::timeout(Duration::from_secs(2), collected).await {
        Ok(Ok(body)) => {
            let bytes = body.to_bytes();
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim();
            if text.is_empty() {
                String::new()
            } else {
                format!(": {}", text.chars().take(200).collect::<String>())
            }
        }
        _ => String::new(),
    }
}

/// The writer: ordered POSTs to the emulation endpoint, one in flight.
struct Writer {
    settings: HttpSettings,
    url: url::Url,
    target: String,
    format: FrameFormat,
    session: Option<(String, String)>,
    pending: std::collections::VecDeque<Bytes>,
    /// The keep-alive POST connection while no POST is in flight.
    idle: Option<HttpConnection>,
}

type PostFuture = futures::future::BoxFuture<'static, Result<HttpConnection, CloseInfo>>;

impl Writer {
    fn new(task: &ConnectionTask) -> Self {
        Self {
            settings: task.settings.clone(),
            url: task.emulation_url.clone(),
            target: SafeUrl::new(&task.emulation_url).to_string(),
            format: task.format,
            session: None,
            pending: std::collections::VecDeque::new(),
            idle: None,
        }
    }

    /// Runs until the driver closes the connection (`Ok`) or a POST fails (`Err`).
    async fn run(mut self, queue: &mut UnboundedReceiver<Outgoing>) -> Result<(), CloseInfo> {
        let mut inflight: Option<PostFuture> = None;
        loop {
            tokio::select! {
                biased;
                item = queue.next() => match item {
                    Some(Outgoing::Frame(frame)) => self.pending.push_back(frame),
                    Some(Outgoing::Session { session, node }) => self.session = Some((session, node)),
                    Some(Outgoing::Close { .. }) | None => return Ok(()),
                },
                done = async { inflight.as_mut().expect("guarded by the condition").await }, if inflight.is_some() => {
                    inflight = None;
                    self.idle = Some(done?);
                }
            }
            if inflight.is_none() && !self.pending.is_empty() && self.session.is_some() {
                inflight = Some(self.next_post()?);
            }
        }
    }

    /// Starts the POST of the next batch of pending frames.
    fn next_post(&mut self) -> Result<PostFuture, CloseInfo> {
        let (session, node) = self.session.clone().unwrap_or_default();
        let mut batch = Vec::new();
        let mut size = 0;
        while let Some(frame) = self.pending.front() {
            if !batch.is_empty() && size + frame.len() > MAX_BATCH {
                break;
            }
            size += frame.len();
            batch.extend(self.pending.pop_front());
        }
        let (body, content_type) = match self.format {
            FrameFormat::Json => (json_body(&node, &session, &batch)?, JSON),
            FrameFormat::Protobuf => {
                let commands: Vec<u8> = batch.iter().flat_map(|f| f.iter().copied()).collect();
                let body =
                    ceaseless_proto::codec::protobuf::encode_emulation_request(&node, &session, &commands);
                (Bytes::from(body), PROTOBUF)
            }
        };
        tracing::trace!(frames = batch.len(), bytes = body.len(), "emulation POST");
        let post = post(
            self.settings.clone(),
            self.idle.take(),
            self.url.clone(),
            self.target.clone(),
            body,
            content_type,
        );
        Ok(Box::pin(async move {
            match tokio::time::timeout(POST_TIMEOUT, post).await {
                Ok(result) => result,
                Err(_) => Err(closed(format!("an emulation POST took longer than {POST_TIMEOUT:?}"))),
            }
        }))
    }
}

/// The JSON `EmulationRequest`: `data` is a JSON string holding the newline-joined commands.
fn json_body(node: &str, session: &str, frames: &[Bytes]) -> Result<Bytes, CloseInfo> {
    #[derive(serde::Serialize)]
    struct EmulationRequest<'a> {
        node: &'a str,
        session: &'a str,
        data: &'a str,
    }
    let mut data = String::new();
    for frame in frames {
        let text =
            std::str::from_utf8(frame).map_err(|_| closed("an outgoing JSON frame is not valid UTF-8"))?;
        // An empty line between commands is a protocol error on the server: never emit one.
        let text = text.trim_matches('\n');
        if text.is_empty() {
            continue;
        }
        if !data.is_empty() {
            data.push('\n');
        }
        data.push_str(text);
    }
    serde_json::to_vec(&EmulationRequest { node, session, data: &data })
        .map(Bytes::from)
        .map_err(|err| closed(format!("cannot encode an emulation request: {err}")))
}

/// One POST to the emulation endpoint on `idle` (when still usable) or a new connection. Gives the
/// connection back for the next POST.
async fn post(
    settings: HttpSettings,
    idle: Option<HttpConnection>,
    url: url::Url,
    target: String,
    body: Bytes,
    content_type: &'static str,
) -> Result<HttpConnection, CloseInfo> {
    let connect = || async {
        HttpConnection::connect(&settings, &url)
            .await
            .map_err(|err| closed(format!("cannot reach the emulation endpoint: {}", err.message)))
    };
    let mut connection = match idle.filter(HttpConnection::is_usable) {
        Some(connection) => connection,
        None => connect().await?,
    };
    let request = connection.post_request(&url, content_type, None, body).map_err(closed)?;
    let response = match connection.sender.try_send_request(request).await {
        Ok(response) => response,
        Err(mut err) => match err.take_message() {
            // Never written: the keep-alive connection had closed. Safe to send on a fresh one.
            Some(request) => {
                tracing::debug!(error = %err.error(), "emulation connection closed while idle; reconnecting");
                connection = connect().await?;
                connection
                    .send(request)
                    .await
                    .map_err(|err| closed(format!("the emulation POST to {target} failed: {err}")))?
            }
            None => {
                return Err(closed(format!("the emulation POST to {target} failed: {}", err.into_error())));
            }
        },
    };
    let status = response.status();
    if status.is_success() {
        // 204 has no body; read whatever there is so the connection can carry the next POST.
        let _ = Limited::new(response.into_body(), MAX_ERROR_BODY).collect().await;
        return Ok(connection);
    }
    let body = error_body(response).await;
    let reason = if status == StatusCode::NOT_FOUND {
        format!("the emulation endpoint {target} answered HTTP 404: the session's node is gone{body}")
    } else {
        format!("the emulation endpoint {target} answered HTTP {status}{body}")
    };
    Err(closed(reason))
}

/// What the HTTP connections run on: TCP or TLS over TCP.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One HTTP/1.1 client connection (hyper), driven by its own task.
struct HttpConnection {
    sender: http1::SendRequest<Full<Bytes>>,
    _driver: AbortOnDrop,
    /// `Some` when requests go to a forward proxy (absolute-form targets), with its credentials.
    forward_proxy: Option<Option<String>>,
}

impl HttpConnection {
    /// Connects to `url`'s host (directly, through a proxy tunnel, or to a forward proxy), with TLS for
    /// `https://`, and performs the HTTP/1.1 handshake.
    async fn connect(settings: &HttpSettings, url: &url::Url) -> Result<Self, TransportError> {
        let target = SafeUrl::new(url);
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => {
                return Err(TransportError {
                    kind: TransportErrorKind::Other,
                    message: format!("unsupported URL scheme `{other}` (expected http or https)"),
                });
            }
        };
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(TransportError {
                kind: TransportErrorKind::Other,
                message: format!("{target} has no host"),
            });
        };
        let (tcp, forward_proxy) = match &settings.proxy {
            Some(proxy) if https => (proxy.connect_tunnel(host, port).await?, None),
            Some(proxy) => (proxy.connect_to_proxy().await?, Some(proxy.authorization())),
            None => {
                let connect_host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
                let tcp =
                    TcpStream::connect((connect_host, port)).await.map_err(|err| io_error(&target, &err))?;
                // Best effort: commands are small and latency matters more than packet count.
                let _ = tcp.set_nodelay(true);
                (tcp, None)
            }
        };
        let io: Box<dyn Io> = if https {
            let name = server_name(url).ok_or_else(|| TransportError {
                kind: TransportErrorKind::Tls,
                message: format!("{target} has no host name to verify"),
            })?;
            let connector = tokio_rustls::TlsConnector::from(Arc::clone(&settings.tls));
            Box::new(connector.connect(name, tcp).await.map_err(|err| io_error(&target, &err))?)
        } else {
            Box::new(tcp)
        };
        let (sender, connection) =
            http1::handshake(TokioIo::new(io)).await.map_err(|err| TransportError {
                kind: TransportErrorKind::Other,
                message: format!("HTTP handshake with {target} failed: {err}"),
            })?;
        let driver = tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "HTTP connection ended with an error");
            }
        });
        Ok(Self { sender, _driver: AbortOnDrop(driver), forward_proxy })
    }

    fn is_usable(&self) -> bool {
        !self.sender.is_closed()
    }

    /// A POST of `body` to `url`.
    fn post_request(
        &self,
        url: &url::Url,
        content_type: &'static str,
        accept: Option<&'static str>,
        body: Bytes,
    ) -> Result<Request<Full<Bytes>>, String> {
        let uri = match &self.forward_proxy {
            Some(_) => {
                let mut absolute = url.clone();
                absolute.set_fragment(None);
                absolute.to_string()
            }
            None => match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            },
        };
        let authority = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        };
        let mut builder = Request::post(uri)
            .header(HOST, authority)
            .header(CONTENT_TYPE, HeaderValue::from_static(content_type))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .header(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Some(accept) = accept {
            builder = builder.header(ACCEPT, HeaderValue::from_static(accept));
        }
        if let Some(Some(authorization)) = &self.forward_proxy {
            builder = builder.header("proxy-authorization", authorization.as_str());
        }
        builder.body(Full::new(body)).map_err(|err| format!("cannot build the request: {err}"))
    }

    async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Response<IncomingBody>, hyper::Error> {
        self.sender.ready().await?;
        self.sender.send_request(request).await
    }
}

/// The TLS server name of `url`'s host.
fn server_name(url: &url::Url) -> Option<ServerName<'static>> {
    match url.host()? {
        url::Host::Domain(domain) => ServerName::try_from(domain.to_owned()).ok(),
        url::Host::Ipv4(ip) => Some(ServerName::IpAddress(IpAddr::V4(ip).into())),
        url::Host::Ipv6(ip) => Some(ServerName::IpAddress(IpAddr::V6(ip).into())),
    }
}

/// Maps a connect or TLS handshake failure.
fn io_error(target: &SafeUrl, err: &std::io::Error) -> TransportError {
    let (kind, message) = match rustls_cause(err) {
        Some(tls) => (TransportErrorKind::Tls, format!("TLS with {target} failed: {tls}")),
        None => (TransportErrorKind::Io, format!("{target}: {err}")),
    };
    TransportError { kind, message: target.scrub(message) }
}

/// Aborts a task when dropped, so a connection's helper tasks never outlive it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_carry_commands_as_a_string_without_blank_lines() {
        let frames = [
            Bytes::from_static(b"{\"id\":2,\"subscribe\":{\"channel\":\"a\"}}\n"),
            Bytes::from_static(b"{}"),
        ];
        let body = json_body("n1", "s1", &frames).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["node"], "n1");
        assert_eq!(value["session"], "s1");
        assert_eq!(value["data"], "{\"id\":2,\"subscribe\":{\"channel\":\"a\"}}\n{}");
        assert!(json_body("n", "s", &[Bytes::from_static(b"\xff")]).is_err());
    }

    #[tokio::test]
    async fn the_incoming_side_ends_after_one_closed() {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let mut stream = closed_once(rx);
        tx.unbounded_send(Incoming::Frame(Bytes::from_static(b"x"))).unwrap();
        tx.unbounded_send(Incoming::Closed(closed("first"))).unwrap();
        let _ = tx.unbounded_send(Incoming::Closed(closed("second")));
        assert!(matches!(stream.next().await, Some(Incoming::Frame(_))));
        assert!(matches!(stream.next().await, Some(Incoming::Closed(info)) if info.reason == "first"));
        assert!(stream.next().await.is_none());

        let (tx, rx) = futures::channel::mpsc::unbounded::<Incoming>();
        drop(tx);
        let mut stream = closed_once(rx);
        assert!(matches!(stream.next().await, Some(Incoming::Closed(_))));
        assert!(stream.next().await.is_none());
    }
}
