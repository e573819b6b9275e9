//! Reconnect backoff, seen from the driver: the delay between a transport ending and the next
//! `OpenTransport`.
//!
//! Proven here: every delay lies in the full-jitter window of its attempt
//! (`[min, min(max, min + min(max, min·2^step))]`, `backoff.rs`); the windows grow with attempts and the
//! drawn delays follow them; the attempt counter resets after a successful connect and after
//! `connect()`; the same seed replays the same `OpenTransport` times and another seed does not.
//!
//! Besides the window checks, each test replays the exact sequence against a reference model that
//! draws from an RNG with the engine's seed, so an off-by-one in the attempt counter (a missed reset,
//! a double step) changes the expected delays and fails the test deterministically.

use super::config;
use super::sim::{Open, SEED, Sim, ms, secs};
use crate::backoff::Backoff;
use crate::config::Config;
use crate::event::ClientState;
use web_time::Duration;

/// Default reconnect bounds, with the long-outage (suspended) cadence pushed out of reach: these tests
/// are about the normal cadence.
fn backoff_config() -> Config {
    Config { suspend_after: secs(24 * 3600), ..config() }
}

/// The full-jitter window of attempt `step`.
fn window(bounds: Backoff, step: u32) -> (Duration, Duration) {
    let grown = bounds.min.saturating_mul(1u32.checked_shl(step.min(31)).unwrap_or(u32::MAX));
    (bounds.min, bounds.max.min(bounds.min + grown.min(bounds.max)))
}

/// The engine's backoff, re-derived: the same RNG seed, one draw per scheduled retry.
struct Model {
    rng: fastrand::Rng,
    bounds: Backoff,
    step: u32,
}

impl Model {
    fn new(seed: u64) -> Model {
        Model { rng: fastrand::Rng::with_seed(seed), bounds: backoff_config().reconnect, step: 0 }
    }

    fn next(&mut self) -> Duration {
        let delay = self.bounds.delay(self.step, &mut self.rng);
        self.step += 1;
        delay
    }

    fn reset(&mut self) {
        self.step = 0;
    }
}

/// A client whose every transport fails at once, after `duration` of virtual time.
fn refused_for(seed: u64, duration: Duration) -> Sim {
    let mut sim = Sim::with_seed(backoff_config(), seed);
    sim.server.open = Open::Refuse;
    sim.connect();
    sim.advance(duration);
    sim
}

fn delays(sim: &Sim) -> Vec<Duration> {
    sim.retries.iter().map(|r| r.after).collect()
}

#[test]
fn delays_after_repeated_failures_stay_in_the_jitter_window_and_grow() {
    let sim = refused_for(SEED, secs(600));
    let bounds = backoff_config().reconnect;
    let delays = delays(&sim);
    assert!(delays.len() >= 30, "only {} retries in 10 minutes", delays.len());
    for (step, delay) in delays.iter().enumerate() {
        let (lo, hi) = window(bounds, step as u32);
        assert!(lo <= *delay && *delay <= hi, "attempt {step}: {delay:?} outside [{lo:?}, {hi:?}]");
    }
    // The first retry can wait at most min·2; later ones draw from windows up to `max`.
    assert!(delays[0] <= ms(1_000));
    let late = &delays[5..];
    let mean = late.iter().sum::<Duration>() / late.len() as u32;
    assert!(mean > ms(5_000), "delays do not grow with attempts: mean {mean:?} of {late:?}");

    let mut model = Model::new(SEED);
    let expected: Vec<Duration> = delays.iter().map(|_| model.next()).collect();
    assert_eq!(delays, expected);
}

#[test]
fn a_successful_connect_resets_the_attempts() {
    let mut sim = refused_for(SEED, secs(60));
    let failures = sim.retries.len();
    assert!(failures >= 5);
    sim.server.open = Open::Accept { optimistic: true };
    sim.advance(secs(20));
    assert_eq!(sim.state(), ClientState::Connected);
    // The retry that finally connected was drawn at step `failures`.
    assert_eq!(sim.retries.len(), failures + 1);

    sim.server.open = Open::Refuse;
    sim.close(Some(3001), "shutdown");
    sim.advance(secs(30));

    let mut model = Model::new(SEED);
    let mut expected: Vec<Duration> = (0..=failures).map(|_| model.next()).collect();
    model.reset();
    expected.extend((failures + 1..sim.retries.len()).map(|_| model.next()));
    assert_eq!(delays(&sim), expected);
    let after_success = sim.retries[failures + 1].after;
    assert!(after_success <= ms(1_000), "first retry after a success waited {after_success:?}");
}

#[test]
fn connect_resets_the_attempts() {
    let mut sim = refused_for(SEED, secs(60));
    let failures = sim.retries.len();
    sim.act(|e, now| e.disconnect(now));
    assert_eq!(sim.state(), ClientState::Disconnected);
    let opens = sim.opens.len();
    sim.connect();
    assert_eq!(sim.opens.len(), opens + 1, "connect() opens a transport at once");
    assert_eq!(sim.opens[opens].0, sim.now());
    sim.advance(secs(30));

    let mut model = Model::new(SEED);
    let mut expected: Vec<Duration> = (0..failures).map(|_| model.next()).collect();
    model.next(); // drawn for the retry that disconnect() cancelled
    model.reset();
    expected.extend((failures..sim.retries.len()).map(|_| model.next()));
    assert_eq!(delays(&sim), expected);
    assert!(sim.retries[failures].after <= ms(1_000));
}

#[test]
fn the_same_seed_replays_the_same_storm() {
    let open_times = |seed| refused_for(seed, secs(300)).opens.iter().map(|(at, _)| *at).collect::<Vec<_>>();
    let first = open_times(42);
    assert!(first.len() > 10);
    assert_eq!(first, open_times(42));
    assert_ne!(first, open_times(43));
}
