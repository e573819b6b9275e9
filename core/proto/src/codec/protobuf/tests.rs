//! Tests of the Protobuf codec: the schema against `proto/client.proto`, command round trips,
//! decoding of every result and push kind from frames built with the prost types, framing (batches,
//! pings), zero-copy payloads, unknown fields, malformed input, parity with the JSON codec, and a
//! size comparison with JSON.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use bytes::Bytes;
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MapKey, MessageDescriptor, ReflectMessage, Value};

use super::schema as pb;
use super::{ProtobufCodec, encode_emulation_request, read_uvarint, whole_messages_len};
use crate::codec::{Codec, CodecError, JsonCodec};
use crate::wire::*;

const PACKAGE: &str = "centrifugal.centrifuge.protocol";

// ---- helpers --------------------------------------------------------------------------------

fn encode(commands: &[Command]) -> Vec<u8> {
    let mut out = Vec::new();
    ProtobufCodec.encode(commands, &mut out).unwrap();
    out
}

fn decode(frame: &[u8]) -> Vec<Reply> {
    ProtobufCodec.decode(&Bytes::copy_from_slice(frame)).unwrap()
}

fn decode_one(reply: &pb::Reply) -> Reply {
    let mut replies = decode(&reply.encode_length_delimited_to_vec());
    assert_eq!(replies.len(), 1);
    replies.remove(0)
}

fn push_of(push: pb::Push) -> Push {
    match decode_one(&pb::Reply { push: Some(push), ..Default::default() }) {
        Reply { id: 0, error: None, body: ReplyBody::Push(p) } => p,
        other => panic!("not a push: {other:?}"),
    }
}

/// Splits a frame of length-delimited messages.
fn split(frame: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < frame.len() {
        let (len, n) = read_uvarint(&frame[pos..]).unwrap();
        out.push(&frame[pos + n..pos + n + len as usize]);
        pos += n + len as usize;
    }
    out
}

fn payload(s: &str) -> Payload {
    Payload::from_raw(Bytes::copy_from_slice(s.as_bytes()))
}

fn map<V>(pairs: impl IntoIterator<Item = (&'static str, V)>) -> BTreeMap<String, V> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

/// Test-only inverse of the encoder's conversion: which request a protobuf command carries.
fn command_from_proto(c: pb::Command) -> Command {
    fn opt(b: Bytes) -> Option<Payload> {
        (!b.is_empty()).then(|| Payload::from_raw(b))
    }
    fn sub(s: pb::SubscribeRequest) -> SubscribeRequest {
        SubscribeRequest {
            channel: s.channel,
            token: s.token,
            recover: s.recover,
            epoch: s.epoch,
            offset: s.offset,
            data: opt(s.data),
            positioned: s.positioned,
            recoverable: s.recoverable,
            join_leave: s.join_leave,
            delta: s.delta,
        }
    }
    let body = if let Some(r) = c.connect {
        CommandBody::Connect(ConnectRequest {
            token: r.token,
            data: opt(r.data),
            subs: r.subs.into_iter().map(|(k, v)| (k, sub(v))).collect(),
            name: r.name,
            version: r.version,
            headers: r.headers,
        })
    } else if let Some(r) = c.subscribe {
        CommandBody::Subscribe(sub(r))
    } else if let Some(r) = c.unsubscribe {
        CommandBody::Unsubscribe(UnsubscribeRequest { channel: r.channel })
    } else if let Some(r) = c.publish {
        CommandBody::Publish(PublishRequest { channel: r.channel, data: Payload::from_raw(r.data) })
    } else if let Some(r) = c.presence {
        CommandBody::Presence(PresenceRequest { channel: r.channel })
    } else if let Some(r) = c.presence_stats {
        CommandBody::PresenceStats(PresenceStatsRequest { channel: r.channel })
    } else if let Some(r) = c.history {
        CommandBody::History(HistoryRequest {
            channel: r.channel,
            limit: r.limit,
            since: r.since.map(|s| StreamPosition { offset: s.offset, epoch: s.epoch }),
            reverse: r.reverse,
        })
    } else if let Some(r) = c.send {
        CommandBody::Send(SendRequest { data: Payload::from_raw(r.data) })
    } else if let Some(r) = c.rpc {
        CommandBody::Rpc(RpcRequest { method: r.method, data: Payload::from_raw(r.data) })
    } else if let Some(r) = c.refresh {
        CommandBody::Refresh(RefreshRequest { token: r.token })
    } else if let Some(r) = c.sub_refresh {
        CommandBody::SubRefresh(SubRefreshRequest { channel: r.channel, token: r.token })
    } else {
        assert!(c.ping.is_none(), "the ping command is never sent");
        CommandBody::Pong
    };
    Command { id: c.id, body }
}

/// One command of every kind, every field set.
fn every_command() -> Vec<Command> {
    let sub = SubscribeRequest {
        channel: "chat".into(),
        token: "sub-token".into(),
        recover: true,
        epoch: "e1".into(),
        offset: u64::MAX,
        data: Some(payload(r#"{"s":1}"#)),
        positioned: true,
        recoverable: true,
        join_leave: true,
        delta: "fossil".into(),
    };
    let server_side = SubscribeRequest { recover: true, offset: 7, epoch: "x".into(), ..Default::default() };
    vec![
        Command {
            id: 1,
            body: CommandBody::Connect(ConnectRequest {
                token: "jwt".into(),
                data: Some(payload(r#"{"a":1}"#)),
                subs: map([("user#1", server_side.clone()), ("user#2", SubscribeRequest::default())]),
                name: "rust".into(),
                version: "0.1.0".into(),
                headers: map([("Authorization", "Bearer x".to_owned()), ("X-Id", "é".to_owned())]),
            }),
        },
        Command { id: 2, body: CommandBody::Subscribe(sub) },
        Command { id: 3, body: CommandBody::Unsubscribe(UnsubscribeRequest { channel: "chat".into() }) },
        Command {
            id: 4,
            body: CommandBody::Publish(PublishRequest {
                channel: "chat".into(),
                data: Payload::from_raw(Bytes::from_static(b"\x00\xffbinary")),
            }),
        },
        Command { id: 5, body: CommandBody::Presence(PresenceRequest { channel: "chat".into() }) },
        Command { id: 6, body: CommandBody::PresenceStats(PresenceStatsRequest { channel: "chat".into() }) },
        Command {
            id: 7,
            body: CommandBody::History(HistoryRequest {
                channel: "chat".into(),
                limit: -1,
                since: Some(StreamPosition { offset: 42, epoch: "e1".into() }),
                reverse: true,
            }),
        },
        Command {
            id: 8,
            body: CommandBody::History(HistoryRequest {
                channel: "chat".into(),
                limit: 0,
                // An empty position is still sent (the server tests for its presence).
                since: Some(StreamPosition::default()),
                reverse: false,
            }),
        },
        Command { id: 0, body: CommandBody::Send(SendRequest { data: payload("[1,2]") }) },
        Command {
            id: 9,
            body: CommandBody::Rpc(RpcRequest { method: "sum".into(), data: payload("[1,2]") }),
        },
        Command { id: 10, body: CommandBody::Refresh(RefreshRequest { token: "new".into() }) },
        Command {
            id: 11,
            body: CommandBody::SubRefresh(SubRefreshRequest { channel: "$p".into(), token: "t".into() }),
        },
        Command { id: 0, body: CommandBody::Pong },
        Command { id: u32::MAX, body: CommandBody::Subscribe(SubscribeRequest::default()) },
    ]
}

// ---- the schema -----------------------------------------------------------------------------

fn pool() -> DescriptorPool {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/proto");
    let mut compiler = protox::Compiler::new([dir]).unwrap();
    compiler.open_files(["client.proto"]).unwrap();
    compiler.descriptor_pool()
}

/// Decodes `bytes` as the prost type of message `name` and encodes it again; `None` if there is
/// no prost type for that name.
fn via_prost(name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    macro_rules! table {
        ($($proto:literal => $ty:ident),* $(,)?) => {
            match name {
                $($proto => Some(pb::$ty::decode(bytes).unwrap().encode_to_vec()),)*
                _ => None,
            }
        };
    }
    table! {
        "Error" => Error, "EmulationRequest" => EmulationRequest, "Command" => Command,
        "Reply" => Reply, "Push" => Push, "ClientInfo" => ClientInfo, "Publication" => Publication,
        "Join" => Join, "Leave" => Leave, "Unsubscribe" => Unsubscribe, "Subscribe" => Subscribe,
        "Message" => Message, "Connect" => Connect, "Disconnect" => Disconnect, "Refresh" => Refresh,
        "ConnectRequest" => ConnectRequest, "ConnectResult" => ConnectResult,
        "RefreshRequest" => RefreshRequest, "RefreshResult" => RefreshResult,
        "SubscribeRequest" => SubscribeRequest, "SubscribeResult" => SubscribeResult,
        "SubRefreshRequest" => SubRefreshRequest, "SubRefreshResult" => SubRefreshResult,
        "UnsubscribeRequest" => UnsubscribeRequest, "UnsubscribeResult" => UnsubscribeResult,
        "PublishRequest" => PublishRequest, "PublishResult" => PublishResult,
        "PresenceRequest" => PresenceRequest, "PresenceResult" => PresenceResult,
        "PresenceStatsRequest" => PresenceStatsRequest, "PresenceStatsResult" => PresenceStatsResult,
        "StreamPosition" => StreamPosition, "HistoryRequest" => HistoryRequest,
        "HistoryResult" => HistoryResult, "PingRequest" => PingRequest, "PingResult" => PingResult,
        "RPCRequest" => RpcRequest, "RPCResult" => RpcResult, "SendRequest" => SendRequest,
    }
}

/// A value for a field of kind `kind`, distinctive enough that a wrong protobuf type in the Rust
/// mirror changes it: integers above the 32-bit or sign range, bytes that are not UTF-8.
fn sample(kind: &Kind, number: u32, depth: usize) -> Value {
    match kind {
        Kind::Bool => Value::Bool(true),
        Kind::Int32 => Value::I32(-1_000_000 - number as i32),
        Kind::Int64 => Value::I64(-5_000_000_000 - i64::from(number)),
        Kind::Uint32 => Value::U32(0xfeed_0000 + number),
        Kind::Uint64 => Value::U64(0xdead_beef_0000 + u64::from(number)),
        Kind::String => Value::String(format!("é-{number}")),
        Kind::Bytes => Value::Bytes(Bytes::from(vec![0xff, 0x00, number as u8])),
        Kind::Message(m) => Value::Message(populated(m, depth + 1)),
        other => panic!("client.proto uses no {other:?} field"),
    }
}

/// A message with every field set (nested messages up to a small depth, then present but empty).
fn populated(desc: &MessageDescriptor, depth: usize) -> DynamicMessage {
    let mut msg = DynamicMessage::new(desc.clone());
    if depth > 3 {
        return msg;
    }
    for field in desc.fields() {
        let value = if field.is_map() {
            let Kind::Message(entry) = field.kind() else { unreachable!() };
            let value_field = entry.map_entry_value_field();
            let mut entries = std::collections::HashMap::new();
            for key in ["k1", "k2"] {
                let value = sample(&value_field.kind(), field.number(), depth);
                entries.insert(MapKey::String(key.to_owned()), value);
            }
            Value::Map(entries)
        } else if field.is_list() {
            let one = sample(&field.kind(), field.number(), depth);
            Value::List(vec![one.clone(), one])
        } else {
            sample(&field.kind(), field.number(), depth)
        };
        msg.set_field(&field, value);
    }
    msg
}

/// Panics if `msg` or any message inside it holds fields unknown to the schema.
fn assert_no_unknown_fields(msg: &DynamicMessage) {
    let unknown: Vec<_> = msg.unknown_fields().collect();
    assert!(
        unknown.is_empty(),
        "{} has fields not in client.proto: {unknown:?}",
        msg.descriptor().full_name()
    );
    fn visit(value: &Value) {
        match value {
            Value::Message(m) => assert_no_unknown_fields(m),
            Value::List(items) => items.iter().for_each(visit),
            Value::Map(entries) => entries.values().for_each(visit),
            _ => {}
        }
    }
    for (_, value) in msg.fields() {
        visit(value);
    }
}

/// Paths of the fields whose values differ between `a` and `b` (messages of the same type).
fn differences(a: &DynamicMessage, b: &DynamicMessage, path: &str, out: &mut Vec<String>) {
    fn values(x: &Value, y: &Value, path: String, out: &mut Vec<String>) {
        match (x, y) {
            (Value::Message(m), Value::Message(n)) => differences(m, n, &path, out),
            (Value::List(xs), Value::List(ys)) if xs.len() == ys.len() => {
                for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                    values(x, y, format!("{path}[{i}]"), out);
                }
            }
            (x, y) if x != y => out.push(path),
            _ => {}
        }
    }
    for field in a.descriptor().fields() {
        values(&a.get_field(&field), &b.get_field(&field), format!("{path}.{}", field.name()), out);
    }
    if a.unknown_fields().ne(b.unknown_fields()) {
        out.push(format!("{path} (unknown fields)"));
    }
}

fn dynamic(name: &str, bytes: &[u8]) -> DynamicMessage {
    let desc = pool().get_message_by_name(&format!("{PACKAGE}.{name}")).unwrap();
    DynamicMessage::decode(desc, bytes).unwrap()
}

/// The hand-written prost types and `proto/client.proto` describe the same messages: every
/// message of the file has a Rust type and a fully populated instance survives a trip through it
/// unchanged (a missing field, a wrong number or an incompatible type would change it).
#[test]
fn schema_matches_client_proto() {
    let pool = pool();
    let mut names = Vec::new();
    for desc in pool.all_messages().filter(|m| !m.is_map_entry()) {
        assert_eq!(desc.package_name(), PACKAGE);
        let name = desc.name().to_owned();
        let original = populated(&desc, 0);
        let bytes = original.encode_to_vec();
        let again = via_prost(&name, &bytes).unwrap_or_else(|| panic!("no prost type for {name}"));
        let back = DynamicMessage::decode(desc.clone(), again.as_slice()).unwrap();
        let mut changed = Vec::new();
        differences(&original, &back, &name, &mut changed);
        assert!(changed.is_empty(), "fields changed through the prost type: {changed:?}");
        assert_eq!(back, original);
        assert_no_unknown_fields(&back);
        names.push(name);
    }
    assert_eq!(names.len(), 39, "{names:?}");
    assert_eq!(via_prost("NotInTheSchema", b""), None);
}

/// The reverse direction: what the codec writes has no field the schema does not declare.
#[test]
fn encoded_commands_only_use_schema_fields() {
    let frame = encode(&every_command());
    for message in split(&frame) {
        assert_no_unknown_fields(&dynamic("Command", message));
    }
    let request = encode_emulation_request("node-1", "session-1", &frame);
    let dynamic = dynamic("EmulationRequest", &request);
    assert_no_unknown_fields(&dynamic);
    assert_eq!(dynamic.get_field_by_name("node").unwrap().as_str(), Some("node-1"));
    assert_eq!(dynamic.get_field_by_name("session").unwrap().as_str(), Some("session-1"));
    assert_eq!(dynamic.get_field_by_name("data").unwrap().as_bytes().map(|b| &b[..]), Some(&frame[..]));
}

// ---- commands -------------------------------------------------------------------------------

#[test]
fn every_command_round_trips() {
    for command in every_command() {
        let frame = encode(std::slice::from_ref(&command));
        let messages = split(&frame);
        assert_eq!(messages.len(), 1);
        let back = command_from_proto(pb::Command::decode(messages[0]).unwrap());
        assert_eq!(back, command);
    }
}

#[test]
fn a_batch_is_concatenated_delimited_commands() {
    let commands = every_command();
    let frame = encode(&commands);
    let back: Vec<Command> =
        split(&frame).into_iter().map(|m| command_from_proto(pb::Command::decode(m).unwrap())).collect();
    assert_eq!(back, commands);
    // Appends to what is already in the buffer.
    let mut out = b"prefix".to_vec();
    ProtobufCodec.encode(&commands[..2], &mut out).unwrap();
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(&out[6..], &encode(&commands[..2])[..]);
    // No commands, no bytes.
    assert!(encode(&[]).is_empty());
}

#[test]
fn exact_bytes() {
    // The pong is the empty command: the single byte 0x00, even if an id was set.
    assert_eq!(encode(&[Command { id: 0, body: CommandBody::Pong }]), [0x00]);
    assert_eq!(encode(&[Command { id: 9, body: CommandBody::Pong }]), [0x00]);
    // id 1 (field 1, varint), unsubscribe (field 6, length 3) { channel (field 1) "a" }.
    let unsubscribe =
        Command { id: 1, body: CommandBody::Unsubscribe(UnsubscribeRequest { channel: "a".into() }) };
    assert_eq!(encode(&[unsubscribe]), [0x07, 0x08, 0x01, 0x32, 0x03, 0x0a, 0x01, b'a']);
    // send has no id; an empty request is still present (field 12, length 0).
    let send = Command { id: 0, body: CommandBody::Send(SendRequest::default()) };
    assert_eq!(encode(&[send]), [0x02, 0x62, 0x00]);
    // Large ids and lengths use multi-byte varints: id 300, publish (length 203) { data (length 200) }.
    let publish = Command {
        id: 300,
        body: CommandBody::Publish(PublishRequest {
            channel: String::new(),
            data: payload(&"x".repeat(200)),
        }),
    };
    let frame = encode(&[publish]);
    assert_eq!(frame.len(), 2 + 209);
    assert_eq!(&frame[..11], [0xd1, 0x01, 0x08, 0xac, 0x02, 0x3a, 0xcb, 0x01, 0x12, 0xc8, 0x01]);
}

#[test]
fn emulation_request() {
    let commands = encode(&every_command()[..3]);
    let body = encode_emulation_request("node", "sess", &commands);
    let request = pb::EmulationRequest::decode(&body[..]).unwrap();
    assert_eq!(request.node, "node");
    assert_eq!(request.session, "sess");
    assert_eq!(&request.data[..], &commands[..]);
    // The body is one message, not length-prefixed: node (field 1) comes first.
    assert_eq!(&body[..2], [0x0a, 0x04]);
    // A pong only.
    let pong = encode_emulation_request("n", "s", &encode(&[Command::default()]));
    assert_eq!(pong, [0x0a, 0x01, b'n', 0x12, 0x01, b's', 0x1a, 0x01, 0x00]);
}

// ---- replies --------------------------------------------------------------------------------

fn pb_info(user: &str) -> pb::ClientInfo {
    pb::ClientInfo {
        user: user.into(),
        client: format!("client-{user}"),
        conn_info: b(r#"{"name":"Ann"}"#),
        chan_info: b("\x00\x01"),
    }
}

fn wire_info(user: &str) -> ClientInfo {
    ClientInfo {
        user: user.into(),
        client: format!("client-{user}"),
        conn_info: Some(payload(r#"{"name":"Ann"}"#)),
        chan_info: Some(payload("\x00\x01")),
    }
}

fn pb_publication(offset: u64) -> pb::Publication {
    pb::Publication {
        data: b(r#"{"text":"hi"}"#),
        info: Some(pb_info("7")),
        offset,
        tags: map([("k", "v".to_owned())]),
        delta: true,
        time: 1_700_000_000_000,
        channel: "chat:*".into(),
        epoch: "ignored".into(),
    }
}

fn wire_publication(offset: u64) -> Publication {
    Publication {
        data: payload(r#"{"text":"hi"}"#),
        info: Some(wire_info("7")),
        offset,
        tags: map([("k", "v".to_owned())]),
        delta: true,
        time: 1_700_000_000_000,
        channel: "chat:*".into(),
    }
}

fn pb_subscribe_result() -> pb::SubscribeResult {
    pb::SubscribeResult {
        expires: true,
        ttl: 3600,
        recoverable: true,
        epoch: "ep".into(),
        publications: vec![pb_publication(41), pb_publication(42)],
        recovered: true,
        offset: 40,
        positioned: true,
        data: b(r#"{"sub":true}"#),
        was_recovering: true,
        delta: true,
    }
}

fn wire_subscribe_result() -> SubscribeResult {
    SubscribeResult {
        expires: true,
        ttl: 3600,
        recoverable: true,
        epoch: "ep".into(),
        publications: vec![wire_publication(41), wire_publication(42)],
        recovered: true,
        offset: 40,
        positioned: true,
        data: Some(payload(r#"{"sub":true}"#)),
        was_recovering: true,
        delta: true,
    }
}

fn pb_connect_result() -> pb::ConnectResult {
    pb::ConnectResult {
        client: "c-1".into(),
        version: "6.9.1".into(),
        expires: true,
        ttl: 120,
        data: b(r#"{"welcome":1}"#),
        subs: map([("user#1", pb_subscribe_result()), ("news", pb::SubscribeResult::default())]),
        ping: 25,
        pong: true,
        session: "sess".into(),
        node: "node".into(),
        time: 1_700_000_000_123,
    }
}

fn wire_connect_result() -> ConnectResult {
    ConnectResult {
        client: "c-1".into(),
        version: "6.9.1".into(),
        expires: true,
        ttl: 120,
        data: Some(payload(r#"{"welcome":1}"#)),
        subs: map([("user#1", wire_subscribe_result()), ("news", SubscribeResult::default())]),
        ping: 25,
        pong: true,
        session: "sess".into(),
        node: "node".into(),
        time: 1_700_000_000_123,
    }
}

/// Every result kind, as the prost reply the server would send and the wire reply expected.
fn every_result() -> Vec<(pb::Reply, Reply)> {
    let reply = |id: u32| pb::Reply { id, ..Default::default() };
    let ok = |id: u32, body: ReplyBody| Reply { id, error: None, body };
    vec![
        (
            pb::Reply { connect: Some(pb_connect_result()), ..reply(1) },
            ok(1, ReplyBody::Connect(wire_connect_result())),
        ),
        (
            pb::Reply { subscribe: Some(pb_subscribe_result()), ..reply(2) },
            ok(2, ReplyBody::Subscribe(wire_subscribe_result())),
        ),
        (
            pb::Reply { subscribe: Some(pb::SubscribeResult::default()), ..reply(3) },
            ok(3, ReplyBody::Subscribe(SubscribeResult::default())),
        ),
        (
            pb::Reply { unsubscribe: Some(pb::UnsubscribeResult {}), ..reply(4) },
            ok(4, ReplyBody::Unsubscribe),
        ),
        (pb::Reply { publish: Some(pb::PublishResult {}), ..reply(5) }, ok(5, ReplyBody::Publish)),
        (
            pb::Reply {
                presence: Some(pb::PresenceResult {
                    presence: map([("c1", pb_info("1")), ("c2", pb_info("2"))]),
                }),
                ..reply(6)
            },
            ok(
                6,
                ReplyBody::Presence(PresenceResult {
                    presence: map([("c1", wire_info("1")), ("c2", wire_info("2"))]),
                }),
            ),
        ),
        (
            pb::Reply { presence: Some(pb::PresenceResult::default()), ..reply(7) },
            ok(7, ReplyBody::Presence(PresenceResult::default())),
        ),
        (
            pb::Reply {
                presence_stats: Some(pb::PresenceStatsResult { num_clients: 3, num_users: 2 }),
                ..reply(8)
            },
            ok(8, ReplyBody::PresenceStats(PresenceStatsResult { num_clients: 3, num_users: 2 })),
        ),
        (
            pb::Reply {
                history: Some(pb::HistoryResult {
                    publications: vec![pb_publication(9), pb_publication(10)],
                    epoch: "ep".into(),
                    offset: 10,
                }),
                ..reply(9)
            },
            ok(
                9,
                ReplyBody::History(HistoryResult {
                    publications: vec![wire_publication(9), wire_publication(10)],
                    epoch: "ep".into(),
                    offset: 10,
                }),
            ),
        ),
        (
            pb::Reply { rpc: Some(pb::RpcResult { data: b("[3]") }), ..reply(10) },
            ok(10, ReplyBody::Rpc(RpcResult { data: Some(payload("[3]")) })),
        ),
        (
            pb::Reply { rpc: Some(pb::RpcResult::default()), ..reply(11) },
            ok(11, ReplyBody::Rpc(RpcResult { data: None })),
        ),
        (
            pb::Reply {
                refresh: Some(pb::RefreshResult {
                    client: "c".into(),
                    version: "v".into(),
                    expires: true,
                    ttl: 60,
                }),
                ..reply(12)
            },
            ok(
                12,
                ReplyBody::Refresh(RefreshResult {
                    client: "c".into(),
                    version: "v".into(),
                    expires: true,
                    ttl: 60,
                }),
            ),
        ),
        (
            pb::Reply { sub_refresh: Some(pb::SubRefreshResult { expires: true, ttl: 30 }), ..reply(13) },
            ok(13, ReplyBody::SubRefresh(SubRefreshResult { expires: true, ttl: 30 })),
        ),
        // The ping result exists in the schema but the command is never sent: no known result.
        (pb::Reply { ping: Some(pb::PingResult {}), ..reply(14) }, ok(14, ReplyBody::Empty)),
        // An error alone.
        (
            pb::Reply {
                error: Some(pb::Error { code: 103, message: "permission denied".into(), temporary: false }),
                ..reply(15)
            },
            Reply {
                id: 15,
                error: Some(ErrorReply { code: 103, message: "permission denied".into(), temporary: false }),
                body: ReplyBody::Empty,
            },
        ),
        (
            pb::Reply {
                error: Some(pb::Error { code: 100, message: "internal".into(), temporary: true }),
                ..reply(16)
            },
            Reply {
                id: 16,
                error: Some(ErrorReply { code: 100, message: "internal".into(), temporary: true }),
                body: ReplyBody::Empty,
            },
        ),
        // A reply with an id and nothing else.
        (reply(17), ok(17, ReplyBody::Empty)),
    ]
}

#[test]
fn decodes_every_result() {
    for (proto, expected) in every_result() {
        assert_no_unknown_fields(&dynamic("Reply", &proto.encode_to_vec()));
        assert_eq!(decode_one(&proto), expected);
    }
}

#[test]
fn decodes_every_push() {
    let push = |channel: &str| pb::Push { channel: channel.into(), ..Default::default() };

    let p = push_of(pb::Push { publication: Some(pb_publication(42)), ..push("chat:1") });
    assert_eq!(p, Push { channel: "chat:1".into(), body: PushBody::Publication(wire_publication(42)) });

    let p = push_of(pb::Push { join: Some(pb::Join { info: Some(pb_info("7")) }), ..push("chat:1") });
    assert_eq!(p, Push { channel: "chat:1".into(), body: PushBody::Join(wire_info("7")) });
    let p = push_of(pb::Push { leave: Some(pb::Leave { info: Some(pb_info("8")) }), ..push("chat:1") });
    assert_eq!(p.body, PushBody::Leave(wire_info("8")));
    let p = push_of(pb::Push { join: Some(pb::Join { info: None }), ..push("chat:1") });
    assert_eq!(p.body, PushBody::Join(ClientInfo::default()));

    let p = push_of(pb::Push {
        unsubscribe: Some(pb::Unsubscribe { code: 2500, reason: "insufficient state".into() }),
        ..push("chat:1")
    });
    assert_eq!(
        p,
        Push {
            channel: "chat:1".into(),
            body: PushBody::Unsubscribe { code: 2500, reason: "insufficient state".into() }
        }
    );

    let p = push_of(pb::Push { message: Some(pb::Message { data: b("\x01\x02") }), ..push("") });
    assert_eq!(p, Push { channel: String::new(), body: PushBody::Message(payload("\x01\x02")) });

    let p = push_of(pb::Push {
        subscribe: Some(pb::Subscribe {
            recoverable: true,
            epoch: "xyz".into(),
            offset: 10,
            positioned: true,
            data: b("{}"),
        }),
        ..push("user#42")
    });
    let expected = SubscribePush {
        recoverable: true,
        epoch: "xyz".into(),
        offset: 10,
        positioned: true,
        data: Some(payload("{}")),
    };
    assert_eq!(p, Push { channel: "user#42".into(), body: PushBody::Subscribe(expected) });

    let c = pb_connect_result();
    let p = push_of(pb::Push {
        connect: Some(pb::Connect {
            client: c.client,
            version: c.version,
            data: c.data,
            subs: c.subs,
            expires: c.expires,
            ttl: c.ttl,
            ping: c.ping,
            pong: c.pong,
            session: c.session,
            node: c.node,
            time: c.time,
        }),
        ..push("")
    });
    assert_eq!(p.body, PushBody::Connect(wire_connect_result()));

    let p = push_of(pb::Push {
        disconnect: Some(pb::Disconnect { code: 3005, reason: "connection expired".into(), reconnect: true }),
        ..push("")
    });
    assert_eq!(p.body, PushBody::Disconnect { code: 3005, reason: "connection expired".into() });

    let p = push_of(pb::Push { refresh: Some(pb::Refresh { expires: true, ttl: 3600 }), ..push("") });
    assert_eq!(p.body, PushBody::Refresh { expires: true, ttl: 3600 });

    // A push with no content this crate knows (a newer kind, or none at all).
    let p = push_of(push("chat:1"));
    assert_eq!(p, Push { channel: "chat:1".into(), body: PushBody::Unknown });
    // Channel compaction id: ignored.
    let p = push_of(pb::Push { id: 12, refresh: Some(pb::Refresh::default()), ..push("") });
    assert_eq!(p.body, PushBody::Refresh { expires: false, ttl: 0 });
}

#[test]
fn classification_matches_the_json_codec() {
    // id 0 without push is a ping, whatever else is set; id 0 with push is a push even if a result
    // is also set; id > 0 ignores push and takes the first result field present.
    let cases = [
        (pb::Reply::default(), ReplyBody::Ping),
        (pb::Reply { publish: Some(pb::PublishResult {}), ..Default::default() }, ReplyBody::Ping),
        (
            pb::Reply {
                push: Some(pb::Push::default()),
                publish: Some(pb::PublishResult {}),
                ..Default::default()
            },
            ReplyBody::Push(Push::default()),
        ),
        (
            pb::Reply {
                id: 3,
                push: Some(pb::Push::default()),
                unsubscribe: Some(pb::UnsubscribeResult {}),
                publish: Some(pb::PublishResult {}),
                ..Default::default()
            },
            ReplyBody::Unsubscribe,
        ),
    ];
    let json = [
        "{}",
        r#"{"publish":{}}"#,
        r#"{"push":{},"publish":{}}"#,
        r#"{"id":3,"push":{},"unsubscribe":{},"publish":{}}"#,
    ];
    for ((proto, body), json) in cases.into_iter().zip(json) {
        let from_proto = decode_one(&proto);
        assert_eq!(from_proto.body, body, "{json}");
        let from_json = JsonCodec.decode(&Bytes::from_static(json.as_bytes())).unwrap();
        assert_eq!(from_json, vec![from_proto], "{json}");
    }
}

/// With JSON application data, the same server message decodes to the same wire reply in both
/// encodings.
#[test]
fn same_replies_as_json() {
    let cases: [(&str, pb::Reply); 5] = [
        (
            r#"{"id":1,"connect":{"client":"c","version":"6.9.1","ping":25,"pong":true,"data":{"a":1},"subs":{"s":{"recoverable":true,"epoch":"e","offset":3}}}}"#,
            pb::Reply {
                id: 1,
                connect: Some(pb::ConnectResult {
                    client: "c".into(),
                    version: "6.9.1".into(),
                    ping: 25,
                    pong: true,
                    data: b(r#"{"a":1}"#),
                    subs: map([(
                        "s",
                        pb::SubscribeResult {
                            recoverable: true,
                            epoch: "e".into(),
                            offset: 3,
                            ..Default::default()
                        },
                    )]),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        (
            r#"{"push":{"channel":"chat:1","pub":{"data":{"text":"hi"},"offset":42,"info":{"user":"7","client":"c0","conn_info":{"name":"Ann"}},"tags":{"k":"v"}}}}"#,
            pb::Reply {
                push: Some(pb::Push {
                    channel: "chat:1".into(),
                    publication: Some(pb::Publication {
                        data: b(r#"{"text":"hi"}"#),
                        offset: 42,
                        info: Some(pb::ClientInfo {
                            user: "7".into(),
                            client: "c0".into(),
                            conn_info: b(r#"{"name":"Ann"}"#),
                            ..Default::default()
                        }),
                        tags: map([("k", "v".to_owned())]),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        (
            r#"{"id":4,"error":{"code":109,"message":"token expired","temporary":true}}"#,
            pb::Reply {
                id: 4,
                error: Some(pb::Error { code: 109, message: "token expired".into(), temporary: true }),
                ..Default::default()
            },
        ),
        (
            r#"{"id":5,"history":{"publications":[{"data":[1],"offset":1},{"data":"s","offset":2}],"epoch":"e","offset":2}}"#,
            pb::Reply {
                id: 5,
                history: Some(pb::HistoryResult {
                    publications: vec![
                        pb::Publication { data: b("[1]"), offset: 1, ..Default::default() },
                        pb::Publication { data: b(r#""s""#), offset: 2, ..Default::default() },
                    ],
                    epoch: "e".into(),
                    offset: 2,
                }),
                ..Default::default()
            },
        ),
        (
            r#"{"push":{"channel":"c","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}}"#,
            pb::Reply {
                push: Some(pb::Push {
                    channel: "c".into(),
                    unsubscribe: Some(pb::Unsubscribe { code: 2000, reason: "server unsubscribe".into() }),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
    ];
    for (json, proto) in cases {
        let from_json = JsonCodec.decode(&Bytes::from_static(json.as_bytes())).unwrap();
        assert_eq!(from_json, vec![decode_one(&proto)], "{json}");
    }
}

// ---- framing --------------------------------------------------------------------------------

#[test]
fn ping_is_a_single_zero_byte() {
    let ping = Reply { id: 0, error: None, body: ReplyBody::Ping };
    assert_eq!(decode(&[0x00]), vec![ping.clone()]);
    assert_eq!(decode(&[0x00, 0x00]), vec![ping.clone(), ping.clone()]);
    // An empty frame holds nothing.
    assert!(decode(&[]).is_empty());
    // The encoder's own empty reply is the same single byte.
    assert_eq!(pb::Reply::default().encode_length_delimited_to_vec(), [0x00]);
}

#[test]
fn batched_frame_in_order() {
    let results = every_result();
    let mut frame = Vec::new();
    let mut expected = Vec::new();
    for (i, (proto, wire)) in results.into_iter().enumerate() {
        proto.encode_length_delimited(&mut frame).unwrap();
        expected.push(wire);
        if i % 3 == 0 {
            frame.push(0x00);
            expected.push(Reply { id: 0, error: None, body: ReplyBody::Ping });
        }
    }
    let publication = pb::Reply {
        push: Some(pb::Push {
            channel: "c".into(),
            publication: Some(pb_publication(1)),
            ..Default::default()
        }),
        ..Default::default()
    };
    publication.encode_length_delimited(&mut frame).unwrap();
    expected.push(Reply {
        id: 0,
        error: None,
        body: ReplyBody::Push(Push { channel: "c".into(), body: PushBody::Publication(wire_publication(1)) }),
    });
    assert_eq!(decode(&frame), expected);
}

#[test]
fn payloads_point_into_the_frame() {
    let reply = pb::Reply {
        push: Some(pb::Push {
            channel: "c".into(),
            publication: Some(pb_publication(1)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut frame = vec![0x00];
    reply.encode_length_delimited(&mut frame).unwrap();
    let frame = Bytes::from(frame);
    let replies = ProtobufCodec.decode(&frame).unwrap();
    let ReplyBody::Push(Push { body: PushBody::Publication(p), .. }) = &replies[1].body else {
        panic!("{replies:?}")
    };
    let range = frame.as_ptr_range();
    for data in [p.data.as_bytes(), p.info.as_ref().unwrap().conn_info.as_ref().unwrap().as_bytes()] {
        assert!(range.contains(&data.as_ptr()), "payload was copied");
    }
}

#[test]
fn unknown_fields_are_ignored() {
    /// Appends a field of each wire type with a number the schema does not use.
    fn unknown(out: &mut Vec<u8>) {
        prost::encoding::uint64::encode(90, &u64::MAX, out);
        prost::encoding::bytes::encode(91, &b"future".to_vec(), out);
        prost::encoding::fixed32::encode(92, &7, out);
        prost::encoding::fixed64::encode(93, &7, out);
        prost::encoding::sint64::encode(94, &-7, out); // a field that "became" a later addition
    }
    let mut publication = pb_publication(5).encode_to_vec();
    unknown(&mut publication);
    let mut push = Vec::new();
    prost::encoding::string::encode(2, &"c".to_owned(), &mut push);
    unknown(&mut push);
    prost::encoding::bytes::encode(4, &publication, &mut push); // Push.pub
    let mut reply = Vec::new();
    unknown(&mut reply);
    prost::encoding::bytes::encode(4, &push, &mut reply); // Reply.push
    prost::encoding::uint64::encode(3, &1, &mut reply); // reserved number, as a varint
    let mut frame = Vec::new();
    prost::encoding::encode_varint(reply.len() as u64, &mut frame);
    frame.extend_from_slice(&reply);
    let expected = Reply {
        id: 0,
        error: None,
        body: ReplyBody::Push(Push { channel: "c".into(), body: PushBody::Publication(wire_publication(5)) }),
    };
    assert_eq!(decode(&frame), vec![expected]);
}

// ---- malformed input ------------------------------------------------------------------------

fn decode_err(frame: &[u8]) -> String {
    match ProtobufCodec.decode(&Bytes::copy_from_slice(frame)) {
        Err(CodecError::Malformed(m)) => m,
        other => panic!("{frame:?} decoded: {other:?}"),
    }
}

#[test]
fn malformed_frames() {
    // Length prefix longer than the rest of the frame.
    let m = decode_err(&[0x05, 0x08, 0x01]);
    assert!(m.contains("message 1 at byte 0") && m.contains("length 5 exceeds the 2 bytes"), "{m}");
    // Truncated length prefix.
    let m = decode_err(&[0x00, 0x80]);
    assert!(m.contains("message 2 at byte 1") && m.contains("length prefix"), "{m}");
    // A prefix over 64 bits, and one that never ends.
    decode_err(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    decode_err(&[0x80; 11]);
    // A huge but well-formed prefix.
    decode_err(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // Invalid UTF-8 in a string (Push.channel).
    let mut push = Vec::new();
    prost::encoding::bytes::encode(2, &vec![0xff, 0xfe], &mut push);
    let mut reply = Vec::new();
    prost::encoding::bytes::encode(4, &push, &mut reply);
    let mut frame = vec![reply.len() as u8];
    frame.extend_from_slice(&reply);
    let m = decode_err(&frame);
    assert!(m.contains("UTF-8"), "{m}");
    assert!(m.contains("starts with [22 04 12 02 ff fe]"), "{m}");
    // A known field with the wrong wire type (id as a length-delimited field).
    decode_err(&[0x03, 0x0a, 0x01, 0x00]);
    // A nested message whose length overruns its parent.
    decode_err(&[0x03, 0x22, 0x05, 0x00]);
    // Field number 0 is invalid.
    decode_err(&[0x02, 0x00, 0x01]);
    // Long garbage: the quote is bounded.
    let m = decode_err(&[0x7f; 500]);
    assert!(m.len() < 400, "{m}");
}

#[test]
fn read_uvarint_limits() {
    assert_eq!(read_uvarint(&[0x00]), Some((0, 1)));
    assert_eq!(read_uvarint(&[0x7f, 0xff]), Some((127, 1)));
    assert_eq!(read_uvarint(&[0xac, 0x02]), Some((300, 2)));
    let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert_eq!(read_uvarint(&max), Some((u64::MAX, 10)));
    assert_eq!(read_uvarint(&[]), None);
    assert_eq!(read_uvarint(&[0x80]), None);
    assert_eq!(read_uvarint(&[0x80; 10]), None);
    let mut over = max;
    over[9] = 0x02;
    assert_eq!(read_uvarint(&over), None);
    // Matches prost's own varint encoder.
    let mut rng = fastrand::Rng::with_seed(1);
    for _ in 0..1000 {
        let v = rng.u64(..) >> rng.u32(0..64);
        let mut buf = Vec::new();
        prost::encoding::encode_varint(v, &mut buf);
        assert_eq!(read_uvarint(&buf), Some((v, buf.len())));
    }
}

#[test]
fn every_truncation_of_a_batch_fails_or_stops_at_a_boundary() {
    let mut frame = Vec::new();
    let mut boundaries = vec![0];
    for (proto, _) in every_result() {
        proto.encode_length_delimited(&mut frame).unwrap();
        boundaries.push(frame.len());
    }
    for cut in 0..frame.len() {
        let result = ProtobufCodec.decode(&Bytes::copy_from_slice(&frame[..cut]));
        match boundaries.iter().position(|&b| b == cut) {
            Some(n) => assert_eq!(result.unwrap().len(), n),
            None => assert!(matches!(result, Err(CodecError::Malformed(_))), "cut {cut}: {result:?}"),
        }
    }
}

#[test]
fn stream_reassembly() {
    // A batch of every result with pings between, fed through a byte stream in random pieces.
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for (proto, wire) in every_result() {
        proto.encode_length_delimited(&mut stream).unwrap();
        stream.push(0x00);
        expected.push(wire);
        expected.push(Reply { id: 0, error: None, body: ReplyBody::Ping });
    }
    let mut rng = fastrand::Rng::with_seed(9);
    for _ in 0..50 {
        let mut buffer = bytes::BytesMut::new();
        let mut got = Vec::new();
        let mut rest = &stream[..];
        while !rest.is_empty() {
            let n = rng.usize(1..=rest.len().min(40));
            buffer.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            let whole = whole_messages_len(&buffer).unwrap();
            let frame = buffer.split_to(whole).freeze();
            got.extend(ProtobufCodec.decode(&frame).unwrap());
        }
        assert!(buffer.is_empty());
        assert_eq!(got, expected);
    }
    assert_eq!(whole_messages_len(&[]).unwrap(), 0);
    assert_eq!(whole_messages_len(&[0x00, 0x02, 0x08]).unwrap(), 1);
    assert_eq!(whole_messages_len(&[0x00, 0x80]).unwrap(), 1);
    assert_eq!(whole_messages_len(&[0xff; 9]).unwrap(), 0);
    assert!(whole_messages_len(&[0x80; 10]).is_err());
    let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert_eq!(whole_messages_len(&huge).unwrap(), 0);
    let mut over = huge;
    over[9] = 0x02;
    assert!(whole_messages_len(&over).is_err());
}

#[test]
fn fuzz_never_panics() {
    let mut rng = fastrand::Rng::with_seed(0xf022);
    let mut valid = Vec::new();
    for (proto, _) in every_result() {
        proto.encode_length_delimited(&mut valid).unwrap();
    }
    for case in 0..20_000 {
        let frame: Vec<u8> = match case % 3 {
            0 => (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect(),
            // Random bytes behind a plausible length prefix.
            1 => {
                let body: Vec<u8> = (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect();
                let mut f = Vec::new();
                prost::encoding::encode_varint(body.len() as u64, &mut f);
                f.extend_from_slice(&body);
                f
            }
            // A valid batch with a few bytes flipped.
            _ => {
                let mut f = valid.clone();
                for _ in 0..rng.usize(1..4) {
                    let i = rng.usize(..f.len());
                    f[i] ^= 1 << rng.u8(0..8);
                }
                f
            }
        };
        let whole = whole_messages_len(&frame);
        let decoded = ProtobufCodec.decode(&Bytes::from(frame.clone()));
        // A frame that decodes is made of whole messages.
        if decoded.is_ok() {
            assert_eq!(whole, Ok(frame.len()));
        }
    }
}

// ---- size comparison ------------------------------------------------------------------------

/// Wire bytes of one publication push carrying a small JSON payload, in each encoding, with and
/// without fossil delta. Printed with `cargo test -p ceaseless-proto bytes_per_publication -- --nocapture`.
#[test]
fn bytes_per_publication() {
    let channel = "prices:ACME";
    let prev = r#"{"price":100,"symbol":"ACME","ts":1700000000}"#;
    let data = r#"{"price":101,"symbol":"ACME","ts":1700000001}"#;
    // Made by the fossil-delta npm package from `prev` to `data` (see delta.rs tests).
    let delta = "i\nB@0,1:1V@C,2:1}19W5OO;";
    assert_eq!(crate::delta::apply(prev.as_bytes(), delta.as_bytes()).unwrap(), data.as_bytes());

    let json_full = format!(r#"{{"push":{{"channel":"{channel}","pub":{{"data":{data},"offset":12346}}}}}}"#);
    let json_delta_data = serde_json::to_string(delta).unwrap();
    let json_delta = format!(
        r#"{{"push":{{"channel":"{channel}","pub":{{"data":{json_delta_data},"offset":12346,"delta":true}}}}}}"#
    );
    let proto = |data: &str, delta: bool| {
        pb::Reply {
            push: Some(pb::Push {
                channel: channel.into(),
                publication: Some(pb::Publication {
                    data: b(data),
                    offset: 12346,
                    delta,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_length_delimited_to_vec()
    };
    let proto_full = proto(data, false);
    let proto_delta = proto(delta, true);

    // All four decode to a publication push.
    for frame in [json_full.as_bytes(), json_delta.as_bytes()] {
        let r = JsonCodec.decode(&Bytes::copy_from_slice(frame)).unwrap();
        assert!(matches!(&r[0].body, ReplyBody::Push(Push { body: PushBody::Publication(_), .. })));
    }
    for frame in [&proto_full, &proto_delta] {
        let r = decode(frame);
        assert!(matches!(&r[0].body, ReplyBody::Push(Push { body: PushBody::Publication(_), .. })));
    }

    println!("bytes per publication ({}-byte JSON payload, channel {channel:?}, offset):", data.len());
    println!("  JSON             {:>4}", json_full.len());
    println!("  JSON + delta     {:>4}", json_delta.len());
    println!("  Protobuf         {:>4}", proto_full.len());
    println!("  Protobuf + delta {:>4}", proto_delta.len());
    assert!(proto_full.len() < json_full.len());
    assert!(proto_delta.len() < proto_full.len());
    assert!(json_delta.len() < json_full.len());
}
