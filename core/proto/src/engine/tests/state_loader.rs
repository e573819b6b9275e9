//! App-owned state: a subscription with a state loader (reject-unrecovered flag, error 112).
//!
//! Proven here: the first subscribe without a position asks the loader (only once the connection can
//! carry the subscribe), the app hears `StateLoaded` before the recovered publications, and the
//! subscribe recovers from the loaded position with flag 2; a stored position is tried first and error
//! 112 drops it and asks the loader again; a failed load is an error event and is retried after the
//! resubscribe backoff; an answer for a subscription that ended meanwhile is ignored; without a loader
//! the reject-unrecovered bit is not sent and 112 ends the subscription as before.

use serde_json::json;

use super::sim::{Answer, Sim, ms, publication, secs};
use super::{config, recoverable};
use crate::config::SubscriptionConfig;
use crate::engine::LoadedState;
use crate::error::Error;
use crate::event::{SubscriptionEvent, SubscriptionState};
use crate::wire::{Payload, StreamPosition};

fn with_loader() -> SubscriptionConfig {
    // Not `recoverable()`: the loader alone turns recovery on.
    SubscriptionConfig { has_state_loader: true, ..SubscriptionConfig::default() }
}

fn position(offset: u64, epoch: &str) -> StreamPosition {
    StreamPosition { offset, epoch: epoch.to_owned() }
}

fn loaded(offset: u64, epoch: &str) -> LoadedState {
    LoadedState {
        position: position(offset, epoch),
        state: Some(Payload::from_json_str(r#"{"n":5}"#).unwrap()),
    }
}

#[test]
fn the_first_subscribe_loads_state_then_recovers_from_it() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Manual;
    sim.subscribe("s", with_loader());
    assert_eq!(sim.states.len(), 1);
    assert_eq!(sim.states[0].channel, "s");
    assert!(sim.sent_of("subscribe").is_empty(), "no subscribe before the state is loaded");

    let id = sim.states[0].id;
    sim.answer_state(id, Ok(loaded(5, "e")));
    let subscribe = sim.last("subscribe");
    assert_eq!(subscribe.field("recover"), true);
    assert_eq!(subscribe.field("offset"), 5);
    assert_eq!(subscribe.field("epoch"), "e");
    assert_eq!(subscribe.field("flag"), 3, "channel compaction and reject unrecovered");
    assert_eq!(subscribe.field("recoverable"), true, "a loader turns recovery on");
    assert_eq!(subscribe.field("positioned"), true);

    let result = json!({
        "recoverable": true, "positioned": true, "epoch": "e", "offset": 5, "recovered": true,
        "was_recovering": true, "publications": [publication(6), publication(7)]
    });
    sim.reply(&subscribe, result);
    let events = sim.sub_events("s");
    let loaded_at = events.iter().position(|e| matches!(e, SubscriptionEvent::StateLoaded { .. }));
    let first_publication = events.iter().position(|e| matches!(e, SubscriptionEvent::Publication(_)));
    assert!(loaded_at.unwrap() < first_publication.unwrap(), "{events:?}");
    assert!(events.contains(&SubscriptionEvent::StateLoaded {
        state: Some(Payload::from_json_str(r#"{"n":5}"#).unwrap()),
        position: position(5, "e"),
    }));
    assert_eq!(sim.delivered("s"), vec![6, 7]);
    assert!(!events.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))));
    assert_eq!(sim.states.len(), 1, "a reconnect with a known position does not reload");
    sim.close(Some(3001), "restart");
    sim.server.subscribe =
        Answer::Ok(json!({ "recoverable": true, "epoch": "e", "offset": 7, "recovered": true }));
    sim.advance(secs(30));
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
    assert_eq!(sim.states.len(), 1);
    assert_eq!(sim.last("subscribe").field("offset"), 7);
}

#[test]
fn error_112_drops_the_position_and_asks_the_loader() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Manual;
    sim.subscribe("s", SubscriptionConfig { since: Some(position(3, "old")), ..with_loader() });
    assert!(sim.states.is_empty(), "a known position is tried first");
    let first = sim.last("subscribe");
    assert_eq!((first.field("offset"), first.field("flag")), (&json!(3), &json!(3)));

    sim.reply_error(&first, 112, false);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribing));
    assert_eq!(sim.states.len(), 1, "the loader is asked at once");
    assert_eq!(sim.engine.subscription_position("s"), None);
    let id = sim.states[0].id;
    sim.answer_state(id, Ok(loaded(40, "new")));
    let again = sim.last("subscribe");
    assert_eq!((again.field("offset"), again.field("epoch")), (&json!(40), &json!("new")));
    sim.reply(&again, json!({ "recoverable": true, "epoch": "new", "offset": 40, "recovered": true }));
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
}

#[test]
fn a_failed_load_is_reported_and_retried_after_the_backoff() {
    let mut sim = Sim::connected(config());
    sim.subscribe("s", with_loader());
    let id = sim.states[0].id;
    sim.answer_state(id, Err("database down".to_owned()));
    let error = sim.sub_events("s").pop();
    assert!(
        matches!(error, Some(SubscriptionEvent::Error(Error::Callback(ref m))) if m.contains("database down")),
        "{error:?}"
    );
    let backoff = SubscriptionConfig::default().resubscribe;
    sim.advance(backoff.min - ms(1));
    assert_eq!(sim.states.len(), 1, "retried before the minimum delay");
    sim.advance(backoff.max);
    assert_eq!(sim.states.len(), 2);
    let id = sim.states[1].id;
    sim.answer_state(id, Ok(loaded(1, "e")));
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
}

#[test]
fn the_load_waits_for_the_connection_and_late_answers_are_ignored() {
    let mut sim = Sim::new(config());
    sim.engine.new_subscription("s", with_loader()).unwrap();
    sim.act(|e, now| e.subscribe("s", now)).unwrap();
    assert!(sim.states.is_empty(), "nothing to subscribe on yet");
    sim.connect();
    assert_eq!(sim.states.len(), 1);

    sim.act(|e, now| e.unsubscribe("s", now));
    let id = sim.states[0].id;
    sim.answer_state(id, Ok(loaded(1, "e")));
    assert!(sim.sent_of("subscribe").is_empty(), "the subscription ended while loading");
    assert!(!sim.sub_events("s").iter().any(|e| matches!(e, SubscriptionEvent::StateLoaded { .. })));
}

#[test]
fn without_a_loader_only_compaction_is_asked_and_112_ends_the_subscription() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Error { code: 112, temporary: false };
    sim.subscribe("s", SubscriptionConfig { since: Some(position(3, "old")), ..recoverable() });
    assert_eq!(sim.last("subscribe").field("flag"), 1, "channel compaction only");
    assert!(sim.states.is_empty());
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Unsubscribed));
}
