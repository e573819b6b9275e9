//! [`ClientBuilder`]: every client setting, validated once in [`ClientBuilder::build`].

use std::sync::Arc;

use ceaseless_proto::backoff::Backoff;
use ceaseless_proto::{Config, Duration, Error, Payload};

use crate::client::Client;
use crate::positions::{MemoryPositionStore, PositionStore};
use crate::runtime::Runtime;
use crate::token::{ConnectionTokenProvider, SubscriptionTokenProvider};
use crate::transport::Transport;

/// Builds a [`Client`]. Start with [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    url: String,
    pub(crate) config: Config,
    pub(crate) token_provider: Option<Arc<dyn ConnectionTokenProvider>>,
    pub(crate) subscription_token_provider: Option<Arc<dyn SubscriptionTokenProvider>>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    pub(crate) kinds: Vec<crate::transport::TransportKind>,
    #[cfg(feature = "native")]
    pub(crate) tls: crate::tls::TlsConfig,
    #[cfg(feature = "native")]
    pub(crate) proxy: Option<crate::transport::ProxyConfig>,
    #[cfg(feature = "native")]
    pub(crate) buffers: crate::transport::SocketBuffers,
    pub(crate) seed: Option<u64>,
    pub(crate) fallback_urls: Vec<String>,
    pub(crate) positions: Arc<dyn PositionStore>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &redact_query(&self.url))
            .field("config", &self.config)
            .field("token_provider", &self.token_provider.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            config: Config::default(),
            token_provider: None,
            subscription_token_provider: None,
            transport: None,
            kinds: vec![crate::transport::TransportKind::WebSocket],
            #[cfg(feature = "native")]
            tls: crate::tls::TlsConfig::default(),
            #[cfg(feature = "native")]
            proxy: None,
            #[cfg(feature = "native")]
            buffers: crate::transport::SocketBuffers::default(),
            seed: None,
            fallback_urls: Vec::new(),
            positions: Arc::new(MemoryPositionStore::new()),
        }
    }

    /// The initial connection token (a JWT). Kept out of logs and URLs.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = token.into();
        self
    }

    /// Asks `provider` for connection tokens: when none was given, when the server says the token
    /// expired, and ahead of expiry to refresh the live connection.
    pub fn token_provider(mut self, provider: impl ConnectionTokenProvider) -> Self {
        self.token_provider = Some(Arc::new(provider));
        self
    }

    /// The default subscription token provider, for subscriptions without their own.
    pub fn subscription_token_provider(mut self, provider: impl SubscriptionTokenProvider) -> Self {
        self.subscription_token_provider = Some(Arc::new(provider));
        self
    }

    /// Custom data sent with every `connect` (JSON).
    pub fn data(mut self, data: Payload) -> Self {
        self.config.data = Some(data);
        self
    }

    /// Emulated HTTP headers, sent inside every `connect` so the server can pass them to its proxies
    /// (Centrifugo forwards the names its proxy config lists in `emulated_headers`). Useful where real
    /// headers cannot be set (browsers) or must match what an HTTP API call would carry. Values are kept
    /// out of logs and `Debug` output. Replace them later with [`Client::set_headers`].
    pub fn headers(
        mut self,
        headers: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> Self {
        self.config.headers = headers.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self
    }

    /// The client name reported to the server (default `"rust"`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.config.name = name.into();
        self
    }

    /// The application version reported to the server.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.config.version = version.into();
        self
    }

    /// Timeout for opening a transport, for each command, and for calls waiting to connect (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Reconnect backoff bounds (default 500 ms to 20 s, full jitter).
    pub fn reconnect_delay(mut self, min: Duration, max: Duration) -> Self {
        self.config.reconnect = Backoff::new(min, max);
        self
    }

    /// How long past the server's ping interval to wait for any frame before reconnecting
    /// (default 10 s; zero disables the watchdog).
    pub fn max_server_ping_delay(mut self, delay: Duration) -> Self {
        self.config.max_server_ping_delay = delay;
        self
    }

    /// How long before expiry to refresh tokens (default 10 s, at most half the token's lifetime).
    pub fn refresh_ahead(mut self, ahead: Duration) -> Self {
        self.config.refresh_ahead = ahead;
        self
    }

    /// The largest message the server accepts (default 65536, Centrifugo's default).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// TLS settings for `wss://` (default: Mozilla's roots, verification always on).
    #[cfg(feature = "native")]
    pub fn tls(mut self, tls: crate::tls::TlsConfig) -> Self {
        self.tls = tls;
        self
    }

    /// Reaches the server through an HTTP proxy, with optional basic credentials, on every built-in
    /// transport: `CONNECT` tunnels for WebSocket and `https://`, absolute-form requests for the
    /// emulation transports over plain `http://`. Default: direct connections (proxy environment
    /// variables are not read).
    #[cfg(feature = "native")]
    pub fn proxy(mut self, proxy: crate::transport::ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The native WebSocket's read buffer and write threshold, in bytes (default 8 KiB each). Larger
    /// buffers read a heavy backlog in fewer calls; smaller ones cost less per idle connection. A frame
    /// larger than the read buffer still arrives whole (the buffer grows for it).
    #[cfg(feature = "native")]
    pub fn websocket_buffers(mut self, read: usize, write: usize) -> Self {
        self.buffers = crate::transport::SocketBuffers { read, write };
        self
    }

    /// Uses a custom transport instead of the built-in ones.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The transports to use, in order of preference (default: WebSocket only). The first connect
    /// tries them in order and moves on at once when one fails before the server accepts it (for
    /// example a proxy that refuses WebSocket upgrades); the one that worked is kept for reconnects.
    /// Emulation URLs are derived from the WebSocket URL (see [`crate::transport::endpoint_url`]).
    pub fn transports(mut self, kinds: impl IntoIterator<Item = crate::transport::TransportKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// The encoding: JSON (default) or Protobuf. SSE carries JSON only.
    pub fn format(mut self, format: crate::transport::FrameFormat) -> Self {
        self.config.format = format;
        self
    }

    /// Adds another endpoint (for example a second Centrifugo node). When an attempt fails before the
    /// server accepts it, the next one goes to the next endpoint, round-robin.
    pub fn endpoint(mut self, url: &str) -> Self {
        self.fallback_urls.push(url.to_owned());
        self
    }

    /// Where subscription positions are kept (default: in memory). With a
    /// [`crate::positions::FilePositionStore`], a restarted process resumes every channel where the
    /// previous one stopped.
    pub fn position_store(mut self, store: impl PositionStore) -> Self {
        self.positions = Arc::new(store);
        self
    }

    /// Bounds for calls made during an outage: at most `limit` wait for the connection, each at most
    /// `timeout` (defaults 1000 and 10 s). They are sent once when the connection is back.
    pub fn offline_queue(mut self, limit: usize, timeout: Duration) -> Self {
        self.config.offline_queue_limit = limit;
        self.config.offline_queue_timeout = timeout;
        self
    }

    /// After this long without a connection the client reports `Suspended`, fails calls fast and retries
    /// at `retry_min`..`retry_max` (defaults 2 min, 15–60 s).
    pub fn suspend_after(mut self, after: Duration, retry_min: Duration, retry_max: Duration) -> Self {
        self.config.suspend_after = after;
        self.config.suspended_retry = Backoff::new(retry_min, retry_max);
        self
    }

    /// How long the app may stay in the background before the client lets go of the connection
    /// (default 30 s; `None` ignores the app state).
    pub fn background_grace(mut self, grace: Option<Duration>) -> Self {
        self.config.background_grace = grace;
        self
    }

    /// Seeds the backoff jitter (for reproducible tests); random by default.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Builds the client on the current tokio runtime. It starts disconnected: call
    /// [`Client::connect`].
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a URL that does not parse or is not `ws://` / `wss://`;
    /// [`Error::InvalidPayload`] when `data` cannot be sent;
    /// [`Error::Config`] outside a tokio runtime or for invalid settings.
    #[cfg(feature = "native")]
    pub fn build(self) -> Result<Client, Error> {
        let runtime = crate::runtime::TokioRuntime::current()
            .map_err(|_| Error::Config("Client::build must be called inside a tokio runtime".to_owned()))?;
        let transports = match self.transport.clone() {
            Some(custom) => vec![custom],
            None => self
                .kinds
                .iter()
                .map(|kind| {
                    crate::transport::native_transport(*kind, &self.tls, self.proxy.as_ref(), self.buffers)
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        self.build_with(runtime, transports)
    }

    /// Builds the client on the given runtime and transports, in fallback order (used by other drivers,
    /// e.g. wasm).
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn build_with<R: Runtime>(
        mut self,
        runtime: R,
        transports: Vec<Arc<dyn Transport>>,
    ) -> Result<Client, Error> {
        self.config.transports = transports.iter().map(|t| t.kind()).collect();
        ceaseless_proto::engine::check_config(&self.config)?;
        let mut urls = vec![parse_endpoint(&self.url)?];
        for extra in &self.fallback_urls {
            urls.push(parse_endpoint(extra)?);
        }
        let targets = transports
            .into_iter()
            .map(|transport| crate::driver::Target::new(transport, &urls))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Client::start(self, runtime, targets))
    }
}

/// Parses and checks an endpoint URL.
pub(crate) fn parse_endpoint(raw: &str) -> Result<url::Url, Error> {
    let url = url::Url::parse(raw).map_err(|e| Error::InvalidUrl(format!("{}: {e}", redact_query(raw))))?;
    match url.scheme() {
        "ws" | "wss" => {}
        other => {
            return Err(Error::InvalidUrl(format!(
                "unsupported scheme {other:?} in {}; use ws:// or wss://",
                redact_query(raw)
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidUrl(format!("{} has no host", redact_query(raw))));
    }
    Ok(url)
}

/// A URL fit for logs and errors: the query string (where tokens might hide) is cut off.
pub(crate) fn redact_query(raw: &str) -> String {
    match raw.split_once('?') {
        Some((base, _)) => format!("{base}?<redacted>"),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked() {
        assert!(parse_endpoint("ws://127.0.0.1:8000/connection/websocket").is_ok());
        assert!(parse_endpoint("wss://example.com/connection/websocket").is_ok());
        for bad in ["", "not a url", "http://example.com/", "ftp://x/", "ws://"] {
            let err = parse_endpoint(bad).expect_err(bad);
            assert!(matches!(err, Error::InvalidUrl(_)), "{bad}: {err:?}");
        }
    }

    #[test]
    fn query_strings_never_reach_errors() {
        let err = parse_endpoint("http://example.com/?token=secret").expect_err("scheme");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
