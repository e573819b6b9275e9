//! Client-to-server commands.
//!
//! A [`Command`] is an `id` plus exactly one request ([`CommandBody`]). The client picks ids
//! starting at 1, unique among commands in flight; the server echoes the id in its [`Reply`].
//! Two commands carry no id: `send` (the server never answers it) and the pong, which is an
//! empty command sent once per server ping.
//!
//! [`Command`] and the request structs implement `serde::Serialize` producing their JSON wire
//! form: every field holding its zero value (empty string, 0, `false`, empty map, `None`) is left
//! out, as the protocol expects, and application data is embedded as raw JSON.
//!
//! [`Reply`]: crate::wire::Reply

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::payload::Payload;
use crate::config::{RedactedHeaders, redacted};
use crate::filter::TagsFilter;

/// One command sent by the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Command id, echoed in the reply. 0 only for `send` and the pong.
    pub id: u32,
    /// The request.
    pub body: CommandBody,
}

/// JSON envelope: `{"id":N,"<request key>":{...}}`, `id` left out when 0, the pong as `{}`.
impl Serialize for Command {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if self.id != 0 && !matches!(self.body, CommandBody::Pong) {
            map.serialize_entry("id", &self.id)?;
        }
        match &self.body {
            CommandBody::Connect(r) => map.serialize_entry("connect", r)?,
            CommandBody::Subscribe(r) => map.serialize_entry("subscribe", r)?,
            CommandBody::Unsubscribe(r) => map.serialize_entry("unsubscribe", r)?,
            CommandBody::Publish(r) => map.serialize_entry("publish", r)?,
            CommandBody::Presence(r) => map.serialize_entry("presence", r)?,
            CommandBody::PresenceStats(r) => map.serialize_entry("presence_stats", r)?,
            CommandBody::History(r) => map.serialize_entry("history", r)?,
            CommandBody::Send(r) => map.serialize_entry("send", r)?,
            CommandBody::Rpc(r) => map.serialize_entry("rpc", r)?,
            CommandBody::Refresh(r) => map.serialize_entry("refresh", r)?,
            CommandBody::SubRefresh(r) => map.serialize_entry("sub_refresh", r)?,
            CommandBody::Pong => {}
        }
        map.end()
    }
}

/// The request carried by a [`Command`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CommandBody {
    /// Authenticate the connection. Must be the first command.
    Connect(ConnectRequest),
    /// Subscribe to a channel.
    Subscribe(SubscribeRequest),
    /// Unsubscribe from a channel.
    Unsubscribe(UnsubscribeRequest),
    /// Publish into a channel.
    Publish(PublishRequest),
    /// Ask who is present in a channel.
    Presence(PresenceRequest),
    /// Ask for the number of clients and users present in a channel.
    PresenceStats(PresenceStatsRequest),
    /// Read the history stream of a channel.
    History(HistoryRequest),
    /// Send an asynchronous message to the server (no id, no reply).
    Send(SendRequest),
    /// Call a server-side procedure.
    Rpc(RpcRequest),
    /// Replace the connection token before it expires.
    Refresh(RefreshRequest),
    /// Replace the token of one subscription before it expires.
    SubRefresh(SubRefreshRequest),
    /// Answer to a server ping (an empty command).
    #[default]
    Pong,
}

/// Position in the history stream of a channel. Offsets only compare within one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash, Serialize)]
pub struct StreamPosition {
    /// Offset of a publication (increases by one per publication).
    #[serde(skip_serializing_if = "is_zero")]
    pub offset: u64,
    /// Identifier of the stream incarnation.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub epoch: String,
}

/// The `connect` request.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct ConnectRequest {
    /// Connection token (JWT); empty for anonymous or proxy authentication.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Custom data for the connect proxy.
    #[serde(skip_serializing_if = "no_payload")]
    pub data: Option<Payload>,
    /// Server-side subscriptions to recover, by channel (only `recover`, `offset`, `epoch` and
    /// `delta` are read by the server). Client-side subscriptions never go here.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub subs: BTreeMap<String, SubscribeRequest>,
    /// Client name, for observability (e.g. `"rust"`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Application version, for observability.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Emulated HTTP headers forwarded by the server to its proxies.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// The `subscribe` request.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct SubscribeRequest {
    /// Channel name (required).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// Subscription token (JWT), needed for private channels.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Ask to recover the publications missed since `epoch`/`offset`.
    #[serde(skip_serializing_if = "is_false")]
    pub recover: bool,
    /// Last known stream epoch (with `recover`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub epoch: String,
    /// Offset of the last publication seen (with `recover`).
    #[serde(skip_serializing_if = "is_zero")]
    pub offset: u64,
    /// Custom data for the subscribe proxy.
    #[serde(skip_serializing_if = "no_payload")]
    pub data: Option<Payload>,
    /// Ask for positioning (stream continuity checks by the server).
    #[serde(skip_serializing_if = "is_false")]
    pub positioned: bool,
    /// Ask for recovery support.
    #[serde(skip_serializing_if = "is_false")]
    pub recoverable: bool,
    /// Ask for join and leave pushes.
    #[serde(skip_serializing_if = "is_false")]
    pub join_leave: bool,
    /// Delta compression to negotiate: `"fossil"` or empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub delta: String,
    /// Publication tags filter (`tf`, Protobuf field 13): only matching publications are sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tf: Option<TagsFilter>,
    /// Feature bits (Protobuf field 14, int64): see [`crate::codes::subscribe_flags`].
    #[serde(skip_serializing_if = "is_zero")]
    pub flag: i64,
}

/// The `unsubscribe` request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct UnsubscribeRequest {
    /// Channel name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
}

/// The `publish` request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PublishRequest {
    /// Channel name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// Data to publish.
    #[serde(skip_serializing_if = "Payload::is_empty")]
    pub data: Payload,
}

/// The `presence` request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PresenceRequest {
    /// Channel name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
}

/// The `presence_stats` request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PresenceStatsRequest {
    /// Channel name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
}

/// The `history` request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HistoryRequest {
    /// Channel name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// 0: no publications (only the stream top), -1: all (server-capped), n: up to n.
    #[serde(skip_serializing_if = "is_zero")]
    pub limit: i32,
    /// Return publications after (or, with `reverse`, before) this position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<StreamPosition>,
    /// Newest first.
    #[serde(skip_serializing_if = "is_false")]
    pub reverse: bool,
}

/// The `send` request (asynchronous message, no reply).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SendRequest {
    /// Message data.
    #[serde(skip_serializing_if = "Payload::is_empty")]
    pub data: Payload,
}

/// The `rpc` request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RpcRequest {
    /// Method name (may be empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub method: String,
    /// Call data.
    #[serde(skip_serializing_if = "Payload::is_empty")]
    pub data: Payload,
}

/// The `refresh` request (new connection token).
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct RefreshRequest {
    /// The new connection token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
}

/// The `sub_refresh` request (new subscription token).
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct SubRefreshRequest {
    /// Channel name (required by the server).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// The new subscription token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
}

// Tokens and header values are secrets: `Debug` says whether they are set, never what they are.

impl fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("token", &redacted(&self.token))
            .field("data", &self.data)
            .field("subs", &self.subs)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("headers", &RedactedHeaders(&self.headers))
            .finish()
    }
}

impl fmt::Debug for SubscribeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscribeRequest")
            .field("channel", &self.channel)
            .field("token", &redacted(&self.token))
            .field("recover", &self.recover)
            .field("epoch", &self.epoch)
            .field("offset", &self.offset)
            .field("data", &self.data)
            .field("positioned", &self.positioned)
            .field("recoverable", &self.recoverable)
            .field("join_leave", &self.join_leave)
            .field("delta", &self.delta)
            .field("tf", &self.tf)
            .field("flag", &self.flag)
            .finish()
    }
}

impl fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshRequest").field("token", &redacted(&self.token)).finish()
    }
}

impl fmt::Debug for SubRefreshRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubRefreshRequest")
            .field("channel", &self.channel)
            .field("token", &redacted(&self.token))
            .finish()
    }
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn no_payload(p: &Option<Payload>) -> bool {
    p.as_ref().is_none_or(Payload::is_empty)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
