//! Tests of the JSON codec: the example session of PROTOCOL.md §10.10, the reply examples of §2,
//! framing, tolerance (null, unknown keys) and malformed input. The JSON form of each request is
//! tested in `wire::command`, the push examples of §3 in `wire::push`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use bytes::Bytes;

use super::{Codec, CodecError, JsonCodec};
use crate::wire::*;

fn encode(commands: &[Command]) -> String {
    let mut out = Vec::new();
    JsonCodec.encode(commands, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn encode_one(id: u32, body: CommandBody) -> String {
    encode(&[Command { id, body }])
}

fn decode(frame: &str) -> Vec<Reply> {
    JsonCodec.decode(&Bytes::from(frame.to_owned())).unwrap()
}

fn decode_one(frame: &str) -> Reply {
    let mut replies = decode(frame);
    assert_eq!(replies.len(), 1, "{frame}");
    replies.remove(0)
}

fn push_of(frame: &str) -> Push {
    match decode_one(frame) {
        Reply { id: 0, error: None, body: ReplyBody::Push(p) } => p,
        other => panic!("not a push: {other:?}"),
    }
}

fn json(s: &str) -> Payload {
    Payload::from_json_str(s).unwrap()
}

fn map<V>(pairs: impl IntoIterator<Item = (&'static str, V)>) -> BTreeMap<String, V> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn info(user: &str, client: &str) -> ClientInfo {
    ClientInfo { user: user.into(), client: client.into(), ..Default::default() }
}

// ---- commands -------------------------------------------------------------------------------

#[test]
fn session_connect_and_subscribe_share_one_frame() {
    let connect = ConnectRequest {
        token: "eyJ…".into(),
        name: "rust".into(),
        version: "1.2.0".into(),
        ..Default::default()
    };
    let subscribe = SubscribeRequest {
        channel: "chat:1".into(),
        recover: true,
        epoch: "KfXq".into(),
        offset: 41,
        ..Default::default()
    };
    let frame = encode(&[
        Command { id: 1, body: CommandBody::Connect(connect) },
        Command { id: 2, body: CommandBody::Subscribe(subscribe) },
    ]);
    assert_eq!(
        frame,
        "{\"id\":1,\"connect\":{\"token\":\"eyJ…\",\"name\":\"rust\",\"version\":\"1.2.0\"}}\n\
         {\"id\":2,\"subscribe\":{\"channel\":\"chat:1\",\"recover\":true,\"epoch\":\"KfXq\",\"offset\":41}}"
    );
}

#[test]
fn session_pong_publish_refresh() {
    assert_eq!(encode_one(0, CommandBody::Pong), "{}");
    assert_eq!(encode_one(7, CommandBody::Pong), "{}", "a pong never carries an id");
    let publish = PublishRequest { channel: "chat:1".into(), data: json(r#"{"t":"c"}"#) };
    assert_eq!(
        encode_one(3, CommandBody::Publish(publish)),
        r#"{"id":3,"publish":{"channel":"chat:1","data":{"t":"c"}}}"#
    );
    let refresh = RefreshRequest { token: "eyJ…new".into() };
    assert_eq!(encode_one(4, CommandBody::Refresh(refresh)), r#"{"id":4,"refresh":{"token":"eyJ…new"}}"#);
}

#[test]
fn encode_appends_and_never_emits_blank_lines() {
    let mut out = b"previous".to_vec();
    JsonCodec.encode(&[], &mut out).unwrap();
    assert_eq!(out, b"previous");
    // A payload built without validation from pretty JSON is compacted on the way out.
    let pretty = Payload::from_raw(Bytes::from_static(b"{\n  \"a\": [1,\r\n 2]\n}"));
    let commands = [
        Command { id: 1, body: CommandBody::Publish(PublishRequest { channel: "c".into(), data: pretty }) },
        Command { id: 0, body: CommandBody::Pong },
        Command { id: 2, body: CommandBody::Unsubscribe(UnsubscribeRequest { channel: "c\nd".into() }) },
    ];
    let frame = encode(&commands);
    assert_eq!(
        frame,
        "{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":{\"a\":[1,2]}}}\n{}\n{\"id\":2,\"unsubscribe\":{\"channel\":\"c\\nd\"}}"
    );
    assert_eq!(frame.matches('\n').count(), 2);
}

#[test]
fn encode_rejects_non_json_payload_and_leaves_output_untouched() {
    for bad in [&b"not json"[..], b"{\"a\":", b"\xff\xfe", b"1 2"] {
        let mut out = b"keep".to_vec();
        let publish =
            PublishRequest { channel: "c".into(), data: Payload::from_raw(Bytes::copy_from_slice(bad)) };
        let commands = [
            Command { id: 1, body: CommandBody::Pong },
            Command { id: 2, body: CommandBody::Publish(publish) },
        ];
        let err = JsonCodec.encode(&commands, &mut out).unwrap_err();
        assert!(matches!(err, CodecError::Encode(_)), "{err:?}");
        assert_eq!(out, b"keep");
    }
}

// ---- replies --------------------------------------------------------------------------------

#[test]
fn session_replies() {
    let connect = decode_one(
        r#"{"id":1,"connect":{"client":"5b2c…","version":"6.9.1","expires":true,"ttl":600,"ping":25,"pong":true}}"#,
    );
    let expected = ConnectResult {
        client: "5b2c…".into(),
        version: "6.9.1".into(),
        expires: true,
        ttl: 600,
        ping: 25,
        pong: true,
        ..Default::default()
    };
    assert_eq!(connect, Reply { id: 1, error: None, body: ReplyBody::Connect(expected) });

    let subscribe = decode_one(
        r#"{"id":2,"subscribe":{"recoverable":true,"epoch":"KfXq","offset":41,"positioned":true,"was_recovering":true,"recovered":true,"publications":[{"data":{"t":"a"},"offset":42}]}}"#,
    );
    let expected = SubscribeResult {
        recoverable: true,
        epoch: "KfXq".into(),
        offset: 41,
        positioned: true,
        was_recovering: true,
        recovered: true,
        publications: vec![Publication { data: json(r#"{"t":"a"}"#), offset: 42, ..Default::default() }],
        ..Default::default()
    };
    assert_eq!(subscribe, Reply { id: 2, error: None, body: ReplyBody::Subscribe(expected) });

    let push = push_of(r#"{"push":{"channel":"chat:1","pub":{"data":{"t":"b"},"offset":43}}}"#);
    let publication = Publication { data: json(r#"{"t":"b"}"#), offset: 43, ..Default::default() };
    assert_eq!(push, Push { id: 0, channel: "chat:1".into(), body: PushBody::Publication(publication) });

    assert_eq!(decode_one("{}"), Reply { id: 0, error: None, body: ReplyBody::Ping });
    assert_eq!(decode_one(r#"{"id":3,"publish":{}}"#).body, ReplyBody::Publish);
    let refresh = RefreshResult { expires: true, ttl: 600, ..Default::default() };
    assert_eq!(
        decode_one(r#"{"id":4,"refresh":{"expires":true,"ttl":600}}"#).body,
        ReplyBody::Refresh(refresh)
    );
}

#[test]
fn empty_results_and_errors() {
    assert_eq!(
        decode_one(r#"{"id":5,"publish":{}}"#),
        Reply { id: 5, error: None, body: ReplyBody::Publish }
    );
    assert_eq!(decode_one(r#"{"id":6,"unsubscribe":{}}"#).body, ReplyBody::Unsubscribe);
    let reply = decode_one(r#"{"id":7,"error":{"code":103,"message":"permission denied"}}"#);
    let error = ErrorReply { code: 103, message: "permission denied".into(), temporary: false };
    assert_eq!(reply, Reply { id: 7, error: Some(error), body: ReplyBody::Empty });
    let reply =
        decode_one(r#"{"id":8,"error":{"code":100,"message":"internal server error","temporary":true}}"#);
    assert!(reply.error.unwrap().temporary);
    // The result that comes with an error is kept too.
    let reply = decode_one(r#"{"error":{"code":111},"id":9,"publish":{}}"#);
    assert_eq!((reply.id, reply.error.map(|e| e.code), reply.body), (9, Some(111), ReplyBody::Publish));
}

#[test]
fn other_results() {
    let presence = decode_one(
        r#"{"id":1,"presence":{"presence":{"c1":{"user":"u1","client":"c1","conn_info":{"n":1},"chan_info":[2]},"c2":{"user":"","client":"c2"}}}}"#,
    );
    let c1 =
        ClientInfo { conn_info: Some(json(r#"{"n":1}"#)), chan_info: Some(json("[2]")), ..info("u1", "c1") };
    let expected = PresenceResult { presence: map([("c1", c1), ("c2", info("", "c2"))]) };
    assert_eq!(presence.body, ReplyBody::Presence(expected));

    let stats = decode_one(r#"{"id":2,"presence_stats":{"num_clients":3,"num_users":2}}"#);
    assert_eq!(stats.body, ReplyBody::PresenceStats(PresenceStatsResult { num_clients: 3, num_users: 2 }));

    let history = decode_one(
        r#"{"id":3,"history":{"publications":[{"data":1,"offset":6,"time":1700000000000,"tags":{"k":"v"}},{"data":"x","offset":7,"info":{"user":"7","client":"c"}}],"epoch":"e","offset":7}}"#,
    );
    let first = Publication {
        data: json("1"),
        offset: 6,
        time: 1_700_000_000_000,
        tags: map([("k", "v".to_owned())]),
        ..Default::default()
    };
    let second =
        Publication { data: json(r#""x""#), offset: 7, info: Some(info("7", "c")), ..Default::default() };
    let expected = HistoryResult { publications: vec![first, second], epoch: "e".into(), offset: 7 };
    assert_eq!(history.body, ReplyBody::History(expected));

    let rpc = decode_one(r#"{"id":4,"rpc":{"data":{"sum":3}}}"#);
    assert_eq!(rpc.body, ReplyBody::Rpc(RpcResult { data: Some(json(r#"{"sum":3}"#)) }));
    assert_eq!(decode_one(r#"{"id":5,"rpc":{}}"#).body, ReplyBody::Rpc(RpcResult { data: None }));

    let sub_refresh = decode_one(r#"{"id":6,"sub_refresh":{"expires":true,"ttl":60}}"#);
    assert_eq!(
        sub_refresh.body,
        ReplyBody::SubRefresh(SubRefreshResult { expires: true, ttl: 60, ..Default::default() })
    );

    let connect = decode_one(
        r#"{"id":7,"connect":{"client":"c","data":{"d":1},"subs":{"user#1":{"recoverable":true,"epoch":"e","offset":4,"publications":[{"data":[],"offset":5}]}},"session":"s","node":"n","time":1}}"#,
    );
    let sub = SubscribeResult {
        recoverable: true,
        epoch: "e".into(),
        offset: 4,
        publications: vec![Publication { data: json("[]"), offset: 5, ..Default::default() }],
        ..Default::default()
    };
    let expected = ConnectResult {
        client: "c".into(),
        data: Some(json(r#"{"d":1}"#)),
        subs: map([("user#1", sub)]),
        session: "s".into(),
        node: "n".into(),
        time: 1,
        ..Default::default()
    };
    assert_eq!(connect.body, ReplyBody::Connect(expected));
}

// ---- framing, tolerance, errors -------------------------------------------------------------

#[test]
fn batched_frame_with_reply_push_and_ping() {
    let frame =
        "{\"id\":3,\"publish\":{}}\n{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":[1],\"offset\":1}}}\n{}";
    let replies = decode(frame);
    assert_eq!(replies.len(), 3);
    assert_eq!(replies[0].body, ReplyBody::Publish);
    assert!(matches!(&replies[1].body, ReplyBody::Push(p) if p.channel == "c"));
    assert_eq!(replies[2].body, ReplyBody::Ping);
    // HTTP-streaming style (every message followed by a newline), CRLF, blank lines, spaces.
    let tolerant = "\r\n{\"id\":3,\"publish\":{}}\r\n\n  \n{}\r\n{ }\n";
    let bodies: Vec<_> = decode(tolerant).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, vec![ReplyBody::Publish, ReplyBody::Ping, ReplyBody::Ping]);
    assert!(decode("").is_empty());
    assert!(decode("\n\r\n").is_empty());
}

#[test]
fn payloads_point_into_the_frame() {
    let frame = Bytes::from_static(
        br#"{"push":{"channel":"c","pub":{"data":{"big":"payload"},"info":{"user":"u","client":"c","conn_info":[1]}}}}"#,
    );
    let replies = JsonCodec.decode(&frame).unwrap();
    let ReplyBody::Push(Push { body: PushBody::Publication(p), .. }) = &replies[0].body else { panic!() };
    let range = frame.as_ptr_range();
    for payload in [&p.data, p.info.as_ref().and_then(|i| i.conn_info.as_ref()).unwrap()] {
        assert!(range.contains(&payload.as_bytes().as_ptr()), "{payload:?} was copied");
    }
    assert_eq!(p.data.as_str(), Some(r#"{"big":"payload"}"#));
}

#[test]
fn null_lists_maps_and_messages() {
    let history = decode_one(r#"{"id":1,"history":{"publications":null,"epoch":"e","offset":0}}"#);
    let expected = HistoryResult { epoch: "e".into(), ..Default::default() };
    assert_eq!(history.body, ReplyBody::History(expected));
    let subscribe = decode_one(r#"{"id":2,"subscribe":{"publications":null,"data":null}}"#);
    assert_eq!(subscribe.body, ReplyBody::Subscribe(SubscribeResult::default()));
    let connect = decode_one(r#"{"id":3,"connect":{"subs":null,"data":null}}"#);
    assert_eq!(connect.body, ReplyBody::Connect(ConnectResult::default()));
    let presence = decode_one(r#"{"id":4,"presence":{"presence":null}}"#);
    assert_eq!(presence.body, ReplyBody::Presence(PresenceResult::default()));
    let push = push_of(r#"{"push":{"channel":"c","pub":{"data":null,"info":null,"tags":null}}}"#);
    assert_eq!(push.body, PushBody::Publication(Publication::default()));
    let join = push_of(r#"{"push":{"channel":"c","join":{"info":null}}}"#);
    assert_eq!(join.body, PushBody::Join(ClientInfo::default()));
    // A `null` result or error counts as absent.
    assert_eq!(decode_one(r#"{"id":5,"error":null,"publish":null}"#), Reply { id: 5, ..Default::default() });
    assert_eq!(decode_one(r#"{"id":0,"push":null}"#).body, ReplyBody::Ping);
}

#[test]
fn unknown_keys_and_kinds_are_tolerated() {
    let reply = decode_one(
        r#"{"id":1,"future":{"x":[1,{"y":null}]},"subscribe":{"later":{"a":1},"epoch":"e","prev_data":"x"}}"#,
    );
    let expected = SubscribeResult { epoch: "e".into(), ..Default::default() };
    assert_eq!(reply.body, ReplyBody::Subscribe(expected));
    let push = push_of(r#"{"push":{"channel":"c","pub":{"data":1,"prev_data":{},"someday":[1]}}}"#);
    assert_eq!(push.body, PushBody::Publication(Publication { data: json("1"), ..Default::default() }));
    assert_eq!(push_of(r#"{"push":{"channel":"c","brand_new":{"a":1}}}"#).body, PushBody::Unknown);
    assert_eq!(push_of(r#"{"push":{}}"#), Push::default());
    // A result the crate does not know (here the rejected `ping` command).
    let reply = decode_one(r#"{"id":9,"ping":{},"error":{"code":108,"message":"not available"}}"#);
    assert_eq!((reply.body, reply.error.map(|e| e.code)), (ReplyBody::Empty, Some(108)));
    assert_eq!(decode_one(r#"{"id":10}"#).body, ReplyBody::Empty);
}

#[test]
fn malformed_lines_are_errors() {
    let long = format!("{{\"id\":\"{}\"}}", "x".repeat(10_000));
    let cases = [
        "{",
        "[]",
        "42",
        "null",
        "\"text\"",
        "{}{}",
        "{\"id\":-1}",
        "{\"id\":4294967296}",
        "{\"id\":\"1\"}",
        "{\"id\":1,\"connect\":{\"ttl\":\"x\"}}",
        "{\"push\":{\"channel\":\"c\",\"pub\":{\"offset\":-1}}}",
        "{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":}}}",
        "{\"id\":1,\"id\":2}",
        "{\"id\":1,\"publish\":{}}\n{oops}",
        long.as_str(),
    ];
    for case in cases {
        let err = JsonCodec.decode(&Bytes::from(case.to_owned())).unwrap_err();
        let CodecError::Malformed(message) = &err else { panic!("{err:?}") };
        assert!(message.len() < 300, "message too long: {message}");
    }
    let err = JsonCodec.decode(&Bytes::from_static(b"{\"id\":1}\n\n{\"id\":\xff}")).unwrap_err();
    assert!(err.to_string().starts_with("malformed frame: line 3:"), "{err}");
}

#[test]
fn garbage_never_panics() {
    let sample = "{\"id\":2,\"subscribe\":{\"recoverable\":true,\"publications\":[{\"data\":{\"t\":\"a\"},\"offset\":42,\"info\":{\"user\":\"é\"}}]}}\n{\"push\":{\"channel\":\"c\",\"join\":{\"info\":{\"user\":\"u\"}}}}\n{}";
    let bytes = sample.as_bytes();
    for end in 0..=bytes.len() {
        let _ = JsonCodec.decode(&Bytes::copy_from_slice(&bytes[..end]));
        let _ = JsonCodec.decode(&Bytes::copy_from_slice(&bytes[end..]));
    }
    let mut rng = fastrand::Rng::with_seed(7);
    let alphabet = b"{}[]\":,\\ \n\r0123456789-eE.truefalsnidpbh\xc3\xa9\xff";
    for _ in 0..20_000 {
        let len = rng.usize(0..64);
        let mut frame: Vec<u8> = (0..len).map(|_| alphabet[rng.usize(0..alphabet.len())]).collect();
        if rng.bool() {
            let at = rng.usize(0..=bytes.len());
            frame.splice(0..0, bytes[..at].iter().copied());
        }
        let _ = JsonCodec.decode(&Bytes::from(frame));
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // Deeply nested input must not overflow the stack.
    assert!(JsonCodec.decode(&Bytes::from(deep.clone())).is_err());
    let _ = JsonCodec.decode(&Bytes::from(format!("{{\"push\":{{\"message\":{{\"data\":{deep}}}}}}}")));
    let nested_objects = format!("{}{}", "{\"push\":".repeat(50_000), "}".repeat(50_000));
    assert!(JsonCodec.decode(&Bytes::from(nested_objects)).is_err());
}

/// Every field Centrifugo v6 added to what a client receives decodes from JSON: `Push.id`,
/// `SubscribeResult.id/type/phase/cursor/state/publish_debounce`, `Publication.key/removed/score/epoch/
/// version` (`prev_data` is broker-internal and dropped), `SubRefreshResult.items`.
#[test]
fn every_v6_field_decodes() {
    let publication = r#"{"data":{"v":1},"offset":3,"key":"k1","removed":true,"score":-42,"epoch":"ep","version":9,"prev_data":"eA=="}"#;
    let full = Publication {
        data: json(r#"{"v":1}"#),
        offset: 3,
        key: "k1".into(),
        removed: true,
        score: -42,
        epoch: "ep".into(),
        version: 9,
        ..Default::default()
    };
    let reply = decode_one(&format!(
        r#"{{"id":1,"subscribe":{{"epoch":"ep","offset":150,"id":77,"type":1,"phase":2,"cursor":"k099","state":[{publication}],"publish_debounce":250}}}}"#
    ));
    let expected = SubscribeResult {
        epoch: "ep".into(),
        offset: 150,
        id: 77,
        kind: 1,
        phase: 2,
        cursor: "k099".into(),
        state: vec![full.clone()],
        publish_debounce: 250,
        ..Default::default()
    };
    assert_eq!(reply.body, ReplyBody::Subscribe(expected));

    let push = push_of(&format!(r#"{{"push":{{"id":12,"pub":{publication}}}}}"#));
    assert_eq!(push, Push { id: 12, channel: String::new(), body: PushBody::Publication(full.clone()) });

    let reply = decode_one(&format!(
        r#"{{"id":2,"sub_refresh":{{"expires":true,"ttl":30,"items":[{publication}]}}}}"#
    ));
    let expected = SubRefreshResult { expires: true, ttl: 30, items: vec![full] };
    assert_eq!(reply.body, ReplyBody::SubRefresh(expected));
    // A `refresh` push still reads its two fields.
    let push = push_of(r#"{"push":{"refresh":{"expires":true,"ttl":5}}}"#);
    assert_eq!(push.body, PushBody::Refresh { expires: true, ttl: 5 });
}
