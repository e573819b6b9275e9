//! Network and app lifecycle, the suspended state and push wake, through the whole engine.
//!
//! Proven here: a backgrounded client lets go of the connection exactly when `background_grace` runs
//! out and foreground resumes with recovery; after `suspend_after` offline the client reports
//! `Suspended`, fails calls fast and retries at the `suspended_retry` cadence until it connects; a wake
//! connects a parked (or app-disconnected) client, recovers, reports per-channel counts and returns to
//! the previous state, or reports `caught_up: false` when the budget runs out; while the network is down
//! nothing is attempted, and its return reconnects at once.

use serde_json::json;

use super::sim::{Open, Sim, publication, secs};
use super::{config, recoverable};
use crate::Payload;
use crate::codes;
use crate::engine::{AppState, Engine, Request};
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, SubscriptionState, WakeReport};

fn wake_reports(sim: &Sim) -> Vec<WakeReport> {
    let events = sim.client_events().into_iter();
    events.filter_map(|e| if let ClientEvent::WakeFinished(r) = e { Some(r) } else { None }).collect()
}

fn background(sim: &mut Sim) {
    sim.act(|e, now| e.set_app_state(AppState::Background, now));
}

/// A connected client with recoverable `chat` at (e, 10).
fn subscribed_at_10() -> Sim {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = super::sim::Answer::Ok(
        json!({ "recoverable": true, "positioned": true, "epoch": "e", "offset": 10 }),
    );
    sim.subscribe("chat", recoverable());
    assert_eq!(sim.sub_state("chat"), Some(SubscriptionState::Subscribed));
    sim
}

#[test]
fn background_parks_after_the_grace_and_foreground_resumes_with_recovery() {
    let mut sim = subscribed_at_10();
    sim.publish_offsets("chat", &[11]);
    background(&mut sim);
    sim.advance(secs(29));
    assert_eq!(sim.state(), ClientState::Connected, "the grace is 30 s");
    sim.advance(secs(2));
    assert_eq!(sim.state(), ClientState::Disconnected);
    assert_eq!(sim.disconnected_codes(), vec![codes::disconnected::BACKGROUNDED]);
    assert_eq!(sim.closes.len(), 1);
    assert_eq!(sim.engine.poll_timeout(), None, "nothing to do while parked");

    let opens = sim.opens.len();
    sim.advance(secs(600));
    assert_eq!(sim.opens.len(), opens, "a parked client does not reconnect");

    sim.act(|e, now| e.set_app_state(AppState::Foreground, now));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.sub_state("chat"), Some(SubscriptionState::Subscribed));
    let resubscribe = sim.last("subscribe");
    assert_eq!((resubscribe.field("recover"), resubscribe.field("offset")), (&json!(true), &json!(11)));
}

#[test]
fn foreground_before_the_grace_keeps_the_connection() {
    let mut sim = Sim::connected(config());
    background(&mut sim);
    sim.advance(secs(20));
    sim.act(|e, now| e.set_app_state(AppState::Foreground, now));
    sim.advance(secs(600));
    assert_eq!(sim.state(), ClientState::Connected);
    assert!(sim.disconnected_codes().is_empty());
}

#[test]
fn a_long_outage_suspends_fails_calls_fast_and_slows_the_retries() {
    let config = crate::Config { suspend_after: secs(60), ..config() };
    let mut sim = Sim::connected(config.clone());
    sim.server.open = Open::Refuse;
    sim.close(None, "network");
    sim.advance(secs(59));
    assert!(!sim.engine.is_suspended());
    assert!(!sim.client_events().contains(&ClientEvent::Suspended));
    let waiting =
        sim.request(Request::Publish { channel: "chat".into(), data: Payload::from_raw("1".into()) });
    let waiting = waiting.unwrap();

    sim.advance(secs(2));
    assert!(sim.engine.is_suspended());
    assert_eq!(sim.client_events().iter().filter(|e| **e == ClientEvent::Suspended).count(), 1);
    assert_eq!(sim.outcome(waiting), Some(&Err(Error::Suspended)), "waiting calls fail at suspension");
    let fast = sim.request(Request::Publish { channel: "chat".into(), data: Payload::from_raw("2".into()) });
    assert_eq!(sim.outcome(fast.unwrap()), Some(&Err(Error::Suspended)));

    sim.advance(secs(900));
    let before: Vec<_> = sim.retries.iter().filter(|r| !r.suspended).collect();
    assert!(before.iter().all(|r| r.after <= config.reconnect.max), "{before:?}");
    // The first retry after suspension was scheduled before it, at the reconnect cadence.
    let slow: Vec<_> = sim.retries.iter().filter(|r| r.suspended).skip(1).collect();
    assert!(slow.len() >= 10, "{slow:?}");
    let cadence = config.suspended_retry;
    assert!(slow.iter().all(|r| r.after >= cadence.min && r.after <= cadence.max), "{slow:?}");

    sim.server.open = Open::Accept { optimistic: true };
    sim.advance(cadence.max);
    assert_eq!(sim.state(), ClientState::Connected);
    assert!(!sim.engine.is_suspended());
}

#[test]
fn disconnect_keeps_nothing_armed_for_the_outage() {
    let mut sim = Sim::connected(crate::Config { suspend_after: secs(60), ..config() });
    sim.server.open = Open::Refuse;
    sim.close(None, "network");
    sim.act(Engine::disconnect);
    assert_eq!(sim.engine.poll_timeout(), None);
    sim.advance(secs(600));
    assert!(!sim.engine.is_suspended());
}

#[test]
fn a_wake_from_parked_recovers_counts_per_channel_and_parks_again() {
    let mut sim = subscribed_at_10();
    background(&mut sim);
    sim.advance(secs(31));
    assert_eq!(sim.state(), ClientState::Disconnected);

    sim.server.subscribe = super::sim::Answer::Ok(json!({
        "recoverable": true, "positioned": true, "epoch": "e", "offset": 12,
        "was_recovering": true, "recovered": true,
        "publications": [publication(11), publication(12)],
    }));
    sim.act(|e, now| e.wake(secs(20), now));
    let reports = wake_reports(&sim);
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].caught_up);
    assert_eq!(reports[0].publications.get("chat"), Some(&2));
    assert_eq!(sim.delivered("chat"), vec![11, 12]);
    assert_eq!(sim.state(), ClientState::Disconnected, "parked again: the app is still in the background");
    let parked = codes::disconnected::BACKGROUNDED;
    assert_eq!(sim.disconnected_codes(), vec![parked, parked]);

    sim.act(|e, now| e.set_app_state(AppState::Foreground, now));
    assert_eq!(sim.state(), ClientState::Connected);
}

#[test]
fn a_wake_of_an_app_disconnected_client_disconnects_again() {
    let mut sim = subscribed_at_10();
    sim.act(Engine::disconnect);
    sim.act(|e, now| e.wake(secs(20), now));
    let reports = wake_reports(&sim);
    assert!(reports.len() == 1 && reports[0].caught_up, "{reports:?}");
    assert_eq!(sim.state(), ClientState::Disconnected);
    assert_eq!(sim.disconnected_codes().last(), Some(&codes::disconnected::DISCONNECT_CALLED));
    sim.advance(secs(600));
    assert_eq!(sim.state(), ClientState::Disconnected);
}

#[test]
fn a_wake_that_runs_out_of_budget_reports_not_caught_up() {
    let mut sim = subscribed_at_10();
    sim.act(Engine::disconnect);
    sim.server.open = Open::Manual;
    sim.act(|e, now| e.wake(secs(5), now));
    sim.advance(secs(4));
    assert!(wake_reports(&sim).is_empty());
    sim.advance(secs(1));
    let reports = wake_reports(&sim);
    assert!(reports.len() == 1 && !reports[0].caught_up, "{reports:?}");
    assert_eq!(reports[0].elapsed, secs(5));
    assert_eq!(sim.state(), ClientState::Disconnected);
}

#[test]
fn a_wake_with_no_budget_ends_at_once_unless_already_caught_up() {
    let mut sim = subscribed_at_10();
    sim.act(|e, now| e.wake(secs(0), now));
    let reports = wake_reports(&sim);
    assert!(reports.len() == 1 && reports[0].caught_up, "connected and subscribed: {reports:?}");

    background(&mut sim);
    sim.advance(secs(31));
    assert_eq!(sim.state(), ClientState::Disconnected);
    sim.act(|e, now| e.wake(secs(0), now));
    let reports = wake_reports(&sim);
    assert!(reports.len() == 2 && !reports[1].caught_up, "{reports:?}");
    assert_eq!(reports[1].elapsed, secs(0));
    sim.advance(secs(1));
    assert_eq!(sim.state(), ClientState::Disconnected, "parked again at once");
    assert_eq!(wake_reports(&sim).len(), 2);
}

#[test]
fn no_attempts_while_the_network_is_down_and_an_immediate_one_when_it_returns() {
    let mut sim = Sim::connected(config());
    sim.act(|e, now| e.network_changed(false, now));
    assert_eq!(sim.state(), ClientState::Connecting);
    assert_eq!(sim.connecting_codes().last(), Some(&codes::connecting::TRANSPORT_CLOSED));
    assert_eq!(sim.closes.len(), 1);
    let opens = sim.opens.len();
    sim.advance(secs(90));
    assert_eq!(sim.opens.len(), opens, "no attempt while the network is down");

    sim.act(|e, now| e.network_changed(true, now));
    assert_eq!(sim.opens.len(), opens + 1);
    assert_eq!(sim.opens.last().map(|(at, _)| *at), Some(sim.now()), "at once, not after a backoff");
    assert_eq!(sim.state(), ClientState::Connected);

    // Repeating what the engine already knows changes nothing.
    sim.act(|e, now| e.network_changed(true, now));
    assert_eq!(sim.opens.len(), opens + 1);
}
