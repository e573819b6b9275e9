//! Saving positions off the driver task.
//!
//! [`PositionStore::save`] is synchronous and may touch a disk (or call into the app), so the driver never
//! calls it itself. It hands each new position to a [`PositionWriter`], which only records it in memory
//! (the newest position per channel wins) and makes sure one background job is running. That job, spawned
//! with [`Runtime::spawn_blocking`], takes everything recorded so far, saves it, and repeats until nothing
//! is left; a channel that moved a thousand times while a save was blocked is saved once, at its newest
//! position.
//!
//! Reads stay exact: [`PositionWriter::load`] answers from what is recorded or being saved before asking
//! the store, so a subscription re-created while a save is still on its way resumes from the newest
//! position. [`PositionWriter::flush`] queues a flush behind every recorded save and answers its waiters
//! once the store has flushed; `Client::close` returns only then.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ceaseless_proto::wire::StreamPosition;
use futures::channel::oneshot;

use crate::positions::PositionStore;
use crate::runtime::Runtime;

/// What the driver has handed over and the job has not finished with.
#[derive(Default)]
struct Queue {
    /// Recorded, not yet taken by the job: the newest position per channel.
    pending: HashMap<String, StreamPosition>,
    /// Taken by the job and being saved now.
    saving: HashMap<String, StreamPosition>,
    /// Waiters of flushes asked for since the job last flushed.
    flush_waiters: Vec<oneshot::Sender<()>>,
    flush_asked: bool,
    /// A job is running (or spawned); it will see anything recorded before it ends.
    running: bool,
}

/// The driver's side of the background position writer.
pub(crate) struct PositionWriter {
    store: Arc<dyn PositionStore>,
    queue: Arc<Mutex<Queue>>,
}

fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // Nothing panics while the lock is held, so a poisoned lock still holds consistent data.
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PositionWriter {
    pub(crate) fn new(store: Arc<dyn PositionStore>) -> Self {
        Self { store, queue: Arc::new(Mutex::new(Queue::default())) }
    }

    /// The newest known position of `channel`: recorded, being saved, or in the store.
    pub(crate) fn load(&self, channel: &str) -> Option<StreamPosition> {
        let queue = lock(&self.queue);
        if let Some(position) = queue.pending.get(channel).or_else(|| queue.saving.get(channel)) {
            return Some(position.clone());
        }
        drop(queue);
        self.store.load(channel)
    }

    /// Records `position` for `channel` and makes sure the job will save it. Never blocks on the store.
    pub(crate) fn save<R: Runtime>(&self, runtime: &R, channel: &str, position: &StreamPosition) {
        let mut queue = lock(&self.queue);
        match queue.pending.get_mut(channel) {
            Some(recorded) => recorded.clone_from(position),
            None => {
                queue.pending.insert(channel.to_owned(), position.clone());
            }
        }
        self.start(runtime, queue);
    }

    /// Asks for a flush after every save recorded so far; `waiters` are answered once the store has
    /// flushed (or dropped, which their receivers see too, if the store panicked).
    pub(crate) fn flush<R: Runtime>(
        &self,
        runtime: &R,
        waiters: impl IntoIterator<Item = oneshot::Sender<()>>,
    ) {
        let mut queue = lock(&self.queue);
        queue.flush_asked = true;
        queue.flush_waiters.extend(waiters);
        self.start(runtime, queue);
    }

    fn start<R: Runtime>(&self, runtime: &R, queue: MutexGuard<'_, Queue>) {
        start(&self.store, &self.queue, runtime, queue);
    }
}

/// Spawns the job unless one is running; takes the lock guard so nothing slips in between.
fn start<R: Runtime>(
    store: &Arc<dyn PositionStore>,
    queue: &Arc<Mutex<Queue>>,
    runtime: &R,
    mut guard: MutexGuard<'_, Queue>,
) {
    if guard.running {
        return;
    }
    guard.running = true;
    drop(guard);
    let job = Job { store: store.clone(), queue: queue.clone(), runtime: runtime.clone(), finished: false };
    runtime.spawn_blocking(Box::new(move || job.run()));
}

/// The background job: saves and flushes until nothing is left.
struct Job<R: Runtime> {
    store: Arc<dyn PositionStore>,
    queue: Arc<Mutex<Queue>>,
    runtime: R,
    /// Set when `run` ends normally; a job dropped without it panicked or was never run.
    finished: bool,
}

impl<R: Runtime> Job<R> {
    fn run(mut self) {
        loop {
            let mut queue = lock(&self.queue);
            if !queue.pending.is_empty() {
                let batch = std::mem::take(&mut queue.pending);
                queue.saving.clone_from(&batch);
                drop(queue);
                for (channel, position) in &batch {
                    self.store.save(channel, position);
                }
                lock(&self.queue).saving.clear();
            } else if queue.flush_asked {
                queue.flush_asked = false;
                let waiters = std::mem::take(&mut queue.flush_waiters);
                drop(queue);
                self.store.flush();
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            } else {
                queue.running = false;
                self.finished = true;
                return;
            }
        }
    }
}

impl<R: Runtime> Drop for Job<R> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut queue = lock(&self.queue);
        queue.running = false;
        queue.saving.clear();
        if std::thread::panicking() {
            // The store panicked: the batch in hand is lost (its waiters, if it was a flush, see their
            // senders dropped). Work recorded meanwhile (a flush asked by `close()`) gets a new job,
            // which tries each position once more, so a store that always panics cannot loop.
            tracing::warn!("the position store panicked; positions being saved were lost");
            if !queue.pending.is_empty() || queue.flush_asked {
                start(&self.store, &self.queue, &self.runtime, queue);
            }
        } else {
            // Never run: the runtime refused the job (it is shutting down). Let `close()` return rather
            // than wait for a flush that cannot happen; the next save tries again.
            tracing::warn!("the runtime did not run the position writer; positions may not be saved");
            queue.flush_asked = false;
            queue.flush_waiters.clear();
        }
    }
}
