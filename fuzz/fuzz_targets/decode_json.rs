//! The JSON codec on any bytes: replies or a `Malformed` error, never a panic; what decodes once
//! decodes the same way again.
#![no_main]

use bytes::Bytes;
use ceaseless_proto::codec::{Codec, JsonCodec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frame = Bytes::copy_from_slice(data);
    let first = JsonCodec.decode(&frame);
    assert_eq!(first, JsonCodec.decode(&frame), "decoding is deterministic");
});
