//! Heartbeats: the pong the server asks for, and the watchdog that declares a silent connection dead
//! (PROTOCOL.md 5).
//!
//! The watchdog's deadline is `TimerKey::PingWatchdog` in the [timer table](super::timers). It is armed
//! only while a connect reply with a non-zero ping interval is in effect (`session` is set): the connect
//! reply arms it, leaving the connection clears it. Frames move only
//! `last_frame_at`; when the deadline fires early it is moved to `last_frame_at + window`, so a busy
//! stream does not re-arm a timer per frame.

use web_time::{Duration, Instant};

use super::Engine;
use super::timers::TimerKey;
use crate::codes;
use crate::wire::CommandBody;

impl Engine {
    /// The heartbeat watchdog: any received frame proves the connection alive for another
    /// `ping + max_server_ping_delay`. Only `last_frame_at` moves per frame; the deadline the driver
    /// sleeps on moves when it fires early, so a busy stream does not re-arm a timer per frame.
    pub(super) fn rearm_ping_watchdog(&mut self, now: Instant) {
        self.last_frame_at = now;
        if !self.timers.is_armed(&TimerKey::PingWatchdog) {
            self.timers.set_or_clear(TimerKey::PingWatchdog, self.ping_window().map(|w| now + w));
        }
    }

    fn ping_window(&self) -> Option<Duration> {
        match &self.session {
            Some(s) if !s.ping.is_zero() && !self.config.max_server_ping_delay.is_zero() => {
                Some(s.ping + self.config.max_server_ping_delay)
            }
            _ => None,
        }
    }

    /// A server ping: answer with exactly one pong when asked to.
    pub(super) fn on_ping(&mut self) {
        if self.session.as_ref().is_some_and(|s| s.pong) {
            self.tx_queue.push(crate::wire::Command { id: 0, body: CommandBody::Pong });
        }
    }

    /// The watchdog fired: move it out if a frame arrived since it was armed, else reconnect.
    pub(super) fn ping_timeout(&mut self, now: Instant) {
        if self.timers.is_due(&TimerKey::PingWatchdog, now) {
            let extended = self.ping_window().map(|w| self.last_frame_at + w).filter(|d| *d > now);
            if let Some(extended) = extended {
                self.timers.set(TimerKey::PingWatchdog, extended);
            } else {
                tracing::debug!("no frame from the server within the ping window");
                self.go_connecting(codes::connecting::NO_PING, "no ping", now);
            }
        }
    }
}
