//! The settings every binding accepts, applied to the Rust builders in one place.
//!
//! A binding converts its language's values (keyword arguments, a JS object, a uniffi record) into
//! [`ClientOptions`] / [`SubscriptionOptions`] and calls [`ClientOptions::builder`] /
//! [`SubscriptionOptions::apply`]. An unset field (`None`, an empty list) means "the core's default":
//! the defaults live in `ceaseless_proto::Config::default()` and `SubscriptionConfig::default()`, and
//! when an app sets only one bound of a backoff the other comes from there too. Bindings never restate
//! a default. Every field here is listed in [`crate::spec`], which the parity test checks against each
//! binding's surface.

use std::collections::BTreeMap;
use std::sync::Arc;

use ceaseless::positions::PositionStore;
use ceaseless::proto::Config;
use ceaseless::proto::config::RedactedHeaders;
use ceaseless::transport::{FrameFormat, TransportKind};
use ceaseless::{ClientBuilder, Duration, Error, Payload, StreamPosition};

mod subscription;

pub use subscription::SubscriptionOptions;

/// How long the app may stay in the background before the client lets the connection go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grace {
    /// Let it go after this long in the background.
    After(Duration),
    /// Never: stay connected in the background.
    Never,
}

/// The browser's default for [`ClientOptions::background_grace`]: a hidden tab keeps its connection
/// (users expect background tabs to keep receiving, and browsers throttle them anyway). The browser
/// binding uses this when the app sets nothing; every other binding uses the core's default.
pub const BROWSER_BACKGROUND_GRACE: Grace = Grace::Never;

/// A grace from a number of seconds, infinity meaning [`Grace::Never`] (Python's convention).
///
/// # Errors
/// [`Error::Config`] for a negative or NaN value.
pub fn grace_seconds(value: f64) -> Result<Grace, Error> {
    if value == f64::INFINITY {
        Ok(Grace::Never)
    } else {
        seconds("background_grace", value).map(Grace::After)
    }
}

/// A grace from a number of milliseconds, infinity meaning [`Grace::Never`] (the JS convention).
///
/// # Errors
/// [`Error::Config`] for a negative or NaN value.
pub fn grace_millis(value: f64) -> Result<Grace, Error> {
    if value == f64::INFINITY { Ok(Grace::Never) } else { millis("backgroundGrace", value).map(Grace::After) }
}

/// Where subscription positions are kept between runs (default: in memory).
#[derive(Clone)]
pub enum PositionStoreOption {
    /// A JSON file at this path, written atomically (native only).
    File(String),
    /// A store the binding provides (the app's own implementation, or the browser's `localStorage`).
    Custom(Arc<dyn PositionStore>),
}

impl std::fmt::Debug for PositionStoreOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PositionStoreOption::File(path) => f.debug_tuple("File").field(path).finish(),
            PositionStoreOption::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// Client settings. `Default` is "every default of the core".
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// The initial connection token (without one, the token provider is asked first).
    pub token: Option<String>,
    /// Custom data sent with every connect: JSON text with the JSON format, any bytes with Protobuf.
    pub data: Option<Vec<u8>>,
    /// The client name reported to the server.
    pub name: Option<String>,
    /// The app version reported to the server.
    pub version: Option<String>,
    /// Emulated HTTP headers sent inside every connect (empty: none). Values are secrets.
    pub headers: BTreeMap<String, String>,
    /// The encoding.
    pub format: Option<FrameFormat>,
    /// Transports in order of preference (empty: WebSocket only).
    pub transports: Vec<TransportKind>,
    /// More endpoints (other nodes), rotated through when an attempt fails.
    pub fallback_urls: Vec<String>,
    /// Timeout for connecting, for each command and for calls waiting to connect.
    pub timeout: Option<Duration>,
    /// Reconnect backoff floor.
    pub reconnect_delay_min: Option<Duration>,
    /// Reconnect backoff ceiling.
    pub reconnect_delay_max: Option<Duration>,
    /// Grace after the server's ping interval before the connection counts as dead.
    pub max_server_ping_delay: Option<Duration>,
    /// How long before expiry tokens are refreshed (at most half their lifetime).
    pub refresh_ahead: Option<Duration>,
    /// The largest message the server accepts.
    pub max_message_size: Option<u64>,
    /// How many calls may wait for the connection during an outage.
    pub offline_queue_limit: Option<u64>,
    /// How long each of them may wait.
    pub offline_queue_timeout: Option<Duration>,
    /// After this long without a connection the client is suspended and retries more slowly.
    pub suspend_after: Option<Duration>,
    /// How long the app may stay in the background before the connection is let go.
    pub background_grace: Option<Grace>,
    /// Where positions are kept between runs.
    pub position_store: Option<PositionStoreOption>,
    /// Extra trusted root certificates, PEM (native only; the system's roots are always trusted too).
    pub tls_root_ca_pem: Vec<String>,
    /// An HTTP `CONNECT` proxy URL, `http://[user:password@]host:port` (native only).
    pub proxy: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("name", &self.name)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("format", &self.format)
            .field("transports", &self.transports)
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}

fn count(what: &str, value: u64) -> Result<usize, Error> {
    usize::try_from(value).map_err(|_| Error::Config(format!("{what} is too large")))
}

/// Wraps app bytes as a payload: checked JSON text with the JSON format, opaque bytes with Protobuf.
///
/// # Errors
/// [`Error::InvalidPayload`] for bytes that are not JSON in JSON mode.
pub fn payload(data: Vec<u8>, format: Option<FrameFormat>) -> Result<Payload, Error> {
    match format {
        Some(FrameFormat::Protobuf) => Ok(Payload::from_raw(data.into())),
        _ => Payload::from_json_bytes(data).map_err(|e| Error::InvalidPayload(e.to_string())),
    }
}

/// A duration from a number of seconds (Python's convention).
///
/// # Errors
/// [`Error::Config`] naming `what` for a negative, infinite or NaN value.
pub fn seconds(what: &str, value: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| Error::Config(format!("{what} must be a finite, non-negative number of seconds")))
}

/// A duration from a number of milliseconds (the JS convention).
///
/// # Errors
/// [`Error::Config`] naming `what` for a negative, infinite or NaN value.
pub fn millis(what: &str, value: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(value / 1000.0)
        .map_err(|_| Error::Config(format!("{what} must be a finite, non-negative number of milliseconds")))
}

/// A store shared with the binding (the builder wants a value it owns).
struct SharedStore(Arc<dyn PositionStore>);

impl PositionStore for SharedStore {
    fn load(&self, channel: &str) -> Option<StreamPosition> {
        self.0.load(channel)
    }

    fn save(&self, channel: &str, position: &StreamPosition) {
        self.0.save(channel, position);
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// Which binding builds a client: it names the client to the server when the app sets no name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `ceaseless-py`.
    Python,
    /// `ceaseless-wasm`.
    Browser,
    /// `ceaseless-ffi` (Kotlin and Swift).
    Mobile,
}

impl Binding {
    /// The client name reported to the server by default.
    pub fn client_name(self) -> &'static str {
        match self {
            Binding::Python => "python",
            Binding::Browser => "js",
            Binding::Mobile => "ceaseless-ffi",
        }
    }
}

impl ClientOptions {
    /// [`ClientOptions::builder`] for a client built by `binding`, which names it when the app did not.
    ///
    /// # Errors
    /// As [`ClientOptions::builder`].
    pub fn builder_for(mut self, binding: Binding, url: &str) -> Result<ClientBuilder, Error> {
        self.name.get_or_insert_with(|| binding.client_name().to_owned());
        self.builder(url)
    }

    /// A client builder for `url` with every setting applied. The binding adds its token providers
    /// (and, in the browser, its runtime and transports) and builds.
    ///
    /// # Errors
    /// [`Error::InvalidPayload`] for bad `data`, [`Error::Config`] for bad numbers, an unreadable
    /// certificate or proxy URL, or a setting this build does not have.
    pub fn builder(self, url: &str) -> Result<ClientBuilder, Error> {
        let defaults = Config::default();
        let mut builder = ceaseless::Client::builder(url);
        if let Some(token) = self.token {
            builder = builder.token(token);
        }
        if let Some(data) = self.data {
            builder = builder.data(payload(data, self.format)?);
        }
        if let Some(name) = self.name {
            builder = builder.name(name);
        }
        if let Some(version) = self.version {
            builder = builder.version(version);
        }
        if !self.headers.is_empty() {
            builder = builder.headers(self.headers);
        }
        if let Some(format) = self.format {
            builder = builder.format(format);
        }
        if !self.transports.is_empty() {
            builder = builder.transports(self.transports);
        }
        for url in &self.fallback_urls {
            builder = builder.endpoint(url);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if self.reconnect_delay_min.is_some() || self.reconnect_delay_max.is_some() {
            let min = self.reconnect_delay_min.unwrap_or(defaults.reconnect.min);
            let max = self.reconnect_delay_max.unwrap_or(defaults.reconnect.max).max(min);
            builder = builder.reconnect_delay(min, max);
        }
        if let Some(delay) = self.max_server_ping_delay {
            builder = builder.max_server_ping_delay(delay);
        }
        if let Some(ahead) = self.refresh_ahead {
            builder = builder.refresh_ahead(ahead);
        }
        if let Some(size) = self.max_message_size {
            builder = builder.max_message_size(count("max_message_size", size)?);
        }
        if self.offline_queue_limit.is_some() || self.offline_queue_timeout.is_some() {
            let limit = match self.offline_queue_limit {
                Some(n) => count("offline_queue_limit", n)?,
                None => defaults.offline_queue_limit,
            };
            let timeout = self.offline_queue_timeout.unwrap_or(defaults.offline_queue_timeout);
            builder = builder.offline_queue(limit, timeout);
        }
        if let Some(after) = self.suspend_after {
            builder =
                builder.suspend_after(after, defaults.suspended_retry.min, defaults.suspended_retry.max);
        }
        match self.background_grace {
            Some(Grace::After(grace)) => builder = builder.background_grace(Some(grace)),
            Some(Grace::Never) => builder = builder.background_grace(None),
            None => {}
        }
        match self.position_store {
            Some(PositionStoreOption::Custom(store)) => builder = builder.position_store(SharedStore(store)),
            Some(PositionStoreOption::File(path)) => builder = file_store(builder, &path)?,
            None => {}
        }
        native_settings(builder, self.tls_root_ca_pem, self.proxy)
    }
}

#[cfg(feature = "native")]
fn file_store(builder: ClientBuilder, path: &str) -> Result<ClientBuilder, Error> {
    let store = ceaseless::positions::FilePositionStore::open(path)
        .map_err(|e| Error::Config(format!("cannot open the position file {path}: {e}")))?;
    Ok(builder.position_store(store))
}

#[cfg(not(feature = "native"))]
fn file_store(_: ClientBuilder, _: &str) -> Result<ClientBuilder, Error> {
    Err(Error::Config("a file position store needs the native client".to_owned()))
}

#[cfg(feature = "native")]
fn native_settings(
    mut builder: ClientBuilder,
    pems: Vec<String>,
    proxy: Option<String>,
) -> Result<ClientBuilder, Error> {
    if !pems.is_empty() {
        let mut tls = ceaseless::tls::TlsConfig::default();
        for pem in &pems {
            tls = tls
                .add_root_ca_pem(pem.as_bytes())
                .map_err(|e| Error::Config(format!("bad root certificate: {e}")))?;
        }
        builder = builder.tls(tls);
    }
    if let Some(proxy) = proxy {
        builder = builder.proxy(ceaseless::transport::ProxyConfig::new(&proxy)?);
    }
    Ok(builder)
}

#[cfg(not(feature = "native"))]
fn native_settings(
    builder: ClientBuilder,
    pems: Vec<String>,
    proxy: Option<String>,
) -> Result<ClientBuilder, Error> {
    if !pems.is_empty() || proxy.is_some() {
        return Err(Error::Config("TLS roots and proxies are set by the browser, not the client".to_owned()));
    }
    Ok(builder)
}
