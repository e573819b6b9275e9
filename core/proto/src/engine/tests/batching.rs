//! Which commands share a frame after the transport opens (PROTOCOL.md 10.4, and the transport
//! contract in `ceaseless::transport`: emulation transports need the connect reply's session before
//! they can carry a second frame).
//!
//! Proven here: with `handle_opened(id, true)` the first frame holds `connect` and the subscribes of
//! both pending subscriptions, newline-separated; with `handle_opened(id, false)` the first frame holds
//! `connect` alone and the subscribes follow the connect reply, after the `Session` output — including
//! a subscribe requested while the connect reply is still pending.

use serde_json::json;

use super::config;
use super::sim::{Answer, Open, Sim};
use crate::config::SubscriptionConfig;
use crate::engine::Output;
use crate::event::ClientState;

/// Two subscriptions made while disconnected, then `connect()`; the transport is left pending.
fn two_pending_subscriptions() -> Sim {
    let mut sim = Sim::new(config());
    sim.server.open = Open::Manual;
    sim.server.connect = Answer::Manual;
    for channel in ["a", "b"] {
        sim.subscribe(channel, SubscriptionConfig::default());
    }
    sim.connect();
    assert!(sim.frames.is_empty(), "nothing can be sent before the transport opens");
    sim
}

#[test]
fn optimistic_transports_batch_connect_and_subscribes_in_one_frame() {
    let mut sim = two_pending_subscriptions();
    sim.open(true);
    assert_eq!(sim.frames.len(), 1);
    assert_eq!(sim.frame_kinds(0), ["connect", "subscribe", "subscribe"]);
    assert_eq!(sim.frames[0].1.lines().count(), 3, "one command per line");
    let channels: Vec<_> = sim.sent_of("subscribe").iter().map(|s| s.field("channel").clone()).collect();
    assert_eq!(channels, [json!("a"), json!("b")]);
}

/// Answers the pending connect with an emulation session.
fn answer_connect_with_session(sim: &mut Sim) {
    let connect = sim.last("connect");
    sim.reply(&connect, json!({ "client": "c1", "version": "6.9.1", "session": "sess", "node": "n1" }));
    assert_eq!(sim.state(), ClientState::Connected);
}

/// Indexes in `sim.outputs` of the outputs matching `pred`.
fn positions(sim: &Sim, pred: impl Fn(&Output) -> bool) -> Vec<usize> {
    sim.outputs.iter().enumerate().filter(|(_, o)| pred(o)).map(|(i, _)| i).collect()
}

#[test]
fn emulation_sends_subscribes_only_after_the_connect_reply() {
    let mut sim = two_pending_subscriptions();
    sim.open(false);
    assert_eq!(sim.frames.len(), 1);
    assert_eq!(sim.frame_kinds(0), ["connect"]);

    answer_connect_with_session(&mut sim);
    assert_eq!(sim.frames.len(), 2);
    assert_eq!(sim.frame_kinds(1), ["subscribe", "subscribe"]);
    let session = positions(&sim, |o| matches!(o, Output::Session { .. }));
    let transmits = positions(&sim, |o| matches!(o, Output::Transmit { .. }));
    assert!(session[0] < transmits[1], "the session must reach the driver before the second frame");
}

// BUG: `try_subscribe` treats "transport open and connect in flight" as sendable whatever
// `optimistic_subscribe` said, so a subscribe made between `handle_opened(id, false)` and the connect
// reply is transmitted before the `Session` output, and an emulation transport has nowhere to POST it.
#[test]
fn emulation_holds_a_subscribe_made_while_the_connect_reply_is_pending() {
    let mut sim = two_pending_subscriptions();
    sim.open(false);
    sim.subscribe("c", SubscriptionConfig::default());
    assert_eq!(sim.frames.len(), 1, "a subscribe went out before the connect reply: {:?}", sim.frames);

    answer_connect_with_session(&mut sim);
    assert_eq!(sim.frame_kinds(1), ["subscribe", "subscribe", "subscribe"]);
}
