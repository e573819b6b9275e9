//! Network and app lifecycle: what the OS tells the client, and the long-outage (suspended) policy.
//!
//! - `network_changed(false)`: the connection cannot work, so it is closed and no attempts are made
//!   (they would only burn battery and backoff steps). `network_changed(true)`: reconnect at once,
//!   with a fresh backoff, instead of waiting out a long delay.
//! - `set_app_state(Background)`: after `background_grace` the client lets go of the connection
//!   ("parked": `disconnected` with code [`codes::disconnected::BACKGROUNDED`]); while in the background a
//!   lost connection is not retried. `set_app_state(Foreground)`: a parked client connects again and
//!   every subscription resumes with recovery. With `background_grace: None` the app state is ignored.
//! - `wake(budget)`: for a push notification that woke the app: connect (even in the background),
//!   recover every subscription, then report per-channel counts once caught up (or when the budget ran
//!   out) and return to what the app state asks for (parked again in the background).
//! - After `suspend_after` without a connection, the client emits `Suspended`, fails calls fast, and
//!   retries at the slower `suspended_retry` cadence until it connects.

use std::collections::BTreeMap;

use web_time::{Duration, Instant};

use super::Engine;
use crate::codes;
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, SubscriptionState, WakeReport};

/// A wake in progress.
#[derive(Debug)]
pub(super) struct Waking {
    started: Instant,
    deadline: Instant,
    counts: BTreeMap<String, u64>,
    /// The app had disconnected the client itself (not parked): disconnect again afterwards.
    was_disconnected: bool,
}

/// Whether the app is visible to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppState {
    /// In the foreground.
    #[default]
    Foreground,
    /// In the background (hidden, screen off, or suspended by the OS).
    Background,
}

impl Engine {
    /// Tells the engine whether the device has a network.
    pub fn network_changed(&mut self, available: bool, now: Instant) {
        if self.network_down != available {
            return;
        }
        self.network_down = !available;
        if !available {
            if self.state == ClientState::Connected || self.transport.is_some() {
                self.go_connecting(codes::connecting::TRANSPORT_CLOSED, "network lost", now);
            }
            self.reconnect_at = None;
        } else if self.state == ClientState::Connecting && self.transport.is_none() {
            self.reconnect.reset();
            if self.conn_token_fetch.is_none() {
                self.start_attempt(now);
            }
        }
        self.flush();
    }

    /// Tells the engine whether the app is in the foreground.
    pub fn set_app_state(&mut self, state: AppState, now: Instant) {
        if self.app_state == state {
            return;
        }
        self.app_state = state;
        let Some(grace) = self.config.background_grace else { return };
        match state {
            AppState::Background => {
                if matches!(self.state, ClientState::Connected | ClientState::Connecting) {
                    self.background_at = Some(now + grace);
                }
            }
            AppState::Foreground => {
                self.background_at = None;
                if self.parked {
                    self.parked = false;
                    self.connect(now);
                }
            }
        }
        self.flush();
    }

    /// Lets go of the connection because the app is in the background; foreground resumes it.
    pub(super) fn park(&mut self, now: Instant) {
        self.background_at = None;
        if matches!(self.state, ClientState::Connected | ClientState::Connecting) {
            self.go_disconnected(codes::disconnected::BACKGROUNDED, "app in background", now);
            self.parked = true;
        }
    }

    /// When the client turns suspended, if it stays offline.
    pub(super) fn suspend_at(&self) -> Option<Instant> {
        match (self.state, self.suspended, self.offline_since) {
            (ClientState::Connecting, false, Some(since)) => Some(since + self.config.suspend_after),
            _ => None,
        }
    }

    /// Connects (if needed) for at most `budget`, recovers every subscription, and reports with
    /// [`ClientEvent::WakeFinished`] once caught up or out of time. Afterwards, a client whose app is in
    /// the background lets go of the connection again.
    pub fn wake(&mut self, budget: Duration, now: Instant) {
        if self.state == ClientState::Closed {
            self.client_event(ClientEvent::WakeFinished(WakeReport::default()));
            return;
        }
        if self.waking.is_none() {
            let was_disconnected = self.state == ClientState::Disconnected && !self.parked;
            self.waking = Some(Waking {
                started: now,
                deadline: now + budget,
                counts: BTreeMap::new(),
                was_disconnected,
            });
        }
        self.background_at = None;
        if self.state == ClientState::Disconnected {
            self.connect(now);
        } else if self.state == ClientState::Connecting && self.transport.is_none() && !self.network_down {
            self.reconnect.reset();
            self.start_attempt(now);
        }
        self.check_wake(now);
        self.flush();
    }

    pub(super) fn wake_deadline(&self) -> Option<Instant> {
        self.waking.as_ref().map(|w| w.deadline)
    }

    pub(super) fn is_waking(&self) -> bool {
        self.waking.is_some()
    }

    /// Counts a publication delivered during a wake.
    pub(super) fn count_wake_delivery(&mut self, channel: &str) {
        if let Some(waking) = self.waking.as_mut() {
            match waking.counts.get_mut(channel) {
                Some(n) => *n += 1,
                None => {
                    waking.counts.insert(channel.to_owned(), 1);
                }
            }
        }
    }

    /// Ends the wake when everything is caught up.
    pub(super) fn check_wake(&mut self, now: Instant) {
        let caught_up = self.waking.is_some()
            && self.state == ClientState::Connected
            && self.subs.values().all(|s| s.state != SubscriptionState::Subscribing);
        if caught_up {
            self.finish_wake(true, now);
        }
    }

    fn finish_wake(&mut self, caught_up: bool, now: Instant) {
        let Some(waking) = self.waking.take() else { return };
        let report = WakeReport {
            caught_up,
            publications: waking.counts.clone(),
            elapsed: now.saturating_duration_since(waking.started),
        };
        self.client_event(ClientEvent::WakeFinished(report));
        if self.app_state == AppState::Background && self.config.background_grace.is_some() {
            self.park(now);
        } else if waking.was_disconnected {
            self.go_disconnected(codes::disconnected::DISCONNECT_CALLED, "wake finished", now);
        }
    }

    pub(super) fn lifecycle_timeouts(&mut self, now: Instant) {
        if self.waking.as_ref().is_some_and(|w| w.deadline <= now) {
            self.finish_wake(false, now);
        }
        if self.background_at.is_some_and(|d| d <= now) {
            self.park(now);
        }
        if self.suspend_at().is_some_and(|d| d <= now) {
            self.suspended = true;
            tracing::info!("offline for too long: suspended");
            self.fail_waiting(Error::Suspended);
            self.client_event(ClientEvent::Suspended);
        }
    }
}
