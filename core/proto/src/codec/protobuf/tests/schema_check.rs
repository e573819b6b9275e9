//! The schema: the hand-written prost types against `proto/client.proto`, in both directions.

use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MapKey, MessageDescriptor, ReflectMessage, Value};

use super::commands::every_command;
use super::*;
use crate::codec::protobuf::encode_emulation_request;

const PACKAGE: &str = "centrifugal.centrifuge.protocol";

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
        "FilterNode" => FilterNode, "TrackBatch" => TrackBatch, "KeyedItem" => KeyedItem,
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
        Kind::Sint64 => Value::I64(-7_000_000_000 - i64::from(number)),
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
pub(super) fn assert_no_unknown_fields(msg: &DynamicMessage) {
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

pub(super) fn dynamic(name: &str, bytes: &[u8]) -> DynamicMessage {
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
    assert_eq!(names.len(), 42, "{names:?}");
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
