//! Settings records, and their conversion into the shared layer's settings (`ceaseless_bridge`).
//!
//! Every field is unset by default (`ClientOptions()` in Kotlin and Swift), and an unset field means the
//! core's default: nothing here restates one. The fields are the options `ceaseless_bridge::spec`
//! describes, spelled by the uniffi rule (durations end in `_ms`); Kotlin and Swift see them in
//! camelCase. The conversions name every field, so a new option fails to compile until it is mapped.

use std::collections::HashMap;
use std::sync::Arc;

use ceaseless::Duration;
use ceaseless::transport::{FrameFormat, TransportKind};

use crate::callbacks::{AppStateLoader, PositionStore, Positions, StateLoader};
use crate::types::StreamPosition;

/// The wire encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Format {
    /// Newline-delimited JSON: publication data must be JSON text.
    Json,
    /// Protobuf: publication data is opaque bytes.
    Protobuf,
}

impl From<Format> for FrameFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Json => FrameFormat::Json,
            Format::Protobuf => FrameFormat::Protobuf,
        }
    }
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

impl From<Transport> for TransportKind {
    fn from(transport: Transport) -> Self {
        match transport {
            Transport::WebSocket => TransportKind::WebSocket,
            Transport::HttpStream => TransportKind::HttpStream,
            Transport::Sse => TransportKind::Sse,
        }
    }
}

/// How long the app may stay in the background before the client lets the connection go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BackgroundGrace {
    /// Let it go after this many milliseconds in the background.
    After {
        /// Milliseconds.
        ms: u64,
    },
    /// Never: stay connected in the background (`setAppState` changes nothing).
    Never,
}

/// Where subscription positions are kept between runs (unset: in memory, for this client only).
#[derive(Clone, uniffi::Enum)]
pub enum PositionStoreOption {
    /// A JSON file at this path, written atomically by the library.
    File {
        /// The file's path (created if missing).
        path: String,
    },
    /// The app's own store.
    App {
        /// The store.
        store: Arc<dyn PositionStore>,
    },
}

impl std::fmt::Debug for PositionStoreOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PositionStoreOption::File { path } => f.debug_struct("File").field("path", path).finish(),
            PositionStoreOption::App { .. } => f.write_str("App"),
        }
    }
}

/// Client settings. See the option table in the repository's README for what each does and its default.
#[derive(Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// The initial connection token. Without one, the token provider is asked first.
    #[uniffi(default = None)]
    pub token: Option<String>,
    /// Custom data sent with every connect (JSON text in JSON mode, any bytes in Protobuf mode).
    #[uniffi(default = None)]
    pub data: Option<Vec<u8>>,
    /// The client name reported to the server.
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// The app version reported to the server.
    #[uniffi(default = None)]
    pub version: Option<String>,
    /// Emulated HTTP headers sent inside every connect (the server forwards the names it lists in
    /// `emulated_headers` to its proxies). Values are secrets: never logged.
    #[uniffi(default)]
    pub headers: HashMap<String, String>,
    /// The encoding.
    #[uniffi(default = None)]
    pub format: Option<Format>,
    /// Transports in order of preference (empty: the core's default).
    #[uniffi(default = [])]
    pub transports: Vec<Transport>,
    /// More endpoints (e.g. other nodes), rotated through when an attempt fails.
    #[uniffi(default = [])]
    pub fallback_urls: Vec<String>,
    /// Timeout for connecting, for each command and for calls waiting to connect.
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Reconnect backoff floor.
    #[uniffi(default = None)]
    pub reconnect_delay_min_ms: Option<u64>,
    /// Reconnect backoff ceiling.
    #[uniffi(default = None)]
    pub reconnect_delay_max_ms: Option<u64>,
    /// Grace after the server's ping interval before the connection counts as dead.
    #[uniffi(default = None)]
    pub max_server_ping_delay_ms: Option<u64>,
    /// How long before expiry tokens are refreshed (at most half their lifetime).
    #[uniffi(default = None)]
    pub refresh_ahead_ms: Option<u64>,
    /// The largest message the server accepts.
    #[uniffi(default = None)]
    pub max_message_size: Option<u64>,
    /// How many calls may wait for the connection during an outage.
    #[uniffi(default = None)]
    pub offline_queue_limit: Option<u64>,
    /// How long each of them may wait.
    #[uniffi(default = None)]
    pub offline_queue_timeout_ms: Option<u64>,
    /// After this long without a connection the client is suspended and retries more slowly.
    #[uniffi(default = None)]
    pub suspend_after_ms: Option<u64>,
    /// How long the app may stay in the background before the connection is let go.
    #[uniffi(default = None)]
    pub background_grace: Option<BackgroundGrace>,
    /// Where positions are kept between runs.
    #[uniffi(default = None)]
    pub position_store: Option<PositionStoreOption>,
    /// Extra trusted root certificates, PEM text (the system's roots are always trusted too).
    #[uniffi(default = [])]
    pub tls_root_ca_pem: Vec<String>,
    /// An HTTP `CONNECT` proxy, `http://[user:password@]host:port`.
    #[uniffi(default = None)]
    pub proxy: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    /// The bridge's `Debug`, which redacts the token, header values and proxy credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&ceaseless_bridge::ClientOptions::from(self.clone()), f)
    }
}

fn ms(value: Option<u64>) -> Option<Duration> {
    value.map(Duration::from_millis)
}

impl From<ClientOptions> for ceaseless_bridge::ClientOptions {
    fn from(options: ClientOptions) -> Self {
        let ClientOptions {
            token,
            data,
            name,
            version,
            headers,
            format,
            transports,
            fallback_urls,
            timeout_ms,
            reconnect_delay_min_ms,
            reconnect_delay_max_ms,
            max_server_ping_delay_ms,
            refresh_ahead_ms,
            max_message_size,
            offline_queue_limit,
            offline_queue_timeout_ms,
            suspend_after_ms,
            background_grace,
            position_store,
            tls_root_ca_pem,
            proxy,
        } = options;
        Self {
            token,
            data,
            name,
            version,
            headers: headers.into_iter().collect(),
            format: format.map(Into::into),
            transports: transports.into_iter().map(Into::into).collect(),
            fallback_urls,
            timeout: ms(timeout_ms),
            reconnect_delay_min: ms(reconnect_delay_min_ms),
            reconnect_delay_max: ms(reconnect_delay_max_ms),
            max_server_ping_delay: ms(max_server_ping_delay_ms),
            refresh_ahead: ms(refresh_ahead_ms),
            max_message_size,
            offline_queue_limit,
            offline_queue_timeout: ms(offline_queue_timeout_ms),
            suspend_after: ms(suspend_after_ms),
            background_grace: background_grace.map(|grace| match grace {
                BackgroundGrace::After { ms } => ceaseless_bridge::Grace::After(Duration::from_millis(ms)),
                BackgroundGrace::Never => ceaseless_bridge::Grace::Never,
            }),
            position_store: position_store.map(|store| match store {
                PositionStoreOption::File { path } => ceaseless_bridge::PositionStoreOption::File(path),
                PositionStoreOption::App { store } => {
                    ceaseless_bridge::PositionStoreOption::Custom(Arc::new(Positions(store)))
                }
            }),
            tls_root_ca_pem,
            proxy,
        }
    }
}

/// Subscription settings. Every field is unset by default, meaning the core's default.
#[derive(Clone, Default, uniffi::Record)]
pub struct SubscriptionOptions {
    /// The initial subscription token, for channels that need one.
    #[uniffi(default = None)]
    pub token: Option<String>,
    /// Custom data sent with every subscribe (JSON text in JSON mode).
    #[uniffi(default = None)]
    pub data: Option<Vec<u8>>,
    /// Ask the server to track positions.
    #[uniffi(default = None)]
    pub positioned: Option<bool>,
    /// Ask the server for recovery.
    #[uniffi(default = None)]
    pub recoverable: Option<bool>,
    /// Ask for join and leave events.
    #[uniffi(default = None)]
    pub join_leave: Option<bool>,
    /// Ask for fossil delta compression (publications still reach the app whole).
    #[uniffi(default = None)]
    pub delta: Option<bool>,
    /// Start after this position (overrides the position store).
    #[uniffi(default = None)]
    pub since: Option<StreamPosition>,
    /// Resubscribe backoff floor.
    #[uniffi(default = None)]
    pub resubscribe_delay_min_ms: Option<u64>,
    /// Resubscribe backoff ceiling.
    #[uniffi(default = None)]
    pub resubscribe_delay_max_ms: Option<u64>,
    /// A publication tags filter as JSON text, the wire `FilterNode` object
    /// (`{"key":"kind","cmp":"eq","val":"good"}`, nested with `op` and `nodes`): only matching
    /// publications are sent. Checked by the core when the subscription is created (`InvalidTagsFilter`
    /// for bad JSON, a filter the server would refuse, or a filter with `delta`).
    #[uniffi(default = None)]
    pub tags_filter: Option<String>,
    /// The app owns the channel's state: this loader is asked for it (and the position it is current
    /// at) instead of the app hearing of a gap; its answer arrives as `Event.StateLoaded`.
    #[uniffi(default = None)]
    pub state_loader: Option<Arc<dyn StateLoader>>,
}

impl std::fmt::Debug for SubscriptionOptions {
    /// The bridge's `Debug`, which redacts the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&ceaseless_bridge::SubscriptionOptions::from(self.clone()), f)
    }
}

impl From<SubscriptionOptions> for ceaseless_bridge::SubscriptionOptions {
    fn from(options: SubscriptionOptions) -> Self {
        let SubscriptionOptions {
            token,
            data,
            positioned,
            recoverable,
            join_leave,
            delta,
            since,
            resubscribe_delay_min_ms,
            resubscribe_delay_max_ms,
            tags_filter,
            state_loader,
        } = options;
        Self {
            token,
            data,
            positioned,
            recoverable,
            join_leave,
            delta,
            since: since.map(Into::into),
            resubscribe_delay_min: ms(resubscribe_delay_min_ms),
            resubscribe_delay_max: ms(resubscribe_delay_max_ms),
            tags_filter,
            state_loader: state_loader
                .map(|loader| Arc::new(AppStateLoader(loader)) as Arc<dyn ceaseless::state::StateLoader>),
        }
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
