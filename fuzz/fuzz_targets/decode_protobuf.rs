//! The Protobuf codec on any bytes: replies or a `Malformed` error, never a panic; the length scan
//! used by the emulation stream never claims more bytes than it was given.
#![no_main]

use bytes::Bytes;
use ceaseless_proto::codec::protobuf::whole_messages_len;
use ceaseless_proto::codec::{Codec, ProtobufCodec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frame = Bytes::copy_from_slice(data);
    let first = ProtobufCodec.decode(&frame);
    assert_eq!(first, ProtobufCodec.decode(&frame), "decoding is deterministic");
    if let Ok(len) = whole_messages_len(data) {
        assert!(len <= data.len(), "whole messages fit in the input");
    }
});
