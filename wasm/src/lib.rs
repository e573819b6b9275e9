//! # ceaseless-wasm: the ceaseless client in the browser
//!
//! The same driver and protocol engine as the native client, on the page's own machinery:
//!
//! - [`runtime::JsRuntime`]: tasks on the microtask queue (`spawn_local`), timers on `setTimeout`
//!   (cleared when the driver drops a sleep), the seed from `Math.random`.
//! - [`ws::WebSocketTransport`]: the browser's `WebSocket`, JSON as text frames, Protobuf as binary
//!   frames under the `centrifuge-protobuf` subprotocol.
//! - [`emulation::EmulationTransport`]: the fallbacks for networks that block WebSocket, HTTP-streaming
//!   and SSE over `fetch` with a streamed body, commands as ordered POSTs to `/emulation`.
//! - [`positions::LocalStoragePositionStore`]: stream positions in `localStorage`, so a reloaded page
//!   resumes its channels; [`positions::JsPositionStore`]: the app's own `{load, save}` object.
//! - [`tokens`]: async JS functions as token providers; [`state`]: one as a subscription's state loader.
//!
//! [`options`] converts the JS options into the shared `ceaseless_bridge` options (every default is
//! the core's). The `transports` list derives each URL from the client URL as natively; explicit
//! `{transport, endpoint}` entries override them ([`endpoints`]). The fallback rule is the native one:
//! tried in order on the first connect, moving on at once when one fails before the server accepts it,
//! sticking with the one that worked.
//!
//! [`api`] exports the raw classes (`RawClient`, `RawSubscription`) that the hand-written ESM wrapper in
//! `npm/index.js` turns into the idiomatic JS API. The boundary is crossed once per batch of events, not
//! per field: [`pump`] gathers every event that is ready (all the replies of a frame, often several
//! frames, read through the shared `ceaseless_bridge::BatchStream`) and [`encode`] writes them as one
//! JSON string that JS parses with a single `JSON.parse`. Publication data is embedded as the raw JSON
//! it arrived as, so it is parsed exactly once, in JS (with Protobuf: ranges into one byte buffer).
//! Errors are the shared `ceaseless_bridge::ErrorInfo`, by kind.
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
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod tokens;
#[cfg(target_arch = "wasm32")]
pub mod ws;
