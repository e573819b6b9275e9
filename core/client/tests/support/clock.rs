//! [`ManualRuntime`]: a [`Runtime`] whose clock only moves when the test says so.
//!
//! Tasks run on the test's tokio runtime (single-threaded under `#[tokio::test]`), blocking jobs on
//! plain threads. `now()` is a fixed base plus the virtual time the test has advanced; `sleep_until`
//! resolves once that virtual time reaches the deadline. [`ManualRuntime::advance`] moves the clock to
//! each pending deadline in turn and lets every task run before moving on, so the driver sees each
//! deadline at exactly its time, as it would in real life, only without waiting.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use ceaseless::maybe_send::BoxFuture;
use ceaseless::runtime::{BlockingJob, Runtime};

/// How many times [`settle`] yields: far more hand-offs than any chain of tasks in the driver needs.
const SETTLE_YIELDS: usize = 64;

/// Lets every ready task on the test's runtime run until there is nothing left to do.
pub async fn settle() {
    for _ in 0..SETTLE_YIELDS {
        tokio::task::yield_now().await;
    }
}

#[derive(Debug)]
struct Clock {
    base: Instant,
    elapsed: Duration,
    next_sleep: u64,
    /// Pending sleeps: deadline and the waker of the task that polled it last.
    sleepers: HashMap<u64, (Instant, Option<Waker>)>,
}

/// A runtime on virtual time. Cheap to clone; clones share the clock.
#[derive(Debug, Clone)]
pub struct ManualRuntime {
    clock: Arc<Mutex<Clock>>,
    handle: tokio::runtime::Handle,
    seed: u64,
}

impl ManualRuntime {
    /// A clock at virtual time zero, spawning on the current tokio runtime.
    pub fn new() -> Self {
        let clock =
            Clock { base: Instant::now(), elapsed: Duration::ZERO, next_sleep: 0, sleepers: HashMap::new() };
        Self { clock: Arc::new(Mutex::new(clock)), handle: tokio::runtime::Handle::current(), seed: 7 }
    }

    fn lock(&self) -> MutexGuard<'_, Clock> {
        self.clock.lock().expect("clock lock")
    }

    /// Virtual time since the start.
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    /// Moves the clock forward by `by`, stopping at every deadline on the way and letting the tasks
    /// react (and set new deadlines) before going on.
    pub async fn advance(&self, by: Duration) {
        let target = self.elapsed() + by;
        for _ in 0..100_000 {
            settle().await;
            match self.step(target) {
                Some(wakers) => wakers.into_iter().for_each(Waker::wake),
                None => {
                    settle().await;
                    return;
                }
            }
        }
        panic!("timers keep firing without the clock reaching its target");
    }

    /// Moves to the earliest pending deadline up to `target` and returns the wakers it fires, or moves
    /// to `target` and returns `None` when no deadline is left before it.
    fn step(&self, target: Duration) -> Option<Vec<Waker>> {
        let mut clock = self.lock();
        let base = clock.base;
        let due = clock
            .sleepers
            .values()
            .filter(|(deadline, waker)| waker.is_some() && *deadline <= base + target)
            .map(|(deadline, _)| *deadline)
            .min();
        let Some(due) = due else {
            clock.elapsed = target;
            return None;
        };
        clock.elapsed = clock.elapsed.max(due - base);
        let now = base + clock.elapsed;
        let fired = clock.sleepers.values_mut().filter(|(deadline, _)| *deadline <= now);
        Some(fired.filter_map(|(_, waker)| waker.take()).collect())
    }

    /// A sleep on virtual time, for test tasks (a reader that "sleeps").
    pub fn sleep(&self, by: Duration) -> BoxFuture<'static, ()> {
        let deadline = self.now() + by;
        self.sleep_until(deadline)
    }
}

impl Runtime for ManualRuntime {
    fn spawn(&self, fut: BoxFuture<'static, ()>) {
        drop(self.handle.spawn(fut));
    }

    fn spawn_blocking(&self, job: BlockingJob) {
        drop(std::thread::spawn(job));
    }

    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        let id = {
            let mut clock = self.lock();
            clock.next_sleep += 1;
            clock.next_sleep
        };
        Box::pin(Sleep { clock: self.clock.clone(), id, deadline })
    }

    fn now(&self) -> Instant {
        let clock = self.lock();
        clock.base + clock.elapsed
    }

    fn seed(&self) -> u64 {
        self.seed
    }
}

/// One sleep; forgets itself when dropped.
struct Sleep {
    clock: Arc<Mutex<Clock>>,
    id: u64,
    deadline: Instant,
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut clock = self.clock.lock().expect("clock lock");
        if clock.base + clock.elapsed >= self.deadline {
            clock.sleepers.remove(&self.id);
            return Poll::Ready(());
        }
        clock.sleepers.insert(self.id, (self.deadline, Some(cx.waker().clone())));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Ok(mut clock) = self.clock.lock() {
            clock.sleepers.remove(&self.id);
        }
    }
}
