//! A long randomized storm: a thousand rounds over hours of virtual time, each with a random server
//! script (refused, never-opening, emulation or WebSocket transports; connect errors; pinging or quiet
//! servers) and, while connected, a random event (a close with a reconnect code, a ping, a live
//! publication or a duplicate of one).
//!
//! Proven here, for a fixed seed: no panic and no protocol violation; every reconnect waits at least
//! `reconnect.min` and at most `reconnect.max` (or `suspended_retry.max` once the client reports itself
//! suspended after a long outage); publications reach the app in strictly increasing order, each once;
//! and after a final success the client ends connected with its subscription subscribed.

use serde_json::json;

use super::sim::{Answer, Open, Sim, ms, publication, secs};
use super::{config, recoverable};
use crate::event::{ClientState, SubscriptionState};

const CLOSE_CODES: [Option<u16>; 9] =
    [None, Some(1000), Some(1006), Some(3000), Some(3001), Some(3005), Some(3012), Some(4000), Some(5000)];

fn subscribe_at(top: u64) -> Answer {
    Answer::Ok(json!({ "recoverable": true, "positioned": true, "epoch": "e", "offset": top }))
}

#[test]
fn a_thousand_failures_and_recoveries() {
    let config = config();
    let mut dice = fastrand::Rng::with_seed(0x5EED);
    let mut sim = Sim::new(config.clone());
    let mut top = 0;
    sim.server.subscribe = subscribe_at(top);
    sim.subscribe("s", recoverable());
    sim.connect();

    for _ in 0..1000 {
        sim.server.open = match dice.u8(0..4) {
            0 => Open::Refuse,
            1 => Open::Manual,
            2 => Open::Accept { optimistic: false },
            _ => Open::Accept { optimistic: true },
        };
        sim.server.connect = match dice.u8(0..5) {
            0 => Answer::Error { code: 100, temporary: true },
            1 => Answer::Ok(json!({ "version": "6.9.1", "ping": 25, "pong": true })),
            2 => Answer::Ok(json!({ "version": "6.9.1", "ping": 10, "pong": false })),
            _ => Answer::Ok(json!({ "version": "6.9.1" })),
        };
        sim.advance(ms(dice.u64(0..30_000)));
        if sim.state() != ClientState::Connected {
            continue;
        }
        match dice.u8(0..5) {
            0 => sim.close(CLOSE_CODES[dice.usize(0..CLOSE_CODES.len())], "storm"),
            1 => sim.ping(),
            2 if top > 0 => sim.publish_offsets("s", &[dice.u64(1..=top)]),
            _ => {
                top += 1;
                sim.server.subscribe = subscribe_at(top);
                sim.push("s", json!({ "pub": publication(top) }));
            }
        }
    }

    sim.server.open = Open::Accept { optimistic: true };
    sim.server.connect = Answer::Ok(json!({ "version": "6.9.1" }));
    sim.advance(config.suspended_retry.max + secs(1));
    assert_eq!(sim.state(), ClientState::Connected);
    assert_eq!(sim.sub_state("s"), Some(SubscriptionState::Subscribed));
    assert!(sim.now() > secs(3 * 3600), "only {:?} of virtual time", sim.now());

    assert!(sim.retries.len() > 200, "only {} reconnects", sim.retries.len());
    for (n, retry) in sim.retries.iter().enumerate() {
        let max = if retry.suspended { config.suspended_retry.max } else { config.reconnect.max };
        assert!(retry.after >= config.reconnect.min && retry.after <= max, "retry {n}: {retry:?}");
    }
    let delivered = sim.delivered("s");
    assert!(delivered.len() > 50, "only {} publications delivered", delivered.len());
    assert!(delivered.windows(2).all(|w| w[0] < w[1]), "out of order or twice: {delivered:?}");
}
