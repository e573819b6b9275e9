//! [`PostQueue`]: the batching policy for the POSTs to the emulation endpoint.
//!
//! The server processes the commands of an emulation connection in the order the POSTs reach it, so
//! there is never more than one POST in flight: frames that arrive meanwhile wait and go together in
//! the next one. Pongs take the same road (an out-of-order pong is as good as a lost one).

use std::collections::VecDeque;

use bytes::Bytes;

use super::{EmulationError, content_type, encode_post};
use crate::codec::Format;

/// Frames are merged into one POST only while their total stays under this size: the server refuses
/// bodies over 64 KiB, and a JSON body escapes quotes in `data`. A single larger frame goes alone.
pub const MAX_BATCH: usize = 16 * 1024;

/// One POST to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Its `Content-Type` ([`super::content_type`]).
    pub content_type: &'static str,
    /// Its body ([`encode_post`]).
    pub body: Bytes,
    /// How many frames it carries (for logs).
    pub frames: usize,
}

/// The ordered POST writer of one emulation connection, without the HTTP. See the module docs.
///
/// The shell [`push`](Self::push)es every frame after the connect frame, hands over the connect reply's
/// session with [`set_session`](Self::set_session), sends whatever [`next_post`](Self::next_post)
/// returns, and calls [`post_done`](Self::post_done) when the server has answered it (a failed POST
/// ends the connection: nothing is ever sent twice).
#[derive(Debug)]
pub struct PostQueue {
    format: Format,
    max_batch: usize,
    /// `(node, session)` once known.
    session: Option<(String, String)>,
    pending: VecDeque<Bytes>,
    in_flight: bool,
}

impl PostQueue {
    /// An empty queue for frames in `format`, batching up to [`MAX_BATCH`].
    pub fn new(format: Format) -> Self {
        Self::with_max_batch(format, MAX_BATCH)
    }

    /// The same with another batch limit (tests).
    pub fn with_max_batch(format: Format, max_batch: usize) -> Self {
        Self { format, max_batch, session: None, pending: VecDeque::new(), in_flight: false }
    }

    /// Queues a frame. Empty frames are dropped.
    pub fn push(&mut self, frame: Bytes) {
        if !frame.is_empty() {
            self.pending.push_back(frame);
        }
    }

    /// The `session` and `node` of the connect reply: POSTs can start.
    pub fn set_session(&mut self, session: impl Into<String>, node: impl Into<String>) {
        self.session = Some((node.into(), session.into()));
    }

    /// Whether the session is known.
    pub fn has_session(&self) -> bool {
        self.session.is_some()
    }

    /// Whether a POST is in flight.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// How many frames wait.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The next POST, when the session is known, none is in flight and frames wait. The POST is then in
    /// flight until [`post_done`](Self::post_done).
    ///
    /// # Errors
    /// [`EmulationError::NotUtf8`] for a JSON frame that is not UTF-8 (the frames of that batch are gone:
    /// end the connection).
    pub fn next_post(&mut self) -> Result<Option<Post>, EmulationError> {
        if self.in_flight || self.pending.is_empty() {
            return Ok(None);
        }
        let Some((node, session)) = &self.session else {
            return Ok(None);
        };
        let mut batch = Vec::new();
        let mut size = 0;
        while let Some(frame) = self.pending.front() {
            if !batch.is_empty() && size + frame.len() > self.max_batch {
                break;
            }
            size += frame.len();
            batch.extend(self.pending.pop_front());
        }
        let body = encode_post(self.format, node, session, &batch)?;
        self.in_flight = true;
        Ok(Some(Post { content_type: content_type(self.format), body, frames: batch.len() }))
    }

    /// The POST in flight was answered with success; the next may go.
    pub fn post_done(&mut self) {
        self.in_flight = false;
    }
}
