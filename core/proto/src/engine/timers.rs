//! The timer table: every deadline of the engine in one ordered index.
//!
//! Each timer has a [`TimerKey`]: one key per connection-level timer, one per command in flight, one
//! per app request waiting for the connection, and up to three per client-side subscription. A key is armed at
//! most once; arming it again moves it. [`Timers`] keeps two views of the same set:
//!
//! - `armed`: key → deadline, for "is this timer armed, and when does it fire";
//! - `order`: `(deadline, key)` pairs in a `BTreeSet`, so the earliest deadline is the first element and
//!   the due timers are a prefix.
//!
//! **Invariant (kept by this file alone):** `(at, key) ∈ order` ⇔ `armed[key] == at`. Only [`Timers::set`]
//! and [`Timers::clear`] change either view, and they change both. So [`Engine::poll_timeout`] is
//! `order.first()`, not a scan.
//!
//! **Invariant (kept by the parts):** the table holds the only copy of every deadline; no part stores a
//! deadline of its own. A timer is armed exactly while the state it belongs to holds (a command is in
//! flight, a transport is opening, the client is offline and not yet suspended, ...), and every
//! transition that leaves that state clears it. The parts' files name the transitions for their timers.
//!
//! [`Engine::poll_timeout`]: super::Engine::poll_timeout

use std::collections::{BTreeSet, HashMap};

use web_time::Instant;

use super::RequestId;

/// What a deadline is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum TimerKey {
    /// A push wake ran out of budget.
    WakeDeadline,
    /// The app has been in the background for `background_grace`: park.
    BackgroundGrace,
    /// The client has been offline for `suspend_after`: suspend.
    Suspend,
    /// The transport did not open within `timeout`.
    OpenDeadline,
    /// No frame from the server within the ping window.
    PingWatchdog,
    /// The next connection attempt.
    Reconnect,
    /// Refresh the connection token.
    Refresh,
    /// The reply to command `id` is late.
    Command(u32),
    /// The app request has waited for the connection for `offline_queue_timeout`.
    Waiting(RequestId),
    /// Subscribe to the channel again.
    Resubscribe(String),
    /// Refresh the channel's subscription token.
    SubRefresh(String),
    /// The channel's publish debounce window ends.
    Debounce(String),
}

impl TimerKey {
    /// The resubscribe timer of `channel`.
    pub(super) fn resubscribe(channel: &str) -> Self {
        TimerKey::Resubscribe(channel.to_owned())
    }

    /// The token refresh timer of `channel`.
    pub(super) fn sub_refresh(channel: &str) -> Self {
        TimerKey::SubRefresh(channel.to_owned())
    }

    /// The publish debounce window of `channel`.
    pub(super) fn debounce(channel: &str) -> Self {
        TimerKey::Debounce(channel.to_owned())
    }
}

/// The armed timers. See the [module docs](self) for the invariants.
#[derive(Debug, Default)]
pub(super) struct Timers {
    armed: HashMap<TimerKey, Instant>,
    order: BTreeSet<(Instant, TimerKey)>,
}

impl Timers {
    /// Arms `key` to fire at `at`, moving it if it was armed.
    pub(super) fn set(&mut self, key: TimerKey, at: Instant) {
        if let Some(old) = self.armed.insert(key.clone(), at) {
            self.order.remove(&(old, key.clone()));
        }
        self.order.insert((at, key));
    }

    /// Arms `key` at `at`, or clears it when `at` is `None`.
    pub(super) fn set_or_clear(&mut self, key: TimerKey, at: Option<Instant>) {
        match at {
            Some(at) => self.set(key, at),
            None => self.clear(&key),
        }
    }

    /// Disarms `key` (a no-op when it is not armed).
    pub(super) fn clear(&mut self, key: &TimerKey) {
        if let Some(at) = self.armed.remove(key) {
            self.order.remove(&(at, key.clone()));
        }
    }

    /// When `key` fires, if it is armed.
    pub(super) fn get(&self, key: &TimerKey) -> Option<Instant> {
        self.armed.get(key).copied()
    }

    /// Whether `key` is armed.
    pub(super) fn is_armed(&self, key: &TimerKey) -> bool {
        self.armed.contains_key(key)
    }

    /// Whether `key` is armed and due at `now`.
    pub(super) fn is_due(&self, key: &TimerKey, now: Instant) -> bool {
        self.get(key).is_some_and(|at| at <= now)
    }

    /// The earliest deadline.
    pub(super) fn next(&self) -> Option<Instant> {
        self.order.first().map(|(at, _)| *at)
    }

    /// The timers due at `now`, earliest first.
    pub(super) fn due(&self, now: Instant) -> impl Iterator<Item = &TimerKey> {
        self.order.iter().take_while(move |(at, _)| *at <= now).map(|(_, key)| key)
    }

    /// How many timers are armed.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        debug_assert_eq!(self.armed.len(), self.order.len());
        self.armed.len()
    }
}

#[cfg(test)]
mod tests {
    use web_time::Duration;

    use super::*;

    #[test]
    fn the_earliest_deadline_wins_and_moving_a_timer_forgets_its_old_deadline() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        assert_eq!(timers.next(), None);
        timers.set(TimerKey::Reconnect, t0 + Duration::from_secs(5));
        timers.set(TimerKey::Command(3), t0 + Duration::from_secs(2));
        assert_eq!(timers.next(), Some(t0 + Duration::from_secs(2)));
        timers.set(TimerKey::Command(3), t0 + Duration::from_secs(9));
        assert_eq!(timers.len(), 2);
        assert_eq!(timers.next(), Some(t0 + Duration::from_secs(5)));
        let due: Vec<_> = timers.due(t0 + Duration::from_secs(9)).cloned().collect();
        assert_eq!(due, vec![TimerKey::Reconnect, TimerKey::Command(3)]);
        timers.clear(&TimerKey::Reconnect);
        timers.set_or_clear(TimerKey::Command(3), None);
        assert_eq!((timers.len(), timers.next()), (0, None));
        assert!(!timers.is_armed(&TimerKey::Reconnect));
    }

    #[test]
    fn due_is_a_prefix_in_deadline_order() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        timers.set(TimerKey::Resubscribe("b".to_owned()), t0 + Duration::from_secs(1));
        timers.set(TimerKey::SubRefresh("a".to_owned()), t0 + Duration::from_secs(1));
        timers.set(TimerKey::Suspend, t0 + Duration::from_secs(3));
        assert!(timers.is_due(&TimerKey::SubRefresh("a".to_owned()), t0 + Duration::from_secs(1)));
        assert!(!timers.is_due(&TimerKey::Suspend, t0 + Duration::from_secs(2)));
        assert_eq!(timers.due(t0 + Duration::from_secs(2)).count(), 2);
    }
}
