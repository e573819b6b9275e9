//! Server-to-client replies and the result types they carry.
//!
//! Every message the server sends is a [`Reply`]. It is classified as follows:
//!
//! * `id > 0`: the answer to the command with that id. `error` is set when the command failed;
//!   otherwise the body is the result matching the command ([`ReplyBody::Publish`] and
//!   [`ReplyBody::Unsubscribe`] carry nothing). A reply holding only an error, or a result the
//!   decoder does not know, has [`ReplyBody::Empty`].
//! * `id == 0` with a push: an asynchronous [`Push`] ([`ReplyBody::Push`]).
//! * `id == 0` without a push (an empty message): a server ping ([`ReplyBody::Ping`]).
//!
//! Replies may arrive out of order relative to commands; match them by id.
//!
//! The types without application data ([`ErrorReply`], [`PresenceStatsResult`],
//! [`RefreshResult`]) implement `serde::Deserialize` from their JSON form
//! (absent fields default to zero, unknown fields are ignored). The others are decoded by the
//! codec, which makes their payloads point into the received frame.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::payload::Payload;
use super::push::Push;

/// One message received from the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// Id of the command answered, or 0 for pushes and pings.
    pub id: u32,
    /// Set when the command failed.
    pub error: Option<ErrorReply>,
    /// What the message carries.
    pub body: ReplyBody,
}

/// The content of a [`Reply`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplyBody {
    /// A server ping (id 0, no push). Answer with a pong when the connect result asked for it.
    Ping,
    /// An asynchronous push (id 0).
    Push(Push),
    /// Result of `connect`.
    Connect(ConnectResult),
    /// Result of `subscribe`.
    Subscribe(SubscribeResult),
    /// Result of `unsubscribe` (empty).
    Unsubscribe,
    /// Result of `publish` (empty).
    Publish,
    /// Result of `presence`.
    Presence(PresenceResult),
    /// Result of `presence_stats`.
    PresenceStats(PresenceStatsResult),
    /// Result of `history`.
    History(HistoryResult),
    /// Result of `rpc`.
    Rpc(RpcResult),
    /// Result of `refresh`.
    Refresh(RefreshResult),
    /// Result of `sub_refresh`.
    SubRefresh(SubRefreshResult),
    /// A reply (id > 0) with only an error, or with a result this crate does not know.
    #[default]
    Empty,
}

/// The error of a failed command.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, thiserror::Error)]
#[serde(default)]
#[error("server error {code}: {message}")]
pub struct ErrorReply {
    /// Error code: 100-399 from the server, 400-1999 from the application (proxies).
    pub code: u32,
    /// Short description.
    pub message: String,
    /// Whether retrying may help.
    pub temporary: bool,
}

/// Result of `connect` (also the content of the `connect` push).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectResult {
    /// Connection id assigned by the server.
    pub client: String,
    /// Server version.
    pub version: String,
    /// The connection token must be refreshed before `ttl` elapses.
    pub expires: bool,
    /// Seconds until the connection expires (meaningful with `expires`).
    pub ttl: u32,
    /// Custom data from the connect proxy.
    pub data: Option<Payload>,
    /// Server-side subscriptions established at connect, by channel.
    pub subs: BTreeMap<String, SubscribeResult>,
    /// Server ping interval in seconds; 0 means the server sends no pings.
    pub ping: u32,
    /// The client must answer every ping with a pong.
    pub pong: bool,
    /// Session id (emulation transports only).
    pub session: String,
    /// Node id (emulation transports only).
    pub node: String,
    /// Server time in milliseconds (only if the server is configured to send it).
    pub time: i64,
}

/// Result of `subscribe` (also the state of server-side subscriptions at connect).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscribeResult {
    /// The subscription token must be refreshed before `ttl` elapses.
    pub expires: bool,
    /// Seconds until the subscription expires (meaningful with `expires`).
    pub ttl: u32,
    /// Recovery is enabled: keep the position and ask to recover next time.
    pub recoverable: bool,
    /// Current stream epoch.
    pub epoch: String,
    /// Recovered publications, in offset order.
    pub publications: Vec<Publication>,
    /// All missed publications were delivered (possibly none).
    pub recovered: bool,
    /// The requested offset when recovered, the current stream top otherwise.
    pub offset: u64,
    /// Positioning is on.
    pub positioned: bool,
    /// Custom data (subscribe proxy or subscription token).
    pub data: Option<Payload>,
    /// The request asked for recovery (says nothing about success).
    pub was_recovering: bool,
    /// Delta compression was negotiated: publication data changes encoding.
    pub delta: bool,
    /// Channel compaction (field 14): when > 0, `pub`/`join`/`leave` pushes of this channel carry this
    /// id ([`crate::wire::Push::id`]) instead of the channel name, for the life of this subscription on
    /// this connection.
    pub id: i64,
    /// Subscription type (field 15, JSON `type`): 1 for every map kind, 4 shared poll, 0 stream.
    pub kind: i32,
    /// Map subscriptions (field 16): 2 state, 1 stream, 0 (absent) live.
    pub phase: i32,
    /// Map subscriptions (field 17): the next state page ("" = the last one).
    pub cursor: String,
    /// Map subscriptions (field 18): the state entries of this page.
    pub state: Vec<Publication>,
    /// Publish debounce window in milliseconds (field 19, uint32): publishes made through the
    /// subscription are held and coalesced within it; 0 means none.
    pub publish_debounce: u32,
}

/// A message published into a channel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Publication {
    /// Publication data. With delta compression in JSON mode this is a JSON string holding the
    /// full payload text or a fossil delta, depending on `delta`.
    pub data: Payload,
    /// The publisher, when the publication came from a client.
    pub info: Option<ClientInfo>,
    /// Offset in the channel stream (0 without history).
    pub offset: u64,
    /// Publication tags.
    pub tags: BTreeMap<String, String>,
    /// `data` is a delta against the previous payload.
    pub delta: bool,
    /// Publication time in milliseconds (optional).
    pub time: i64,
    /// Channel of the publication (set only for wildcard-style deliveries).
    pub channel: String,
    /// Map entry or shared-poll item key (field 11).
    pub key: String,
    /// The map entry was removed (field 12).
    pub removed: bool,
    /// Sort score of ordered maps (field 13, sint64).
    pub score: i64,
    /// The stream epoch (field 14): servers set it on the first publication of a stream (offset 1), so
    /// a subscription that started without an epoch learns it, and on map entries.
    pub epoch: String,
    /// Per-key version (field 16, shared poll).
    pub version: u64,
}

/// Description of a connection, used by presence, join/leave and publications.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientInfo {
    /// User id (empty for anonymous users).
    pub user: String,
    /// Connection id.
    pub client: String,
    /// Connection info (from the connection token or proxy).
    pub conn_info: Option<Payload>,
    /// Channel info (from the subscription token or proxy).
    pub chan_info: Option<Payload>,
}

/// Result of `presence`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PresenceResult {
    /// Present connections, by connection id.
    pub presence: BTreeMap<String, ClientInfo>,
}

/// Result of `presence_stats`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct PresenceStatsResult {
    /// Number of connections present.
    pub num_clients: u32,
    /// Number of distinct users present.
    pub num_users: u32,
}

/// Result of `history`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryResult {
    /// The publications read.
    pub publications: Vec<Publication>,
    /// Current stream epoch.
    pub epoch: String,
    /// Current stream top offset.
    pub offset: u64,
}

/// Result of `rpc`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RpcResult {
    /// Data returned by the procedure.
    pub data: Option<Payload>,
}

/// Result of `refresh`. Current servers fill only `expires` and `ttl`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct RefreshResult {
    /// Connection id.
    pub client: String,
    /// Server version.
    pub version: String,
    /// The connection still expires: refresh again before `ttl` elapses.
    pub expires: bool,
    /// Seconds until the connection expires.
    pub ttl: u32,
}

/// Result of `sub_refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubRefreshResult {
    /// The subscription still expires: refresh again before `ttl` elapses.
    pub expires: bool,
    /// Seconds until the subscription expires.
    pub ttl: u32,
    /// Shared poll (field 3): cached items newer than the versions the client tracks.
    pub items: Vec<Publication>,
}
