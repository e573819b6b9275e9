//! Frames from a Centrifugo v6 server, with every field v6 added, through the engine (JSON; the
//! Protobuf twin is in `protobuf.rs`).
//!
//! Proven here: a subscribe reply carrying `id`, `type`, `phase`, `cursor`, `state` and
//! `publish_debounce`, a compacted publication carrying `key`, `removed`, `score`, `epoch`,
//! `prev_data` and `version`, and a `sub_refresh` reply with `items` are all accepted: the subscription
//! is subscribed, the publication is delivered with its fields, its epoch is adopted by a subscription
//! that started without one (the next recovery uses it), and the refresh is rescheduled. A stream
//! restarted under a new epoch is delivered from its first offset.

use serde_json::json;

use super::sim::{Answer, Sim, secs};
use super::{config, recoverable};
use crate::config::SubscriptionConfig;
use crate::event::{SubscriptionEvent, SubscriptionState};
use crate::wire::StreamPosition;

fn v6_publication(offset: u64, epoch: &str) -> serde_json::Value {
    json!({
        "data": { "n": offset }, "offset": offset, "key": "k1", "removed": false, "score": -4,
        "epoch": epoch, "prev_data": "eA==", "version": 3, "tags": { "kind": "good" }
    })
}

#[test]
fn every_v6_field_is_accepted_and_the_first_epoch_is_adopted() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Ok(json!({
        "recoverable": true, "positioned": true, "offset": 0, "expires": true, "ttl": 600,
        "id": 42, "type": 0, "phase": 0, "cursor": "", "state": [v6_publication(0, "")],
        "publish_debounce": 0, "future_field": { "x": 1 }
    }));
    let config = SubscriptionConfig { token: "t".into(), has_token_provider: true, ..recoverable() };
    sim.subscribe("s", config);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
    assert_eq!(
        sim.engine.subscription_position("s"),
        Some(StreamPosition { offset: 0, epoch: String::new() })
    );

    sim.frame(&[json!({ "push": { "id": 42, "pub": v6_publication(1, "ep1") } })]);
    let delivered = sim.sub_events("s").into_iter().find_map(|e| match e {
        SubscriptionEvent::Publication(p) => Some(p),
        _ => None,
    });
    let p = delivered.expect("the compacted publication is delivered");
    assert_eq!((p.offset, p.key.as_str(), p.score, p.epoch.as_str(), p.version), (1, "k1", -4, "ep1", 3));
    assert_eq!(p.tags.get("kind").map(String::as_str), Some("good"));
    assert_eq!(
        sim.engine.subscription_position("s"),
        Some(StreamPosition { offset: 1, epoch: "ep1".into() })
    );

    // The refresh timer fires (600 s ttl, 10 s ahead); the reply carries shared-poll `items`.
    sim.advance(secs(590));
    let token = sim.tokens.last().cloned().expect("a refresh token fetch");
    sim.answer_token(token.id, Ok("t2".into()));
    let refresh = sim.last("sub_refresh");
    sim.reply(&refresh, json!({ "expires": true, "ttl": 600, "items": [v6_publication(9, "ep1")] }));
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
    sim.advance(secs(589));
    assert_eq!(sim.sent_of("sub_refresh").len(), 1, "rescheduled from the reply's ttl");

    // The adopted epoch is what the next recovery asks for.
    sim.server.subscribe = Answer::Manual;
    sim.close(Some(3001), "restart");
    sim.advance(secs(30));
    let again = sim.last("subscribe");
    assert_eq!((again.field("epoch"), again.field("offset")), (&json!("ep1"), &json!(1)));
}

#[test]
fn a_stream_restarted_under_a_new_epoch_is_delivered_from_its_first_offset() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe =
        Answer::Ok(json!({ "recoverable": true, "positioned": true, "epoch": "old", "offset": 10 }));
    sim.subscribe("s", recoverable());
    sim.publish_offsets("s", &[11]);
    sim.push("s", json!({ "pub": v6_publication(1, "new") }));
    sim.publish_offsets("s", &[2]);
    assert_eq!(sim.delivered("s"), vec![11, 1, 2]);
    assert_eq!(
        sim.engine.subscription_position("s"),
        Some(StreamPosition { offset: 2, epoch: "new".into() })
    );
}
