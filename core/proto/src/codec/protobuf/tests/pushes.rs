//! Pushes: every push kind decodes.

use super::fixtures::*;
use super::*;

#[test]
fn decodes_every_push() {
    let push = |channel: &str| pb::Push { channel: channel.into(), ..Default::default() };

    let p = push_of(pb::Push { publication: Some(pb_publication(42)), ..push("chat:1") });
    assert_eq!(
        p,
        Push { id: 0, channel: "chat:1".into(), body: PushBody::Publication(wire_publication(42)) }
    );

    let p = push_of(pb::Push { join: Some(pb::Join { info: Some(pb_info("7")) }), ..push("chat:1") });
    assert_eq!(p, Push { id: 0, channel: "chat:1".into(), body: PushBody::Join(wire_info("7")) });
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
            id: 0,
            channel: "chat:1".into(),
            body: PushBody::Unsubscribe { code: 2500, reason: "insufficient state".into() }
        }
    );

    let p = push_of(pb::Push { message: Some(pb::Message { data: b("\x01\x02") }), ..push("") });
    assert_eq!(p, Push { id: 0, channel: String::new(), body: PushBody::Message(payload("\x01\x02")) });

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
    assert_eq!(p, Push { id: 0, channel: "user#42".into(), body: PushBody::Subscribe(expected) });

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
    assert_eq!(p, Push { id: 0, channel: "chat:1".into(), body: PushBody::Unknown });
    // Channel compaction id: ignored.
    let p = push_of(pb::Push { id: 12, refresh: Some(pb::Refresh::default()), ..push("") });
    assert_eq!(p.body, PushBody::Refresh { expires: false, ttl: 0 });
}
