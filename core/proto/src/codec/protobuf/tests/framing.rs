//! Framing: pings, batched frames, zero-copy payloads and unknown fields.

use super::fixtures::*;
use super::*;

#[test]
fn ping_is_a_single_zero_byte() {
    let ping = Reply { id: 0, error: None, body: ReplyBody::Ping };
    assert_eq!(decode(&[0x00]), vec![ping.clone()]);
    assert_eq!(decode(&[0x00, 0x00]), vec![ping.clone(), ping.clone()]);
    // An empty frame holds nothing.
    assert!(decode(&[]).is_empty());
    // The encoder's own empty reply is the same single byte.
    assert_eq!(pb::Reply::default().encode_length_delimited_to_vec(), [0x00]);
}

#[test]
fn batched_frame_in_order() {
    let results = every_result();
    let mut frame = Vec::new();
    let mut expected = Vec::new();
    for (i, (proto, wire)) in results.into_iter().enumerate() {
        proto.encode_length_delimited(&mut frame).unwrap();
        expected.push(wire);
        if i % 3 == 0 {
            frame.push(0x00);
            expected.push(Reply { id: 0, error: None, body: ReplyBody::Ping });
        }
    }
    let publication = pb::Reply {
        push: Some(pb::Push {
            channel: "c".into(),
            publication: Some(pb_publication(1)),
            ..Default::default()
        }),
        ..Default::default()
    };
    publication.encode_length_delimited(&mut frame).unwrap();
    expected.push(Reply {
        id: 0,
        error: None,
        body: ReplyBody::Push(Push {
            id: 0,
            channel: "c".into(),
            body: PushBody::Publication(wire_publication(1)),
        }),
    });
    assert_eq!(decode(&frame), expected);
}

#[test]
fn payloads_point_into_the_frame() {
    let reply = pb::Reply {
        push: Some(pb::Push {
            channel: "c".into(),
            publication: Some(pb_publication(1)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut frame = vec![0x00];
    reply.encode_length_delimited(&mut frame).unwrap();
    let frame = Bytes::from(frame);
    let replies = ProtobufCodec.decode(&frame).unwrap();
    let ReplyBody::Push(Push { body: PushBody::Publication(p), .. }) = &replies[1].body else {
        panic!("{replies:?}")
    };
    let range = frame.as_ptr_range();
    for data in [p.data.as_bytes(), p.info.as_ref().unwrap().conn_info.as_ref().unwrap().as_bytes()] {
        assert!(range.contains(&data.as_ptr()), "payload was copied");
    }
}

#[test]
fn unknown_fields_are_ignored() {
    /// Appends a field of each wire type with a number the schema does not use.
    fn unknown(out: &mut Vec<u8>) {
        prost::encoding::uint64::encode(90, &u64::MAX, out);
        prost::encoding::bytes::encode(91, &b"future".to_vec(), out);
        prost::encoding::fixed32::encode(92, &7, out);
        prost::encoding::fixed64::encode(93, &7, out);
        prost::encoding::sint64::encode(94, &-7, out); // a field that "became" a later addition
    }
    let mut publication = pb_publication(5).encode_to_vec();
    unknown(&mut publication);
    let mut push = Vec::new();
    prost::encoding::string::encode(2, &"c".to_owned(), &mut push);
    unknown(&mut push);
    prost::encoding::bytes::encode(4, &publication, &mut push); // Push.pub
    let mut reply = Vec::new();
    unknown(&mut reply);
    prost::encoding::bytes::encode(4, &push, &mut reply); // Reply.push
    prost::encoding::uint64::encode(3, &1, &mut reply); // reserved number, as a varint
    let mut frame = Vec::new();
    prost::encoding::encode_varint(reply.len() as u64, &mut frame);
    frame.extend_from_slice(&reply);
    let expected = Reply {
        id: 0,
        error: None,
        body: ReplyBody::Push(Push {
            id: 0,
            channel: "c".into(),
            body: PushBody::Publication(wire_publication(5)),
        }),
    };
    assert_eq!(decode(&frame), vec![expected]);
}
