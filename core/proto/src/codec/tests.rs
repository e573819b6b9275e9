//! Tests of the JSON codec against the examples of the protocol reference (PROTOCOL.md §2, §3,
//! §7.4 and the session of §10.10).

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
fn every_other_command() {
    let cases: Vec<(Command, &str)> = vec![
        (
            Command { id: 5, body: CommandBody::Unsubscribe(UnsubscribeRequest { channel: "news".into() }) },
            r#"{"id":5,"unsubscribe":{"channel":"news"}}"#,
        ),
        (
            Command { id: 6, body: CommandBody::Presence(PresenceRequest { channel: "news".into() }) },
            r#"{"id":6,"presence":{"channel":"news"}}"#,
        ),
        (
            Command {
                id: 7,
                body: CommandBody::PresenceStats(PresenceStatsRequest { channel: "news".into() }),
            },
            r#"{"id":7,"presence_stats":{"channel":"news"}}"#,
        ),
        (
            Command {
                id: 8,
                body: CommandBody::History(HistoryRequest {
                    channel: "c".into(),
                    limit: 10,
                    since: Some(StreamPosition { offset: 5, epoch: "e".into() }),
                    reverse: false,
                }),
            },
            r#"{"id":8,"history":{"channel":"c","limit":10,"since":{"offset":5,"epoch":"e"}}}"#,
        ),
        (
            Command {
                id: 9,
                body: CommandBody::History(HistoryRequest {
                    channel: "c".into(),
                    limit: -1,
                    since: None,
                    reverse: true,
                }),
            },
            r#"{"id":9,"history":{"channel":"c","limit":-1,"reverse":true}}"#,
        ),
        (
            Command { id: 0, body: CommandBody::Send(SendRequest { data: json(r#"["hi"]"#) }) },
            r#"{"send":{"data":["hi"]}}"#,
        ),
        (
            Command {
                id: 10,
                body: CommandBody::Rpc(RpcRequest { method: "sum".into(), data: json("[1,2]") }),
            },
            r#"{"id":10,"rpc":{"method":"sum","data":[1,2]}}"#,
        ),
        (
            Command {
                id: 11,
                body: CommandBody::SubRefresh(SubRefreshRequest {
                    channel: "$private".into(),
                    token: "t\"q".into(),
                }),
            },
            r#"{"id":11,"sub_refresh":{"channel":"$private","token":"t\"q"}}"#,
        ),
        (Command { id: 12, body: CommandBody::Subscribe(SubscribeRequest::default()) }, r#"{"id":12,"subscribe":{}}"#),
    ];
    for (command, expected) in cases {
        assert_eq!(encode(std::slice::from_ref(&command)), expected);
        // The output is one valid JSON object.
        let value: serde_json::Value = serde_json::from_str(expected).unwrap();
        assert!(value.is_object());
    }
}

#[test]
fn full_connect_and_subscribe() {
    let sub = SubscribeRequest { recover: true, offset: 3, epoch: "x".into(), ..Default::default() };
    let connect = ConnectRequest {
        token: "t".into(),
        data: Some(json(r#"{"a":1}"#)),
        subs: map([("user#1", sub)]),
        name: "rust".into(),
        version: "0.1".into(),
        headers: map([("Authorization", "Bearer x".to_owned())]),
    };
    assert_eq!(
        encode_one(1, CommandBody::Connect(connect)),
        r#"{"id":1,"connect":{"token":"t","data":{"a":1},"subs":{"user#1":{"recover":true,"epoch":"x","offset":3}},"name":"rust","version":"0.1","headers":{"Authorization":"Bearer x"}}}"#
    );
    let subscribe = SubscribeRequest {
        channel: "chat".into(),
        token: "tok".into(),
        recover: true,
        epoch: "e".into(),
        offset: u64::MAX,
        data: Some(json(r#""s""#)),
        positioned: true,
        recoverable: true,
        join_leave: true,
        delta: "fossil".into(),
    };
    assert_eq!(
        encode_one(2, CommandBody::Subscribe(subscribe)),
        r#"{"id":2,"subscribe":{"channel":"chat","token":"tok","recover":true,"epoch":"e","offset":18446744073709551615,"data":"s","positioned":true,"recoverable":true,"join_leave":true,"delta":"fossil"}}"#
    );
}

#[test]
fn empty_payloads_are_left_out() {
    let connect = ConnectRequest { data: Some(Payload::default()), ..Default::default() };
    assert_eq!(encode_one(1, CommandBody::Connect(connect)), r#"{"id":1,"connect":{}}"#);
    let publish = PublishRequest { channel: "c".into(), data: Payload::default() };
    assert_eq!(encode_one(2, CommandBody::Publish(publish)), r#"{"id":2,"publish":{"channel":"c"}}"#);
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
        let publish = PublishRequest { channel: "c".into(), data: Payload::from_raw(Bytes::copy_from_slice(bad)) };
        let commands = [
            Command { id: 1, body: CommandBody::Pong },
            Command { id: 2, body: CommandBody::Publish(publish) },
        ];
        let err = JsonCodec.encode(&commands, &mut out).unwrap_err();
        assert!(matches!(err, CodecError::Encode(_)), "{err:?}");
        assert_eq!(out, b"keep");
    }
}
