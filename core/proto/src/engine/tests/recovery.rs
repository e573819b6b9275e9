//! Recovery bookkeeping and the exactly-once filter across a reconnect (PROTOCOL.md 7.2, 7.3, 10.4).
//!
//! Proven here: after subscribing at (epoch `e`, offset 10), live publications 11, 12, 12, 11, 13 reach
//! the app as 11, 12, 13; after the transport drops, the resubscribe asks to recover from offset 13 in
//! epoch `e`; a recovered reply replaying 14..16 delivers `Subscribed { recovered: true }` first and
//! then 14, 15, 16 in order; a live 16 overlapping the replay is dropped and 17 delivered. A failed
//! recovery (`recovered: false`) is reported as a gap, and delivery resumes from the new stream top.

use serde_json::json;

use super::sim::{Answer, Sim, publication, secs};
use super::{config, recoverable};
use crate::event::{SubscriptionEvent, SubscriptionState};
use crate::wire::StreamPosition;

/// A connected client subscribed to recoverable `chat` at (e, 10), having received 11..=13 with
/// duplicates, then cut off by a network failure; resubscribe replies are left to the test.
fn cut_off_at_13() -> Sim {
    let mut sim = Sim::connected(config());
    sim.server.subscribe =
        Answer::Ok(json!({ "recoverable": true, "positioned": true, "epoch": "e", "offset": 10 }));
    sim.subscribe("chat", recoverable());
    sim.publish_offsets("chat", &[11, 12, 12, 11, 13]);
    assert_eq!(sim.delivered("chat"), vec![11, 12, 13]);

    sim.server.subscribe = Answer::Manual;
    sim.close(None, "network");
    let last = sim.sub_events("chat").pop();
    assert!(matches!(last, Some(SubscriptionEvent::Subscribing { code: 1, .. })), "{last:?}");
    sim.advance(secs(2));
    sim.clear_events();
    sim
}

#[test]
fn duplicates_are_dropped_and_a_reconnect_recovers_exactly_once() {
    let mut sim = cut_off_at_13();
    let resubscribe = sim.last("subscribe");
    assert_eq!(sim.sent_of("subscribe").len(), 2);
    assert_eq!(resubscribe.field("recover"), true);
    assert_eq!(resubscribe.field("offset"), 13);
    assert_eq!(resubscribe.field("epoch"), "e");

    let replay = json!({
        "recoverable": true, "positioned": true, "epoch": "e", "offset": 13,
        "was_recovering": true, "recovered": true,
        "publications": [publication(14), publication(15), publication(16)],
    });
    sim.reply(&resubscribe, replay);
    let events = sim.sub_events("chat");
    let SubscriptionEvent::Subscribed(info) = &events[0] else {
        panic!("Subscribed comes first: {events:?}")
    };
    assert!(info.recovered && info.was_recovering, "{info:?}");
    assert_eq!(sim.delivered("chat"), vec![14, 15, 16]);
    assert_eq!(events.len(), 4, "nothing but Subscribed and the replay: {events:?}");

    sim.publish_offsets("chat", &[16, 17]);
    assert_eq!(sim.delivered("chat"), vec![14, 15, 16, 17]);
    let position = sim.engine.subscription_position("chat");
    assert_eq!(position, Some(StreamPosition { offset: 17, epoch: "e".to_owned() }));
}

#[test]
fn a_failed_recovery_is_a_gap_and_resumes_from_the_new_top() {
    let mut sim = cut_off_at_13();
    let resubscribe = sim.last("subscribe");
    let lost = json!({
        "recoverable": true, "positioned": true, "epoch": "f", "offset": 40,
        "was_recovering": true, "recovered": false,
    });
    sim.reply(&resubscribe, lost);
    assert_eq!(sim.sub_state("chat"), Some(SubscriptionState::Subscribed));
    let events = sim.sub_events("chat");
    assert!(matches!(&events[0], SubscriptionEvent::Subscribed(info) if !info.recovered), "{events:?}");
    assert!(events.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))), "{events:?}");

    // Offsets are compared within the new epoch only.
    sim.publish_offsets("chat", &[40, 41]);
    assert_eq!(sim.delivered("chat"), vec![41]);
}
