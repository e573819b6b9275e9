//! Stale transports (PROTOCOL.md 10.1: ignore callbacks from old transports).
//!
//! Proven here: once the engine has moved to a new transport, anything reported for the old one — a
//! publication, a disconnect push, a connect reply, `handle_opened`, a terminal close code — changes
//! nothing and produces no output, both while the new transport is still opening and once it is
//! connected. A transport the engine closed itself (the ping watchdog) may still report its close late;
//! that report is ignored too, so it costs no extra backoff step and no extra `Connecting` event.

use bytes::Bytes;
use serde_json::json;

use super::sim::{Answer, Open, Sim, publication, secs};
use super::{config, recoverable};
use crate::engine::TransportId;
use crate::event::{ClientState, SubscriptionState};

/// Reports everything an old transport could say, and checks that nothing happened.
fn assert_ignored(sim: &mut Sim, old: TransportId) {
    let (outputs, state, opens) = (sim.outputs.len(), sim.state(), sim.opens.len());
    let frames = [
        json!({ "push": { "channel": "s", "pub": publication(99) } }).to_string(),
        json!({ "push": { "disconnect": { "code": 3500, "reason": "invalid token" } } }).to_string(),
        json!({ "id": 1, "connect": { "client": "ghost", "version": "6.9.1" } }).to_string(),
        "{}".to_owned(),
    ];
    for frame in frames {
        sim.frame_on(old, &frame);
    }
    sim.act(|e, now| e.handle_opened(old, true, now));
    sim.act(|e, now| e.handle_closed(old, Some(3500), "invalid token", now));
    sim.act(|e, now| e.handle_frame(old, &Bytes::from_static(b"not json"), now));
    assert_eq!(sim.outputs.len(), outputs, "stale input produced {:?}", &sim.outputs[outputs..]);
    assert_eq!((sim.state(), sim.opens.len()), (state, opens));
}

#[test]
fn an_old_transport_is_ignored_while_the_new_one_opens_and_after() {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Ok(json!({ "recoverable": true, "epoch": "e", "offset": 1 }));
    sim.subscribe("s", recoverable());
    let old = sim.transport();

    sim.server.open = Open::Manual;
    sim.close(Some(3001), "shutdown");
    sim.advance(secs(2));
    assert_eq!(sim.opens.len(), 2, "the new transport is opening");
    assert_ignored(&mut sim, old);

    sim.open(true);
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
    assert_ignored(&mut sim, old);
    assert!(sim.delivered("s").is_empty(), "the stale publication never reached the app");
}

#[test]
fn a_late_close_report_for_a_transport_the_engine_closed_is_ignored() {
    let mut sim = Sim::new(config());
    sim.server.connect = Answer::Ok(json!({ "version": "6.9.1", "ping": 25 }));
    sim.connect();
    let old = sim.transport();
    sim.server.open = Open::Manual;
    sim.advance(secs(35));
    assert_eq!(sim.closes.first().map(|(id, _)| *id), Some(old), "the watchdog closed it");
    let (outputs, next_retry) = (sim.outputs.len(), sim.engine.poll_timeout());

    sim.act(|e, now| e.handle_closed(old, Some(1006), "abnormal closure", now));
    assert_eq!(sim.outputs.len(), outputs, "the late report produced {:?}", &sim.outputs[outputs..]);
    assert_eq!(sim.engine.poll_timeout(), next_retry, "the late report rescheduled the retry");
    sim.advance(secs(2));
    assert_eq!(sim.opens.len(), 2, "exactly one retry");
}
