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
use super::lifecycle_state::{Network, Outage, Presence, Waking};
use super::timers::TimerKey;
use crate::codes;
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, SubscriptionState, WakeReport};

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
        if self.life.network_down() != available {
            return;
        }
        self.life.network = if available { Network::Up } else { Network::Down };
        if !available {
            if self.state == ClientState::Connected || self.transport.is_some() {
                self.go_connecting(codes::connecting::TRANSPORT_CLOSED, "network lost", now);
            }
            self.timers.clear(&TimerKey::Reconnect);
        } else if self.state == ClientState::Connecting && self.transport.is_none() {
            self.attempts.reset_backoff();
            if self.conn_token_fetch.is_none() {
                self.start_attempt(now);
            }
        }
        self.flush();
    }

    /// Tells the engine whether the app is in the foreground.
    pub fn set_app_state(&mut self, state: AppState, now: Instant) {
        if self.life.app_state() == state {
            return;
        }
        let was_parked = self.life.is_parked();
        self.life.presence = match state {
            AppState::Foreground => Presence::Foreground,
            AppState::Background => Presence::Background,
        };
        let Some(grace) = self.config.background_grace else { return };
        match state {
            AppState::Background => {
                if matches!(self.state, ClientState::Connected | ClientState::Connecting) {
                    self.timers.set(TimerKey::BackgroundGrace, now + grace);
                }
            }
            AppState::Foreground => {
                self.timers.clear(&TimerKey::BackgroundGrace);
                if was_parked {
                    self.connect(now);
                }
            }
        }
        self.flush();
    }

    /// Lets go of the connection because the app is in the background; foreground resumes it.
    pub(super) fn park(&mut self, now: Instant) {
        self.timers.clear(&TimerKey::BackgroundGrace);
        if matches!(self.state, ClientState::Connected | ClientState::Connecting) {
            self.go_disconnected(codes::disconnected::BACKGROUNDED, "app in background", now);
            self.life.presence = Presence::Parked;
        }
    }

    /// An outage starts (or starts over): the `Suspend` timer runs from `now`.
    pub(super) fn go_offline(&mut self, now: Instant) {
        self.life.outage = Outage::Offline { since: now };
        self.timers.set(TimerKey::Suspend, now + self.config.suspend_after);
    }

    /// Connected: the outage, suspended or not, is over.
    pub(super) fn go_online(&mut self) {
        self.life.outage = Outage::Online;
        self.timers.clear(&TimerKey::Suspend);
    }

    /// The client stops trying: an outage that has not turned suspended is forgotten (a suspended
    /// client stays suspended until it connects or `connect` is called).
    pub(super) fn stop_outage(&mut self) {
        if matches!(self.life.outage, Outage::Offline { .. }) {
            self.life.outage = Outage::Online;
        }
        self.timers.clear(&TimerKey::Suspend);
    }

    /// Connects (if needed) for at most `budget`, recovers every subscription, and reports with
    /// [`ClientEvent::WakeFinished`] once caught up or out of time. Afterwards, a client whose app is in
    /// the background lets go of the connection again.
    pub fn wake(&mut self, budget: Duration, now: Instant) {
        if self.state == ClientState::Closed {
            self.client_event(ClientEvent::WakeFinished(WakeReport::default()));
            return;
        }
        if self.life.waking.is_none() {
            let was_disconnected = self.state == ClientState::Disconnected && !self.life.is_parked();
            self.life.waking = Some(Waking { started: now, counts: BTreeMap::new(), was_disconnected });
            self.timers.set(TimerKey::WakeDeadline, now + budget);
        }
        self.timers.clear(&TimerKey::BackgroundGrace);
        if self.state == ClientState::Disconnected {
            self.connect(now);
        } else if self.state == ClientState::Connecting
            && self.transport.is_none()
            && !self.life.network_down()
        {
            self.attempts.reset_backoff();
            self.start_attempt(now);
        }
        self.check_wake(now);
        // A budget already spent (zero) ends the wake now, whatever a fast network would answer next.
        if self.timers.is_due(&TimerKey::WakeDeadline, now) {
            self.finish_wake(false, now);
        }
        self.flush();
    }

    /// Counts a publication delivered during a wake.
    pub(super) fn count_wake_delivery(&mut self, channel: &str) {
        self.life.count_delivery(channel);
    }

    /// Ends the wake when everything is caught up.
    pub(super) fn check_wake(&mut self, now: Instant) {
        let caught_up = self.life.is_waking()
            && self.state == ClientState::Connected
            && self.subs.client.values().all(|s| s.state != SubscriptionState::Subscribing);
        if caught_up {
            self.finish_wake(true, now);
        }
    }

    fn finish_wake(&mut self, caught_up: bool, now: Instant) {
        let Some(waking) = self.life.waking.take() else { return };
        self.timers.clear(&TimerKey::WakeDeadline);
        let report = WakeReport {
            caught_up,
            publications: waking.counts.clone(),
            elapsed: now.saturating_duration_since(waking.started),
        };
        self.client_event(ClientEvent::WakeFinished(report));
        if self.life.app_state() == AppState::Background && self.config.background_grace.is_some() {
            self.park(now);
        } else if waking.was_disconnected {
            self.go_disconnected(codes::disconnected::DISCONNECT_CALLED, "wake finished", now);
        }
    }

    pub(super) fn lifecycle_timeouts(&mut self, now: Instant) {
        if self.timers.is_due(&TimerKey::WakeDeadline, now) {
            self.finish_wake(false, now);
        }
        if self.timers.is_due(&TimerKey::BackgroundGrace, now) {
            self.park(now);
        }
        if self.timers.is_due(&TimerKey::Suspend, now) {
            self.timers.clear(&TimerKey::Suspend);
            self.life.outage = Outage::Suspended;
            tracing::info!("offline for too long: suspended");
            self.fail_waiting(Error::Suspended);
            self.client_event(ClientEvent::Suspended);
        }
    }
}
