//! Tests of the Protobuf codec: the schema against `proto/client.proto`, command round trips,
//! decoding of every result and push kind from frames built with the prost types, framing (batches,
//! pings), zero-copy payloads, unknown fields, malformed input, parity with the JSON codec, and a
//! size comparison with JSON.

#![allow(clippy::unwrap_used)]

mod commands;
mod fixtures;
mod framing;
mod malformed;
mod pushes;
mod replies;
mod schema_check;
mod size;

use std::collections::BTreeMap;

use bytes::Bytes;
use prost::Message as _;

use super::schema as pb;
use super::{ProtobufCodec, read_uvarint};
use crate::codec::Codec;
use crate::wire::*;

// ---- helpers --------------------------------------------------------------------------------

fn encode(commands: &[Command]) -> Vec<u8> {
    let mut out = Vec::new();
    ProtobufCodec.encode(commands, &mut out).unwrap();
    out
}

fn decode(frame: &[u8]) -> Vec<Reply> {
    ProtobufCodec.decode(&Bytes::copy_from_slice(frame)).unwrap()
}

fn decode_one(reply: &pb::Reply) -> Reply {
    let mut replies = decode(&reply.encode_length_delimited_to_vec());
    assert_eq!(replies.len(), 1);
    replies.remove(0)
}

fn push_of(push: pb::Push) -> Push {
    match decode_one(&pb::Reply { push: Some(push), ..Default::default() }) {
        Reply { id: 0, error: None, body: ReplyBody::Push(p) } => p,
        other => panic!("not a push: {other:?}"),
    }
}

/// Splits a frame of length-delimited messages.
fn split(frame: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < frame.len() {
        let (len, n) = read_uvarint(&frame[pos..]).unwrap();
        out.push(&frame[pos + n..pos + n + len as usize]);
        pos += n + len as usize;
    }
    out
}

fn payload(s: &str) -> Payload {
    Payload::from_raw(Bytes::copy_from_slice(s.as_bytes()))
}

fn map<V>(pairs: impl IntoIterator<Item = (&'static str, V)>) -> BTreeMap<String, V> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}
