//! The attempt policy part: which transport and endpoint the next attempt uses, transport identities,
//! and the reconnect backoff.
//!
//! Invariants:
//! - until a transport has worked ([`TransportChoice::Probing`]), an attempt that fails before the
//!   server accepts it moves on to the next configured transport at once; after the last one it starts
//!   over at the first and rotates the endpoint. Once one worked ([`TransportChoice::Settled`]) the index
//!   never moves again and failures only rotate the endpoint;
//! - transport ids count up and are never reused, so an event for an older transport is recognised;
//! - the reconnect deadline is `TimerKey::Reconnect` in the [timer table](super::timers); it is armed
//!   only while the client is `connecting` with no transport and no token fetch for the attempt, and
//!   starting an attempt clears it.

use web_time::Duration;

use super::TransportId;
use crate::backoff::{Attempts, Backoff};

/// The transport the attempts use, by index into `Config::transports`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TransportChoice {
    /// No transport has worked yet: this one is being tried.
    Probing(usize),
    /// A connection through this one reached the server: keep it.
    Settled(usize),
}

/// Transport choice, endpoint rotation, transport ids and the reconnect backoff.
#[derive(Debug)]
pub(super) struct AttemptPolicy {
    choice: TransportChoice,
    endpoint: usize,
    next_transport_id: u64,
    backoff: Attempts,
}

impl AttemptPolicy {
    pub(super) fn new(reconnect: Backoff) -> Self {
        Self {
            choice: TransportChoice::Probing(0),
            endpoint: 0,
            next_transport_id: 0,
            backoff: Attempts::new(reconnect),
        }
    }

    /// The index of the transport to use.
    pub(super) fn transport_index(&self) -> usize {
        match self.choice {
            TransportChoice::Probing(i) | TransportChoice::Settled(i) => i,
        }
    }

    /// The endpoint to use.
    pub(super) fn endpoint(&self) -> usize {
        self.endpoint
    }

    /// The server answered through the current transport: it works here.
    pub(super) fn settle(&mut self) {
        self.choice = TransportChoice::Settled(self.transport_index());
    }

    /// A fresh transport identity.
    pub(super) fn next_transport_id(&mut self) -> TransportId {
        self.next_transport_id += 1;
        TransportId(self.next_transport_id)
    }

    /// An attempt failed before the server accepted it. Returns whether to try the next transport at
    /// once (instead of after the backoff).
    pub(super) fn attempt_failed(&mut self, transports: usize, endpoints: usize) -> bool {
        if let TransportChoice::Probing(i) = self.choice {
            if i + 1 < transports {
                self.choice = TransportChoice::Probing(i + 1);
                return true;
            }
            self.choice = TransportChoice::Probing(0);
        }
        if endpoints > 1 {
            self.endpoint = (self.endpoint + 1) % endpoints;
        }
        false
    }

    /// Starts the backoff over (after a connect, or when the network comes back).
    pub(super) fn reset_backoff(&mut self) {
        self.backoff.reset();
    }

    /// How many attempts have failed in a row.
    pub(super) fn step(&self) -> u32 {
        self.backoff.step()
    }

    /// The delay before the next attempt: the reconnect backoff, or the slower `suspended` cadence
    /// (which does not advance the step).
    pub(super) fn next_delay(&mut self, suspended: Option<Backoff>, rng: &mut fastrand::Rng) -> Duration {
        match suspended {
            Some(cadence) => cadence.delay(self.backoff.step(), rng),
            None => self.backoff.next_delay(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probing_falls_back_at_once_then_rotates_endpoints_and_settling_stops_the_fallback() {
        let mut policy = AttemptPolicy::new(Backoff::new(Duration::from_secs(1), Duration::from_secs(2)));
        assert!(policy.attempt_failed(3, 2));
        assert!(policy.attempt_failed(3, 2));
        assert_eq!((policy.transport_index(), policy.endpoint()), (2, 0));
        assert!(!policy.attempt_failed(3, 2));
        assert_eq!((policy.transport_index(), policy.endpoint()), (0, 1));
        assert!(policy.attempt_failed(3, 2));
        policy.settle();
        assert!(!policy.attempt_failed(3, 2));
        assert_eq!((policy.transport_index(), policy.endpoint()), (1, 0));
        assert_eq!(policy.next_transport_id(), TransportId(1));
        assert_eq!(policy.next_transport_id(), TransportId(2));
    }
}
