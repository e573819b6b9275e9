//! The life of an app request (PROTOCOL.md 10.5, 12).
//!
//! Proven here: a publish while connected gets its `Reply` when (and only when) the server answers; a
//! publish while connecting waits, is sent after the connect reply, and succeeds; one that never sees a
//! connection fails with `Error::Timeout` exactly `offline_queue_timeout` after the call; one in flight
//! when its connection drops fails with `Error::OutcomeUnknown` at once and is never resent; while
//! disconnected it fails with `Error::Disconnected`; a payload over `max_message_size` and a channel
//! over 255 bytes are refused synchronously, with no output at all.

use serde_json::json;

use super::config;
use super::sim::{Answer, Open, Sim, ms, secs};
use crate::config::Config;
use crate::engine::{Request, Response};
use crate::error::Error;
use crate::event::ClientState;
use crate::wire::Payload;

fn publish(channel: &str, json: &str) -> Request {
    Request::Publish { channel: channel.to_owned(), data: Payload::from_json_str(json).unwrap() }
}

#[test]
fn a_publish_while_connected_gets_the_server_answer() {
    let mut sim = Sim::connected(config());
    sim.server.publish = Answer::Manual;
    let id = sim.request(publish("news", r#"{"x":1}"#)).unwrap();
    let sent = sim.last("publish");
    assert_eq!(sent.field("channel"), "news");
    assert_eq!(sent.field("data"), &json!({ "x": 1 }));
    assert_eq!(sim.outcome(id), None);

    sim.reply(&sent, json!({}));
    assert_eq!(sim.outcome(id), Some(&Ok(Response::Published)));
}

#[test]
fn a_server_error_is_the_outcome() {
    let mut sim = Sim::connected(config());
    sim.server.publish = Answer::Error { code: 103, temporary: false };
    let id = sim.request(publish("news", "1")).unwrap();
    assert!(matches!(sim.outcome(id), Some(Err(Error::Server { code: 103, .. }))));
}

#[test]
fn a_publish_while_connecting_waits_for_the_connect_reply() {
    let mut sim = Sim::new(config());
    sim.server.open = Open::Manual;
    sim.connect();
    let id = sim.request(publish("news", "1")).unwrap();
    sim.advance(secs(1));
    sim.open(true);
    assert_eq!(sim.frame_kinds(0), ["connect"], "the call waits for the connect reply");
    assert_eq!(sim.frame_kinds(1), ["publish"]);
    assert_eq!(sim.outcome(id), Some(&Ok(Response::Published)));
}

#[test]
fn a_publish_that_never_sees_a_connection_times_out() {
    let config = config();
    let mut sim = Sim::new(config.clone());
    sim.server.open = Open::Refuse;
    sim.connect();
    let id = sim.request(publish("news", "1")).unwrap();
    sim.advance(config.offline_queue_timeout - ms(1));
    assert_eq!(sim.outcome(id), None);
    sim.advance(ms(1));
    assert_eq!(sim.outcome(id), Some(&Err(Error::Timeout)));
    assert!(sim.sent_of("publish").is_empty());
    assert_eq!(sim.state(), ClientState::Connecting);
}

#[test]
fn an_in_flight_publish_whose_connection_drops_is_never_resent() {
    let mut sim = Sim::connected(config());
    sim.server.publish = Answer::Manual;
    let id = sim.request(publish("news", "1")).unwrap();
    assert_eq!(sim.sent_of("publish").len(), 1);

    sim.close(None, "network");
    assert_eq!(sim.outcome(id), Some(&Err(Error::OutcomeUnknown)));
    sim.advance(secs(2));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.opens.len(), 2);
    assert_eq!(sim.sent_of("publish").len(), 1, "a publish with an unknown outcome was sent again");
}

#[test]
fn a_publish_while_disconnected_fails_at_once() {
    let mut sim = Sim::new(config());
    let id = sim.request(publish("news", "1")).unwrap();
    assert_eq!(sim.outcome(id), Some(&Err(Error::Disconnected)));
}

#[test]
fn oversized_payloads_and_channels_are_refused_synchronously() {
    let config = Config { max_message_size: 1024, ..config() };
    let mut sim = Sim::connected(config);
    let outputs = sim.outputs.len();

    let big = format!("\"{}\"", "x".repeat(2000));
    let refused = sim.request(publish("news", &big));
    assert!(
        matches!(refused, Err(Error::MessageTooLarge { size, limit: 1024 }) if size > 2000),
        "{refused:?}"
    );

    let refused = sim.request(publish(&"c".repeat(256), "1"));
    assert!(matches!(refused, Err(Error::InvalidChannel(_))), "{refused:?}");
    assert_eq!(sim.outputs.len(), outputs, "a refused call leaves no trace");

    assert!(sim.request(publish(&"c".repeat(255), "1")).is_ok(), "255 bytes is allowed");
}
