//! The runtime seam: spawning, sleeping and seeding, so the driver runs on tokio natively and on the
//! browser event loop in `ceaseless-wasm`.
//!
//! The driver never blocks: everything slow happens on tasks it spawns. Blocking work (writing
//! positions to a [`crate::positions::PositionStore`], which is synchronous) goes through
//! [`Runtime::spawn_blocking`], so a slow disk delays neither heartbeats nor event delivery.

use web_time::Instant;

use crate::maybe_send::{BoxFuture, MaybeSend, MaybeSync};

/// A piece of blocking work for [`Runtime::spawn_blocking`]: `Send` outside wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub type BlockingJob = Box<dyn FnOnce() + Send + 'static>;
/// A piece of blocking work for [`Runtime::spawn_blocking`]: `Send` outside wasm32.
#[cfg(target_arch = "wasm32")]
pub type BlockingJob = Box<dyn FnOnce() + 'static>;

/// What the driver needs from an async runtime.
pub trait Runtime: Clone + MaybeSend + MaybeSync + 'static {
    /// Runs a future to completion in the background.
    fn spawn(&self, fut: BoxFuture<'static, ()>);
    /// Runs blocking work (synchronous I/O) in the background, where it cannot stall the driver.
    ///
    /// The default runs it as a spawned task: it still leaves the driver's turn at once, but on a
    /// single-threaded executor it blocks the others while it runs. Runtimes with a thread pool
    /// override it (tokio uses its blocking pool).
    fn spawn_blocking(&self, job: BlockingJob) {
        self.spawn(Box::pin(async move { job() }));
    }
    /// Resolves at `deadline` (at once if it has passed).
    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()>;
    /// The current time.
    fn now(&self) -> Instant {
        Instant::now()
    }
    /// A fresh random seed for the core's jitter generator.
    fn seed(&self) -> u64;
}

/// The tokio runtime the native client uses. It captures the runtime current at construction.
#[cfg(feature = "native")]
#[derive(Clone, Debug)]
pub struct TokioRuntime {
    handle: tokio::runtime::Handle,
}

#[cfg(feature = "native")]
impl TokioRuntime {
    /// Captures the current tokio runtime.
    ///
    /// # Errors
    /// Returns an error when called outside a tokio runtime.
    pub fn current() -> Result<Self, tokio::runtime::TryCurrentError> {
        Ok(Self { handle: tokio::runtime::Handle::try_current()? })
    }

    /// Uses the given tokio runtime handle.
    pub fn from_handle(handle: tokio::runtime::Handle) -> Self {
        Self { handle }
    }
}

#[cfg(feature = "native")]
impl Runtime for TokioRuntime {
    fn spawn(&self, fut: BoxFuture<'static, ()>) {
        self.handle.spawn(fut);
    }

    fn spawn_blocking(&self, job: BlockingJob) {
        drop(self.handle.spawn_blocking(job));
    }

    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
    }

    fn seed(&self) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        hasher.finish()
    }
}
