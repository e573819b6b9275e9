//! Server pings and the dead-connection watchdog (PROTOCOL.md 5).
//!
//! Proven here: with `pong: true` every ping `{}` gets exactly one pong `{}` (two pings, two pongs, even
//! when batched); with `pong: false` none; the fake server also rejects any pong without a ping. With
//! `ping: N`, `N + max_server_ping_delay` of silence closes the transport and emits `Connecting` with
//! code 2, not a millisecond earlier; any received frame (a ping or any push) pushes that deadline out,
//! for as long as frames keep coming; `ping: 0` disables the watchdog.

use serde_json::json;

use super::config;
use super::sim::{Answer, Sim, ms, secs};
use crate::codes;
use crate::event::ClientState;

/// A connected client whose server pings every `ping` seconds and wants pongs if `pong`.
fn pinged(ping: u32, pong: bool) -> Sim {
    let mut sim = Sim::new(config());
    sim.server.connect = Answer::Ok(json!({ "version": "6.9.1", "ping": ping, "pong": pong }));
    sim.connect();
    assert_eq!(sim.state(), ClientState::Connected);
    sim
}

#[test]
fn every_ping_gets_exactly_one_pong() {
    let mut sim = pinged(25, true);
    sim.advance(secs(12));
    sim.ping();
    assert_eq!(sim.sent_of("pong").len(), 1);
    let (_, frame) = sim.frames.last().unwrap();
    assert_eq!(frame, "{}", "a pong is the empty command, alone in its frame");
    sim.advance(secs(25));
    sim.ping();
    assert_eq!(sim.sent_of("pong").len(), 2);
    sim.advance(secs(25));
    assert_eq!(sim.sent_of("pong").len(), 2, "no pong without a ping");
}

#[test]
fn batched_pings_get_one_pong_each() {
    let mut sim = pinged(25, true);
    sim.pings(2);
    assert_eq!(sim.sent_of("pong").len(), 2);
}

#[test]
fn no_pong_when_the_server_does_not_ask() {
    let mut sim = pinged(25, false);
    for _ in 0..3 {
        sim.advance(secs(20));
        sim.ping();
    }
    assert!(sim.sent_of("pong").is_empty());
    assert_eq!(sim.state(), ClientState::Connected);
}

#[test]
fn silence_for_ping_plus_max_delay_reconnects_with_no_ping() {
    let mut sim = pinged(25, true);
    let first = sim.transport();
    let window = secs(25) + config().max_server_ping_delay;
    sim.advance(window - ms(1));
    assert_eq!(sim.state(), ClientState::Connected);
    assert!(sim.closes.is_empty());

    sim.advance(ms(1));
    assert_eq!(sim.connecting_codes(), vec![codes::connecting::CONNECT_CALLED, codes::connecting::NO_PING]);
    assert_eq!(sim.closes.first().map(|(id, _)| *id), Some(first), "the dead transport is closed");
    sim.advance(secs(2));
    assert_eq!(sim.state(), ClientState::Connected, "and the client reconnects");
    assert_eq!(sim.opens.len(), 2);
}

#[test]
fn any_frame_pushes_the_deadline_out() {
    let mut sim = pinged(25, true);
    // Ten windows' worth of time, with a frame every 20 s: alternately a ping and a message push.
    for round in 0..17 {
        sim.advance(secs(20));
        if round % 2 == 0 {
            sim.ping();
        } else {
            sim.push("", json!({ "message": { "data": { "round": round } } }));
        }
    }
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.opens.len(), 1, "no reconnect while frames keep coming");
    assert_eq!(sim.connecting_codes(), vec![codes::connecting::CONNECT_CALLED]);

    // Then silence: the window counts from the last frame.
    sim.advance(secs(35) - ms(1));
    assert_eq!(sim.state(), ClientState::Connected);
    sim.advance(ms(1));
    assert_eq!(sim.connecting_codes().last(), Some(&codes::connecting::NO_PING));
}

#[test]
fn ping_zero_disables_the_watchdog() {
    let mut sim = pinged(0, false);
    sim.advance(secs(3 * 3600));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.opens.len(), 1);
}
