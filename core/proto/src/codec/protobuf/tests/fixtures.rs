//! Sample values in both forms: the prost message the server would send and the wire value the
//! codec should decode it to.

use super::*;

pub(super) fn pb_info(user: &str) -> pb::ClientInfo {
    pb::ClientInfo {
        user: user.into(),
        client: format!("client-{user}"),
        conn_info: b(r#"{"name":"Ann"}"#),
        chan_info: b("\x00\x01"),
    }
}

pub(super) fn wire_info(user: &str) -> ClientInfo {
    ClientInfo {
        user: user.into(),
        client: format!("client-{user}"),
        conn_info: Some(payload(r#"{"name":"Ann"}"#)),
        chan_info: Some(payload("\x00\x01")),
    }
}

pub(super) fn pb_publication(offset: u64) -> pb::Publication {
    pb::Publication {
        data: b(r#"{"text":"hi"}"#),
        info: Some(pb_info("7")),
        offset,
        tags: map([("k", "v".to_owned())]),
        delta: true,
        time: 1_700_000_000_000,
        channel: "chat:*".into(),
        key: "k1".into(),
        removed: true,
        score: -42,
        epoch: "ep".into(),
        prev_data: b("prev"),
        version: 9,
    }
}

pub(super) fn wire_publication(offset: u64) -> Publication {
    Publication {
        data: payload(r#"{"text":"hi"}"#),
        info: Some(wire_info("7")),
        offset,
        tags: map([("k", "v".to_owned())]),
        delta: true,
        time: 1_700_000_000_000,
        channel: "chat:*".into(),
        key: "k1".into(),
        removed: true,
        score: -42,
        epoch: "ep".into(),
        version: 9,
    }
}

pub(super) fn pb_subscribe_result() -> pb::SubscribeResult {
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
        id: 7,
        r#type: 1,
        phase: 2,
        cursor: "c9".into(),
        state: vec![pb_publication(3)],
        publish_debounce: 250,
    }
}

pub(super) fn wire_subscribe_result() -> SubscribeResult {
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
        id: 7,
        kind: 1,
        phase: 2,
        cursor: "c9".into(),
        state: vec![wire_publication(3)],
        publish_debounce: 250,
    }
}

pub(super) fn pb_connect_result() -> pb::ConnectResult {
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

pub(super) fn wire_connect_result() -> ConnectResult {
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
pub(super) fn every_result() -> Vec<(pb::Reply, Reply)> {
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
            pb::Reply {
                sub_refresh: Some(pb::SubRefreshResult {
                    expires: true,
                    ttl: 30,
                    items: vec![pb_publication(8)],
                }),
                ..reply(13)
            },
            ok(
                13,
                ReplyBody::SubRefresh(SubRefreshResult {
                    expires: true,
                    ttl: 30,
                    items: vec![wire_publication(8)],
                }),
            ),
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
