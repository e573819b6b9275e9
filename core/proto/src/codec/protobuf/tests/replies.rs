//! Replies: every result kind, classification and parity with the JSON codec.

use super::fixtures::*;
use super::schema_check::{assert_no_unknown_fields, dynamic};
use super::*;
use crate::codec::JsonCodec;

#[test]
fn decodes_every_result() {
    for (proto, expected) in every_result() {
        assert_no_unknown_fields(&dynamic("Reply", &proto.encode_to_vec()));
        assert_eq!(decode_one(&proto), expected);
    }
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
