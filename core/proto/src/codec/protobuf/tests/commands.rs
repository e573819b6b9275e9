//! Commands: the test-only decoder back to wire commands, one command of every kind, round trips,
//! batches, exact bytes and the emulation request body.

use super::*;
use crate::codec::protobuf::encode_emulation_request;

/// Test-only inverse of the encoder's conversion: which request a protobuf command carries.
pub(super) fn command_from_proto(c: pb::Command) -> Command {
    fn opt(b: Bytes) -> Option<Payload> {
        (!b.is_empty()).then(|| Payload::from_raw(b))
    }
    fn filter(f: pb::FilterNode) -> crate::filter::TagsFilter {
        crate::filter::TagsFilter {
            op: f.op,
            key: f.key,
            cmp: f.cmp,
            val: f.val,
            vals: f.vals,
            nodes: f.nodes.into_iter().map(filter).collect(),
        }
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
            tf: s.tf.map(filter),
            flag: s.flag,
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
pub(super) fn every_command() -> Vec<Command> {
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
        tf: Some(crate::filter::TagsFilter::and(vec![
            crate::filter::TagsFilter::eq("kind", "good"),
            crate::filter::TagsFilter::not(crate::filter::TagsFilter::is_in("r", ["eu", "us"])),
        ])),
        flag: 3,
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
