//! Decoding received frames and routing each reply: command replies by id, pushes by channel (or by the
//! channel compaction id a subscribe reply assigned), pings.

use bytes::Bytes;
use web_time::Instant;

use super::Engine;
use crate::codec::Codec;
use crate::event::{ClientEvent, SubscriptionEvent, SubscriptionState};
use crate::wire::{Push, PushBody, Reply, ReplyBody};

impl Engine {
    pub(super) fn dispatch_frame(&mut self, frame: &Bytes, now: Instant) {
        let replies = match self.codec.decode(frame) {
            Ok(replies) => replies,
            Err(e) => {
                self.protocol_violation(&e.to_string(), now);
                return;
            }
        };
        for reply in replies {
            // A reply may end the connection (a terminal connect error, a disconnect push); the rest of the
            // frame belongs to that connection and is dropped with it.
            if self.transport.is_none() {
                break;
            }
            self.dispatch_reply(reply, now);
        }
    }

    fn dispatch_reply(&mut self, reply: Reply, now: Instant) {
        let Reply { id, error, body } = reply;
        if id > 0 {
            self.on_command_reply(id, error, body, now);
            return;
        }
        match body {
            ReplyBody::Push(push) => self.on_push(push, now),
            ReplyBody::Ping => self.on_ping(),
            _ => tracing::debug!("ignoring a reply without id"),
        }
    }

    fn on_push(&mut self, push: Push, now: Instant) {
        let Push { id, channel, body } = push;
        let channel = if channel.is_empty() && id > 0 {
            match self.subs.compaction.get(&id) {
                Some(channel) => channel.clone(),
                None => {
                    // An id this connection never got (or already released): nothing to deliver it to.
                    tracing::warn!(push_id = id, "dropping a push for an unknown channel id");
                    return;
                }
            }
        } else {
            channel
        };
        match body {
            PushBody::Publication(publication) => self.on_publication(&channel, publication, now),
            PushBody::Join(info) => {
                if self.subs.client.get(&channel).is_some_and(|s| s.state == SubscriptionState::Subscribed) {
                    self.sub_event(&channel, SubscriptionEvent::Join(info));
                } else if self.subs.server.contains_key(&channel) {
                    self.client_event(ClientEvent::ServerJoin { channel, info });
                }
            }
            PushBody::Leave(info) => {
                if self.subs.client.get(&channel).is_some_and(|s| s.state == SubscriptionState::Subscribed) {
                    self.sub_event(&channel, SubscriptionEvent::Leave(info));
                } else if self.subs.server.contains_key(&channel) {
                    self.client_event(ClientEvent::ServerLeave { channel, info });
                }
            }
            PushBody::Unsubscribe { code, reason } => {
                if self.subs.client.contains_key(&channel) {
                    self.on_unsubscribe_push(&channel, code, &reason, now);
                } else if self.subs.server.remove(&channel).is_some() {
                    self.subs.release_id(&channel);
                    self.client_event(ClientEvent::ServerUnsubscribed { channel });
                }
            }
            PushBody::Message(data) => self.client_event(ClientEvent::Message(data)),
            PushBody::Subscribe(sub) => self.on_server_subscribe_push(channel, sub),
            PushBody::Disconnect { code, reason } => {
                self.on_server_disconnect(code, &reason, now);
            }
            PushBody::Refresh { expires, ttl } => self.schedule_refresh(expires, ttl, now),
            PushBody::Connect(_) | PushBody::Unknown => tracing::debug!("ignoring push"),
        }
    }

    fn on_publication(&mut self, channel: &str, publication: crate::wire::Publication, now: Instant) {
        if let Some(sub) = self.subs.client.get(channel) {
            if sub.state == SubscriptionState::Subscribed {
                self.deliver_publication(channel, publication, now);
            }
        } else if let Some(sub) = self.subs.server.get_mut(channel)
            && sub.recovery.accept_publication(publication.offset, &publication.epoch)
        {
            self.client_event(ClientEvent::ServerPublication { channel: channel.to_owned(), publication });
        }
    }
}
