//! The JSON encoding: the protocol default, used on WebSocket text frames and HTTP emulation.
//!
//! A frame is one or more JSON objects joined by a single `\n`. The encoder never emits blank
//! lines; the decoder splits on `\n`, trims whitespace (including `\r`) and skips empty lines.
//! Commands serialize through the `Serialize` impl of [`Command`].
//!
//! Decoding is the receive hot path. Each line is parsed into private borrowed mirror types whose
//! payload fields are `&RawValue` slices of the frame, then turned into wire types whose
//! [`Payload`]s point into the frame ([`Bytes::slice_ref`]): no application data is copied and no
//! `serde_json::Value` is built. Unknown keys are ignored; `null` is accepted wherever a list, a
//! map or a nested message is expected.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, de::IgnoredAny};
use serde_json::value::RawValue;

use super::{Codec, CodecError};
use crate::wire::{
    ClientInfo, Command, ConnectResult, ErrorReply, HistoryResult, Payload, PresenceResult,
    PresenceStatsResult, Publication, Push, PushBody, RefreshResult, Reply, ReplyBody, RpcResult,
    SubRefreshResult, SubscribePush, SubscribeResult,
};

/// The JSON codec. Stateless.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonCodec;

impl Codec for JsonCodec {
    fn encode(&self, commands: &[Command], out: &mut Vec<u8>) -> Result<(), CodecError> {
        let start = out.len();
        for (i, command) in commands.iter().enumerate() {
            if i > 0 {
                out.push(b'\n');
            }
            if let Err(e) = serde_json::to_writer(&mut *out, command) {
                out.truncate(start);
                let id = command.id;
                return Err(CodecError::Encode(format!("command #{i} (id {id}): {e}")));
            }
        }
        Ok(())
    }

    fn decode(&self, frame: &Bytes) -> Result<Vec<Reply>, CodecError> {
        // One UTF-8 check for the whole frame spares serde_json one per string and payload.
        let text = std::str::from_utf8(frame).map_err(|e| {
            let index = frame[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            let line = frame.split(|&b| b == b'\n').nth(index).unwrap_or_default();
            CodecError::malformed(format_args!("line {}", index + 1), line, "invalid UTF-8")
        })?;
        let mut replies = Vec::new();
        for (index, line) in text.split('\n').enumerate() {
            let line = line.trim_ascii();
            let raw = match line.as_bytes().first() {
                None => continue,
                // serde would also read a struct from an array, but a message is always an object.
                Some(b'{') => serde_json::from_str::<RawReply<'_>>(line),
                Some(_) => Err(serde::de::Error::custom("expected a JSON object")),
            };
            let raw = raw
                .map_err(|e| CodecError::malformed(format_args!("line {}", index + 1), line.as_bytes(), e))?;
            replies.push(raw.into_wire(frame));
        }
        Ok(replies)
    }
}

/// Deserializes `null` (or an absent field, with `#[serde(default)]`) as the default value.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Turns a borrowed mirror into its wire type; payloads become slices of `frame`.
trait IntoWire {
    type Wire;
    fn into_wire(self, frame: &Bytes) -> Self::Wire;
}

impl IntoWire for &RawValue {
    type Wire = Payload;
    fn into_wire(self, frame: &Bytes) -> Payload {
        let text = self.get().as_bytes();
        let (base, at) = (frame.as_ptr() as usize, text.as_ptr() as usize);
        // Always true for lines of `frame`; the check keeps `slice_ref` from ever panicking.
        if at >= base && at + text.len() <= base + frame.len() {
            Payload::from_raw(frame.slice_ref(text))
        } else {
            Payload::from_raw(Bytes::copy_from_slice(text))
        }
    }
}

impl<T: IntoWire> IntoWire for Option<T> {
    type Wire = Option<T::Wire>;
    fn into_wire(self, frame: &Bytes) -> Self::Wire {
        self.map(|v| v.into_wire(frame))
    }
}

impl<T: IntoWire> IntoWire for Box<T> {
    type Wire = T::Wire;
    fn into_wire(self, frame: &Bytes) -> Self::Wire {
        (*self).into_wire(frame)
    }
}

impl<T: IntoWire> IntoWire for Vec<T> {
    type Wire = Vec<T::Wire>;
    fn into_wire(self, frame: &Bytes) -> Self::Wire {
        self.into_iter().map(|v| v.into_wire(frame)).collect()
    }
}

impl<T: IntoWire> IntoWire for BTreeMap<String, T> {
    type Wire = BTreeMap<String, T::Wire>;
    fn into_wire(self, frame: &Bytes) -> Self::Wire {
        self.into_iter().map(|(k, v)| (k, v.into_wire(frame))).collect()
    }
}

/// Builds wire struct `$ty` from `$raw`: fields before `;` move, those after go through [`IntoWire`].
macro_rules! to_wire {
    ($raw:ident, $f:ident => $ty:ident { $($plain:ident),* ; $($conv:ident),* }) => {
        $ty { $($plain: $raw.$plain,)* $($conv: $raw.$conv.into_wire($f),)* }
    };
}

/// A payload field that is not optional in the wire type: absent or `null` gives an empty payload.
#[derive(Deserialize, Default)]
#[serde(transparent)]
struct Data<'a>(#[serde(borrow)] Option<&'a RawValue>);

impl IntoWire for Data<'_> {
    type Wire = Payload;
    fn into_wire(self, frame: &Bytes) -> Payload {
        self.0.into_wire(frame).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct RawReply<'a> {
    #[serde(default)]
    id: u32,
    error: Option<ErrorReply>,
    #[serde(borrow)]
    push: Option<RawPush<'a>>,
    #[serde(borrow)]
    connect: Option<Box<RawConnectResult<'a>>>,
    #[serde(borrow)]
    subscribe: Option<Box<RawSubscribeResult<'a>>>,
    unsubscribe: Option<IgnoredAny>,
    publish: Option<IgnoredAny>,
    #[serde(borrow)]
    presence: Option<RawPresenceResult<'a>>,
    presence_stats: Option<PresenceStatsResult>,
    #[serde(borrow)]
    history: Option<Box<RawHistoryResult<'a>>>,
    #[serde(borrow)]
    rpc: Option<RawData<'a>>,
    refresh: Option<RefreshResult>,
    #[serde(borrow)]
    sub_refresh: Option<RawSubRefreshResult<'a>>,
}

impl RawReply<'_> {
    fn into_wire(self, f: &Bytes) -> Reply {
        let body = if self.id == 0 {
            match self.push {
                Some(p) => ReplyBody::Push(p.into_wire(f)),
                None => ReplyBody::Ping,
            }
        } else if let Some(r) = self.connect {
            ReplyBody::Connect(r.into_wire(f))
        } else if let Some(r) = self.subscribe {
            ReplyBody::Subscribe(r.into_wire(f))
        } else if self.unsubscribe.is_some() {
            ReplyBody::Unsubscribe
        } else if self.publish.is_some() {
            ReplyBody::Publish
        } else if let Some(r) = self.presence {
            ReplyBody::Presence(to_wire!(r, f => PresenceResult { ; presence }))
        } else if let Some(r) = self.presence_stats {
            ReplyBody::PresenceStats(r)
        } else if let Some(r) = self.history {
            ReplyBody::History(to_wire!(r, f => HistoryResult { epoch, offset ; publications }))
        } else if let Some(r) = self.rpc {
            ReplyBody::Rpc(to_wire!(r, f => RpcResult { ; data }))
        } else if let Some(r) = self.refresh {
            ReplyBody::Refresh(r)
        } else if let Some(r) = self.sub_refresh {
            ReplyBody::SubRefresh(to_wire!(r, f => SubRefreshResult { expires, ttl ; items }))
        } else {
            ReplyBody::Empty
        };
        Reply { id: self.id, error: self.error, body }
    }
}

#[derive(Deserialize)]
struct RawPush<'a> {
    #[serde(default)]
    id: i64,
    #[serde(default)]
    channel: String,
    #[serde(borrow, rename = "pub")]
    publication: Option<RawPublication<'a>>,
    #[serde(borrow)]
    join: Option<Box<RawJoinLeave<'a>>>,
    #[serde(borrow)]
    leave: Option<Box<RawJoinLeave<'a>>>,
    unsubscribe: Option<RawCodeReason>,
    #[serde(borrow)]
    message: Option<RawData<'a>>,
    #[serde(borrow)]
    subscribe: Option<Box<RawSubscribePush<'a>>>,
    #[serde(borrow)]
    connect: Option<Box<RawConnectResult<'a>>>,
    disconnect: Option<RawCodeReason>,
    refresh: Option<RawRefreshPush>,
}

impl RawPush<'_> {
    fn into_wire(self, f: &Bytes) -> Push {
        let body = if let Some(p) = self.publication {
            PushBody::Publication(p.into_wire(f))
        } else if let Some(j) = self.join {
            PushBody::Join(j.info.into_wire(f).unwrap_or_default())
        } else if let Some(l) = self.leave {
            PushBody::Leave(l.info.into_wire(f).unwrap_or_default())
        } else if let Some(u) = self.unsubscribe {
            PushBody::Unsubscribe { code: u.code, reason: u.reason }
        } else if let Some(m) = self.message {
            PushBody::Message(m.data.into_wire(f).unwrap_or_default())
        } else if let Some(s) = self.subscribe {
            PushBody::Subscribe(
                to_wire!(s, f => SubscribePush { recoverable, epoch, offset, positioned ; data }),
            )
        } else if let Some(c) = self.connect {
            PushBody::Connect(c.into_wire(f))
        } else if let Some(d) = self.disconnect {
            PushBody::Disconnect { code: d.code, reason: d.reason }
        } else if let Some(r) = self.refresh {
            PushBody::Refresh { expires: r.expires, ttl: r.ttl }
        } else {
            PushBody::Unknown
        };
        Push { id: self.id, channel: self.channel, body }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawConnectResult<'a> {
    client: String,
    version: String,
    expires: bool,
    ttl: u32,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    subs: BTreeMap<String, RawSubscribeResult<'a>>,
    ping: u32,
    pong: bool,
    session: String,
    node: String,
    time: i64,
}

impl IntoWire for RawConnectResult<'_> {
    type Wire = ConnectResult;
    fn into_wire(self, f: &Bytes) -> ConnectResult {
        to_wire!(self, f => ConnectResult {
            client, version, expires, ttl, ping, pong, session, node, time ; data, subs
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSubscribeResult<'a> {
    expires: bool,
    ttl: u32,
    recoverable: bool,
    epoch: String,
    #[serde(borrow, deserialize_with = "null_as_default")]
    publications: Vec<RawPublication<'a>>,
    recovered: bool,
    offset: u64,
    positioned: bool,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    was_recovering: bool,
    delta: bool,
    id: i64,
    #[serde(rename = "type")]
    kind: i32,
    phase: i32,
    cursor: String,
    #[serde(borrow, deserialize_with = "null_as_default")]
    state: Vec<RawPublication<'a>>,
    publish_debounce: u32,
}

impl IntoWire for RawSubscribeResult<'_> {
    type Wire = SubscribeResult;
    fn into_wire(self, f: &Bytes) -> SubscribeResult {
        to_wire!(self, f => SubscribeResult {
            expires, ttl, recoverable, epoch, recovered, offset, positioned, was_recovering, delta, id,
            kind, phase, cursor, publish_debounce ;
            publications, data, state
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSubRefreshResult<'a> {
    expires: bool,
    ttl: u32,
    #[serde(borrow, deserialize_with = "null_as_default")]
    items: Vec<RawPublication<'a>>,
}

/// The `refresh` push.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRefreshPush {
    expires: bool,
    ttl: u32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPublication<'a> {
    #[serde(borrow)]
    data: Data<'a>,
    #[serde(borrow)]
    info: Option<RawClientInfo<'a>>,
    offset: u64,
    #[serde(deserialize_with = "null_as_default")]
    tags: BTreeMap<String, String>,
    delta: bool,
    time: i64,
    channel: String,
    key: String,
    removed: bool,
    score: i64,
    epoch: String,
    version: u64,
}

impl IntoWire for RawPublication<'_> {
    type Wire = Publication;
    fn into_wire(self, f: &Bytes) -> Publication {
        to_wire!(self, f => Publication {
            offset, tags, delta, time, channel, key, removed, score, epoch, version ; data, info
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawClientInfo<'a> {
    user: String,
    client: String,
    #[serde(borrow)]
    conn_info: Option<&'a RawValue>,
    #[serde(borrow)]
    chan_info: Option<&'a RawValue>,
}

impl IntoWire for RawClientInfo<'_> {
    type Wire = ClientInfo;
    fn into_wire(self, f: &Bytes) -> ClientInfo {
        to_wire!(self, f => ClientInfo { user, client ; conn_info, chan_info })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPresenceResult<'a> {
    #[serde(borrow, deserialize_with = "null_as_default")]
    presence: BTreeMap<String, RawClientInfo<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawHistoryResult<'a> {
    #[serde(borrow, deserialize_with = "null_as_default")]
    publications: Vec<RawPublication<'a>>,
    epoch: String,
    offset: u64,
}

/// `rpc` result and `message` push.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawData<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawJoinLeave<'a> {
    #[serde(borrow)]
    info: Option<RawClientInfo<'a>>,
}

/// `unsubscribe` and `disconnect` pushes.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCodeReason {
    code: u32,
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSubscribePush<'a> {
    recoverable: bool,
    epoch: String,
    offset: u64,
    positioned: bool,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}
