//! Prost types of `proto/client.proto`, written by hand (no build script, no `protoc`).
//!
//! Each struct mirrors one message of the schema, field by field: same numbers, same protobuf
//! types. `bytes` fields are [`Bytes`], so decoding from a [`Bytes`] frame makes them slices of
//! the frame instead of copies. Maps are `BTreeMap`s, like in the wire types. The test
//! `schema_matches_client_proto` compiles the `.proto` file with protox and round-trips a fully
//! populated message of every kind through these types to prove that they agree.
//!
//! These types stay private to the codec (visible crate-wide only in tests, where the engine tests play
//! a Protobuf server with them): the rest of the crate works with [`crate::wire`].

use std::collections::BTreeMap;

use bytes::Bytes;

/// `Error`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Error {
    #[prost(uint32, tag = "1")]
    pub code: u32,
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(bool, tag = "3")]
    pub temporary: bool,
}

/// `EmulationRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct EmulationRequest {
    #[prost(string, tag = "1")]
    pub node: String,
    #[prost(string, tag = "2")]
    pub session: String,
    #[prost(bytes = "bytes", tag = "3")]
    pub data: Bytes,
}

/// `Command`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Command {
    #[prost(uint32, tag = "1")]
    pub id: u32,
    #[prost(message, optional, tag = "4")]
    pub connect: Option<ConnectRequest>,
    #[prost(message, optional, tag = "5")]
    pub subscribe: Option<SubscribeRequest>,
    #[prost(message, optional, tag = "6")]
    pub unsubscribe: Option<UnsubscribeRequest>,
    #[prost(message, optional, tag = "7")]
    pub publish: Option<PublishRequest>,
    #[prost(message, optional, tag = "8")]
    pub presence: Option<PresenceRequest>,
    #[prost(message, optional, tag = "9")]
    pub presence_stats: Option<PresenceStatsRequest>,
    #[prost(message, optional, tag = "10")]
    pub history: Option<HistoryRequest>,
    #[prost(message, optional, tag = "11")]
    pub ping: Option<PingRequest>,
    #[prost(message, optional, tag = "12")]
    pub send: Option<SendRequest>,
    #[prost(message, optional, tag = "13")]
    pub rpc: Option<RpcRequest>,
    #[prost(message, optional, tag = "14")]
    pub refresh: Option<RefreshRequest>,
    #[prost(message, optional, tag = "15")]
    pub sub_refresh: Option<SubRefreshRequest>,
}

/// `Reply`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Reply {
    #[prost(uint32, tag = "1")]
    pub id: u32,
    #[prost(message, optional, tag = "2")]
    pub error: Option<Error>,
    #[prost(message, optional, tag = "4")]
    pub push: Option<Push>,
    #[prost(message, optional, tag = "5")]
    pub connect: Option<ConnectResult>,
    #[prost(message, optional, tag = "6")]
    pub subscribe: Option<SubscribeResult>,
    #[prost(message, optional, tag = "7")]
    pub unsubscribe: Option<UnsubscribeResult>,
    #[prost(message, optional, tag = "8")]
    pub publish: Option<PublishResult>,
    #[prost(message, optional, tag = "9")]
    pub presence: Option<PresenceResult>,
    #[prost(message, optional, tag = "10")]
    pub presence_stats: Option<PresenceStatsResult>,
    #[prost(message, optional, tag = "11")]
    pub history: Option<HistoryResult>,
    #[prost(message, optional, tag = "12")]
    pub ping: Option<PingResult>,
    #[prost(message, optional, tag = "13")]
    pub rpc: Option<RpcResult>,
    #[prost(message, optional, tag = "14")]
    pub refresh: Option<RefreshResult>,
    #[prost(message, optional, tag = "15")]
    pub sub_refresh: Option<SubRefreshResult>,
}

/// `Push`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Push {
    #[prost(int64, tag = "1")]
    pub id: i64,
    #[prost(string, tag = "2")]
    pub channel: String,
    #[prost(message, optional, tag = "4")]
    pub publication: Option<Publication>,
    #[prost(message, optional, tag = "5")]
    pub join: Option<Join>,
    #[prost(message, optional, tag = "6")]
    pub leave: Option<Leave>,
    #[prost(message, optional, tag = "7")]
    pub unsubscribe: Option<Unsubscribe>,
    #[prost(message, optional, tag = "8")]
    pub message: Option<Message>,
    #[prost(message, optional, tag = "9")]
    pub subscribe: Option<Subscribe>,
    #[prost(message, optional, tag = "10")]
    pub connect: Option<Connect>,
    #[prost(message, optional, tag = "11")]
    pub disconnect: Option<Disconnect>,
    #[prost(message, optional, tag = "12")]
    pub refresh: Option<Refresh>,
}

/// `ClientInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ClientInfo {
    #[prost(string, tag = "1")]
    pub user: String,
    #[prost(string, tag = "2")]
    pub client: String,
    #[prost(bytes = "bytes", tag = "3")]
    pub conn_info: Bytes,
    #[prost(bytes = "bytes", tag = "4")]
    pub chan_info: Bytes,
}

/// `Publication`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Publication {
    #[prost(bytes = "bytes", tag = "4")]
    pub data: Bytes,
    #[prost(message, optional, tag = "5")]
    pub info: Option<ClientInfo>,
    #[prost(uint64, tag = "6")]
    pub offset: u64,
    #[prost(btree_map = "string, string", tag = "7")]
    pub tags: BTreeMap<String, String>,
    #[prost(bool, tag = "8")]
    pub delta: bool,
    #[prost(int64, tag = "9")]
    pub time: i64,
    #[prost(string, tag = "10")]
    pub channel: String,
    #[prost(string, tag = "14")]
    pub epoch: String,
}

/// `Join`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Join {
    #[prost(message, optional, tag = "1")]
    pub info: Option<ClientInfo>,
}

/// `Leave`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Leave {
    #[prost(message, optional, tag = "1")]
    pub info: Option<ClientInfo>,
}

/// `Unsubscribe` (the push).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Unsubscribe {
    #[prost(uint32, tag = "2")]
    pub code: u32,
    #[prost(string, tag = "3")]
    pub reason: String,
}

/// `Subscribe` (the push).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Subscribe {
    #[prost(bool, tag = "1")]
    pub recoverable: bool,
    #[prost(string, tag = "4")]
    pub epoch: String,
    #[prost(uint64, tag = "5")]
    pub offset: u64,
    #[prost(bool, tag = "6")]
    pub positioned: bool,
    #[prost(bytes = "bytes", tag = "7")]
    pub data: Bytes,
}

/// `Message` (the push).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Message {
    #[prost(bytes = "bytes", tag = "1")]
    pub data: Bytes,
}

/// `Connect` (the push).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Connect {
    #[prost(string, tag = "1")]
    pub client: String,
    #[prost(string, tag = "2")]
    pub version: String,
    #[prost(bytes = "bytes", tag = "3")]
    pub data: Bytes,
    #[prost(btree_map = "string, message", tag = "4")]
    pub subs: BTreeMap<String, SubscribeResult>,
    #[prost(bool, tag = "5")]
    pub expires: bool,
    #[prost(uint32, tag = "6")]
    pub ttl: u32,
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

/// `Disconnect` (the push).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Disconnect {
    #[prost(uint32, tag = "1")]
    pub code: u32,
    #[prost(string, tag = "2")]
    pub reason: String,
    #[prost(bool, tag = "3")]
    pub reconnect: bool,
}

/// `Refresh` (the push).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Refresh {
    #[prost(bool, tag = "1")]
    pub expires: bool,
    #[prost(uint32, tag = "2")]
    pub ttl: u32,
}

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
}

/// `SubRefreshRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SubRefreshRequest {
    #[prost(string, tag = "1")]
    pub channel: String,
    #[prost(string, tag = "2")]
    pub token: String,
}

/// `SubRefreshResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SubRefreshResult {
    #[prost(bool, tag = "1")]
    pub expires: bool,
    #[prost(uint32, tag = "2")]
    pub ttl: u32,
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
