//! Client-side subscriptions: subscribe, unsubscribe, resubscribe with backoff and recovery.

use web_time::Instant;

use super::Engine;
use super::commands::InflightKind;
use super::sub_table::Subscriptions;
use super::timers::TimerKey;
use super::tokens::SubTokenPurpose;
use crate::codes;
use crate::error::Error;
use crate::event::{ClientState, Gap, SubscribedInfo, SubscriptionEvent, SubscriptionState};
use crate::wire::{CommandBody, ErrorReply, ReplyBody, StreamPosition, SubscribeRequest, UnsubscribeRequest};

/// The gap a (re)subscribe reveals: it asked to recover and the server could not replay everything.
pub(super) fn gap(last_delivered: Option<StreamPosition>, info: &SubscribedInfo) -> Option<Gap> {
    (info.was_recovering && !info.recovered).then(|| Gap {
        last_delivered: last_delivered.filter(|p| p.epoch != crate::recovery::INVALIDATED_EPOCH),
        resumed_from: info.position.clone(),
    })
}

impl Engine {
    /// Starts subscribing to `channel` (a no-op unless it is `unsubscribed`).
    ///
    /// # Errors
    /// [`Error::Closed`] after close; [`Error::InvalidChannel`] if no such subscription was created.
    pub fn subscribe(&mut self, channel: &str, now: Instant) -> Result<(), Error> {
        if let Some(err) = self.is_closed_error() {
            return Err(err);
        }
        let sub =
            self.subs.client.get_mut(channel).ok_or_else(|| {
                Error::InvalidChannel(format!("no subscription to {channel:?} was created"))
            })?;
        if sub.state != SubscriptionState::Unsubscribed {
            return Ok(());
        }
        sub.state = SubscriptionState::Subscribing;
        sub.resubscribe.reset();
        self.sub_event(
            channel,
            SubscriptionEvent::Subscribing {
                code: codes::subscribing::SUBSCRIBE_CALLED,
                reason: "subscribe called".to_owned(),
            },
        );
        self.try_subscribe(channel, now);
        self.flush();
        Ok(())
    }

    /// Stops the subscription to `channel`; its position is kept so a later `subscribe` recovers.
    pub fn unsubscribe(&mut self, channel: &str, now: Instant) {
        self.end_subscription(
            channel,
            codes::unsubscribed::UNSUBSCRIBE_CALLED,
            "unsubscribe called",
            true,
            now,
        );
        self.flush();
    }

    /// Unsubscribes and forgets the subscription to `channel`.
    pub fn remove_subscription(&mut self, channel: &str, now: Instant) {
        self.unsubscribe(channel, now);
        self.subs.client.remove(channel);
        Subscriptions::disarm(channel, &mut self.timers);
    }

    /// Moves a subscription to `unsubscribed`, telling the server when it may think we are subscribed.
    pub(super) fn end_subscription(
        &mut self,
        channel: &str,
        code: u32,
        reason: &str,
        tell_server: bool,
        now: Instant,
    ) {
        let connected = self.state == ClientState::Connected;
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        if sub.state == SubscriptionState::Unsubscribed {
            return;
        }
        let server_may_know = sub.state == SubscriptionState::Subscribed || sub.inflight.is_some();
        sub.state = SubscriptionState::Unsubscribed;
        sub.inflight = None;
        sub.pending_publish = None;
        Subscriptions::disarm(channel, &mut self.timers);
        sub.token_fetch = None;
        sub.state_fetch = None;
        self.subs.release_id(channel);
        if tell_server && server_may_know && connected {
            let body = CommandBody::Unsubscribe(UnsubscribeRequest { channel: channel.to_owned() });
            self.send_command(body, InflightKind::Unsubscribe, now);
        }
        self.sub_event(channel, SubscriptionEvent::Unsubscribed { code, reason: reason.to_owned() });
        self.check_wake(now);
    }

    /// Sends `subscribe` for every subscribing subscription that has nothing in flight.
    pub(super) fn send_pending_subscribes(&mut self, now: Instant) {
        let channels: Vec<String> = self
            .subs
            .client
            .iter()
            .filter(|(c, s)| {
                s.state == SubscriptionState::Subscribing
                    && s.inflight.is_none()
                    && s.token_fetch.is_none()
                    && s.state_fetch.is_none()
                    && !self.timers.is_armed(&TimerKey::resubscribe(c))
            })
            .map(|(c, _)| c.clone())
            .collect();
        for channel in channels {
            self.try_subscribe(&channel, now);
        }
    }

    /// Sends `subscribe` now if the connection can carry it, fetching a token first when needed.
    pub(super) fn try_subscribe(&mut self, channel: &str, now: Instant) {
        let optimistic = self.transport.as_ref().is_some_and(|s| s.is_optimistic());
        let can_send = self.open_transport_id().is_some()
            && (self.state == ClientState::Connected || (optimistic && self.inflight_connect()));
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        if sub.state != SubscriptionState::Subscribing
            || sub.inflight.is_some()
            || sub.token_fetch.is_some()
            || sub.state_fetch.is_some()
        {
            return;
        }
        if sub.needs_state() {
            // The app loads its state right before the subscribe that recovers from it.
            if can_send {
                self.timers.clear(&TimerKey::resubscribe(channel));
                self.load_state(channel);
            }
            return;
        }
        if sub.needs_token() {
            self.fetch_subscription_token(channel, SubTokenPurpose::Subscribe);
            return;
        }
        if !can_send {
            return;
        }
        self.timers.clear(&TimerKey::resubscribe(channel));
        let (recover, offset, epoch) = sub.recovery.subscribe_fields();
        let request = SubscribeRequest {
            channel: channel.to_owned(),
            token: sub.token.clone(),
            recover,
            offset,
            epoch,
            data: sub.config.data.clone(),
            positioned: sub.config.positioned,
            recoverable: sub.config.recoverable,
            join_leave: sub.config.join_leave,
            delta: if sub.config.delta { "fossil".to_owned() } else { String::new() },
            tf: sub.config.tags_filter.clone(),
            flag: codes::subscribe_flags::CHANNEL_COMPACTION
                | if sub.config.has_state_loader { codes::subscribe_flags::REJECT_UNRECOVERED } else { 0 },
        };
        let kind = InflightKind::Subscribe { channel: channel.to_owned() };
        let id = self.send_command(CommandBody::Subscribe(request), kind, now);
        if let Some(sub) = self.subs.client.get_mut(channel) {
            sub.inflight = Some(id);
        }
    }

    fn inflight_connect(&self) -> bool {
        self.commands.connect_in_flight()
    }

    pub(super) fn on_subscribe_reply(
        &mut self,
        channel: &str,
        command_id: u32,
        error: Option<ErrorReply>,
        body: ReplyBody,
        now: Instant,
    ) {
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        if sub.inflight != Some(command_id) {
            // An answer to a subscribe the app has since cancelled.
            return;
        }
        sub.inflight = None;
        if let Some(err) = error {
            let error = Error::from(err.clone());
            if err.code == codes::server_error::UNRECOVERABLE_POSITION && sub.config.has_state_loader {
                // The reject-unrecovered flag at work: the position is too old. Forget it and let the app
                // reload its state, then recover from the position it returns.
                tracing::debug!(channel, "position unrecoverable; asking the state loader");
                sub.recovery = crate::recovery::Recovery::new(None);
                sub.delta = None;
                self.try_subscribe(channel, now);
                return;
            }
            if codes::subscribe_error_is_retryable(err.code, err.temporary) {
                if err.code == codes::server_error::TOKEN_EXPIRED {
                    sub.token.clear();
                    sub.token_required = true;
                }
                let delay = sub.resubscribe.next_delay(&mut self.rng);
                self.timers.set(TimerKey::resubscribe(channel), now + delay);
                self.sub_event(channel, SubscriptionEvent::Error(error));
            } else {
                self.end_subscription(channel, err.code, &err.message, false, now);
            }
            return;
        }
        let ReplyBody::Subscribe(result) = body else {
            self.protocol_violation("unexpected reply to subscribe", now);
            return;
        };
        sub.state = SubscriptionState::Subscribed;
        sub.resubscribe.reset();
        self.timers.clear(&TimerKey::resubscribe(channel));
        let last_delivered = sub.recovery.position().cloned();
        sub.recovery.on_subscribed(&result);
        // A delta chain survives only a successful recovery; otherwise the next publication is whole.
        sub.delta = match (result.delta, sub.delta.take()) {
            (true, Some(state)) if result.recovered => Some(state),
            (true, _) => Some(crate::delta::DeltaState::new()),
            (false, _) => None,
        };
        let info = SubscribedInfo::from(&result);
        self.subs.assign_id(channel, result.id);
        if let Some(sub) = self.subs.client.get_mut(channel) {
            sub.debounce = web_time::Duration::from_millis(u64::from(result.publish_debounce));
        }
        self.schedule_sub_refresh(channel, result.expires, result.ttl, now);
        self.sub_event(channel, SubscriptionEvent::Subscribed(info.clone()));
        if let Some(gap) = gap(last_delivered, &info) {
            self.sub_event(channel, SubscriptionEvent::Gap(gap));
        }
        if info.position.is_some() {
            self.position_moved(channel);
        }
        for publication in result.publications {
            if !self.deliver_publication(channel, publication, now) {
                break;
            }
        }
        self.check_wake(now);
    }

    pub(super) fn on_unsubscribe_push(&mut self, channel: &str, code: u32, reason: &str, now: Instant) {
        if !codes::unsubscribe_resubscribes(code) {
            self.end_subscription(channel, code, reason, false, now);
            return;
        }
        let has_provider = {
            let Some(sub) = self.subs.client.get_mut(channel) else {
                return;
            };
            if sub.state == SubscriptionState::Unsubscribed {
                return;
            }
            sub.state = SubscriptionState::Subscribing;
            sub.inflight = None;
            sub.pending_publish = None;
            self.timers.clear(&TimerKey::sub_refresh(channel));
            self.timers.clear(&TimerKey::debounce(channel));
            // A refresh fetch belonged to the subscription the server just ended: it would hold back
            // the resubscribe, and its answer would be dropped anyway.
            if matches!(sub.token_fetch, Some((_, SubTokenPurpose::Refresh))) {
                sub.token_fetch = None;
            }
            if code == codes::server_unsubscribe::STATE_INVALIDATED {
                sub.invalidate_state();
                if sub.config.has_token_provider {
                    sub.token.clear();
                    sub.token_required = true;
                }
            }
            sub.config.has_token_provider
        };
        self.subs.release_id(channel);
        if code == codes::server_unsubscribe::SUBSCRIPTION_EXPIRED
            && has_provider
            && let Some(sub) = self.subs.client.get_mut(channel)
        {
            sub.token_required = true;
        }
        self.sub_event(channel, SubscriptionEvent::Subscribing { code, reason: reason.to_owned() });
        self.try_subscribe(channel, now);
    }

    /// After disconnect 3014: every recoverable position is forced to "unrecovered".
    pub(super) fn invalidate_all_subscriptions(&mut self) {
        for sub in self.subs.client.values_mut() {
            sub.invalidate_state();
            if sub.config.has_token_provider {
                sub.token.clear();
                sub.token_required = true;
            }
        }
        for sub in self.subs.server.values_mut() {
            sub.recovery.invalidate();
        }
    }

    pub(super) fn subscription_timeouts(&mut self, now: Instant) {
        for (channel, due) in Subscriptions::due(&self.timers, now) {
            if due.resubscribe {
                self.timers.clear(&TimerKey::resubscribe(&channel));
                self.try_subscribe(&channel, now);
            }
            if due.refresh {
                self.timers.clear(&TimerKey::sub_refresh(&channel));
                self.fetch_subscription_token(&channel, SubTokenPurpose::Refresh);
            }
            if due.debounce {
                self.debounce_window_ended(&channel, now);
            }
        }
    }
}
