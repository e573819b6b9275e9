//! Per-subscription state and the JSON string quirk.

use super::encoder::*;
use crate::delta::*;

#[test]
fn state_follows_a_delta_chain() {
    let mut state = DeltaState::new();
    assert_eq!(state.next(Bytes::from_static(b"x"), true), Err(DeltaError::NoBase));
    let v1 = Bytes::from_static(br#"{"price":100,"symbol":"ACME","ts":1700000000}"#);
    assert_eq!(state.next(v1.clone(), false).unwrap(), v1);
    let d2 = Bytes::from_static(b"i\nB@0,1:1V@C,2:1}19W5OO;");
    let v2 = state.next(d2, true).unwrap();
    assert_eq!(&v2[..], br#"{"price":101,"symbol":"ACME","ts":1700000001}"#);
    assert_eq!(state.prev(), Some(&v2));

    // A corrupt delta leaves the base untouched.
    let bad = Bytes::from_static(b"i\nB@0,1:2V@C,2:1}19W5OO;");
    assert!(matches!(state.next(bad, true), Err(DeltaError::ChecksumMismatch { .. })));
    assert_eq!(state.prev(), Some(&v2));

    let mut rng = fastrand::Rng::with_seed(11);
    let mut prev = v2.to_vec();
    for _ in 0..100 {
        let next = mutate(&mut rng, &prev);
        let delta = encode(&prev, &next, 3, &mut rng);
        assert_eq!(&state.next(Bytes::from(delta), true).unwrap()[..], &next[..]);
        prev = next;
    }
    state.reset();
    assert_eq!(state.prev(), None);
}

#[test]
fn json_mode_data_is_a_string() {
    // Full payload: the JSON text inside a JSON string. Without escapes: no copy.
    let data = Payload::from_json_str(r#""abc""#).unwrap();
    let bytes = json_string_bytes(&data).unwrap();
    assert_eq!(&bytes[..], b"abc");
    assert_eq!(bytes.as_ptr(), data.as_bytes()[1..].as_ptr());

    // A full JSON payload and then a delta, as a Centrifugo JSON connection sends them.
    let mut state = DeltaState::new();
    let full = Payload::from_json_str(r#""{\"price\":100,\"symbol\":\"ACME\",\"ts\":1700000000}""#).unwrap();
    let v1 = state.next(json_string_bytes(&full).unwrap(), false).unwrap();
    assert_eq!(&v1[..], br#"{"price":100,"symbol":"ACME","ts":1700000000}"#);
    let delta = Payload::from_json_str(r#""i\nB@0,1:1V@C,2:1}19W5OO;""#).unwrap();
    let v2 = state.next(json_string_bytes(&delta).unwrap(), true).unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&v2).unwrap();
    assert_eq!(parsed["price"], 101);

    let unicode = Payload::from_json_str(r#""\u00e9\ud83d\ude00""#).unwrap();
    assert_eq!(&json_string_bytes(&unicode).unwrap()[..], "é😀".as_bytes());
    for not_a_string in [r#"{"a":1}"#, "12", "null", "[\"a\"]"] {
        let p = Payload::from_json_str(not_a_string).unwrap();
        assert!(matches!(json_string_bytes(&p), Err(DeltaError::NotAJsonString(_))), "{not_a_string}");
    }
    for raw in [&b"\"\xff\""[..], b"\"abc", b""] {
        let p = Payload::from_raw(Bytes::copy_from_slice(raw));
        assert!(matches!(json_string_bytes(&p), Err(DeltaError::NotAJsonString(_))), "{raw:?}");
    }
}
