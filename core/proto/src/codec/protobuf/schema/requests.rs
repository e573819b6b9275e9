//! Per-method requests and results.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::{ClientInfo, Publication};

/// `ConnectRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ConnectRequest {
    #[prost(string, tag = "1")]
    pub token: String,
    #[prost(bytes = "bytes", tag = "2")]
    pub data: Bytes,
    #[prost(btree_map = "string, message", tag = "3")]
    pub subs: BTreeMap<String, SubscribeRequest>,
    #[prost(string, tag = "4")]
    pub name: String,
    #[prost(string, tag = "5")]
    pub version: String,
    #[prost(btree_map = "string, string", tag = "6")]
    pub headers: BTreeMap<String, String>,
}

/// `ConnectResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ConnectResult {
    #[prost(string, tag = "1")]
    pub client: String,
    #[prost(string, tag = "2")]
    pub version: String,
    #[prost(bool, tag = "3")]
    pub expires: bool,
    #[prost(uint32, tag = "4")]
    pub ttl: u32,
    #[prost(bytes = "bytes", tag = "5")]
    pub data: Bytes,
    #[prost(btree_map = "string, message", tag = "6")]
    pub subs: BTreeMap<String, SubscribeResult>,
    #[prost(uint32, tag = "7")]
    pub ping: u32,
    #[prost(bool, tag = "8")]
    pub pong: bool,
    #[prost(string, tag = "9")]
    pub session: String,
    #[prost(string, tag = "10")]
    pub node: String,
    #[prost(int64, tag = "11")]
    pub time: i64,
}

/// `RefreshRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct RefreshRequest {
    #[prost(string, tag = "1")]
    pub token: String,
}

/// `RefreshResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct RefreshResult {
    #[prost(string, tag = "1")]
    pub client: String,
    #[prost(string, tag = "2")]
    pub version: String,
    #[prost(bool, tag = "3")]
    pub expires: bool,
    #[prost(uint32, tag = "4")]
    pub ttl: u32,
}

/// `SubscribeRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SubscribeRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
    #[prost(string, tag = "2")]
    pub token: String,
    #[prost(bool, tag = "3")]
    pub recover: bool,
    #[prost(string, tag = "6")]
    pub epoch: String,
    #[prost(uint64, tag = "7")]
    pub offset: u64,
    #[prost(bytes = "bytes", tag = "8")]
    pub data: Bytes,
    #[prost(bool, tag = "9")]
    pub positioned: bool,
    #[prost(bool, tag = "10")]
    pub recoverable: bool,
    #[prost(bool, tag = "11")]
    pub join_leave: bool,
    #[prost(string, tag = "12")]
    pub delta: String,
    #[prost(message, optional, tag = "13")]
    pub tf: Option<FilterNode>,
    #[prost(int64, tag = "14")]
    pub flag: i64,
    #[prost(int32, tag = "15")]
    pub r#type: i32,
    #[prost(int32, tag = "16")]
    pub phase: i32,
    #[prost(string, tag = "17")]
    pub cursor: String,
    #[prost(int32, tag = "18")]
    pub limit: i32,
    #[prost(bool, tag = "19")]
    pub asc: bool,
}

/// `FilterNode` (a publication tags filter).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct FilterNode {
    #[prost(string, tag = "1")]
    pub op: String,
    #[prost(string, tag = "2")]
    pub key: String,
    #[prost(string, tag = "3")]
    pub cmp: String,
    #[prost(string, tag = "4")]
    pub val: String,
    #[prost(string, repeated, tag = "5")]
    pub vals: Vec<String>,
    #[prost(message, repeated, tag = "6")]
    pub nodes: Vec<FilterNode>,
}

/// `SubscribeResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SubscribeResult {
    #[prost(bool, tag = "1")]
    pub expires: bool,
    #[prost(uint32, tag = "2")]
    pub ttl: u32,
    #[prost(bool, tag = "3")]
    pub recoverable: bool,
    #[prost(string, tag = "6")]
    pub epoch: String,
    #[prost(message, repeated, tag = "7")]
    pub publications: Vec<Publication>,
    #[prost(bool, tag = "8")]
    pub recovered: bool,
    #[prost(uint64, tag = "9")]
    pub offset: u64,
    #[prost(bool, tag = "10")]
    pub positioned: bool,
    #[prost(bytes = "bytes", tag = "11")]
    pub data: Bytes,
    #[prost(bool, tag = "12")]
    pub was_recovering: bool,
    #[prost(bool, tag = "13")]
    pub delta: bool,
    #[prost(int64, tag = "14")]
    pub id: i64,
    #[prost(int32, tag = "15")]
    pub r#type: i32,
    #[prost(int32, tag = "16")]
    pub phase: i32,
    #[prost(string, tag = "17")]
    pub cursor: String,
    #[prost(message, repeated, tag = "18")]
    pub state: Vec<Publication>,
    #[prost(uint32, tag = "19")]
    pub publish_debounce: u32,
}

/// `SubRefreshRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SubRefreshRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
    #[prost(string, tag = "2")]
    pub token: String,
    #[prost(int32, tag = "3")]
    pub r#type: i32,
    #[prost(message, repeated, tag = "4")]
    pub track: Vec<TrackBatch>,
    #[prost(string, repeated, tag = "5")]
    pub untrack: Vec<String>,
}

/// `TrackBatch` (shared poll).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct TrackBatch {
    #[prost(string, tag = "1")]
    pub signature: String,
    #[prost(message, repeated, tag = "2")]
    pub items: Vec<KeyedItem>,
}

/// `KeyedItem` (shared poll).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct KeyedItem {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(uint64, tag = "2")]
    pub version: u64,
}

/// `SubRefreshResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SubRefreshResult {
    #[prost(bool, tag = "1")]
    pub expires: bool,
    #[prost(uint32, tag = "2")]
    pub ttl: u32,
    #[prost(message, repeated, tag = "3")]
    pub items: Vec<Publication>,
}

/// `UnsubscribeRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct UnsubscribeRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
}

/// `UnsubscribeResult` (empty).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct UnsubscribeResult {}

/// `PublishRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PublishRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
    #[prost(bytes = "bytes", tag = "2")]
    pub data: Bytes,
    #[prost(int32, tag = "3")]
    pub r#type: i32,
    #[prost(string, tag = "4")]
    pub key: String,
    #[prost(bool, tag = "5")]
    pub removed: bool,
}

/// `PublishResult` (empty).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PublishResult {}

/// `PresenceRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PresenceRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
}

/// `PresenceResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PresenceResult {
    #[prost(btree_map = "string, message", tag = "1")]
    pub presence: BTreeMap<String, ClientInfo>,
}

/// `PresenceStatsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PresenceStatsRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
}

/// `PresenceStatsResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PresenceStatsResult {
    #[prost(uint32, tag = "1")]
    pub num_clients: u32,
    #[prost(uint32, tag = "2")]
    pub num_users: u32,
}

/// `StreamPosition`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct StreamPosition {
    #[prost(uint64, tag = "1")]
    pub offset: u64,
    #[prost(string, tag = "2")]
    pub epoch: String,
}

/// `HistoryRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct HistoryRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
    #[prost(int32, tag = "7")]
    pub limit: i32,
    #[prost(message, optional, tag = "8")]
    pub since: Option<StreamPosition>,
    #[prost(bool, tag = "9")]
    pub reverse: bool,
}

/// `HistoryResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct HistoryResult {
    #[prost(message, repeated, tag = "1")]
    pub publications: Vec<Publication>,
    #[prost(string, tag = "2")]
    pub epoch: String,
    #[prost(uint64, tag = "3")]
    pub offset: u64,
}

/// `PingRequest` (empty; servers reject the `ping` command).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PingRequest {}

/// `PingResult` (empty).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct PingResult {}

/// `RPCRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct RpcRequest {
    #[prost(bytes = "bytes", tag = "1")]
    pub data: Bytes,
    #[prost(string, tag = "2")]
    pub method: String,
}

/// `RPCResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct RpcResult {
    #[prost(bytes = "bytes", tag = "1")]
    pub data: Bytes,
}

/// `SendRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SendRequest {
    #[prost(bytes = "bytes", tag = "1")]
    pub data: Bytes,
}
