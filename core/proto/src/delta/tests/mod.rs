//! Tests of the fossil delta: checksum, vectors from a reference encoder, hand-written deltas, typed
//! errors, random round trips and fuzzing, and the per-subscription state.

mod encoder;
mod errors;
mod round_trips;
mod state;
mod vectors;
