//! `Send` bounds that vanish on wasm32, so one driver serves native (multi-threaded tokio) and the
//! browser (single-threaded event loop, where JS values are `!Send`).

/// `Send` outside wasm32; nothing on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` outside wasm32; nothing on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` outside wasm32; nothing on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}

/// `Sync` outside wasm32; nothing on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// A boxed future that is `Send` outside wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<'a, T> = futures::future::BoxFuture<'a, T>;
/// A boxed future that is `Send` outside wasm32.
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<'a, T> = futures::future::LocalBoxFuture<'a, T>;

/// A boxed stream that is `Send` outside wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxStream<'a, T> = futures::stream::BoxStream<'a, T>;
/// A boxed stream that is `Send` outside wasm32.
#[cfg(target_arch = "wasm32")]
pub type BoxStream<'a, T> = futures::stream::LocalBoxStream<'a, T>;

/// Boxes a future into [`BoxFuture`].
#[cfg(not(target_arch = "wasm32"))]
pub fn boxed<'a, T>(fut: impl std::future::Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    Box::pin(fut)
}
/// Boxes a future into [`BoxFuture`].
#[cfg(target_arch = "wasm32")]
pub fn boxed<'a, T>(fut: impl std::future::Future<Output = T> + 'a) -> BoxFuture<'a, T> {
    Box::pin(fut)
}
