//! What a test reads back: states, sent commands, events, deliveries and outcomes.

use super::{Sent, Sim};
use crate::engine::{RequestId, Response};
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, Event, SubscriptionEvent, SubscriptionState};

impl Sim {
    pub(in crate::engine::tests) fn state(&self) -> ClientState {
        self.engine.state()
    }

    pub(in crate::engine::tests) fn sub_state(&self, channel: &str) -> Option<SubscriptionState> {
        self.engine.subscription_state(channel)
    }

    /// Every transmitted command of one kind, in order.
    pub(in crate::engine::tests) fn sent_of(&self, kind: &str) -> Vec<Sent> {
        self.sent.iter().filter(|s| s.kind == kind).cloned().collect()
    }

    pub(in crate::engine::tests) fn last(&self, kind: &str) -> Sent {
        self.sent_of(kind).pop().unwrap_or_else(|| panic!("no {kind} command was sent"))
    }

    /// The kinds of the commands in frame number `index`.
    pub(in crate::engine::tests) fn frame_kinds(&self, index: usize) -> Vec<String> {
        self.sent.iter().filter(|s| s.frame == index).map(|s| s.kind.clone()).collect()
    }

    pub(in crate::engine::tests) fn client_events(&self) -> Vec<ClientEvent> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Client(event) => Some(event.clone()),
                Event::Subscription { .. } => None,
            })
            .collect()
    }

    pub(in crate::engine::tests) fn sub_events(&self, channel: &str) -> Vec<SubscriptionEvent> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Subscription { channel: c, event } if c == channel => Some(event.clone()),
                _ => None,
            })
            .collect()
    }

    /// Codes of the `Connecting` client events.
    pub(in crate::engine::tests) fn connecting_codes(&self) -> Vec<u32> {
        let codes = self.client_events().into_iter();
        codes
            .filter_map(|e| if let ClientEvent::Connecting { code, .. } = e { Some(code) } else { None })
            .collect()
    }

    /// Codes of the `Disconnected` client events.
    pub(in crate::engine::tests) fn disconnected_codes(&self) -> Vec<u32> {
        let codes = self.client_events().into_iter();
        codes
            .filter_map(|e| if let ClientEvent::Disconnected { code, .. } = e { Some(code) } else { None })
            .collect()
    }

    /// Offsets of the publications delivered to the client-side subscription `channel`.
    pub(in crate::engine::tests) fn delivered(&self, channel: &str) -> Vec<u64> {
        let events = self.sub_events(channel).into_iter();
        events
            .filter_map(|e| if let SubscriptionEvent::Publication(p) = e { Some(p.offset) } else { None })
            .collect()
    }

    /// Offsets of the publications delivered for the server-side subscription `channel`.
    pub(in crate::engine::tests) fn server_delivered(&self, channel: &str) -> Vec<u64> {
        self.client_events()
            .into_iter()
            .filter_map(|e| match e {
                ClientEvent::ServerPublication { channel: c, publication } if c == channel => {
                    Some(publication.offset)
                }
                _ => None,
            })
            .collect()
    }

    /// The outcome of app request `id`, if it arrived.
    pub(in crate::engine::tests) fn outcome(&self, id: RequestId) -> Option<&Result<Response, Error>> {
        let mut outcomes = self.replies.iter().filter(|(r, _)| *r == id);
        let first = outcomes.next().map(|(_, result)| result);
        assert!(outcomes.next().is_none(), "request {id:?} got two outcomes");
        first
    }

    /// Forgets the events seen so far.
    pub(in crate::engine::tests) fn clear_events(&mut self) {
        self.events.clear();
    }
}
