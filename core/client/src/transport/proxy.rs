//! HTTP proxies for the native transports: `CONNECT` tunnels, with optional basic credentials.
//!
//! A [`ProxyConfig`] names one HTTP proxy (`http://[user:password@]host:port`). Every built-in
//! transport of a client goes through it:
//! - WebSocket (`ws://` and `wss://`) and the emulation transports over `https://` open a `CONNECT
//!   host:port` tunnel and speak TLS (or plain WebSocket) through it, so the proxy never sees the
//!   traffic of a TLS connection;
//! - the emulation transports over plain `http://` send their requests to the proxy in absolute form
//!   (`POST http://host/connection/http_stream`), as HTTP clients do with a forward proxy.
//!
//! Credentials are sent as `Proxy-Authorization: Basic …`. They are never logged, never shown by
//! `Debug` or `Display`, and never part of an error message: errors name the proxy by host and port only.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::transport::{TransportError, TransportErrorKind};

/// The most a proxy's answer to `CONNECT` (status line and headers) may take.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;
/// How long a tunnel may take to set up, so a silent proxy never holds a task forever. The client's
/// own open timeout usually gives up earlier.
const TUNNEL_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP proxy that the native transports go through (`CONNECT` tunnels), with optional basic
/// credentials.
///
/// ```
/// use ceaseless::transport::ProxyConfig;
/// let proxy = ProxyConfig::new("http://alice:s3cret@proxy.example.com:3128")?;
/// assert_eq!(proxy.address(), "proxy.example.com:3128");
/// assert!(proxy.has_credentials());
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// # Ok::<(), ceaseless::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    /// The host as written in a URL (IPv6 addresses in brackets).
    host: String,
    port: u16,
    credentials: Option<Credentials>,
}

/// A user name and password for basic proxy authentication. Never shown.
#[derive(Clone, PartialEq, Eq)]
struct Credentials {
    user: String,
    password: String,
}

impl ProxyConfig {
    /// A proxy from its URL: `http://host:port`, or `http://user:password@host:port` for a proxy that
    /// wants basic credentials (percent-encode `@`, `:` and other reserved characters in them). The
    /// port defaults to 80.
    ///
    /// # Errors
    /// [`ceaseless_proto::Error::InvalidUrl`] for a URL that does not parse, a scheme other than
    /// `http`, a missing host, or a path, query or fragment. The message never contains the password.
    pub fn new(url: &str) -> Result<Self, ceaseless_proto::Error> {
        let invalid = |why: &str| ceaseless_proto::Error::InvalidUrl(format!("proxy URL: {why}"));
        // The url crate's messages never quote the input, so the password cannot leak through them.
        let parsed = url::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        if parsed.scheme() != "http" {
            return Err(invalid(&format!(
                "unsupported scheme {:?} (only http:// proxies are supported)",
                parsed.scheme()
            )));
        }
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| invalid("no host"))?.to_owned();
        if parsed.path() != "/" && !parsed.path().is_empty() {
            return Err(invalid("a proxy URL has no path"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid("a proxy URL has no query or fragment"));
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let credentials = if parsed.username().is_empty() && parsed.password().is_none() {
            None
        } else {
            let user =
                percent_decode(parsed.username()).ok_or_else(|| invalid("the user name is not UTF-8"))?;
            let password = percent_decode(parsed.password().unwrap_or_default())
                .ok_or_else(|| invalid("the password is not UTF-8"))?;
            Some(Credentials { user, password })
        };
        Ok(Self { host, port, credentials })
    }

    /// Sets (or replaces) the basic credentials, for a user name or password that is awkward to put
    /// in a URL.
    pub fn with_credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some(Credentials { user: user.into(), password: password.into() });
        self
    }

    /// `host:port` of the proxy (IPv6 addresses in brackets).
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Whether basic credentials are configured.
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// The host to open a TCP connection to (IPv6 addresses without brackets).
    pub(crate) fn connect_host(&self) -> &str {
        self.host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(&self.host)
    }

    /// The port of the proxy.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `Proxy-Authorization` header value, when credentials are configured.
    pub(crate) fn authorization(&self) -> Option<String> {
        self.credentials
            .as_ref()
            .map(|c| format!("Basic {}", base64(format!("{}:{}", c.user, c.password).as_bytes())))
    }

    /// Opens a TCP connection to the proxy itself.
    pub(crate) async fn connect_to_proxy(&self) -> Result<TcpStream, TransportError> {
        let tcp =
            TcpStream::connect((self.connect_host(), self.port)).await.map_err(|err| TransportError {
                kind: TransportErrorKind::Io,
                message: format!("cannot reach the proxy at {self}: {err}"),
            })?;
        // Best effort: commands are small and latency matters more than packet count.
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }

    /// Opens a tunnel through the proxy to `host:port` (`host` as in a URL, IPv6 in brackets): a TCP
    /// connection to the proxy that carries bytes to and from the target once this returns.
    ///
    /// # Errors
    /// [`TransportErrorKind::Io`] when the proxy cannot be reached or ends the connection,
    /// [`TransportErrorKind::Http`] with the proxy's status when it refuses the tunnel (407 for missing
    /// or wrong credentials), [`TransportErrorKind::Other`] for an answer that is not HTTP or a timeout.
    pub(crate) async fn connect_tunnel(&self, host: &str, port: u16) -> Result<TcpStream, TransportError> {
        match tokio::time::timeout(TUNNEL_TIMEOUT, self.tunnel(host, port)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError {
                kind: TransportErrorKind::Io,
                message: format!("the proxy at {self} did not answer CONNECT within {TUNNEL_TIMEOUT:?}"),
            }),
        }
    }

    async fn tunnel(&self, host: &str, port: u16) -> Result<TcpStream, TransportError> {
        let mut tcp = self.connect_to_proxy().await?;
        let target = format!("{host}:{port}");
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(authorization) = self.authorization() {
            request.push_str("Proxy-Authorization: ");
            request.push_str(&authorization);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        let io_error = |err: std::io::Error| TransportError {
            kind: TransportErrorKind::Io,
            message: format!("the proxy at {self} failed during CONNECT: {err}"),
        };
        tcp.write_all(request.as_bytes()).await.map_err(io_error)?;
        tracing::debug!(proxy = %self, %target, credentials = self.has_credentials(), "proxy CONNECT sent");

        // Read exactly the response head: whatever follows belongs to the tunnel. The target speaks
        // only after we do, but a byte at a time keeps this right whatever the peer does.
        let mut head = Vec::with_capacity(256);
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() >= MAX_RESPONSE_HEAD {
                return Err(TransportError {
                    kind: TransportErrorKind::Other,
                    message: format!("the proxy at {self} sent an over-long answer to CONNECT"),
                });
            }
            let n = tcp.read(&mut byte).await.map_err(io_error)?;
            if n == 0 {
                return Err(TransportError {
                    kind: TransportErrorKind::Io,
                    message: format!("the proxy at {self} closed the connection during CONNECT"),
                });
            }
            head.push(byte[0]);
        }
        let (status, reason) = parse_status_line(&head).ok_or_else(|| TransportError {
            kind: TransportErrorKind::Other,
            message: format!("the proxy at {self} answered CONNECT with something that is not HTTP"),
        })?;
        if (200..300).contains(&status) {
            tracing::debug!(proxy = %self, %target, status, "proxy tunnel open");
            return Ok(tcp);
        }
        let message = if status == 407 {
            if self.has_credentials() {
                format!("the proxy at {self} rejected the credentials (HTTP 407 {reason})")
            } else {
                format!("the proxy at {self} requires credentials (HTTP 407 {reason})")
            }
        } else {
            format!("the proxy at {self} refused to CONNECT to {target} (HTTP {status} {reason})")
        };
        tracing::debug!(%message, "proxy tunnel refused");
        Err(TransportError { kind: TransportErrorKind::Http(status), message })
    }
}

impl std::fmt::Display for ProxyConfig {
    /// `http://host:port`, without credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "http://{}:{}", self.host, self.port)
    }
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("address", &self.address())
            .field("credentials", &self.credentials.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The status code and reason phrase of an HTTP response head (`HTTP/1.x NNN reason\r\n…`).
fn parse_status_line(head: &[u8]) -> Option<(u16, String)> {
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.splitn(3, ' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    let status = code.parse::<u16>().ok().filter(|s| (100..600).contains(s))?;
    let reason = parts.next().unwrap_or_default().trim().chars().take(64).collect();
    Some((status, reason))
}

/// Decodes `%XX` escapes (URL user info). `None` when the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Standard base64 with padding (RFC 4648), for the basic credentials.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn urls_are_parsed_and_credentials_decoded() {
        let proxy = ProxyConfig::new("http://al%40ice:p%3Ass@proxy.local:3128").unwrap();
        assert_eq!(proxy.address(), "proxy.local:3128");
        assert_eq!(proxy.authorization().unwrap(), format!("Basic {}", base64(b"al@ice:p:ss")));
        let plain = ProxyConfig::new("http://10.0.0.1").unwrap();
        assert_eq!((plain.address().as_str(), plain.has_credentials()), ("10.0.0.1:80", false));
        let v6 = ProxyConfig::new("http://[::1]:8080/").unwrap();
        assert_eq!(
            (v6.connect_host(), v6.port(), v6.to_string().as_str()),
            ("::1", 8080, "http://[::1]:8080")
        );
        let later = plain.with_credentials("u", "p");
        assert_eq!(later.authorization().unwrap(), "Basic dTpw");
    }

    #[test]
    fn bad_urls_are_refused_without_leaking_the_password() {
        for bad in [
            "socks5://u:hunter2@h:1",
            "https://u:hunter2@h:1",
            "http://u:hunter2@h:1/path",
            "http://u:hunter2@h:1/?q",
            "not a url hunter2",
        ] {
            let err = ProxyConfig::new(bad).unwrap_err();
            assert!(matches!(err, ceaseless_proto::Error::InvalidUrl(_)), "{bad}: {err:?}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn credentials_never_show() {
        let proxy = ProxyConfig::new("http://user:hunter2@h:1").unwrap();
        let shown = format!("{proxy:?} {proxy}");
        assert!(!shown.contains("hunter2") && !shown.contains("user:"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn status_lines_parse() {
        assert_eq!(
            parse_status_line(b"HTTP/1.1 200 Connection established\r\n\r\n"),
            Some((200, "Connection established".to_owned()))
        );
        assert_eq!(parse_status_line(b"HTTP/1.0 407\r\n\r\n"), Some((407, String::new())));
        assert_eq!(parse_status_line(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
        assert_eq!(parse_status_line(b"HTTP/1.1 20 x\r\n\r\n"), None);
    }

    /// A one-shot proxy: checks the CONNECT request, answers `answer`, then echoes the tunnel.
    async fn fake_proxy(answer: &'static str) -> (ProxyConfig, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                socket.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            socket.write_all(answer.as_bytes()).await.unwrap();
            let mut rest = [0u8; 4];
            if socket.read_exact(&mut rest).await.is_ok() {
                socket.write_all(&rest).await.unwrap();
            }
            String::from_utf8(head).unwrap()
        });
        let proxy = ProxyConfig::new(&format!("http://bob:secret@127.0.0.1:{port}")).unwrap();
        (proxy, task)
    }

    #[tokio::test]
    async fn tunnel_carries_bytes_after_200() {
        let (proxy, task) = fake_proxy("HTTP/1.1 200 Connection established\r\n\r\n").await;
        let mut tcp = proxy.connect_tunnel("example.com", 443).await.unwrap();
        tcp.write_all(b"ping").await.unwrap();
        let mut echoed = [0u8; 4];
        tcp.read_exact(&mut echoed).await.unwrap();
        assert_eq!(&echoed, b"ping");
        let head = task.await.unwrap();
        assert!(head.starts_with("CONNECT example.com:443 HTTP/1.1\r\n"), "{head}");
        assert!(head.contains("Host: example.com:443\r\n"), "{head}");
        assert!(
            head.contains(&format!("Proxy-Authorization: Basic {}\r\n", base64(b"bob:secret"))),
            "{head}"
        );
    }

    #[tokio::test]
    async fn refusals_are_typed() {
        let (proxy, _task) = fake_proxy("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").await;
        let err = proxy.connect_tunnel("example.com", 443).await.unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Http(407));
        assert!(err.message.contains("rejected the credentials") && !err.message.contains("secret"), "{err}");

        let (proxy, _task) = fake_proxy("HTTP/1.1 403 Forbidden\r\n\r\n").await;
        let err = proxy.connect_tunnel("example.com", 80).await.unwrap_err();
        assert_eq!(err.kind, TransportErrorKind::Http(403));

        let (proxy, _task) = fake_proxy("garbage\r\n\r\n").await;
        assert_eq!(
            proxy.connect_tunnel("example.com", 80).await.unwrap_err().kind,
            TransportErrorKind::Other
        );
    }
}
