//! Size comparison with the JSON codec.

use super::*;
use crate::codec::JsonCodec;

/// Wire bytes of one publication push carrying a small JSON payload, in each encoding, with and
/// without fossil delta. Printed with `cargo test -p ceaseless-proto bytes_per_publication -- --nocapture`.
#[test]
fn bytes_per_publication() {
    let channel = "prices:ACME";
    let prev = r#"{"price":100,"symbol":"ACME","ts":1700000000}"#;
    let data = r#"{"price":101,"symbol":"ACME","ts":1700000001}"#;
    // Made by the fossil-delta npm package from `prev` to `data` (see delta.rs tests).
    let delta = "i\nB@0,1:1V@C,2:1}19W5OO;";
    assert_eq!(crate::delta::apply(prev.as_bytes(), delta.as_bytes()).unwrap(), data.as_bytes());

    let json_full = format!(r#"{{"push":{{"channel":"{channel}","pub":{{"data":{data},"offset":12346}}}}}}"#);
    let json_delta_data = serde_json::to_string(delta).unwrap();
    let json_delta = format!(
        r#"{{"push":{{"channel":"{channel}","pub":{{"data":{json_delta_data},"offset":12346,"delta":true}}}}}}"#
    );
    let proto = |data: &str, delta: bool| {
        pb::Reply {
            push: Some(pb::Push {
                channel: channel.into(),
                publication: Some(pb::Publication {
                    data: b(data),
                    offset: 12346,
                    delta,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_length_delimited_to_vec()
    };
    let proto_full = proto(data, false);
    let proto_delta = proto(delta, true);

    // All four decode to a publication push.
    for frame in [json_full.as_bytes(), json_delta.as_bytes()] {
        let r = JsonCodec.decode(&Bytes::copy_from_slice(frame)).unwrap();
        assert!(matches!(&r[0].body, ReplyBody::Push(Push { body: PushBody::Publication(_), .. })));
    }
    for frame in [&proto_full, &proto_delta] {
        let r = decode(frame);
        assert!(matches!(&r[0].body, ReplyBody::Push(Push { body: PushBody::Publication(_), .. })));
    }

    println!("bytes per publication ({}-byte JSON payload, channel {channel:?}, offset):", data.len());
    println!("  JSON             {:>4}", json_full.len());
    println!("  JSON + delta     {:>4}", json_delta.len());
    println!("  Protobuf         {:>4}", proto_full.len());
    println!("  Protobuf + delta {:>4}", proto_delta.len());
    assert!(proto_full.len() < json_full.len());
    assert!(proto_delta.len() < proto_full.len());
    assert!(json_delta.len() < json_full.len());
}
