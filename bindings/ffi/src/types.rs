//! Plain data that crosses the boundary: positions, publications, presence, history, states.
//!
//! These are this crate's own records, mapped explicitly from the Rust client's types (which carry no
//! binding derives). Application data is bytes (`ByteArray` / `Data`): in JSON mode the JSON text, in
//! Protobuf mode the opaque payload. The Kotlin and Swift wrappers add a `text` view for strings.

use std::collections::HashMap;

use ceaseless::Payload;

/// A position in a channel's stream. Offsets only compare within one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct StreamPosition {
    /// The offset of a publication (one more per publication).
    pub offset: u64,
    /// The stream incarnation.
    pub epoch: String,
}

impl From<ceaseless::StreamPosition> for StreamPosition {
    fn from(p: ceaseless::StreamPosition) -> Self {
        Self { offset: p.offset, epoch: p.epoch }
    }
}

impl From<StreamPosition> for ceaseless::StreamPosition {
    fn from(p: StreamPosition) -> Self {
        Self { offset: p.offset, epoch: p.epoch }
    }
}

/// A connection, as seen in presence, join/leave and publications.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientInfo {
    /// The user id (empty for anonymous users).
    pub user: String,
    /// The connection id.
    pub client: String,
    /// Connection info from the connection token or proxy.
    pub conn_info: Option<Vec<u8>>,
    /// Channel info from the subscription token or proxy.
    pub chan_info: Option<Vec<u8>>,
}

impl From<ceaseless::ClientInfo> for ClientInfo {
    fn from(c: ceaseless::ClientInfo) -> Self {
        Self {
            user: c.user,
            client: c.client,
            conn_info: c.conn_info.map(bytes),
            chan_info: c.chan_info.map(bytes),
        }
    }
}

/// A message published into a channel.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Publication {
    /// The data (JSON text in JSON mode).
    pub data: Vec<u8>,
    /// The offset in the channel's stream (0 for channels without history).
    pub offset: u64,
    /// The publisher, when it was a client.
    pub info: Option<ClientInfo>,
    /// Publication tags.
    pub tags: HashMap<String, String>,
    /// Publication time in Unix milliseconds (0 when the server did not say).
    pub time_ms: i64,
}

impl From<ceaseless::Publication> for Publication {
    fn from(p: ceaseless::Publication) -> Self {
        Self {
            data: bytes(p.data),
            offset: p.offset,
            info: p.info.map(ClientInfo::from),
            tags: p.tags.into_iter().collect(),
            time_ms: p.time,
        }
    }
}

/// Details of a (re)subscription.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SubscribedInfo {
    /// Recovery is on.
    pub recoverable: bool,
    /// Positioning is on.
    pub positioned: bool,
    /// The stream position the server reports, when positioned.
    pub position: Option<StreamPosition>,
    /// This subscribe asked to recover from a previous position.
    pub was_recovering: bool,
    /// Everything missed was delivered (right after this event). `wasRecovering && !recovered` means
    /// continuity was lost: reload state.
    pub recovered: bool,
    /// Custom data from the server.
    pub data: Option<Vec<u8>>,
}

impl From<ceaseless::SubscribedInfo> for SubscribedInfo {
    fn from(i: ceaseless::SubscribedInfo) -> Self {
        Self {
            recoverable: i.recoverable,
            positioned: i.positioned,
            position: i.position.map(StreamPosition::from),
            was_recovering: i.was_recovering,
            recovered: i.recovered,
            data: i.data.map(bytes),
        }
    }
}

/// Continuity was lost: publications between `last_delivered` and `resumed_from` are gone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Gap {
    /// The last publication delivered before the gap, if any.
    pub last_delivered: Option<StreamPosition>,
    /// Where delivery resumes from.
    pub resumed_from: Option<StreamPosition>,
}

impl From<ceaseless::Gap> for Gap {
    fn from(g: ceaseless::Gap) -> Self {
        Self {
            last_delivered: g.last_delivered.map(StreamPosition::from),
            resumed_from: g.resumed_from.map(StreamPosition::from),
        }
    }
}

/// A page of a channel's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HistoryResult {
    /// The publications read.
    pub publications: Vec<Publication>,
    /// The stream's current epoch.
    pub epoch: String,
    /// The stream's current top offset.
    pub offset: u64,
}

impl From<ceaseless::HistoryResult> for HistoryResult {
    fn from(h: ceaseless::HistoryResult) -> Self {
        Self {
            publications: h.publications.into_iter().map(Publication::from).collect(),
            epoch: h.epoch,
            offset: h.offset,
        }
    }
}

/// Who is subscribed to a channel, by connection id.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PresenceResult {
    /// Present connections by connection id.
    pub clients: HashMap<String, ClientInfo>,
}

impl From<ceaseless::PresenceResult> for PresenceResult {
    fn from(p: ceaseless::PresenceResult) -> Self {
        Self { clients: p.presence.into_iter().map(|(id, info)| (id, info.into())).collect() }
    }
}

/// How many connections and users are subscribed to a channel.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PresenceStats {
    /// Connections.
    pub num_clients: u32,
    /// Distinct users.
    pub num_users: u32,
}

impl From<ceaseless::PresenceStatsResult> for PresenceStats {
    fn from(p: ceaseless::PresenceStatsResult) -> Self {
        Self { num_clients: p.num_clients, num_users: p.num_users }
    }
}

/// The client's connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ClientState {
    /// Not connected and not trying.
    Disconnected,
    /// Connecting, or waiting to retry.
    Connecting,
    /// Connected.
    Connected,
    /// Shut down for good.
    Closed,
}

impl From<ceaseless::ClientState> for ClientState {
    fn from(s: ceaseless::ClientState) -> Self {
        match s {
            ceaseless::ClientState::Disconnected => ClientState::Disconnected,
            ceaseless::ClientState::Connecting => ClientState::Connecting,
            ceaseless::ClientState::Connected => ClientState::Connected,
            ceaseless::ClientState::Closed => ClientState::Closed,
        }
    }
}

/// A subscription's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SubscriptionState {
    /// Not subscribed and not trying.
    Unsubscribed,
    /// Waiting for the connection, a token, or the server.
    Subscribing,
    /// Subscribed.
    Subscribed,
}

impl From<ceaseless::SubscriptionState> for SubscriptionState {
    fn from(s: ceaseless::SubscriptionState) -> Self {
        match s {
            ceaseless::SubscriptionState::Unsubscribed => SubscriptionState::Unsubscribed,
            ceaseless::SubscriptionState::Subscribing => SubscriptionState::Subscribing,
            ceaseless::SubscriptionState::Subscribed => SubscriptionState::Subscribed,
        }
    }
}

/// Whether the app is visible. See `Client.setAppState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AppState {
    /// In the foreground: keep connected.
    Foreground,
    /// In the background: let go of the connection after the grace period; no reconnects until
    /// foreground again or woken with `wake`.
    Background,
}

impl From<AppState> for ceaseless::AppState {
    fn from(s: AppState) -> Self {
        match s {
            AppState::Foreground => ceaseless::AppState::Foreground,
            AppState::Background => ceaseless::AppState::Background,
        }
    }
}

/// The payload's bytes, copied once into the buffer that crosses the boundary.
pub(crate) fn bytes(p: Payload) -> Vec<u8> {
    Vec::from(p.into_bytes())
}
