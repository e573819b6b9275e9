//! Delivering a publication of a client-side subscription: fossil delta decoding, the exactly-once
//! filter, position bookkeeping, and the resubscribe that repairs a broken delta chain.

use web_time::Instant;

use super::Engine;
use super::commands::InflightKind;
use super::timers::TimerKey;
use crate::codec::Format;
use crate::event::{SubscriptionEvent, SubscriptionState};
use crate::wire::{CommandBody, Payload, Publication, UnsubscribeRequest};

/// The unsubscribe-range code used when the client itself finds the stream state unusable (the same
/// meaning as the server's 2500 "insufficient state": resubscribe and recover).
const LOCAL_INSUFFICIENT_STATE: u32 = 2500;

impl Engine {
    /// Decodes, filters and delivers one publication. Returns false when the subscription had to
    /// resubscribe instead (a delta could not be applied): the rest of a batch must be dropped then.
    pub(super) fn deliver_publication(
        &mut self,
        channel: &str,
        mut publication: Publication,
        now: Instant,
    ) -> bool {
        let format = self.codec.format();
        let Some(sub) = self.subs.client.get_mut(channel) else { return false };
        if let Some(state) = sub.delta.as_mut() {
            let data = match format {
                Format::Json => crate::delta::json_string_bytes(&publication.data),
                Format::Protobuf => Ok(publication.data.bytes().clone()),
            };
            match data.and_then(|bytes| state.next(bytes, publication.delta)) {
                Ok(full) => {
                    publication.data = Payload::from_raw(full);
                    publication.delta = false;
                }
                Err(e) => {
                    tracing::warn!(channel, error = %e, "a delta could not be applied; resubscribing");
                    self.resubscribe_after_bad_stream(channel, &format!("bad delta: {e}"), now);
                    return false;
                }
            }
        }
        if !sub.recovery.accept_publication(publication.offset, &publication.epoch) {
            tracing::debug!(channel, offset = publication.offset, "dropping a duplicate publication");
            return true;
        }
        if publication.offset > 0 {
            self.position_moved(channel);
        }
        self.count_wake_delivery(channel);
        self.sub_event(channel, SubscriptionEvent::Publication(publication));
        true
    }

    /// The stream state is unusable (a delta failed): never deliver corrupt data; unsubscribe and
    /// subscribe again, recovering from the last publication delivered whole.
    fn resubscribe_after_bad_stream(&mut self, channel: &str, reason: &str, now: Instant) {
        let Some(sub) = self.subs.client.get_mut(channel) else { return };
        if sub.state != SubscriptionState::Subscribed {
            return;
        }
        sub.state = SubscriptionState::Subscribing;
        sub.inflight = None;
        sub.pending_publish = None;
        self.timers.clear(&TimerKey::sub_refresh(channel));
        self.timers.clear(&TimerKey::debounce(channel));
        self.subs.release_id(channel);
        let body = CommandBody::Unsubscribe(UnsubscribeRequest { channel: channel.to_owned() });
        self.send_command(body, InflightKind::Unsubscribe, now);
        self.sub_event(channel, SubscriptionEvent::Error(crate::error::Error::Protocol(reason.to_owned())));
        self.sub_event(
            channel,
            SubscriptionEvent::Subscribing { code: LOCAL_INSUFFICIENT_STATE, reason: reason.to_owned() },
        );
        self.try_subscribe(channel, now);
    }
}
