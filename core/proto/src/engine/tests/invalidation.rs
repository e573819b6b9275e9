//! State invalidation and the temporary pagination error: error 113, unsubscribe 2502, disconnect 3014.
//!
//! Proven here: error 113 on subscribe is retried after the resubscribe backoff even when the server
//! forgets to flag it temporary, and reaches the app as temporary; unsubscribe 2502 tells the app
//! (`Subscribing` 2502), drops the subscription token (the provider is asked) and the position (the
//! resubscribe recovers from the invalidated epoch, so the app hears of the gap; with a state loader
//! the loader is asked instead); disconnect 3014, as a push and as a WebSocket close code, tells the
//! app (`Connecting` 3014), drops the connection token (the provider is asked before reopening) and
//! every subscription's token and position, and reconnects.

use serde_json::json;

use super::sim::{Answer, Sim, ms, secs};
use super::{config, config_with_provider, recoverable};
use crate::config::SubscriptionConfig;
use crate::engine::{LoadedState, TokenKind};
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, SubscriptionEvent, SubscriptionState};
use crate::recovery::INVALIDATED_EPOCH;
use crate::wire::StreamPosition;

#[test]
fn error_113_is_temporary_and_retried_after_the_backoff() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Error { code: 113, temporary: false };
    sim.subscribe("s", SubscriptionConfig::default());
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribing));
    let error = sim.sub_events("s").pop();
    assert!(
        matches!(error, Some(SubscriptionEvent::Error(Error::Server { code: 113, temporary: true, .. }))),
        "{error:?}"
    );
    sim.server.subscribe = Answer::Ok(json!({}));
    let backoff = SubscriptionConfig::default().resubscribe;
    sim.advance(backoff.min - ms(1));
    assert_eq!(sim.sent_of("subscribe").len(), 1);
    sim.advance(backoff.max);
    assert_eq!(sim.sent_of("subscribe").len(), 2);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
}

/// A recoverable subscription with a token provider, subscribed with token `s1` at epoch `e`, offset 11.
fn subscribed_with_provider(mut sim: Sim) -> Sim {
    sim.server.subscribe =
        Answer::Ok(json!({ "recoverable": true, "positioned": true, "epoch": "e", "offset": 10 }));
    let config = SubscriptionConfig { token: "s1".into(), has_token_provider: true, ..recoverable() };
    sim.subscribe("s", config);
    sim.publish_offsets("s", &[11]);
    assert_eq!(sim.last("subscribe").field("token"), "s1");
    sim.clear_events();
    sim
}

/// Answers the pending subscription token fetch with `token`.
fn answer_sub_token(sim: &mut Sim, token: &str) {
    let request = sim.tokens.last().cloned().expect("a subscription token fetch");
    assert_eq!(request.kind, TokenKind::Subscription { channel: "s".into() });
    sim.answer_token(request.id, Ok(token.to_owned()));
}

#[test]
fn unsubscribe_2502_drops_the_token_and_the_position_and_resubscribes() {
    let mut sim = subscribed_with_provider(Sim::connected(config()));
    sim.server.subscribe = Answer::Ok(json!({
        "recoverable": true, "positioned": true, "epoch": "e2", "offset": 30, "was_recovering": true
    }));
    sim.push("s", json!({ "unsubscribe": { "code": 2502, "reason": "state invalidated" } }));
    assert_eq!(
        sim.sub_events("s").first(),
        Some(&SubscriptionEvent::Subscribing { code: 2502, reason: "state invalidated".into() })
    );
    assert_eq!(sim.sent_of("subscribe").len(), 1, "no resubscribe with the dropped token");
    answer_sub_token(&mut sim, "s2");
    let again = sim.last("subscribe");
    assert_eq!(again.field("token"), "s2");
    assert_eq!((again.field("recover"), again.field("epoch")), (&json!(true), &json!(INVALIDATED_EPOCH)));
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
    let gap = sim.sub_events("s").into_iter().find_map(|e| match e {
        SubscriptionEvent::Gap(gap) => Some(gap),
        _ => None,
    });
    let gap = gap.expect("the app hears of the lost state");
    assert_eq!(gap.last_delivered, None, "the invalidated position is not reported as delivered");
    assert_eq!(gap.resumed_from, Some(StreamPosition { offset: 30, epoch: "e2".into() }));
}

#[test]
fn unsubscribe_2502_with_a_state_loader_reloads_the_state() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe =
        Answer::Ok(json!({ "recoverable": true, "positioned": true, "epoch": "e", "offset": 10 }));
    let config = SubscriptionConfig {
        since: Some(StreamPosition { offset: 10, epoch: "e".into() }),
        has_state_loader: true,
        ..recoverable()
    };
    sim.subscribe("s", config);
    assert!(sim.states.is_empty());
    sim.push("s", json!({ "unsubscribe": { "code": 2502, "reason": "state invalidated" } }));
    assert_eq!(sim.states.len(), 1, "the app reloads instead of recovering from a dead position");
    let id = sim.states[0].id;
    let position = StreamPosition { offset: 50, epoch: "e3".into() };
    sim.answer_state(id, Ok(LoadedState { position, state: None }));
    let again = sim.last("subscribe");
    assert_eq!((again.field("offset"), again.field("epoch")), (&json!(50), &json!("e3")));
}

/// After a 3014 (push or close): `Connecting` 3014, a fresh connection token before any transport, a
/// fresh subscription token, and a resubscribe from the invalidated epoch.
fn assert_3014_invalidates_everything(mut sim: Sim) {
    assert_eq!(
        sim.client_events().into_iter().rfind(|e| matches!(e, ClientEvent::Connecting { .. })),
        Some(ClientEvent::Connecting { code: 3014, reason: "state invalidated".into() })
    );
    let opens = sim.opens.len();
    sim.advance(secs(30));
    assert_eq!(sim.opens.len(), opens, "no transport before a fresh connection token");
    let request = sim.tokens.last().cloned().expect("a connection token fetch");
    assert_eq!(request.kind, TokenKind::Connection);
    sim.answer_token(request.id, Ok("t2".into()));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.last("connect").field("token"), "t2");
    answer_sub_token(&mut sim, "s2");
    let again = sim.last("subscribe");
    assert_eq!(again.field("token"), "s2");
    assert_eq!(again.field("epoch"), INVALIDATED_EPOCH);
    assert!(again.field("offset").is_null());
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
}

#[test]
fn disconnect_3014_push_drops_every_token_and_position() {
    let mut sim = subscribed_with_provider(Sim::connected(config_with_provider("t1")));
    sim.push("", json!({ "disconnect": { "code": 3014, "reason": "state invalidated" } }));
    assert_3014_invalidates_everything(sim);
}

#[test]
fn close_3014_drops_every_token_and_position() {
    let mut sim = subscribed_with_provider(Sim::connected(config_with_provider("t1")));
    sim.close(Some(3014), "state invalidated");
    assert_3014_invalidates_everything(sim);
}
