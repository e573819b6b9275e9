//! # ceaseless-wasm: the ceaseless client in the browser
//!
//! The same driver and protocol engine as the native client, on the page's own machinery:
//!
//! - [`runtime::JsRuntime`]: tasks on the microtask queue (`spawn_local`), timers on `setTimeout`
//!   (cleared when the driver drops a sleep), the seed from `Math.random`.
//! - [`ws::WebSocketTransport`]: the browser's `WebSocket`, JSON as text frames.
//! - [`emulation::EmulationTransport`]: the fallbacks for networks that block WebSocket, HTTP-streaming
//!   and SSE over `fetch` with a streamed body, commands as ordered POSTs to `/emulation`.
//!
//! An ordered list of `{transport, endpoint}` becomes the core's transport list, so the fallback rule is
//! the native one: tried in order on the first connect, moving on at once when one fails before the
//! server accepts it, sticking with the one that worked ([`endpoints`]).
//! - [`positions::LocalStoragePositionStore`]: stream positions in `localStorage`, so a reloaded page
//!   resumes its channels.
//! - [`tokens`]: async JS functions as token providers.
//!
//! [`api`] exports the raw classes (`RawClient`, `RawSubscription`) that the hand-written ESM wrapper in
//! `npm/index.js` turns into the idiomatic JS API. The boundary is crossed once per batch of events, not
//! per field: [`pump`] gathers every event that is ready (all the replies of a frame, often several
//! frames) and [`encode`] writes them as one JSON string that JS parses with a single `JSON.parse`.
//! Publication data is embedded as the raw JSON it arrived as, so it is parsed exactly once, in JS.
//!
//! On a native build this crate is empty: it only exists for `wasm32-unknown-unknown`.

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod emulation;
#[cfg(target_arch = "wasm32")]
pub mod encode;
#[cfg(target_arch = "wasm32")]
pub mod endpoints;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
pub mod options;
#[cfg(target_arch = "wasm32")]
pub mod positions;
#[cfg(target_arch = "wasm32")]
pub mod pump;
#[cfg(target_arch = "wasm32")]
pub mod runtime;
#[cfg(target_arch = "wasm32")]
pub mod tokens;
#[cfg(target_arch = "wasm32")]
pub mod ws;
