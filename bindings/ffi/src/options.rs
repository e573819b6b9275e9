//! Settings records. Every field has a default, so `ClientOptions()` / `ClientOptions()` in Kotlin and
//! Swift gives the Rust client's defaults; `null` / `nil` durations keep the default too.

use ceaseless::transport::{FrameFormat, TransportKind};
use ceaseless::{ClientBuilder, Duration, SubscriptionBuilder};

use crate::error::CeaselessError;
use crate::types::StreamPosition;

/// The wire encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Format {
    /// Newline-delimited JSON: publication data must be JSON text.
    Json,
    /// Protobuf: publication data is opaque bytes.
    Protobuf,
}

/// A transport to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Transport {
    /// WebSocket.
    WebSocket,
    /// HTTP-streaming emulation.
    HttpStream,
    /// Server-sent events emulation (JSON only).
    Sse,
}

/// Client settings.
#[derive(Clone, uniffi::Record)]
pub struct ClientOptions {
    /// The initial connection token. Without one, the token provider is asked first.
    #[uniffi(default = None)]
    pub token: Option<String>,
    /// Custom data sent with every connect (JSON text in JSON mode).
    #[uniffi(default = None)]
    pub data: Option<Vec<u8>>,
    /// The client name reported to the server.
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// The app version reported to the server.
    #[uniffi(default = None)]
    pub version: Option<String>,
    /// The encoding (default JSON).
    #[uniffi(default = None)]
    pub format: Option<Format>,
    /// Transports in order of preference (default: WebSocket only).
    #[uniffi(default = [])]
    pub transports: Vec<Transport>,
    /// More endpoints (e.g. other nodes), tried round-robin when an attempt fails.
    #[uniffi(default = [])]
    pub fallback_urls: Vec<String>,
    /// Timeout for connecting, for each command and for calls waiting to connect (default 5 s).
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Reconnect backoff floor (default 500 ms).
    #[uniffi(default = None)]
    pub reconnect_min_ms: Option<u64>,
    /// Reconnect backoff ceiling (default 20 s).
    #[uniffi(default = None)]
    pub reconnect_max_ms: Option<u64>,
    /// How long before expiry to refresh tokens (default 10 s, at most half the lifetime).
    #[uniffi(default = None)]
    pub refresh_ahead_ms: Option<u64>,
    /// How long the app may stay in the background before the connection is let go (default 30 s).
    #[uniffi(default = None)]
    pub background_grace_ms: Option<u64>,
    /// Ignore `setAppState` entirely (stay connected in the background). Default false.
    #[uniffi(default = false)]
    pub ignore_app_state: bool,
    /// The largest message the server accepts (default 65536).
    #[uniffi(default = None)]
    pub max_message_size: Option<u32>,
    /// How many calls may wait for the connection during an outage (default 1000).
    #[uniffi(default = None)]
    pub offline_queue_limit: Option<u32>,
    /// How long each of them may wait (default 10 s).
    #[uniffi(default = None)]
    pub offline_queue_timeout_ms: Option<u64>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("name", &self.name)
            .field("format", &self.format)
            .field("transports", &self.transports)
            .finish_non_exhaustive()
    }
}

impl Default for ClientOptions {
    /// The same defaults the Kotlin and Swift constructors have.
    fn default() -> Self {
        Self {
            token: None,
            data: None,
            name: None,
            version: None,
            format: None,
            transports: Vec::new(),
            fallback_urls: Vec::new(),
            timeout_ms: None,
            reconnect_min_ms: None,
            reconnect_max_ms: None,
            refresh_ahead_ms: None,
            background_grace_ms: None,
            ignore_app_state: false,
            max_message_size: None,
            offline_queue_limit: None,
            offline_queue_timeout_ms: None,
        }
    }
}

fn ms(value: u64) -> Duration {
    Duration::from_millis(value)
}

impl ClientOptions {
    /// Applies every setting to `builder`.
    pub(crate) fn apply(self, mut builder: ClientBuilder) -> Result<ClientBuilder, CeaselessError> {
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
        if let Some(format) = self.format {
            builder = builder.format(match format {
                Format::Json => FrameFormat::Json,
                Format::Protobuf => FrameFormat::Protobuf,
            });
        }
        if !self.transports.is_empty() {
            builder = builder.transports(self.transports.iter().map(|t| match t {
                Transport::WebSocket => TransportKind::WebSocket,
                Transport::HttpStream => TransportKind::HttpStream,
                Transport::Sse => TransportKind::Sse,
            }));
        }
        for url in &self.fallback_urls {
            builder = builder.endpoint(url);
        }
        if let Some(timeout) = self.timeout_ms {
            builder = builder.timeout(ms(timeout));
        }
        if self.reconnect_min_ms.is_some() || self.reconnect_max_ms.is_some() {
            let min = self.reconnect_min_ms.unwrap_or(500);
            let max = self.reconnect_max_ms.unwrap_or(20_000).max(min);
            builder = builder.reconnect_delay(ms(min), ms(max));
        }
        if let Some(ahead) = self.refresh_ahead_ms {
            builder = builder.refresh_ahead(ms(ahead));
        }
        if self.ignore_app_state {
            builder = builder.background_grace(None);
        } else if let Some(grace) = self.background_grace_ms {
            builder = builder.background_grace(Some(ms(grace)));
        }
        if let Some(size) = self.max_message_size {
            builder = builder.max_message_size(usize::try_from(size).unwrap_or(usize::MAX));
        }
        if self.offline_queue_limit.is_some() || self.offline_queue_timeout_ms.is_some() {
            let limit = self.offline_queue_limit.map_or(1_000, |n| usize::try_from(n).unwrap_or(usize::MAX));
            builder = builder.offline_queue(limit, ms(self.offline_queue_timeout_ms.unwrap_or(10_000)));
        }
        Ok(builder)
    }
}

/// Subscription settings.
// (`Default` here equals the Kotlin and Swift defaults.)
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct SubscriptionOptions {
    /// The initial subscription token, for channels that need one.
    #[uniffi(default = None)]
    pub token: Option<String>,
    /// Custom data sent with every subscribe (JSON text in JSON mode).
    #[uniffi(default = None)]
    pub data: Option<Vec<u8>>,
    /// Ask the server to track positions.
    #[uniffi(default = false)]
    pub positioned: bool,
    /// Ask the server for recovery.
    #[uniffi(default = false)]
    pub recoverable: bool,
    /// Ask for join and leave events.
    #[uniffi(default = false)]
    pub join_leave: bool,
    /// Ask for fossil delta compression.
    #[uniffi(default = false)]
    pub delta: bool,
    /// Start from this position (overrides the position store).
    #[uniffi(default = None)]
    pub since: Option<StreamPosition>,
}

impl SubscriptionOptions {
    /// Applies every setting to `builder`; `format` decides how `data` is checked.
    pub(crate) fn apply(
        self,
        mut builder: SubscriptionBuilder,
        format: Option<Format>,
    ) -> Result<SubscriptionBuilder, CeaselessError> {
        if let Some(token) = self.token {
            builder = builder.token(token);
        }
        if let Some(data) = self.data {
            builder = builder.data(payload(data, format)?);
        }
        builder = builder
            .positioned(self.positioned)
            .recoverable(self.recoverable)
            .join_leave(self.join_leave)
            .delta(self.delta);
        if let Some(since) = self.since {
            builder = builder.since(since.into());
        }
        Ok(builder)
    }
}

/// Options for `history`.
// (`Default` here equals the Kotlin and Swift defaults: only the stream top.)
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct HistoryOptions {
    /// 0: only the stream top; -1: everything the server allows; n: up to n publications.
    #[uniffi(default = 0)]
    pub limit: i32,
    /// Only publications after (or, with `reverse`, before) this position.
    #[uniffi(default = None)]
    pub since: Option<StreamPosition>,
    /// Newest first.
    #[uniffi(default = false)]
    pub reverse: bool,
}

impl From<HistoryOptions> for ceaseless::HistoryOptions {
    fn from(o: HistoryOptions) -> Self {
        Self { limit: o.limit, since: o.since.map(Into::into), reverse: o.reverse }
    }
}

/// Wraps app bytes as a payload: checked JSON in JSON mode, opaque bytes in Protobuf mode.
pub(crate) fn payload(data: Vec<u8>, format: Option<Format>) -> Result<ceaseless::Payload, CeaselessError> {
    match format {
        Some(Format::Protobuf) => Ok(ceaseless::Payload::from_raw(data.into())),
        _ => ceaseless::Payload::from_json_bytes(data)
            .map_err(|e| CeaselessError::from(ceaseless::Error::InvalidPayload(e.to_string()))),
    }
}
