//! Push bodies and the values they carry (client info, publications).

use std::collections::BTreeMap;

use bytes::Bytes;

use super::SubscribeResult;

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
    #[prost(string, tag = "11")]
    pub key: String,
    #[prost(bool, tag = "12")]
    pub removed: bool,
    #[prost(sint64, tag = "13")]
    pub score: i64,
    #[prost(string, tag = "14")]
    pub epoch: String,
    #[prost(bytes = "bytes", tag = "15")]
    pub prev_data: Bytes,
    #[prost(uint64, tag = "16")]
    pub version: u64,
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
