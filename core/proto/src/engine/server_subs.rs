//! Server-side subscriptions: channels the server subscribed this connection to (from the token's
//! `channels` claim, or later with a `subscribe` push). The app does not manage them; it only hears
//! their events. Their positions are sent back in `connect` so the server can recover them.

use std::collections::BTreeMap;

use web_time::Instant;

use super::Engine;
use crate::event::{ClientEvent, SubscribedInfo};
use crate::recovery::Recovery;
use crate::wire::{StreamPosition, SubscribePush, SubscribeResult};

/// One server-side subscription.
#[derive(Debug, Default)]
pub(super) struct ServerSub {
    pub(super) recovery: Recovery,
}

impl Engine {
    /// Applies `ConnectResult.subs`: the full set of server-side subscriptions of the new connection.
    pub(super) fn apply_server_subs(&mut self, subs: BTreeMap<String, SubscribeResult>, _now: Instant) {
        let gone: Vec<String> = self.subs.server.keys().filter(|c| !subs.contains_key(*c)).cloned().collect();
        for channel in gone {
            self.subs.server.remove(&channel);
            self.subs.release_id(&channel);
            self.client_event(ClientEvent::ServerUnsubscribed { channel });
        }
        for (channel, result) in subs {
            let sub = self.subs.server.entry(channel.clone()).or_default();
            let last_delivered = sub.recovery.position().cloned();
            sub.recovery.on_subscribed(&result);
            let info = SubscribedInfo::from(&result);
            self.subs.assign_id(&channel, result.id);
            let gap = super::subscriptions::gap(last_delivered, &info);
            self.client_event(ClientEvent::ServerSubscribed { channel: channel.clone(), info });
            if let Some(gap) = gap {
                self.client_event(ClientEvent::ServerGap { channel: channel.clone(), gap });
            }
            for publication in result.publications {
                let accepted =
                    self.subs.server.get_mut(&channel).is_some_and(|s| {
                        s.recovery.accept_publication(publication.offset, &publication.epoch)
                    });
                if accepted {
                    self.client_event(ClientEvent::ServerPublication {
                        channel: channel.clone(),
                        publication,
                    });
                }
            }
        }
    }

    /// A `subscribe` push: the server added a server-side subscription at runtime.
    pub(super) fn on_server_subscribe_push(&mut self, channel: String, push: SubscribePush) {
        let sub = self.subs.server.entry(channel.clone()).or_default();
        sub.recovery.on_server_subscribe(push.recoverable, push.positioned, push.offset, &push.epoch);
        let info = SubscribedInfo {
            recoverable: push.recoverable,
            positioned: push.positioned,
            position: (push.recoverable || push.positioned)
                .then(|| StreamPosition { offset: push.offset, epoch: push.epoch.clone() }),
            data: push.data,
            ..SubscribedInfo::default()
        };
        self.client_event(ClientEvent::ServerSubscribed { channel, info });
    }
}
