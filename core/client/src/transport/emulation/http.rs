//! The HTTP/1.1 plumbing of the native emulation transports: one hyper client connection over our own
//! TCP (and TLS through the same rustls configuration as WebSocket, so certificates are verified the
//! same way), directly, through a `CONNECT` tunnel (`https://` through a proxy) or to a forward proxy
//! (`http://` through a proxy, requests in absolute form).
//!
//! What goes in the requests (method, `Content-Type`, `Accept`, body) is decided by
//! `ceaseless_proto::emulation`; this file only adds the transport headers (`Host`, `User-Agent`,
//! `Cache-Control`, proxy credentials).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as IncomingBody;
use hyper::client::conn::http1;
use hyper::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::transport::proxy::ProxyConfig;
use crate::transport::websocket::{SafeUrl, rustls_cause};
use crate::transport::{TransportError, TransportErrorKind};

/// How much of an error response body is read (and at most 200 characters of it quoted).
const MAX_ERROR_BODY: usize = 512;
const USER_AGENT_VALUE: &str = concat!("ceaseless/", env!("CARGO_PKG_VERSION"));

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

/// What the HTTP connections run on: TCP or TLS over TCP.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One HTTP/1.1 client connection (hyper), driven by its own task.
pub(super) struct HttpConnection {
    pub(super) sender: http1::SendRequest<Full<Bytes>>,
    _driver: AbortOnDrop,
    /// `Some` when requests go to a forward proxy (absolute-form targets), with its credentials.
    forward_proxy: Option<Option<String>>,
}

impl HttpConnection {
    /// Connects to `url`'s host (directly, through a proxy tunnel, or to a forward proxy), with TLS for
    /// `https://`, and performs the HTTP/1.1 handshake.
    pub(super) async fn connect(settings: &HttpSettings, url: &url::Url) -> Result<Self, TransportError> {
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

    pub(super) fn is_usable(&self) -> bool {
        !self.sender.is_closed()
    }

    /// A POST of `body` to `url` with the headers the emulation protocol asks for.
    pub(super) fn post_request(
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

    pub(super) async fn send(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<IncomingBody>, hyper::Error> {
        self.sender.ready().await?;
        self.sender.send_request(request).await
    }
}

/// `": <start of the body>"` of an error response, or nothing.
pub(super) async fn error_body(response: Response<IncomingBody>) -> String {
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

/// Reads (and drops) a successful response's body, so the connection can carry the next request.
pub(super) async fn drain(response: Response<IncomingBody>) {
    let _ = Limited::new(response.into_body(), MAX_ERROR_BODY).collect().await;
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
pub(super) struct AbortOnDrop(pub(super) tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
