//! Channel compaction: the numeric channel ids of `SubscribeResult.id` and `Push.id`.
//!
//! Proven here: every subscribe asks for compaction (flag bit 1); `pub`, `join` and `leave` pushes that
//! carry only an id reach the subscription the reply gave that id; a push with an id this connection
//! never assigned is dropped without harm; an id of 0 (or none) maps nothing, while pushes naming the
//! channel still route; unsubscribing releases the id, so a later subscription may get the same id; a
//! reconnect forgets every id and the resubscribe replies rebuild the map.

use serde_json::{Value, json};

use super::config;
use super::sim::{Answer, Sim, publication, secs};
use crate::config::SubscriptionConfig;
use crate::event::{ClientState, SubscriptionEvent, SubscriptionState};

/// A compacted push: an id, no channel.
fn compact(sim: &mut Sim, id: i64, body: Value) {
    let mut push = body;
    push["id"] = json!(id);
    sim.frame(&[json!({ "push": push })]);
}

/// Subscribes to `channel` with a reply assigning `id` (`None`: the reply has no id).
fn subscribe_with_id(sim: &mut Sim, channel: &str, id: Option<i64>) {
    sim.server.subscribe = Answer::Manual;
    sim.subscribe(channel, SubscriptionConfig::default());
    let sent = sim.last("subscribe");
    assert_eq!(sent.field("flag"), 1, "every subscribe asks for compaction");
    let result = id.map_or_else(|| json!({}), |id| json!({ "id": id }));
    sim.reply(&sent, result);
    assert_eq!(sim.sub_state(channel), Some(SubscriptionState::Subscribed));
}

fn joins(sim: &Sim, channel: &str) -> usize {
    sim.sub_events(channel).iter().filter(|e| matches!(e, SubscriptionEvent::Join(_))).count()
}

#[test]
fn compacted_pushes_reach_the_subscription_with_that_id() {
    let mut sim = Sim::connected(config());
    subscribe_with_id(&mut sim, "a", Some(5));
    subscribe_with_id(&mut sim, "b", Some(69));
    compact(&mut sim, 5, json!({ "pub": publication(1) }));
    compact(&mut sim, 69, json!({ "pub": publication(7) }));
    compact(&mut sim, 5, json!({ "join": { "info": { "user": "u", "client": "c" } } }));
    compact(&mut sim, 5, json!({ "leave": { "info": { "user": "u", "client": "c" } } }));
    assert_eq!(sim.delivered("a"), vec![1]);
    assert_eq!(sim.delivered("b"), vec![7]);
    assert_eq!(joins(&sim, "a"), 1);
    assert!(sim.sub_events("a").iter().any(|e| matches!(e, SubscriptionEvent::Leave(_))));
}

#[test]
fn an_unknown_id_is_dropped_without_harm() {
    let mut sim = Sim::connected(config());
    subscribe_with_id(&mut sim, "a", Some(5));
    compact(&mut sim, 6, json!({ "pub": publication(1) }));
    assert!(sim.delivered("a").is_empty());
    assert_eq!(sim.state(), ClientState::Connected, "an unknown id is not a protocol violation");
    compact(&mut sim, 5, json!({ "pub": publication(2) }));
    assert_eq!(sim.delivered("a"), vec![2]);
}

#[test]
fn id_0_maps_nothing_and_named_pushes_still_route() {
    let mut sim = Sim::connected(config());
    subscribe_with_id(&mut sim, "a", Some(0));
    subscribe_with_id(&mut sim, "b", None);
    // The server's own edge case: neither id nor channel. Nothing can claim it.
    sim.frame(&[json!({ "push": { "pub": publication(1) } })]);
    assert!(sim.delivered("a").is_empty() && sim.delivered("b").is_empty());
    sim.push("a", json!({ "pub": publication(2) }));
    sim.push("b", json!({ "pub": publication(3) }));
    assert_eq!((sim.delivered("a"), sim.delivered("b")), (vec![2], vec![3]));
    assert_eq!(sim.state(), ClientState::Connected);
}

#[test]
fn an_id_released_by_unsubscribe_can_be_reused() {
    let mut sim = Sim::connected(config());
    subscribe_with_id(&mut sim, "a", Some(5));
    sim.act(|e, now| e.unsubscribe("a", now));
    compact(&mut sim, 5, json!({ "pub": publication(1) }));
    assert!(sim.delivered("a").is_empty(), "an unsubscribed channel gets nothing under its old id");

    subscribe_with_id(&mut sim, "b", Some(5));
    compact(&mut sim, 5, json!({ "pub": publication(2) }));
    assert_eq!(sim.delivered("b"), vec![2]);
    assert!(sim.delivered("a").is_empty());
}

#[test]
fn a_reconnect_forgets_the_ids_and_the_resubscribe_replies_rebuild_them() {
    let mut sim = Sim::connected(config());
    subscribe_with_id(&mut sim, "a", Some(5));
    sim.server.subscribe = Answer::Ok(json!({ "id": 133 }));
    sim.close(Some(3001), "restart");
    sim.advance(secs(30));
    assert_eq!(sim.sub_state("a"), Some(SubscriptionState::Subscribed));
    compact(&mut sim, 5, json!({ "pub": publication(1) }));
    assert!(sim.delivered("a").is_empty(), "the old connection's id means nothing now");
    compact(&mut sim, 133, json!({ "pub": publication(2) }));
    assert_eq!(sim.delivered("a"), vec![2]);
}

#[test]
fn a_server_resubscribe_releases_the_id_until_the_new_reply() {
    let mut sim = Sim::connected(config());
    subscribe_with_id(&mut sim, "a", Some(5));
    sim.push("a", json!({ "unsubscribe": { "code": 2500, "reason": "insufficient state" } }));
    compact(&mut sim, 5, json!({ "pub": publication(1) }));
    assert!(sim.delivered("a").is_empty());
    let again = sim.last("subscribe");
    sim.reply(&again, json!({ "id": 9 }));
    compact(&mut sim, 9, json!({ "pub": publication(2) }));
    assert_eq!(sim.delivered("a"), vec![2]);
}
