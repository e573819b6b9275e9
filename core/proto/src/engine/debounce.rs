//! Publish debounce: the server's hint (`SubscribeResult.publish_debounce`, uint32 milliseconds) that
//! publishes made through a subscription should be coalesced.
//!
//! Only [`Request::SubscriptionPublish`](super::Request::SubscriptionPublish) is debounced (publishes
//! made through the subscription object, per channel); `Request::Publish` never is. With a window `w`:
//!
//! - a publish outside any window goes out at once, as an ordinary request answered by the server, and
//!   opens a window (`TimerKey::Debounce`, armed at `now + w`);
//! - a publish inside the window is held, replacing any value held before (only the newest is kept),
//!   and the call resolves at once with [`Response::Debounced`](super::Response::Debounced);
//! - when the window ends, the held value (if any) is sent fire-and-forget (a failure shows as the
//!   subscription's error event) and a new window opens; with nothing held the window just ends.
//!
//! The held value is dropped, and the window closed, when the subscription ends or resubscribes and
//! when the connection is lost: it belonged to a subscription that no longer exists.

use web_time::Instant;

use super::Engine;
use super::commands::InflightKind;
use super::timers::TimerKey;
use crate::error::Error;
use crate::event::{ClientState, SubscriptionEvent, SubscriptionState};
use crate::wire::{CommandBody, ErrorReply, Payload, PublishRequest};

impl Engine {
    /// Applies the debounce to a publish through the subscription to `channel`. Returns true when the
    /// value was held (the caller answers `Debounced`); false when it should go out now as an ordinary
    /// request (opening a window if the subscription has a debounce).
    pub(super) fn debounce_publish(&mut self, channel: &str, data: &Payload, now: Instant) -> bool {
        let connected = self.state == ClientState::Connected;
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return false;
        };
        if !connected || sub.state != SubscriptionState::Subscribed || sub.debounce.is_zero() {
            return false;
        }
        let key = TimerKey::debounce(channel);
        if self.timers.is_armed(&key) {
            sub.pending_publish = Some(data.clone());
            return true;
        }
        self.timers.set(key, now + sub.debounce);
        false
    }

    /// The debounce window of `channel` ended: send what it held, fire-and-forget, and open the next one.
    pub(super) fn debounce_window_ended(&mut self, channel: &str, now: Instant) {
        self.timers.clear(&TimerKey::debounce(channel));
        let connected = self.state == ClientState::Connected;
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        let Some(data) = sub.pending_publish.take() else {
            return;
        };
        if !connected || sub.state != SubscriptionState::Subscribed {
            return;
        }
        let window = sub.debounce;
        self.timers.set(TimerKey::debounce(channel), now + window);
        let body = CommandBody::Publish(PublishRequest { channel: channel.to_owned(), data });
        self.send_command(body, InflightKind::DebouncedPublish { channel: channel.to_owned() }, now);
    }

    /// The reply to a debounced publish: nobody waits for it, so a failure becomes an error event.
    pub(super) fn on_debounced_publish_reply(&mut self, channel: &str, error: Option<ErrorReply>) {
        if let Some(error) = error {
            tracing::debug!(channel, code = error.code, "a debounced publish failed");
            if self.subs.client.contains_key(channel) {
                self.sub_event(channel, SubscriptionEvent::Error(Error::from(error)));
            }
        }
    }
}
