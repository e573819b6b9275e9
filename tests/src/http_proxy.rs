//! Small HTTP proxies for the transport tests, on free loopback ports.
//!
//! - [`GatewayProxy`]: a reverse proxy in front of a Centrifugo node, as a corporate gateway that
//!   blocks WebSockets would be. It reads the head of the first request of each connection: a WebSocket
//!   upgrade (and, optionally, a request under a blocked path) is answered `403 Forbidden`; anything
//!   else is forwarded and the connection is spliced to the node from then on.
//! - [`ForwardProxy`]: an HTTP forward proxy that wants basic credentials: `CONNECT host:port` opens a
//!   tunnel (`200 Connection established`), a request with an absolute-form target
//!   (`POST http://host:port/path`) is forwarded to that host. Missing or wrong credentials get
//!   `407 Proxy Authentication Required`. Only loopback targets are allowed (`403` otherwise).
//!
//! Both count what they did, so tests can tell which path the client took. Dropping a proxy stops it
//! and ends every connection it carries.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::HarnessError;

/// The largest request head either proxy reads.
const MAX_HEAD: usize = 64 * 1024;

/// The head of one HTTP request: request line and headers, plus the bytes read past it.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) target: String,
    /// `(name, value)` in order; names as sent.
    pub(crate) headers: Vec<(String, String)>,
    /// The raw head, up to and including the blank line.
    raw: Vec<u8>,
    /// Bytes read after the head (the start of a body, or of a tunnel).
    pub(crate) rest: Vec<u8>,
}

impl RequestHead {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The raw head without the headers named in `drop` (case-insensitive).
    fn raw_without(&self, drop: &[&str]) -> Vec<u8> {
        let text = String::from_utf8_lossy(&self.raw);
        let mut out = String::new();
        for line in text.split("\r\n") {
            let name = line.split(':').next().unwrap_or_default().trim();
            if line.contains(':') && drop.iter().any(|d| d.eq_ignore_ascii_case(name)) {
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        // `split` yields an empty piece after the final CRLF pair: trim back to one blank line.
        while out.ends_with("\r\n\r\n\r\n") {
            out.truncate(out.len() - 2);
        }
        out.into_bytes()
    }
}

/// Reads one request head from `socket`. `None` when the peer closes first or sends garbage.
pub(crate) async fn read_head(socket: &mut TcpStream) -> Option<RequestHead> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let rest = buffer.split_off(end);
    let text = std::str::from_utf8(&buffer).ok()?;
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    Some(RequestHead { method, target, headers, raw: buffer, rest })
}

async fn respond(socket: &mut TcpStream, status: &str, extra_headers: &str) {
    let response =
        format!("HTTP/1.1 {status}\r\n{extra_headers}Content-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

/// Writes what was read past the head to `upstream`, then copies both ways until either side ends.
async fn splice(mut client: TcpStream, mut upstream: TcpStream, already_read: &[u8]) {
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    if !already_read.is_empty() && upstream.write_all(already_read).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// Binds a free loopback port.
pub(crate) async fn bind(what: &str) -> Result<(TcpListener, SocketAddr), HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| HarnessError::Setup(format!("binding the {what}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| HarnessError::Setup(format!("reading the {what}'s address: {e}")))?;
    Ok((listener, addr))
}

/// Accepts connections and runs `handle` for each; the connection tasks end with the accept loop.
pub(crate) fn serve<F, Fut>(listener: TcpListener, handle: F) -> JoinHandle<()>
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((socket, _)) => {
                        connections.spawn(handle(socket));
                    }
                    Err(err) => {
                        tracing::debug!(error = %err, "test proxy accept failed");
                        return;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    })
}

/// Counters of a [`GatewayProxy`].
#[derive(Debug, Default)]
struct GatewayCounters {
    upgrades_refused: AtomicU64,
    paths_refused: AtomicU64,
    forwarded: AtomicU64,
}

/// A reverse proxy that refuses WebSocket upgrades with 403 and forwards other requests to a node.
#[derive(Debug)]
pub struct GatewayProxy {
    addr: SocketAddr,
    counters: Arc<GatewayCounters>,
    task: JoinHandle<()>,
}

impl GatewayProxy {
    /// Starts a gateway in front of `upstream` that refuses WebSocket upgrades and every request whose
    /// path starts with one of `blocked_paths` (e.g. `/connection/http_stream`).
    pub async fn start(upstream: SocketAddr, blocked_paths: &[&str]) -> Result<GatewayProxy, HarnessError> {
        let (listener, addr) = bind("gateway proxy").await?;
        let counters = Arc::new(GatewayCounters::default());
        let blocked: Arc<Vec<String>> = Arc::new(blocked_paths.iter().map(|p| (*p).to_owned()).collect());
        let task = {
            let counters = counters.clone();
            serve(listener, move |socket| {
                gateway_connection(socket, upstream, blocked.clone(), counters.clone())
            })
        };
        tracing::debug!(%addr, %upstream, "gateway proxy started");
        Ok(GatewayProxy { addr, counters, task })
    }

    /// `ws://127.0.0.1:PORT/connection/websocket` through the gateway.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/connection/websocket", self.addr)
    }

    /// How many WebSocket upgrades were refused.
    pub fn upgrades_refused(&self) -> u64 {
        self.counters.upgrades_refused.load(Ordering::SeqCst)
    }

    /// How many requests were refused for their path.
    pub fn paths_refused(&self) -> u64 {
        self.counters.paths_refused.load(Ordering::SeqCst)
    }

    /// How many connections were forwarded to the node.
    pub fn forwarded(&self) -> u64 {
        self.counters.forwarded.load(Ordering::SeqCst)
    }
}

impl Drop for GatewayProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn gateway_connection(
    mut socket: TcpStream,
    upstream: SocketAddr,
    blocked: Arc<Vec<String>>,
    counters: Arc<GatewayCounters>,
) {
    let Some(head) = read_head(&mut socket).await else { return };
    let is_upgrade = head.header("upgrade").is_some_and(|v| v.to_ascii_lowercase().contains("websocket"));
    if is_upgrade {
        counters.upgrades_refused.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(target = %head.target, "gateway: refusing a WebSocket upgrade");
        respond(&mut socket, "403 Forbidden", "").await;
        return;
    }
    if blocked.iter().any(|p| head.target.starts_with(p.as_str())) {
        counters.paths_refused.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(target = %head.target, "gateway: refusing a blocked path");
        respond(&mut socket, "403 Forbidden", "").await;
        return;
    }
    let Ok(upstream) = TcpStream::connect(upstream).await else {
        respond(&mut socket, "502 Bad Gateway", "").await;
        return;
    };
    counters.forwarded.fetch_add(1, Ordering::SeqCst);
    let mut first = head.raw;
    first.extend_from_slice(&head.rest);
    splice(socket, upstream, &first).await;
}

/// Counters and records of a [`ForwardProxy`].
#[derive(Debug, Default)]
struct ForwardState {
    tunnels: AtomicU64,
    forwarded: AtomicU64,
    auth_failures: AtomicU64,
    /// Every accepted target, `CONNECT host:port` or `POST http://…`.
    targets: Mutex<Vec<String>>,
    /// Every raw request head the proxy received (to check that no credentials leak elsewhere).
    heads: Mutex<Vec<String>>,
}

/// An HTTP forward proxy (`CONNECT` tunnels and absolute-form requests) that wants basic credentials.
#[derive(Debug)]
pub struct ForwardProxy {
    addr: SocketAddr,
    state: Arc<ForwardState>,
    task: JoinHandle<()>,
}

impl ForwardProxy {
    /// Starts a proxy that accepts only `user`/`password` (basic authentication).
    pub async fn start(user: &str, password: &str) -> Result<ForwardProxy, HarnessError> {
        let (listener, addr) = bind("forward proxy").await?;
        let state = Arc::new(ForwardState::default());
        let expected: Arc<str> = format!("Basic {}", base64(format!("{user}:{password}").as_bytes())).into();
        let task = {
            let state = state.clone();
            serve(listener, move |socket| forward_connection(socket, expected.clone(), state.clone()))
        };
        tracing::debug!(%addr, "forward proxy started");
        Ok(ForwardProxy { addr, state, task })
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://user:password@127.0.0.1:PORT`.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}", self.addr)
    }

    /// How many `CONNECT` tunnels were opened.
    pub fn tunnels(&self) -> u64 {
        self.state.tunnels.load(Ordering::SeqCst)
    }

    /// How many absolute-form requests were forwarded (each starts a spliced connection).
    pub fn forwarded(&self) -> u64 {
        self.state.forwarded.load(Ordering::SeqCst)
    }

    /// How many requests were refused with 407.
    pub fn auth_failures(&self) -> u64 {
        self.state.auth_failures.load(Ordering::SeqCst)
    }

    /// Every accepted target, in order.
    pub fn targets(&self) -> Vec<String> {
        self.state.targets.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Every raw request head received, accepted or not.
    pub fn heads(&self) -> Vec<String> {
        self.state.heads.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

impl Drop for ForwardProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward_connection(mut socket: TcpStream, expected: Arc<str>, state: Arc<ForwardState>) {
    let Some(head) = read_head(&mut socket).await else { return };
    if let Ok(mut heads) = state.heads.lock() {
        heads.push(String::from_utf8_lossy(&head.raw).into_owned());
    }
    if head.header("proxy-authorization") != Some(&*expected) {
        state.auth_failures.fetch_add(1, Ordering::SeqCst);
        respond(
            &mut socket,
            "407 Proxy Authentication Required",
            "Proxy-Authenticate: Basic realm=\"test\"\r\n",
        )
        .await;
        return;
    }
    let authority = if head.method.eq_ignore_ascii_case("CONNECT") {
        head.target.clone()
    } else if let Some(rest) = head.target.strip_prefix("http://") {
        rest.split('/').next().unwrap_or_default().to_owned()
    } else {
        respond(&mut socket, "400 Bad Request", "").await;
        return;
    };
    // Loopback only: these tests never reach anything else.
    let Some(addr) = authority.parse::<SocketAddr>().ok().filter(|a| a.ip().is_loopback()) else {
        respond(&mut socket, "403 Forbidden", "").await;
        return;
    };
    let Ok(upstream) = TcpStream::connect(addr).await else {
        respond(&mut socket, "502 Bad Gateway", "").await;
        return;
    };
    if let Ok(mut targets) = state.targets.lock() {
        targets.push(format!("{} {}", head.method, head.target));
    }
    if head.method.eq_ignore_ascii_case("CONNECT") {
        state.tunnels.fetch_add(1, Ordering::SeqCst);
        if socket.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_err() {
            return;
        }
        splice(socket, upstream, &head.rest).await;
    } else {
        state.forwarded.fetch_add(1, Ordering::SeqCst);
        // The node accepts absolute-form targets; only the proxy's own header is removed.
        let mut first = head.raw_without(&["proxy-authorization"]);
        first.extend_from_slice(&head.rest);
        splice(socket, upstream, &first).await;
    }
}

/// Standard base64 with padding.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_encodes_credentials() {
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
