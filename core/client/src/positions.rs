//! Where subscription positions live between runs: the [`PositionStore`] seam.
//!
//! The engine reports a subscription's new position after each frame that moved it; the driver hands it
//! to the store. When a subscription is created without an explicit `since`, the driver asks the store
//! for a saved position and the first subscribe recovers from it, so a restarted process resumes every
//! channel where the previous one stopped: nothing missed, nothing twice.
//!
//! The driver never calls the store on its own task for a save: it records the newest position per channel
//! and a background job (on the runtime's blocking pool) hands it to [`PositionStore::save`], so a store
//! that writes to a slow disk, or calls into the app, delays neither heartbeats nor event delivery. A
//! channel that moves many times while a save is in progress is saved once, at its newest position.
//! `Client::close` returns only after every position handed over before it was saved and
//! [`PositionStore::flush`] returned.
//!
//! Positions are saved after a publication is handed to the app's event stream. An app that must not
//! see a publication twice even after a crash in the middle of processing should persist its own
//! progress together with its results and pass it as `since`.

use std::collections::HashMap;
use std::sync::Mutex;

use ceaseless_proto::wire::StreamPosition;

use crate::maybe_send::{MaybeSend, MaybeSync};

/// Loads and saves stream positions by channel.
///
/// `save` and `flush` are called from a background job, one call at a time, in order, and may block
/// (write a file, call into the app). `load` is called on the driver task when a subscription is
/// created without `since`, possibly while a save runs on another thread, so keep it quick (answer from
/// memory where possible).
pub trait PositionStore: MaybeSend + MaybeSync + 'static {
    /// The saved position of `channel`, if any.
    fn load(&self, channel: &str) -> Option<StreamPosition>;
    /// Remembers `position` for `channel`.
    fn save(&self, channel: &str, position: &StreamPosition);
    /// Makes saved positions durable (called when the client closes, after the last save).
    fn flush(&self) {}
}

/// Keeps positions in memory: they survive reconnects and resubscribes, not the process.
#[derive(Debug, Default)]
pub struct MemoryPositionStore {
    positions: Mutex<HashMap<String, StreamPosition>>,
}

impl MemoryPositionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl PositionStore for MemoryPositionStore {
    fn load(&self, channel: &str) -> Option<StreamPosition> {
        self.positions.lock().ok()?.get(channel).cloned()
    }

    fn save(&self, channel: &str, position: &StreamPosition) {
        if let Ok(mut positions) = self.positions.lock() {
            positions.insert(channel.to_owned(), position.clone());
        }
    }
}

#[cfg(feature = "native")]
pub use file::FilePositionStore;

#[cfg(feature = "native")]
mod file {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use ceaseless_proto::wire::StreamPosition;
    use serde::{Deserialize, Serialize};

    use super::PositionStore;

    /// How often, at most, a busy stream rewrites the file (every save is written when saves are rarer).
    const WRITE_INTERVAL: Duration = Duration::from_millis(200);

    #[derive(Serialize, Deserialize)]
    struct Saved {
        offset: u64,
        epoch: String,
    }

    struct State {
        positions: BTreeMap<String, StreamPosition>,
        dirty: bool,
        last_write: Option<Instant>,
    }

    /// Keeps positions in a JSON file, so they survive the process.
    ///
    /// Writes are atomic (a temporary file renamed over the old one) and at most every 200 ms while a
    /// stream is busy; [`PositionStore::flush`] (called by `Client::close`) writes whatever is pending.
    pub struct FilePositionStore {
        path: PathBuf,
        state: Mutex<State>,
    }

    impl std::fmt::Debug for FilePositionStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("FilePositionStore").field("path", &self.path).finish_non_exhaustive()
        }
    }

    impl FilePositionStore {
        /// Opens (or starts) the store at `path`.
        ///
        /// # Errors
        /// An I/O error if the file exists but cannot be read, or `InvalidData` if it is not a
        /// positions file.
        pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
            let path = path.as_ref().to_path_buf();
            let positions = match std::fs::read(&path) {
                Ok(bytes) => serde_json::from_slice::<BTreeMap<String, Saved>>(&bytes)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?
                    .into_iter()
                    .map(|(channel, s)| (channel, StreamPosition { offset: s.offset, epoch: s.epoch }))
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
                Err(e) => return Err(e),
            };
            Ok(Self { path, state: Mutex::new(State { positions, dirty: false, last_write: None }) })
        }

        fn write(&self, state: &mut State) {
            let saved: BTreeMap<&str, Saved> = state
                .positions
                .iter()
                .map(|(c, p)| (c.as_str(), Saved { offset: p.offset, epoch: p.epoch.clone() }))
                .collect();
            let result = serde_json::to_vec_pretty(&saved).map_err(std::io::Error::other).and_then(|bytes| {
                let tmp = self.path.with_extension("tmp");
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, &self.path)
            });
            match result {
                Ok(()) => {
                    state.dirty = false;
                    state.last_write = Some(Instant::now());
                }
                Err(e) => tracing::warn!(path = %self.path.display(), error = %e, "cannot save positions"),
            }
        }
    }

    impl PositionStore for FilePositionStore {
        fn load(&self, channel: &str) -> Option<StreamPosition> {
            self.state.lock().ok()?.positions.get(channel).cloned()
        }

        fn save(&self, channel: &str, position: &StreamPosition) {
            let Ok(mut state) = self.state.lock() else { return };
            state.positions.insert(channel.to_owned(), position.clone());
            state.dirty = true;
            if state.last_write.is_none_or(|t| t.elapsed() >= WRITE_INTERVAL) {
                self.write(&mut state);
            }
        }

        fn flush(&self) {
            let Ok(mut state) = self.state.lock() else { return };
            if state.dirty {
                self.write(&mut state);
            }
        }
    }

    impl Drop for FilePositionStore {
        fn drop(&mut self) {
            self.flush();
        }
    }
}
