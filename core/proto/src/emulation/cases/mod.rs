//! The emulation cases: inputs and expected outcomes that every emulation shell runs through its own
//! code, so the native and the browser transports provably cut streams, build requests, batch POSTs
//! and derive URLs the same way.
//!
//! - [`decoding()`]: a stream response body, as chunks, and the frames (one per chunk that completes a
//!   message) or the error it must give. Run it by pushing the chunks into the shell's reader in order,
//!   stopping at the first error, then ending the stream; compare with [`DecodeCase::check`].
//!   [`DecodeCase::run`] does exactly that on a bare [`StreamDecoder`](crate::emulation::StreamDecoder).
//! - [`stream_requests`], [`posts`]: what the stream request and the POST bodies carry.
//! - [`batching`]: sequences of [`PostQueue`](crate::emulation::PostQueue) calls and the POSTs they must produce.
//! - [`urls()`]: endpoint URLs and the emulation URLs derived from them.
//!
//! Native: `core/proto` runs every table, `core/client` runs [`decoding()`] through the hyper reader.
//! Browser: `wasm/tests/emulation_cases.rs` runs them in Chromium, [`decoding()`] through a real
//! `ReadableStream` and the fetch reader.

mod decoding;
mod requests;
mod urls;

pub use decoding::{DecodeCase, decoding};
pub use requests::{BatchCase, PostCase, Step, StreamRequestCase, batching, posts, stream_requests};
pub use urls::{UrlCase, urls};

use crate::codec::Format;
use crate::transport::TransportKind;

const HTTP: TransportKind = TransportKind::HttpStream;
const SSE: TransportKind = TransportKind::Sse;
const JSON: Format = Format::Json;
const PB: Format = Format::Protobuf;
