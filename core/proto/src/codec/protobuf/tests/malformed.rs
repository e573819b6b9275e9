//! Malformed input: bad frames, varint limits, truncations, stream reassembly and fuzzing.

use super::fixtures::every_result;
use super::*;
use crate::codec::CodecError;
use crate::codec::protobuf::whole_messages_len;

fn decode_err(frame: &[u8]) -> String {
    match ProtobufCodec.decode(&Bytes::copy_from_slice(frame)) {
        Err(CodecError::Malformed(m)) => m,
        other => panic!("{frame:?} decoded: {other:?}"),
    }
}

#[test]
fn malformed_frames() {
    // Length prefix longer than the rest of the frame.
    let m = decode_err(&[0x05, 0x08, 0x01]);
    assert!(m.contains("message 1 at byte 0") && m.contains("length 5 exceeds the 2 bytes"), "{m}");
    // Truncated length prefix.
    let m = decode_err(&[0x00, 0x80]);
    assert!(m.contains("message 2 at byte 1") && m.contains("length prefix"), "{m}");
    // A prefix over 64 bits, and one that never ends.
    decode_err(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    decode_err(&[0x80; 11]);
    // A huge but well-formed prefix.
    decode_err(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // Invalid UTF-8 in a string (Push.channel).
    let mut push = Vec::new();
    prost::encoding::bytes::encode(2, &vec![0xff, 0xfe], &mut push);
    let mut reply = Vec::new();
    prost::encoding::bytes::encode(4, &push, &mut reply);
    let mut frame = vec![reply.len() as u8];
    frame.extend_from_slice(&reply);
    let m = decode_err(&frame);
    assert!(m.contains("UTF-8"), "{m}");
    assert!(m.contains("starts with [22 04 12 02 ff fe]"), "{m}");
    // A known field with the wrong wire type (id as a length-delimited field).
    decode_err(&[0x03, 0x0a, 0x01, 0x00]);
    // A nested message whose length overruns its parent.
    decode_err(&[0x03, 0x22, 0x05, 0x00]);
    // Field number 0 is invalid.
    decode_err(&[0x02, 0x00, 0x01]);
    // Long garbage: the quote is bounded.
    let m = decode_err(&[0x7f; 500]);
    assert!(m.len() < 400, "{m}");
}

#[test]
fn read_uvarint_limits() {
    assert_eq!(read_uvarint(&[0x00]), Some((0, 1)));
    assert_eq!(read_uvarint(&[0x7f, 0xff]), Some((127, 1)));
    assert_eq!(read_uvarint(&[0xac, 0x02]), Some((300, 2)));
    let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert_eq!(read_uvarint(&max), Some((u64::MAX, 10)));
    assert_eq!(read_uvarint(&[]), None);
    assert_eq!(read_uvarint(&[0x80]), None);
    assert_eq!(read_uvarint(&[0x80; 10]), None);
    let mut over = max;
    over[9] = 0x02;
    assert_eq!(read_uvarint(&over), None);
    // Matches prost's own varint encoder.
    let mut rng = fastrand::Rng::with_seed(1);
    for _ in 0..1000 {
        let v = rng.u64(..) >> rng.u32(0..64);
        let mut buf = Vec::new();
        prost::encoding::encode_varint(v, &mut buf);
        assert_eq!(read_uvarint(&buf), Some((v, buf.len())));
    }
}

#[test]
fn every_truncation_of_a_batch_fails_or_stops_at_a_boundary() {
    let mut frame = Vec::new();
    let mut boundaries = vec![0];
    for (proto, _) in every_result() {
        proto.encode_length_delimited(&mut frame).unwrap();
        boundaries.push(frame.len());
    }
    for cut in 0..frame.len() {
        let result = ProtobufCodec.decode(&Bytes::copy_from_slice(&frame[..cut]));
        match boundaries.iter().position(|&b| b == cut) {
            Some(n) => assert_eq!(result.unwrap().len(), n),
            None => assert!(matches!(result, Err(CodecError::Malformed(_))), "cut {cut}: {result:?}"),
        }
    }
}

#[test]
fn stream_reassembly() {
    // A batch of every result with pings between, fed through a byte stream in random pieces.
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for (proto, wire) in every_result() {
        proto.encode_length_delimited(&mut stream).unwrap();
        stream.push(0x00);
        expected.push(wire);
        expected.push(Reply { id: 0, error: None, body: ReplyBody::Ping });
    }
    let mut rng = fastrand::Rng::with_seed(9);
    for _ in 0..50 {
        let mut buffer = bytes::BytesMut::new();
        let mut got = Vec::new();
        let mut rest = &stream[..];
        while !rest.is_empty() {
            let n = rng.usize(1..=rest.len().min(40));
            buffer.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            let whole = whole_messages_len(&buffer).unwrap();
            let frame = buffer.split_to(whole).freeze();
            got.extend(ProtobufCodec.decode(&frame).unwrap());
        }
        assert!(buffer.is_empty());
        assert_eq!(got, expected);
    }
    assert_eq!(whole_messages_len(&[]).unwrap(), 0);
    assert_eq!(whole_messages_len(&[0x00, 0x02, 0x08]).unwrap(), 1);
    assert_eq!(whole_messages_len(&[0x00, 0x80]).unwrap(), 1);
    assert_eq!(whole_messages_len(&[0xff; 9]).unwrap(), 0);
    assert!(whole_messages_len(&[0x80; 10]).is_err());
    let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert_eq!(whole_messages_len(&huge).unwrap(), 0);
    let mut over = huge;
    over[9] = 0x02;
    assert!(whole_messages_len(&over).is_err());
}

#[test]
fn fuzz_never_panics() {
    let mut rng = fastrand::Rng::with_seed(0xf022);
    let mut valid = Vec::new();
    for (proto, _) in every_result() {
        proto.encode_length_delimited(&mut valid).unwrap();
    }
    for case in 0..20_000 {
        let frame: Vec<u8> = match case % 3 {
            0 => (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect(),
            // Random bytes behind a plausible length prefix.
            1 => {
                let body: Vec<u8> = (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect();
                let mut f = Vec::new();
                prost::encoding::encode_varint(body.len() as u64, &mut f);
                f.extend_from_slice(&body);
                f
            }
            // A valid batch with a few bytes flipped.
            _ => {
                let mut f = valid.clone();
                for _ in 0..rng.usize(1..4) {
                    let i = rng.usize(..f.len());
                    f[i] ^= 1 << rng.u8(0..8);
                }
                f
            }
        };
        let whole = whole_messages_len(&frame);
        let decoded = ProtobufCodec.decode(&Bytes::from(frame.clone()));
        // A frame that decodes is made of whole messages.
        if decoded.is_ok() {
            assert_eq!(whole, Ok(frame.len()));
        }
    }
}
