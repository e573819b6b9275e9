//! The lifecycle part: what the OS says (network, app visibility), the long-outage policy, and a push
//! wake in progress. Each concern is one enum, so combinations that cannot happen cannot be written:
//! a parked client is always in the background, a suspended client has no "offline since" clock left to
//! run, and the network is either up or down.
//!
//! Timers (in the [timer table](super::timers)) and the transitions that keep them in sync:
//! - `BackgroundGrace`: armed by `set_app_state(Background)` while connecting or connected; cleared by
//!   foreground, by parking, and by `wake`. Only ever armed while [`Presence::Background`].
//! - `Suspend`: armed at `since + suspend_after` on every move to [`Outage::Offline`] (`connect`, or a
//!   connected client losing its connection); cleared when it fires (→ [`Outage::Suspended`]), on a
//!   successful connect (→ [`Outage::Online`]) and when the client stops (disconnected or closed, where
//!   nothing is retried; `Offline` becomes `Online` then, `Suspended` stays). So it is armed exactly
//!   while [`Outage::Offline`], which only a `connecting` client is in.
//! - `WakeDeadline`: armed exactly while [`Lifecycle::waking`] is `Some`.

use std::collections::BTreeMap;

use web_time::Instant;

use super::AppState;

/// Whether the device has a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Network {
    /// Up (or unknown): attempts are made.
    Up,
    /// Known to be down: no attempts until it comes back.
    Down,
}

/// The app's visibility and what the client did about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    /// The app is visible.
    Foreground,
    /// The app is hidden; the connection is kept (until the grace runs out, if there is one).
    Background,
    /// The app is hidden and the client let go of the connection (`disconnected` with
    /// `BACKGROUNDED`). Foreground connects again.
    Parked,
}

/// How long the client has been without a connection it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outage {
    /// Connected, stopped, or never tried.
    Online,
    /// Connecting since `since`, not yet suspended (the `Suspend` timer runs).
    Offline {
        /// When the outage started.
        since: Instant,
    },
    /// Offline for longer than `suspend_after`: calls fail fast and retries slow down. Stays so
    /// until a successful connect or a new `connect` call.
    Suspended,
}

/// A push wake in progress.
#[derive(Debug)]
pub(super) struct Waking {
    pub(super) started: Instant,
    pub(super) counts: BTreeMap<String, u64>,
    /// The app had disconnected the client itself (not parked): disconnect again afterwards.
    pub(super) was_disconnected: bool,
}

/// Network, presence, outage and wake.
#[derive(Debug)]
pub(super) struct Lifecycle {
    pub(super) network: Network,
    pub(super) presence: Presence,
    pub(super) outage: Outage,
    pub(super) waking: Option<Waking>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self { network: Network::Up, presence: Presence::Foreground, outage: Outage::Online, waking: None }
    }
}

impl Lifecycle {
    pub(super) fn network_down(&self) -> bool {
        self.network == Network::Down
    }

    /// What the app last said about its visibility.
    pub(super) fn app_state(&self) -> AppState {
        match self.presence {
            Presence::Foreground => AppState::Foreground,
            Presence::Background | Presence::Parked => AppState::Background,
        }
    }

    pub(super) fn is_parked(&self) -> bool {
        self.presence == Presence::Parked
    }

    /// A parked client that starts again (connect or disconnect called) is merely in the background.
    pub(super) fn unpark(&mut self) {
        if self.presence == Presence::Parked {
            self.presence = Presence::Background;
        }
    }

    pub(super) fn is_suspended(&self) -> bool {
        self.outage == Outage::Suspended
    }

    pub(super) fn is_waking(&self) -> bool {
        self.waking.is_some()
    }

    /// Counts a publication delivered during a wake.
    pub(super) fn count_delivery(&mut self, channel: &str) {
        if let Some(waking) = self.waking.as_mut() {
            match waking.counts.get_mut(channel) {
                Some(n) => *n += 1,
                None => {
                    waking.counts.insert(channel.to_owned(), 1);
                }
            }
        }
    }
}
