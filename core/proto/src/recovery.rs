//! Stream positions and the exactly-once filter.
//!
//! A recoverable subscription remembers the offset and epoch of the last publication delivered to the
//! app. A resubscribe sends them with `recover: true`; the server then replays what was missed (or says it
//! cannot). Publications at or below the last delivered offset in the same epoch are duplicates (a replay
//! overlapping live delivery) and are dropped, so the app sees each publication once.

use crate::wire::{StreamPosition, SubscribeResult};

/// The epoch the server can never match: resubscribing from it yields `recovered: false`, which sends the
/// app down its "reload state" path (used after state invalidation, codes 3014 and 2502).
pub const INVALIDATED_EPOCH: &str = "_";

/// Recovery bookkeeping for one subscription.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recovery {
    /// The last delivered position, once known.
    position: Option<StreamPosition>,
    /// Whether the next subscribe asks to recover.
    recover: bool,
}

impl Recovery {
    /// Bookkeeping that starts from `since` (recovering from it on the first subscribe), or from nothing.
    pub fn new(since: Option<StreamPosition>) -> Self {
        let recover = since.is_some();
        Self { position: since, recover }
    }

    /// The last delivered position, if any.
    pub fn position(&self) -> Option<&StreamPosition> {
        self.position.as_ref()
    }

    /// What the next `subscribe` should carry: `(recover, offset, epoch)`.
    pub fn subscribe_fields(&self) -> (bool, u64, String) {
        match (&self.position, self.recover) {
            (Some(p), true) => (true, p.offset, p.epoch.clone()),
            _ => (false, 0, String::new()),
        }
    }

    /// Applies a successful subscribe result: the new epoch and offset become current. When the server
    /// recovered, `result.offset` is our own position and the replayed publications advance it as they
    /// pass [`Recovery::accept`]; otherwise it is the stream top.
    pub fn on_subscribed(&mut self, result: &SubscribeResult) {
        let replaying_from_ours = result.recovered
            && self.recover
            && self.position.as_ref().is_some_and(|p| p.epoch == result.epoch);
        if replaying_from_ours {
            // The replay continues from our own position; older servers answered with the stream top
            // here, which would make every replayed publication look like a duplicate.
            self.recover = result.recoverable;
            return;
        }
        if result.recoverable || result.positioned {
            self.position = Some(StreamPosition { offset: result.offset, epoch: result.epoch.clone() });
            self.recover = result.recoverable;
        }
    }

    /// Applies a server-side subscription announcement (a `subscribe` push).
    pub fn on_server_subscribe(&mut self, recoverable: bool, positioned: bool, offset: u64, epoch: &str) {
        if recoverable || positioned {
            self.position = Some(StreamPosition { offset, epoch: epoch.to_owned() });
            self.recover = recoverable;
        }
    }

    /// Whether a publication at `offset` should reach the app; advances the position when it does.
    /// Offset 0 means the channel has no positions: always deliver.
    pub fn accept(&mut self, offset: u64) -> bool {
        if offset == 0 {
            return true;
        }
        match &mut self.position {
            Some(p) if p.offset > 0 && offset <= p.offset => false,
            Some(p) => {
                p.offset = offset;
                true
            }
            None => true,
        }
    }

    /// [`Recovery::accept`] for a publication that may name its stream epoch (`Publication.epoch`: set
    /// by servers on the first publication of a stream, offset 1). A subscription that started without
    /// an epoch (or from the invalidated one) adopts it; a different epoch means a new stream whose
    /// offsets start over, so the position moves to it rather than dropping its publications as old.
    pub fn accept_publication(&mut self, offset: u64, epoch: &str) -> bool {
        if let Some(p) = self.position.as_mut().filter(|p| !epoch.is_empty() && p.epoch != epoch) {
            if !p.epoch.is_empty() && p.epoch != INVALIDATED_EPOCH {
                // A new stream: its offsets start over.
                p.offset = 0;
            }
            p.epoch = epoch.to_owned();
        }
        self.accept(offset)
    }

    /// Forgets continuity on purpose: the next subscribe asks to recover from a position the server can
    /// never match, so it answers `recovered: false` and the app reloads.
    pub fn invalidate(&mut self) {
        self.position = Some(StreamPosition { offset: 0, epoch: INVALIDATED_EPOCH.to_owned() });
        self.recover = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(offset: u64, epoch: &str, recovered: bool) -> SubscribeResult {
        SubscribeResult {
            recoverable: true,
            positioned: true,
            offset,
            epoch: epoch.to_owned(),
            recovered,
            ..SubscribeResult::default()
        }
    }

    #[test]
    fn fresh_subscription_does_not_recover() {
        let r = Recovery::new(None);
        assert_eq!(r.subscribe_fields(), (false, 0, String::new()));
    }

    #[test]
    fn since_recovers_on_first_subscribe() {
        let r = Recovery::new(Some(StreamPosition { offset: 5, epoch: "e".into() }));
        assert_eq!(r.subscribe_fields(), (true, 5, "e".to_owned()));
    }

    #[test]
    fn live_publications_advance_and_duplicates_drop() {
        let mut r = Recovery::new(None);
        r.on_subscribed(&result(10, "e1", false));
        assert!(r.accept(11));
        assert!(r.accept(12));
        assert!(!r.accept(12), "same offset twice");
        assert!(!r.accept(7), "older offset");
        assert!(r.accept(13));
        assert_eq!(r.subscribe_fields(), (true, 13, "e1".to_owned()));
    }

    #[test]
    fn recovered_replay_then_overlapping_live_is_deduped() {
        let mut r = Recovery::new(None);
        r.on_subscribed(&result(3, "e", false));
        assert!(r.accept(4));
        r.on_subscribed(&result(4, "e", true));
        for offset in 5..=8 {
            assert!(r.accept(offset));
        }
        assert!(!r.accept(8));
        assert!(r.accept(9));
    }

    #[test]
    fn new_epoch_resets_the_position() {
        let mut r = Recovery::new(None);
        r.on_subscribed(&result(100, "old", false));
        assert!(r.accept(101));
        r.on_subscribed(&result(2, "new", false));
        assert!(r.accept(3), "offset 3 in a new epoch is a new publication");
    }

    #[test]
    fn offsetless_channels_always_deliver() {
        let mut r = Recovery::new(None);
        r.on_subscribed(&SubscribeResult::default());
        assert!(r.accept(0));
        assert!(r.accept(0));
        assert_eq!(r.subscribe_fields(), (false, 0, String::new()));
    }

    #[test]
    fn the_first_publication_teaches_the_epoch() {
        let mut r = Recovery::new(None);
        r.on_subscribed(&result(0, "", false));
        assert!(r.accept_publication(1, "abc"));
        assert_eq!(r.position(), Some(&StreamPosition { offset: 1, epoch: "abc".into() }));
        assert!(r.accept_publication(2, ""), "later publications carry no epoch");
        assert!(!r.accept_publication(2, ""));
        assert_eq!(r.subscribe_fields(), (true, 2, "abc".to_owned()));
        // A new stream restarts its offsets: its publications are not mistaken for old ones.
        assert!(r.accept_publication(1, "def"));
        assert_eq!(r.position(), Some(&StreamPosition { offset: 1, epoch: "def".into() }));
        // Unpositioned subscriptions have nothing to adopt into.
        let mut plain = Recovery::new(None);
        assert!(plain.accept_publication(1, "abc"));
        assert_eq!(plain.position(), None);
    }

    #[test]
    fn invalidation_forces_unrecovered() {
        let mut r = Recovery::new(None);
        r.on_subscribed(&result(9, "e", false));
        r.invalidate();
        assert_eq!(r.subscribe_fields(), (true, 0, INVALIDATED_EPOCH.to_owned()));
    }
}
