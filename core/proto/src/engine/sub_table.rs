//! The subscriptions part: every client-side subscription with its own state, and the server-side
//! subscriptions of the connection.
//!
//! Invariants:
//! - a channel is a client-side subscription only if the app created it; the server-side map holds only
//!   what the server said (connect reply, `subscribe` pushes) and is never touched by app calls;
//! - a subscription's deadlines are `TimerKey::Resubscribe(channel)`, `TimerKey::SubRefresh(channel)`
//!   and `TimerKey::Debounce(channel)` in the [timer table](super::timers). `Resubscribe` is armed only
//!   while `subscribing` with nothing in flight (a failed subscribe or subscribe token fetch waits out
//!   its backoff); `SubRefresh` only while `subscribed`; `Debounce` only during a publish debounce window
//!   (`subscribed`, with `pending_publish` the newest value held in it). Losing the connection, ending
//!   the subscription and removing it clear all three and drop the held value
//!   ([`Sub::on_connection_lost`], [`Subscriptions::disarm`]);
//! - `inflight` is the id of the one `subscribe` command in flight; a reply under another id is an
//!   answer to a subscribe the app has since cancelled and is ignored.

use std::collections::BTreeMap;

use web_time::Instant;

use super::server_subs::ServerSub;
use super::timers::{TimerKey, Timers};
use super::tokens::SubTokenPurpose;
use crate::backoff::Attempts;
use crate::config::SubscriptionConfig;
use crate::event::SubscriptionState;
use crate::recovery::Recovery;

/// One client-side subscription.
pub(super) struct Sub {
    pub(super) config: SubscriptionConfig,
    pub(super) state: SubscriptionState,
    pub(super) token: String,
    /// After 109 or 2502: the next subscribe needs a fresh token.
    pub(super) token_required: bool,
    pub(super) recovery: Recovery,
    /// The id of the `subscribe` command in flight.
    pub(super) inflight: Option<u32>,
    pub(super) resubscribe: Attempts,
    /// A token fetch in progress.
    pub(super) token_fetch: Option<(super::TokenRequestId, SubTokenPurpose)>,
    /// A state load in progress (subscriptions with a state loader).
    pub(super) state_fetch: Option<super::StateRequestId>,
    /// Set while fossil delta is negotiated: the last full payload, the base of the next delta.
    pub(super) delta: Option<crate::delta::DeltaState>,
    /// The server's publish debounce window (`SubscribeResult.publish_debounce`); zero: none.
    pub(super) debounce: web_time::Duration,
    /// The newest value published during the current debounce window, sent when it ends.
    pub(super) pending_publish: Option<crate::wire::Payload>,
}

/// The subscription token is a secret: `Debug` says whether it is set, never what it is.
impl std::fmt::Debug for Sub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sub")
            .field("config", &self.config)
            .field("state", &self.state)
            .field("token", &crate::config::redacted(&self.token))
            .field("token_required", &self.token_required)
            .field("recovery", &self.recovery)
            .field("inflight", &self.inflight)
            .field("token_fetch", &self.token_fetch)
            .field("state_fetch", &self.state_fetch)
            .field("debounce", &self.debounce)
            .field("pending_publish", &self.pending_publish)
            .finish_non_exhaustive()
    }
}

impl Sub {
    pub(super) fn new(config: SubscriptionConfig) -> Self {
        Self {
            token: config.token.clone(),
            token_required: false,
            recovery: Recovery::new(config.since.clone()),
            state: SubscriptionState::Unsubscribed,
            inflight: None,
            resubscribe: Attempts::new(config.resubscribe),
            token_fetch: None,
            state_fetch: None,
            delta: None,
            debounce: web_time::Duration::ZERO,
            pending_publish: None,
            config,
        }
    }

    /// The connection ended: nothing sent on it is pending any more.
    pub(super) fn on_connection_lost(&mut self, channel: &str, timers: &mut Timers) {
        self.inflight = None;
        self.pending_publish = None;
        Subscriptions::disarm(channel, timers);
        if matches!(self.token_fetch, Some((_, SubTokenPurpose::Refresh))) {
            self.token_fetch = None;
        }
    }

    /// Whether the app's state loader must answer before the next subscribe: it has one, and no
    /// position is known (first subscribe without a stored position, or the server could not recover).
    pub(super) fn needs_state(&self) -> bool {
        self.config.has_state_loader && self.recovery.position().is_none()
    }

    /// The server invalidated the subscription's state (2502, 3014): the delta chain and the position
    /// go. With a state loader the position is forgotten, so the loader is asked again; without one the
    /// next subscribe recovers from an epoch the server never matches, so the app hears of the gap.
    pub(super) fn invalidate_state(&mut self) {
        self.delta = None;
        if self.config.has_state_loader {
            self.recovery = Recovery::new(None);
        } else {
            self.recovery.invalidate();
        }
    }

    pub(super) fn needs_token(&self) -> bool {
        self.config.has_token_provider && (self.token.is_empty() || self.token_required)
    }
}

/// Which timers of one channel are due.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct DueSub {
    pub(super) resubscribe: bool,
    pub(super) refresh: bool,
    pub(super) debounce: bool,
}

/// Client-side and server-side subscriptions, by channel.
#[derive(Debug, Default)]
pub(super) struct Subscriptions {
    pub(super) client: BTreeMap<String, Sub>,
    pub(super) server: BTreeMap<String, ServerSub>,
    /// Channel compaction: `SubscribeResult.id` (> 0) → channel, for this connection only. An entry
    /// exists exactly while the server may send pushes under that id: set by a subscribe reply,
    /// removed when the subscription ends or resubscribes ([`Subscriptions::release_id`]), emptied when
    /// the connection ends (ids are node-local and may be reused after a resubscribe).
    pub(super) compaction: BTreeMap<i64, String>,
}

impl Subscriptions {
    /// Records the compaction id a subscribe reply gave `channel` (ids 0 and below mean none).
    pub(super) fn assign_id(&mut self, channel: &str, id: i64) {
        self.release_id(channel);
        if id > 0
            && let Some(previous) = self.compaction.insert(id, channel.to_owned())
        {
            tracing::debug!(id, previous, channel, "a channel id moved to another channel");
        }
    }

    /// Forgets `channel`'s compaction id, if it has one.
    pub(super) fn release_id(&mut self, channel: &str) {
        self.compaction.retain(|_, c| c != channel);
    }

    /// Clears every timer of `channel`.
    pub(super) fn disarm(channel: &str, timers: &mut Timers) {
        timers.clear(&TimerKey::resubscribe(channel));
        timers.clear(&TimerKey::sub_refresh(channel));
        timers.clear(&TimerKey::debounce(channel));
    }

    /// The channels with a due timer at `now`, in channel order.
    pub(super) fn due(timers: &Timers, now: Instant) -> BTreeMap<String, DueSub> {
        let mut due: BTreeMap<String, DueSub> = BTreeMap::new();
        for key in timers.due(now) {
            match key {
                TimerKey::Resubscribe(channel) => due.entry(channel.clone()).or_default().resubscribe = true,
                TimerKey::SubRefresh(channel) => due.entry(channel.clone()).or_default().refresh = true,
                TimerKey::Debounce(channel) => due.entry(channel.clone()).or_default().debounce = true,
                _ => {}
            }
        }
        due
    }
}
