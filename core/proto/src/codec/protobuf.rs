//! The Protobuf encoding: the `centrifuge-protobuf` WebSocket subprotocol, and binary bodies on
//! the HTTP emulation transports.
//!
//! Every message is prefixed by its length as an unsigned varint (protobuf "delimited" form) and
//! messages are concatenated, even when a frame holds only one. A server ping is an empty
//! `Reply`, so on the wire it is the single byte `0x00`; the pong is an empty `Command`, encoded
//! the same way. The schema is `proto/client.proto` (package `centrifugal.centrifuge.protocol`);
//! the prost types mirroring it are written by hand in `schema.rs`, so building needs no `protoc`
//! and no build script, on every target including `wasm32-unknown-unknown`.
//!
//! Application data (`data`, `conn_info`, `chan_info`) is opaque bytes here. The decoder reads
//! each message from a [`Bytes`] slice of the frame, so every [`Payload`] it builds points into the
//! received frame: no application data is copied. Unknown fields are skipped. Replies are
//! classified exactly like the JSON codec does: `id > 0` is the answer to a command (the first
//! result field present decides the body, [`ReplyBody::Empty`] when there is none), `id == 0`
//! with a push is a [`Push`], and `id == 0` without one is a ping.
//!
//! [`encode_emulation_request`] builds the body of a POST to the emulation endpoint, and
//! [`whole_messages_len`] finds where to cut a byte stream (an HTTP-streaming response) into a
//! frame of whole messages.

#[cfg(not(test))]
mod schema;
// Tests elsewhere in the crate (the engine's Protobuf simulation) play the server with these types.
#[cfg(test)]
pub(crate) mod schema;
#[cfg(test)]
mod tests;

use std::fmt::{Display, Write as _};

use bytes::Bytes;
use prost::Message as _;

use self::schema as pb;
use super::{Codec, CodecError, QUOTE_LIMIT};
use crate::wire::{
    ClientInfo, Command, CommandBody, ConnectRequest, ConnectResult, ErrorReply, HistoryRequest,
    HistoryResult, Payload, PresenceResult, PresenceStatsResult, Publication, Push, PushBody, RefreshResult,
    Reply, ReplyBody, RpcResult, StreamPosition, SubRefreshResult, SubscribePush, SubscribeRequest,
    SubscribeResult,
};

/// Number of leading bytes of a malformed message quoted (in hex) in the error.
const HEX_QUOTE_LIMIT: usize = 32;

/// The Protobuf codec. Stateless.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProtobufCodec;

impl Codec for ProtobufCodec {
    fn encode(&self, commands: &[Command], out: &mut Vec<u8>) -> Result<(), CodecError> {
        let start = out.len();
        for (i, command) in commands.iter().enumerate() {
            let message = command_to_proto(command);
            if let Err(e) = message.encode_length_delimited(out) {
                out.truncate(start);
                let id = command.id;
                return Err(CodecError::Encode(format!("command #{i} (id {id}): {e}")));
            }
        }
        Ok(())
    }

    fn decode(&self, frame: &Bytes) -> Result<Vec<Reply>, CodecError> {
        let mut replies = Vec::new();
        let mut pos = 0;
        while pos < frame.len() {
            let index = replies.len() + 1;
            let rest = &frame[pos..];
            let (len, prefix) = read_uvarint(rest)
                .ok_or_else(|| malformed(index, pos, rest, "truncated or overlong length prefix"))?;
            let start = pos + prefix;
            let available = frame.len() - start;
            let len = match usize::try_from(len) {
                Ok(len) if len <= available => len,
                _ => {
                    let reason = format!("length {len} exceeds the {available} bytes left in the frame");
                    return Err(malformed(index, pos, rest, reason));
                }
            };
            let end = start + len;
            let reply = if len == 0 {
                // The ping: an empty Reply.
                pb::Reply::default()
            } else {
                pb::Reply::decode(frame.slice(start..end))
                    .map_err(|e| malformed(index, pos, &frame[start..end], e))?
            };
            replies.push(reply_from_proto(reply));
            pos = end;
        }
        Ok(replies)
    }
}

/// Encodes the body of a POST to the emulation endpoint (`Content-Type: application/octet-stream`):
/// one protobuf `EmulationRequest` (not length-prefixed, it is the whole body) whose `data` holds
/// `commands`, a frame produced by [`ProtobufCodec`]'s `encode` (length-delimited commands).
///
/// `node` and `session` come from the connect result of the HTTP-streaming or SSE connection.
pub fn encode_emulation_request(node: &str, session: &str, commands: &[u8]) -> Vec<u8> {
    let request = pb::EmulationRequest {
        node: node.to_owned(),
        session: session.to_owned(),
        data: Bytes::copy_from_slice(commands),
    };
    request.encode_to_vec()
}

/// The length of the longest prefix of `buf` made of whole length-delimited messages.
///
/// [`ProtobufCodec`] decodes whole frames. On a byte stream (the HTTP-streaming response in
/// Protobuf mode) messages arrive cut anywhere: buffer the bytes, cut the first
/// `whole_messages_len(&buffer)?` of them off as a frame to decode, and keep the rest for later.
/// An error means the stream is corrupt (a length prefix longer than 10 bytes, or over 64 bits).
pub fn whole_messages_len(buf: &[u8]) -> Result<usize, CodecError> {
    let mut pos = 0;
    let mut index = 1;
    while pos < buf.len() {
        let rest = &buf[pos..];
        let (len, prefix) = match read_uvarint(rest) {
            Some(v) => v,
            // A prefix can only be cut by the end of the buffer if it has fewer than 10 bytes.
            None if rest.len() < 10 && rest.iter().all(|&b| b & 0x80 != 0) => break,
            None => return Err(malformed(index, pos, rest, "overlong length prefix")),
        };
        match usize::try_from(len).ok().and_then(|len| (pos + prefix).checked_add(len)) {
            Some(end) if end <= buf.len() => pos = end,
            _ => break,
        }
        index += 1;
    }
    Ok(pos)
}

/// Reads an unsigned LEB128 varint of at most 10 bytes from the start of `buf`: the value and the
/// number of bytes it took, or `None` if it is truncated or does not fit in 64 bits.
pub(crate) fn read_uvarint(buf: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in buf.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7f);
        if i == 9 && byte > 1 {
            return None; // A tenth byte may only hold the 64th bit.
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The error for message number `index` (from 1) whose length prefix starts at byte `at`,
/// quoting at most [`HEX_QUOTE_LIMIT`] bytes of `input` in hex and [`QUOTE_LIMIT`] bytes of
/// `reason`.
fn malformed(index: usize, at: usize, input: &[u8], reason: impl Display) -> CodecError {
    let reason = reason.to_string();
    let mut cut = reason.len().min(QUOTE_LIMIT);
    while !reason.is_char_boundary(cut) {
        cut -= 1;
    }
    let ellipsis = if cut < reason.len() { "..." } else { "" };
    let mut hex = String::with_capacity(3 * HEX_QUOTE_LIMIT + 3);
    for (i, byte) in input.iter().take(HEX_QUOTE_LIMIT).enumerate() {
        let sep = if i == 0 { "" } else { " " };
        let _ = write!(hex, "{sep}{byte:02x}");
    }
    if input.len() > HEX_QUOTE_LIMIT {
        hex.push_str(" ...");
    }
    CodecError::Malformed(format!(
        "message {index} at byte {at}: {}{ellipsis} (starts with [{hex}])",
        &reason[..cut]
    ))
}

// ---- wire -> protobuf (commands) ------------------------------------------------------------

fn command_to_proto(command: &Command) -> pb::Command {
    let mut out = pb::Command { id: command.id, ..Default::default() };
    match &command.body {
        CommandBody::Connect(r) => out.connect = Some(connect_request_to_proto(r)),
        CommandBody::Subscribe(r) => out.subscribe = Some(subscribe_request_to_proto(r)),
        CommandBody::Unsubscribe(r) => {
            out.unsubscribe = Some(pb::UnsubscribeRequest { channel: r.channel.clone() })
        }
        CommandBody::Publish(r) => {
            out.publish = Some(pb::PublishRequest {
                channel: r.channel.clone(),
                data: bytes_of(&r.data),
                ..Default::default()
            })
        }
        CommandBody::Presence(r) => out.presence = Some(pb::PresenceRequest { channel: r.channel.clone() }),
        CommandBody::PresenceStats(r) => {
            out.presence_stats = Some(pb::PresenceStatsRequest { channel: r.channel.clone() })
        }
        CommandBody::History(r) => out.history = Some(history_request_to_proto(r)),
        CommandBody::Send(r) => out.send = Some(pb::SendRequest { data: bytes_of(&r.data) }),
        CommandBody::Rpc(r) => {
            out.rpc = Some(pb::RpcRequest { data: bytes_of(&r.data), method: r.method.clone() })
        }
        CommandBody::Refresh(r) => out.refresh = Some(pb::RefreshRequest { token: r.token.clone() }),
        CommandBody::SubRefresh(r) => {
            out.sub_refresh = Some(pb::SubRefreshRequest {
                channel: r.channel.clone(),
                token: r.token.clone(),
                ..Default::default()
            })
        }
        // The pong is the empty command: no id even if the caller set one (like the JSON `{}`).
        CommandBody::Pong => out.id = 0,
    }
    out
}

fn connect_request_to_proto(r: &ConnectRequest) -> pb::ConnectRequest {
    pb::ConnectRequest {
        token: r.token.clone(),
        data: opt_bytes_of(&r.data),
        subs: r.subs.iter().map(|(k, v)| (k.clone(), subscribe_request_to_proto(v))).collect(),
        name: r.name.clone(),
        version: r.version.clone(),
        headers: r.headers.clone(),
    }
}

fn subscribe_request_to_proto(r: &SubscribeRequest) -> pb::SubscribeRequest {
    pb::SubscribeRequest {
        channel: r.channel.clone(),
        token: r.token.clone(),
        recover: r.recover,
        epoch: r.epoch.clone(),
        offset: r.offset,
        data: opt_bytes_of(&r.data),
        positioned: r.positioned,
        recoverable: r.recoverable,
        join_leave: r.join_leave,
        delta: r.delta.clone(),
        tf: r.tf.as_ref().map(filter_to_proto),
        flag: r.flag,
        ..Default::default()
    }
}

fn filter_to_proto(f: &crate::filter::TagsFilter) -> pb::FilterNode {
    pb::FilterNode {
        op: f.op.clone(),
        key: f.key.clone(),
        cmp: f.cmp.clone(),
        val: f.val.clone(),
        vals: f.vals.clone(),
        nodes: f.nodes.iter().map(filter_to_proto).collect(),
    }
}

fn history_request_to_proto(r: &HistoryRequest) -> pb::HistoryRequest {
    pb::HistoryRequest {
        channel: r.channel.clone(),
        limit: r.limit,
        since: r
            .since
            .as_ref()
            .map(|p: &StreamPosition| pb::StreamPosition { offset: p.offset, epoch: p.epoch.clone() }),
        reverse: r.reverse,
    }
}

/// The bytes of a payload (a reference-counted handle, not a copy).
fn bytes_of(p: &Payload) -> Bytes {
    p.bytes().clone()
}

fn opt_bytes_of(p: &Option<Payload>) -> Bytes {
    p.as_ref().map(bytes_of).unwrap_or_default()
}

// ---- protobuf -> wire (replies) -------------------------------------------------------------

fn reply_from_proto(r: pb::Reply) -> Reply {
    let body = if r.id == 0 {
        match r.push {
            Some(p) => ReplyBody::Push(push_from_proto(p)),
            None => ReplyBody::Ping,
        }
    } else if let Some(c) = r.connect {
        ReplyBody::Connect(connect_result_from_proto(c))
    } else if let Some(s) = r.subscribe {
        ReplyBody::Subscribe(subscribe_result_from_proto(s))
    } else if r.unsubscribe.is_some() {
        ReplyBody::Unsubscribe
    } else if r.publish.is_some() {
        ReplyBody::Publish
    } else if let Some(p) = r.presence {
        ReplyBody::Presence(PresenceResult {
            presence: p.presence.into_iter().map(|(k, v)| (k, client_info_from_proto(v))).collect(),
        })
    } else if let Some(p) = r.presence_stats {
        ReplyBody::PresenceStats(PresenceStatsResult { num_clients: p.num_clients, num_users: p.num_users })
    } else if let Some(h) = r.history {
        ReplyBody::History(HistoryResult {
            publications: h.publications.into_iter().map(publication_from_proto).collect(),
            epoch: h.epoch,
            offset: h.offset,
        })
    } else if let Some(rpc) = r.rpc {
        ReplyBody::Rpc(RpcResult { data: opt_payload(rpc.data) })
    } else if let Some(f) = r.refresh {
        ReplyBody::Refresh(RefreshResult {
            client: f.client,
            version: f.version,
            expires: f.expires,
            ttl: f.ttl,
        })
    } else if let Some(f) = r.sub_refresh {
        ReplyBody::SubRefresh(SubRefreshResult {
            expires: f.expires,
            ttl: f.ttl,
            items: f.items.into_iter().map(publication_from_proto).collect(),
        })
    } else {
        ReplyBody::Empty
    };
    let error = r.error.map(|e| ErrorReply { code: e.code, message: e.message, temporary: e.temporary });
    Reply { id: r.id, error, body }
}

fn push_from_proto(p: pb::Push) -> Push {
    let body = if let Some(publication) = p.publication {
        PushBody::Publication(publication_from_proto(publication))
    } else if let Some(j) = p.join {
        PushBody::Join(j.info.map(client_info_from_proto).unwrap_or_default())
    } else if let Some(l) = p.leave {
        PushBody::Leave(l.info.map(client_info_from_proto).unwrap_or_default())
    } else if let Some(u) = p.unsubscribe {
        PushBody::Unsubscribe { code: u.code, reason: u.reason }
    } else if let Some(m) = p.message {
        PushBody::Message(Payload::from_raw(m.data))
    } else if let Some(s) = p.subscribe {
        PushBody::Subscribe(SubscribePush {
            recoverable: s.recoverable,
            epoch: s.epoch,
            offset: s.offset,
            positioned: s.positioned,
            data: opt_payload(s.data),
        })
    } else if let Some(c) = p.connect {
        PushBody::Connect(ConnectResult {
            client: c.client,
            version: c.version,
            expires: c.expires,
            ttl: c.ttl,
            data: opt_payload(c.data),
            subs: subs_from_proto(c.subs),
            ping: c.ping,
            pong: c.pong,
            session: c.session,
            node: c.node,
            time: c.time,
        })
    } else if let Some(d) = p.disconnect {
        PushBody::Disconnect { code: d.code, reason: d.reason }
    } else if let Some(r) = p.refresh {
        PushBody::Refresh { expires: r.expires, ttl: r.ttl }
    } else {
        PushBody::Unknown
    };
    Push { id: p.id, channel: p.channel, body }
}

fn connect_result_from_proto(c: pb::ConnectResult) -> ConnectResult {
    ConnectResult {
        client: c.client,
        version: c.version,
        expires: c.expires,
        ttl: c.ttl,
        data: opt_payload(c.data),
        subs: subs_from_proto(c.subs),
        ping: c.ping,
        pong: c.pong,
        session: c.session,
        node: c.node,
        time: c.time,
    }
}

fn subs_from_proto(
    subs: std::collections::BTreeMap<String, pb::SubscribeResult>,
) -> std::collections::BTreeMap<String, SubscribeResult> {
    subs.into_iter().map(|(k, v)| (k, subscribe_result_from_proto(v))).collect()
}

fn subscribe_result_from_proto(s: pb::SubscribeResult) -> SubscribeResult {
    SubscribeResult {
        expires: s.expires,
        ttl: s.ttl,
        recoverable: s.recoverable,
        epoch: s.epoch,
        publications: s.publications.into_iter().map(publication_from_proto).collect(),
        recovered: s.recovered,
        offset: s.offset,
        positioned: s.positioned,
        data: opt_payload(s.data),
        was_recovering: s.was_recovering,
        delta: s.delta,
        id: s.id,
        kind: s.r#type,
        phase: s.phase,
        cursor: s.cursor,
        state: s.state.into_iter().map(publication_from_proto).collect(),
        publish_debounce: s.publish_debounce,
    }
}

fn publication_from_proto(p: pb::Publication) -> Publication {
    // `prev_data` (field 15) is broker-internal: servers clear it before delivery.
    Publication {
        data: Payload::from_raw(p.data),
        info: p.info.map(client_info_from_proto),
        offset: p.offset,
        tags: p.tags,
        delta: p.delta,
        time: p.time,
        channel: p.channel,
        key: p.key,
        removed: p.removed,
        score: p.score,
        epoch: p.epoch,
        version: p.version,
    }
}

fn client_info_from_proto(c: pb::ClientInfo) -> ClientInfo {
    ClientInfo {
        user: c.user,
        client: c.client,
        conn_info: opt_payload(c.conn_info),
        chan_info: opt_payload(c.chan_info),
    }
}

/// Protobuf cannot tell an empty `bytes` field from an absent one: both become `None`.
fn opt_payload(b: Bytes) -> Option<Payload> {
    (!b.is_empty()).then(|| Payload::from_raw(b))
}
