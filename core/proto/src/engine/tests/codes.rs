//! The code tables of PROTOCOL.md 4.2–4.5, as behaviour (`codes.rs` unit-tests the tables themselves).
//!
//! Proven here: close 3001 reconnects with `Connecting { code: 3001 }`; 3500 and 1009 stop for good
//! (`Disconnected` 3500 / 3) and no transport is ever opened again; connect error 109 with a token
//! provider fetches a token and retries with it; connect error 101 stops with 101; subscribe error 103
//! ends the subscription with 103; a temporary subscribe error 111 keeps it subscribing and resubscribes
//! after the subscription backoff; unsubscribe push 2000 ends it, 2500 resubscribes at once with
//! recovery from the last position; disconnect 3014 makes the next subscribe recover from the
//! invalidated epoch `_` (and keeps a static connection token); disconnect 3005 (push or close code)
//! with a token provider fetches a fresh token before reopening, so the next connect succeeds at once.

use serde_json::json;

use super::sim::{Answer, Sim, ms, secs};
use super::{config, config_with_provider, recoverable};
use crate::codes;
use crate::config::SubscriptionConfig;
use crate::engine::TokenKind;
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, SubscriptionEvent, SubscriptionState};

/// Hours of virtual time: long enough for any backoff to fire many times.
const LONG: u64 = 6 * 3600;

#[test]
fn close_3001_reconnects() {
    let mut sim = Sim::connected(config());
    sim.close(Some(3001), "shutdown");
    let last = sim.client_events().into_iter().rfind(|e| matches!(e, ClientEvent::Connecting { .. }));
    assert_eq!(last, Some(ClientEvent::Connecting { code: 3001, reason: "shutdown".to_owned() }));
    assert_eq!(sim.state(), ClientState::Connecting);
    sim.advance(secs(2));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.opens.len(), 2);
}

/// Closes a connected client with `code` and checks it stops with `expected` and never reopens.
fn assert_terminal_close(code: u16, expected: u32) {
    let mut sim = Sim::connected(config());
    sim.close(Some(code), "bye");
    assert_eq!(sim.state(), ClientState::Disconnected);
    assert_eq!(sim.disconnected_codes(), vec![expected]);
    sim.advance(secs(LONG));
    assert_eq!(sim.opens.len(), 1, "close {code} must not reconnect");
    assert_eq!(sim.engine.poll_timeout(), None, "nothing left to wake up for");
}

#[test]
fn close_3500_is_terminal() {
    assert_terminal_close(3500, 3500);
}

#[test]
fn close_1009_is_terminal_with_code_3() {
    assert_terminal_close(1009, codes::disconnected::MESSAGE_SIZE_LIMIT);
}

#[test]
fn connect_error_109_fetches_a_token_then_retries() {
    let mut sim = Sim::new(config_with_provider("t1"));
    sim.server.connect = Answer::Error { code: 109, temporary: false };
    sim.connect();
    assert_eq!(sim.last("connect").field("token"), "t1");
    assert!(
        sim.client_events().iter().any(|e| matches!(e, ClientEvent::Error(Error::Server { code: 109, .. })))
    );
    assert_eq!(sim.closes.len(), 1, "the rejected transport is closed");
    assert!(sim.tokens.is_empty(), "the token is fetched for the next attempt, after the backoff");

    sim.server.connect = Answer::Ok(json!({}));
    sim.advance(secs(1));
    assert_eq!(sim.tokens.len(), 1);
    assert_eq!(sim.tokens[0].kind, TokenKind::Connection);
    assert_eq!(sim.opens.len(), 1, "no transport before the token");

    let id = sim.tokens[0].id;
    sim.answer_token(id, Ok("t2".to_owned()));
    assert_eq!(sim.opens.len(), 2);
    assert_eq!(sim.last("connect").field("token"), "t2");
    assert_eq!(sim.state(), ClientState::Connected);
}

#[test]
fn connect_error_101_is_terminal() {
    let mut sim = Sim::new(config());
    sim.server.connect = Answer::Error { code: 101, temporary: false };
    sim.connect();
    assert_eq!(sim.state(), ClientState::Disconnected);
    assert_eq!(sim.disconnected_codes(), vec![101]);
    sim.advance(secs(LONG));
    assert_eq!(sim.opens.len(), 1);
}

#[test]
fn subscribe_error_103_unsubscribes() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Error { code: 103, temporary: false };
    sim.subscribe("s", SubscriptionConfig::default());
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Unsubscribed));
    let last = sim.sub_events("s").pop();
    assert!(matches!(last, Some(SubscriptionEvent::Unsubscribed { code: 103, .. })), "{last:?}");
    sim.advance(secs(LONG));
    assert_eq!(sim.sent_of("subscribe").len(), 1);
}

#[test]
fn temporary_subscribe_error_111_resubscribes_after_backoff() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Manual;
    sim.subscribe("s", SubscriptionConfig::default());
    let first = sim.last("subscribe");
    sim.reply_error(&first, 111, true);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribing));
    let error = sim.sub_events("s").pop();
    assert!(matches!(error, Some(SubscriptionEvent::Error(Error::Server { code: 111, .. }))), "{error:?}");

    sim.server.subscribe = Answer::Ok(json!({}));
    let resubscribe = SubscriptionConfig::default().resubscribe;
    sim.advance(resubscribe.min - ms(1));
    assert_eq!(sim.sent_of("subscribe").len(), 1, "resubscribed before the minimum delay");
    sim.advance(resubscribe.min + ms(1));
    let second = sim.last("subscribe");
    assert_ne!(second.id, first.id);
    assert!(second.at - first.at >= resubscribe.min && second.at - first.at <= resubscribe.min * 2);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
}

#[test]
fn unsubscribe_push_2000_unsubscribes() {
    let mut sim = Sim::connected(config());
    sim.subscribe("s", SubscriptionConfig::default());
    sim.push("s", json!({ "unsubscribe": { "code": 2000, "reason": "server unsubscribe" } }));
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Unsubscribed));
    let last = sim.sub_events("s").pop();
    assert!(matches!(last, Some(SubscriptionEvent::Unsubscribed { code: 2000, .. })), "{last:?}");
    sim.advance(secs(LONG));
    assert_eq!(sim.sent_of("subscribe").len(), 1);
}

/// A connected client subscribed to recoverable `s` at epoch `e`, with publications up to offset 11.
fn subscribed_at_11() -> Sim {
    let mut sim = Sim::connected(config());
    sim.server.subscribe =
        Answer::Ok(json!({ "recoverable": true, "positioned": true, "epoch": "e", "offset": 10 }));
    sim.subscribe("s", recoverable());
    sim.publish_offsets("s", &[11]);
    assert_eq!(sim.delivered("s"), vec![11]);
    sim
}

#[test]
fn unsubscribe_push_2500_resubscribes_at_once_with_recovery() {
    let mut sim = subscribed_at_11();
    sim.server.subscribe = Answer::Manual;
    let before = sim.now();
    sim.push("s", json!({ "unsubscribe": { "code": 2500, "reason": "insufficient state" } }));
    let last = sim.sub_events("s").pop();
    assert!(matches!(last, Some(SubscriptionEvent::Subscribing { code: 2500, .. })), "{last:?}");
    let again = sim.last("subscribe");
    assert_eq!(sim.sent_of("subscribe").len(), 2);
    assert_eq!(again.at, before, "at once, not after a backoff");
    assert_eq!(again.field("recover"), true);
    assert_eq!(again.field("offset"), 11);
    assert_eq!(again.field("epoch"), "e");
}

#[test]
fn disconnect_3014_invalidates_positions() {
    let mut sim = subscribed_at_11();
    sim.push("", json!({ "disconnect": { "code": 3014, "reason": "state invalidated" } }));
    assert_eq!(sim.connecting_codes().last(), Some(&3014));
    assert_eq!(sim.closes.len(), 1, "the engine closes the transport itself");
    sim.advance(secs(2));
    assert_eq!(sim.state(), ClientState::Connected);
    let again = sim.last("subscribe");
    assert_eq!(again.field("recover"), true);
    assert_eq!(again.field("epoch"), "_");
    assert!(again.field("offset").is_null(), "offset 0 is left out: {:?}", again.body);
    assert!(sim.tokens.is_empty(), "without a token provider the static token is kept");
}

/// A connected client with a token provider, after its first connect with token `t1`.
fn connected_with_provider() -> Sim {
    let sim = Sim::connected(config_with_provider("t1"));
    assert_eq!(sim.last("connect").field("token"), "t1");
    sim
}

/// After a disconnect with `code`, the provider is asked before any transport opens, and the next
/// connect carries the fresh token: one round trip, no 109 detour.
fn assert_stale_token_refetched(mut sim: Sim) {
    sim.advance(secs(30));
    assert_eq!(sim.opens.len(), 1, "no transport before the fresh token");
    assert_eq!(sim.tokens.len(), 1);
    assert_eq!(sim.tokens[0].kind, TokenKind::Connection);
    let id = sim.tokens[0].id;
    sim.answer_token(id, Ok("t2".to_owned()));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.opens.len(), 2);
    let connects = sim.sent_of("connect");
    assert_eq!(connects.len(), 2, "one connect per attempt, none rejected");
    assert_eq!(connects[1].field("token"), "t2");
    assert!(!sim.client_events().iter().any(|e| matches!(e, ClientEvent::Error(_))));
}

#[test]
fn disconnect_3005_fetches_a_fresh_token_before_reconnecting() {
    let mut sim = connected_with_provider();
    sim.push("", json!({ "disconnect": { "code": 3005, "reason": "connection expired" } }));
    assert_eq!(sim.connecting_codes().last(), Some(&3005));
    assert_stale_token_refetched(sim);
}

#[test]
fn close_3005_fetches_a_fresh_token_before_reconnecting() {
    let mut sim = connected_with_provider();
    sim.close(Some(3005), "connection expired");
    assert_stale_token_refetched(sim);
}

#[test]
fn disconnect_3005_without_a_provider_reconnects_with_the_same_token() {
    let mut sim = Sim::connected(crate::config::Config { token: "t1".into(), ..config() });
    sim.close(Some(3005), "connection expired");
    sim.advance(secs(30));
    assert!(sim.tokens.is_empty());
    assert_eq!(sim.last("connect").field("token"), "t1");
}
