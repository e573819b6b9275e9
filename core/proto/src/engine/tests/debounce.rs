//! Publish debounce (`SubscribeResult.publish_debounce`): publishes through a subscription coalesced.
//!
//! Proven here: with a 100 ms window the first publish goes out at once and resolves with the server's
//! answer; later ones inside the window resolve at once as `Debounced` and only the newest is sent when
//! the window ends; a window with nothing held just ends, so the next publish goes out at once; plain
//! client publishes are never held; a held value is dropped when the subscription ends and when the
//! connection is lost.

use serde_json::{Value, json};

use super::config;
use super::sim::{Answer, Sim, ms, secs};
use crate::config::SubscriptionConfig;
use crate::engine::{Request, RequestId, Response};
use crate::wire::Payload;

fn subscribed_with_debounce() -> Sim {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Ok(json!({ "publish_debounce": 100 }));
    sim.subscribe("s", SubscriptionConfig::default());
    sim
}

fn publish(sim: &mut Sim, n: u64) -> RequestId {
    let data = Payload::from_json_str(&format!(r#"{{"n":{n}}}"#)).unwrap();
    sim.request(Request::SubscriptionPublish { channel: "s".into(), data }).unwrap()
}

fn published(sim: &Sim) -> Vec<Value> {
    sim.sent_of("publish").into_iter().map(|s| s.field("data")["n"].clone()).collect()
}

#[test]
fn only_the_newest_publish_of_a_window_is_sent_when_it_ends() {
    let mut sim = subscribed_with_debounce();
    let first = publish(&mut sim, 1);
    assert_eq!(published(&sim), [json!(1)], "the first publish goes out at once");
    assert_eq!(sim.outcome(first), Some(&Ok(Response::Published)));

    sim.advance(ms(10));
    let second = publish(&mut sim, 2);
    let third = publish(&mut sim, 3);
    assert_eq!(sim.outcome(second), Some(&Ok(Response::Debounced)), "resolved at once");
    assert_eq!(sim.outcome(third), Some(&Ok(Response::Debounced)));
    assert_eq!(published(&sim).len(), 1, "held inside the window");

    sim.advance(ms(89));
    assert_eq!(published(&sim).len(), 1);
    sim.advance(ms(1));
    assert_eq!(published(&sim), [json!(1), json!(3)], "only the newest, when the window ends");
    assert_eq!(sim.last("publish").at, ms(100));

    // The send opened a new window; with nothing held it just ends, and the next publish is immediate.
    sim.advance(ms(150));
    assert_eq!(published(&sim).len(), 2);
    let fourth = publish(&mut sim, 4);
    assert_eq!(published(&sim).len(), 3);
    assert_eq!(sim.outcome(fourth), Some(&Ok(Response::Published)));
}

#[test]
fn client_publishes_are_never_held() {
    let mut sim = subscribed_with_debounce();
    for n in 1..=3 {
        let data = Payload::from_json_str(&format!(r#"{{"n":{n}}}"#)).unwrap();
        sim.request(Request::Publish { channel: "s".into(), data }).unwrap();
    }
    assert_eq!(published(&sim).len(), 3);
}

#[test]
fn without_a_debounce_every_subscription_publish_goes_out() {
    let mut sim = Sim::connected(config());
    sim.subscribe("s", SubscriptionConfig::default());
    for n in 1..=3 {
        publish(&mut sim, n);
    }
    assert_eq!(published(&sim).len(), 3);
}

#[test]
fn a_held_value_is_dropped_on_unsubscribe() {
    let mut sim = subscribed_with_debounce();
    publish(&mut sim, 1);
    publish(&mut sim, 2);
    sim.act(|e, now| e.unsubscribe("s", now));
    sim.advance(secs(1));
    assert_eq!(published(&sim), [json!(1)]);
}

#[test]
fn a_held_value_is_dropped_when_the_connection_is_lost() {
    let mut sim = subscribed_with_debounce();
    publish(&mut sim, 1);
    publish(&mut sim, 2);
    sim.close(None, "network down");
    sim.advance(secs(30));
    assert_eq!(sim.sub_state("s"), Some(crate::event::SubscriptionState::Subscribed));
    assert_eq!(published(&sim), [json!(1)]);
    // The new subscription starts without a window.
    publish(&mut sim, 3);
    assert_eq!(published(&sim), [json!(1), json!(3)]);
}
