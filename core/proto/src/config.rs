//! Client and subscription settings, with the protocol's defaults.

use std::collections::BTreeMap;
use std::fmt;

use web_time::Duration;

use crate::backoff::Backoff;
use crate::codec::Format;
use crate::filter::TagsFilter;
use crate::wire::{Payload, StreamPosition};

/// Client settings. Defaults follow the reference SDKs (PROTOCOL.md 10.2–10.3).
#[derive(Clone)]
pub struct Config {
    /// The initial connection token (may be empty: the provider, if any, is asked first).
    pub token: String,
    /// Whether the driver has a connection token provider to ask.
    pub has_token_provider: bool,
    /// Custom data sent with every `connect`.
    pub data: Option<Payload>,
    /// Emulated HTTP headers (`ConnectRequest.headers`, Protobuf field 6): sent inside every `connect`
    /// so the server can hand them to its proxies (browsers cannot set WebSocket headers). Values are
    /// secrets: never logged. Replace them with [`crate::Engine::set_headers`].
    pub headers: BTreeMap<String, String>,
    /// Client name reported to the server.
    pub name: String,
    /// Application version reported to the server.
    pub version: String,
    /// Timeout for opening a transport, for every command reply, and for calls waiting to connect.
    pub timeout: Duration,
    /// Reconnect backoff bounds.
    pub reconnect: Backoff,
    /// How long past the server's ping interval to wait for any frame before declaring the
    /// connection dead.
    pub max_server_ping_delay: Duration,
    /// How long before a token expires to refresh it (capped at half the token's lifetime).
    pub refresh_ahead: Duration,
    /// The largest frame the server accepts (Centrifugo's `websocket.message_size_limit`).
    pub max_message_size: usize,
    /// How many calls (publish, history, ...) may wait for the connection while it is down.
    pub offline_queue_limit: usize,
    /// How long a call may wait for the connection before failing with a timeout.
    pub offline_queue_timeout: Duration,
    /// After this long without a connection, the client reports itself suspended and retries at the
    /// slower `suspended_retry` cadence.
    pub suspend_after: Duration,
    /// Retry cadence while suspended.
    pub suspended_retry: Backoff,
    /// How long the app may stay in the background before the client lets go of the connection
    /// (`None`: never).
    pub background_grace: Option<Duration>,
    /// How many endpoints the driver can open (the engine rotates through them on failed attempts).
    pub endpoints: usize,
    /// The transports the driver can open, in fallback order. The first connect tries them in order, moving on at once when one fails
    /// before the server accepts it; the one that worked is kept for later reconnects.
    pub transports: Vec<crate::transport::TransportKind>,
    /// The encoding.
    pub format: Format,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token: String::new(),
            has_token_provider: false,
            data: None,
            headers: BTreeMap::new(),
            name: "rust".to_owned(),
            version: String::new(),
            timeout: Duration::from_secs(5),
            reconnect: Backoff::new(Duration::from_millis(500), Duration::from_secs(20)),
            max_server_ping_delay: Duration::from_secs(10),
            refresh_ahead: Duration::from_secs(10),
            max_message_size: 65_536,
            offline_queue_limit: 1_000,
            offline_queue_timeout: Duration::from_secs(10),
            suspend_after: Duration::from_secs(120),
            suspended_retry: Backoff::new(Duration::from_secs(15), Duration::from_secs(60)),
            background_grace: Some(Duration::from_secs(30)),
            endpoints: 1,
            transports: vec![crate::transport::TransportKind::WebSocket],
            format: Format::Json,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("token", &redacted(&self.token))
            .field("has_token_provider", &self.has_token_provider)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("name", &self.name)
            .field("version", &self.version)
            .field("timeout", &self.timeout)
            .field("reconnect", &self.reconnect)
            .field("max_server_ping_delay", &self.max_server_ping_delay)
            .field("refresh_ahead", &self.refresh_ahead)
            .field("max_message_size", &self.max_message_size)
            .field("offline_queue_limit", &self.offline_queue_limit)
            .field("offline_queue_timeout", &self.offline_queue_timeout)
            .field("suspend_after", &self.suspend_after)
            .field("background_grace", &self.background_grace)
            .field("endpoints", &self.endpoints)
            .field("transports", &self.transports)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Subscription settings.
#[derive(Clone)]
pub struct SubscriptionConfig {
    /// The initial subscription token (may be empty).
    pub token: String,
    /// Whether the driver has a subscription token provider to ask.
    pub has_token_provider: bool,
    /// Custom data sent with every `subscribe`.
    pub data: Option<Payload>,
    /// Ask the server for positioning.
    pub positioned: bool,
    /// Ask the server for recovery.
    pub recoverable: bool,
    /// Ask for join/leave events.
    pub join_leave: bool,
    /// Start from this position (recover from it on the first subscribe).
    pub since: Option<StreamPosition>,
    /// Resubscribe backoff bounds.
    pub resubscribe: Backoff,
    /// Ask for fossil delta compression (the server decides; publications reach the app whole).
    pub delta: bool,
    /// Only publications whose tags match are sent (`SubscribeRequest.tf`). Cannot be combined with
    /// `delta`.
    pub tags_filter: Option<TagsFilter>,
    /// Whether the driver has a state loader to ask (the app owns the channel's state): subscribes
    /// then set the reject-unrecovered flag, and the engine asks for state with
    /// [`crate::Output::LoadState`] when it has no position, or when the server says error 112.
    pub has_state_loader: bool,
}

impl Default for SubscriptionConfig {
    fn default() -> Self {
        Self {
            token: String::new(),
            has_token_provider: false,
            data: None,
            positioned: false,
            recoverable: false,
            join_leave: false,
            since: None,
            resubscribe: Backoff::new(Duration::from_millis(500), Duration::from_secs(20)),
            delta: false,
            tags_filter: None,
            has_state_loader: false,
        }
    }
}

impl fmt::Debug for SubscriptionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriptionConfig")
            .field("token", &redacted(&self.token))
            .field("has_token_provider", &self.has_token_provider)
            .field("positioned", &self.positioned)
            .field("recoverable", &self.recoverable)
            .field("join_leave", &self.join_leave)
            .field("since", &self.since)
            .field("resubscribe", &self.resubscribe)
            .field("delta", &self.delta)
            .field("tags_filter", &self.tags_filter)
            .field("has_state_loader", &self.has_state_loader)
            .finish_non_exhaustive()
    }
}

/// Header names with their values redacted, for `Debug` output.
pub struct RedactedHeaders<'a>(pub &'a BTreeMap<String, String>);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(|(name, value)| (name, redacted(value)))).finish()
    }
}

/// How a secret shows in logs and debug output: whether it is set, never what it is.
pub fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() { "<empty>" } else { "<redacted>" }
}
