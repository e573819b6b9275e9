//! App-owned state: subscriptions whose app loads the channel's state itself (a state loader).
//!
//! With a loader, every `subscribe` carries the reject-unrecovered flag (`SubscribeRequest.flag` bit 2,
//! value 2) so the server answers error 112 instead of a silent `recovered: false` when it cannot replay
//! from the position sent. The loader is asked ([`Output::LoadState`]) whenever the subscription has no
//! position to recover from: on the first subscribe without a stored position, after error 112, and after
//! the server invalidated the state (unsubscribe 2502, disconnect 3014). Its answer becomes the position
//! the subscribe recovers from, and reaches the app as [`SubscriptionEvent::StateLoaded`] before any
//! publication after that position. A failed load is reported as an error event and retried after the
//! resubscribe backoff.
//!
//! The load is started only when the subscribe can follow at once (the connection can carry it), so the
//! state is as fresh as possible when recovery starts from it.

use web_time::Instant;

use super::timers::TimerKey;
use super::{Engine, LoadedState, Output, StateRequest, StateRequestId};
use crate::error::Error;
use crate::event::{SubscriptionEvent, SubscriptionState};
use crate::recovery::Recovery;

impl Engine {
    /// Answers a [`StateRequest`]: the loaded state, or why the loader failed. Answers the engine no
    /// longer waits for (the subscription ended, or was removed) are ignored.
    pub fn handle_state(&mut self, id: StateRequestId, result: Result<LoadedState, String>, now: Instant) {
        self.on_state(id, result, now);
        self.flush();
    }

    /// Asks the driver to run `channel`'s state loader.
    pub(super) fn load_state(&mut self, channel: &str) {
        self.next_state_request += 1;
        let id = StateRequestId(self.next_state_request);
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        sub.state_fetch = Some(id);
        self.emit(Output::LoadState(StateRequest { id, channel: channel.to_owned() }));
    }

    fn on_state(&mut self, id: StateRequestId, result: Result<LoadedState, String>, now: Instant) {
        let Some((channel, sub)) = self.subs.client.iter_mut().find(|(_, s)| s.state_fetch == Some(id))
        else {
            tracing::debug!(id = id.0, "discarding a state answer nobody waits for any more");
            return;
        };
        let channel = channel.clone();
        sub.state_fetch = None;
        if sub.state != SubscriptionState::Subscribing {
            return;
        }
        match result {
            Ok(LoadedState { position, state }) => {
                sub.recovery = Recovery::new(Some(position.clone()));
                sub.delta = None;
                self.position_moved(&channel);
                self.sub_event(&channel, SubscriptionEvent::StateLoaded { state, position });
                self.try_subscribe(&channel, now);
            }
            Err(reason) => {
                let delay = sub.resubscribe.next_delay(&mut self.rng);
                self.timers.set(TimerKey::resubscribe(&channel), now + delay);
                let error = Error::Callback(format!("state loader failed: {reason}"));
                self.sub_event(&channel, SubscriptionEvent::Error(error));
            }
        }
    }
}
