//! Application data carried inside protocol messages.
//!
//! The protocol declares every application field (`data`, `conn_info`, `chan_info`, ...) as
//! `bytes`. What those bytes hold depends on the connection encoding:
//!
//! * JSON mode: the field is embedded in the message as raw JSON (any JSON value, never a
//!   base64 string). A [`Payload`] then holds that JSON text, compact, with no raw line breaks,
//!   because JSON frames use `\n` as the message separator.
//! * Protobuf mode: the field is opaque bytes and a [`Payload`] holds them unchanged.
//!
//! A [`Payload`] is a cheap, reference-counted view ([`Bytes`]). Decoders build payloads that
//! point straight into the received frame, so no application data is copied on receive.

use std::fmt;

use bytes::Bytes;
use serde::de::IgnoredAny;
use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Number of bytes shown by the `Debug` output of a [`Payload`].
const DEBUG_PREVIEW: usize = 64;

/// Application data. In JSON mode: the raw JSON text (compact, no raw newlines). In Protobuf
/// mode: opaque bytes.
///
/// Serializing a payload with serde embeds it as raw JSON (an empty payload becomes `null`);
/// serialization fails if the bytes are not valid JSON.
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Payload(Bytes);

/// The error returned when bytes that should hold JSON do not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("payload is not valid JSON: {0}")]
pub struct InvalidJson(pub String);

impl Payload {
    /// Wraps JSON text after checking that it is one valid JSON value.
    ///
    /// Text containing raw `\n` or `\r` bytes (pretty-printed JSON) is compacted, so the payload
    /// can be embedded in newline-delimited JSON frames. Other text is kept as is, without a copy.
    pub fn from_json_bytes(b: impl Into<Bytes>) -> Result<Payload, InvalidJson> {
        let bytes = b.into();
        let text = validate(&bytes)?;
        if has_line_break(text.as_bytes()) {
            return Ok(Payload(Bytes::from(compact(text))));
        }
        Ok(Payload(bytes))
    }

    /// Wraps a copy of JSON text, with the same checks as [`Payload::from_json_bytes`].
    pub fn from_json_str(s: &str) -> Result<Payload, InvalidJson> {
        let text = validate(s.as_bytes())?;
        if has_line_break(text.as_bytes()) {
            return Ok(Payload(Bytes::from(compact(text))));
        }
        Ok(Payload(Bytes::copy_from_slice(text.as_bytes())))
    }

    /// Serializes a value to compact JSON.
    pub fn to_json<T: Serialize>(v: &T) -> Result<Payload, InvalidJson> {
        let json = serde_json::to_string(v).map_err(|e| InvalidJson(e.to_string()))?;
        // Only a pretty-printed `RawValue` nested inside `v` can bring line breaks in.
        if has_line_break(json.as_bytes()) {
            return Ok(Payload(Bytes::from(compact(&json))));
        }
        Ok(Payload(Bytes::from(json)))
    }

    /// Wraps bytes without any validation (used by decoders and for Protobuf data).
    pub fn from_raw(b: Bytes) -> Payload {
        Payload(b)
    }

    /// The payload bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The payload bytes as a shared [`Bytes`] handle.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// Consumes the payload, returning its bytes.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The payload as text, or `None` if the bytes are not UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// Deserializes the JSON payload into `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.0)
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the payload holds no bytes at all (the protocol's "absent" value).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Payload> for Bytes {
    fn from(p: Payload) -> Bytes {
        p.0
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut = self.0.len().min(DEBUG_PREVIEW);
        let head = &self.0[..cut];
        f.write_str("Payload(")?;
        match std::str::from_utf8(head) {
            Ok(s) => fmt::Debug::fmt(s, f)?,
            // The preview cut a multi-byte character in two: show the complete part.
            Err(e) if e.error_len().is_none() => {
                fmt::Debug::fmt(&String::from_utf8_lossy(&head[..e.valid_up_to()]), f)?
            }
            Err(_) => fmt::Debug::fmt(&self.0.slice(..cut), f)?,
        }
        if self.0.len() > cut {
            write!(f, "... {} bytes", self.0.len())?;
        }
        f.write_str(")")
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            return serializer.serialize_unit();
        }
        let text = std::str::from_utf8(&self.0).map_err(S::Error::custom)?;
        let raw: &RawValue = serde_json::from_str(text).map_err(S::Error::custom)?;
        if has_line_break(raw.get().as_bytes()) {
            // Cold path: a payload built with `from_raw` from pretty-printed JSON.
            let compacted = RawValue::from_string(compact(raw.get())).map_err(S::Error::custom)?;
            return compacted.serialize(serializer);
        }
        raw.serialize(serializer)
    }
}

/// Checks that `bytes` are UTF-8 holding exactly one JSON value (surrounding whitespace allowed).
fn validate(bytes: &[u8]) -> Result<&str, InvalidJson> {
    let text = std::str::from_utf8(bytes).map_err(|e| InvalidJson(e.to_string()))?;
    serde_json::from_str::<IgnoredAny>(text).map_err(|e| InvalidJson(e.to_string()))?;
    Ok(text)
}

/// Whether the bytes contain a raw line break.
fn has_line_break(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b == b'\n' || b == b'\r')
}

/// Removes the insignificant whitespace of valid JSON text.
///
/// Unlike a round trip through `serde_json::Value`, this keeps key order and number precision.
/// Valid JSON cannot hold raw control characters inside strings, so every line break left in
/// the input is outside a string and gets removed.
fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_json_value() {
        for text in [r#"{"a":1}"#, "[1,2]", r#""s""#, "42", "true", "null"] {
            let p = Payload::from_json_str(text).unwrap();
            assert_eq!(p.as_str(), Some(text));
        }
    }

    #[test]
    fn rejects_non_json() {
        for text in ["", "   ", "{", "{\"a\":}", "hello", "{} {}", "[1,]"] {
            assert!(Payload::from_json_str(text).is_err(), "{text:?}");
        }
        assert!(Payload::from_json_bytes(&b"\"\xff\""[..]).is_err());
    }

    #[test]
    fn compacts_pretty_json_and_keeps_order() {
        let pretty = "{\r\n  \"z\": [1, 2],\n  \"a\": \"x y\\n\",\n  \"n\": 12345678901234567890\n}\n";
        let p = Payload::from_json_str(pretty).unwrap();
        assert_eq!(p.as_str(), Some(r#"{"z":[1,2],"a":"x y\n","n":12345678901234567890}"#));
        let q = Payload::from_json_bytes(Bytes::from(pretty.to_owned())).unwrap();
        assert_eq!(p, q);
    }

    #[test]
    fn keeps_single_line_json_without_copy() {
        let b = Bytes::from_static(br#"{ "a" : 1 }"#);
        let p = Payload::from_json_bytes(b.clone()).unwrap();
        assert_eq!(p.bytes().as_ptr(), b.as_ptr());
    }

    #[test]
    fn to_json_and_back() {
        let p = Payload::to_json(&vec![("k", 1)]).unwrap();
        assert_eq!(p.as_str(), Some(r#"[["k",1]]"#));
        let v: Vec<(String, i32)> = p.json().unwrap();
        assert_eq!(v, vec![("k".to_owned(), 1)]);
    }

    #[test]
    fn serializes_raw() {
        let p = Payload::from_json_str(r#"{"x":1}"#).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"x":1}"#);
        let pretty = Payload::from_raw(Bytes::from_static(b"[1,\n 2]"));
        assert_eq!(serde_json::to_string(&pretty).unwrap(), "[1,2]");
        assert_eq!(serde_json::to_string(&Payload::default()).unwrap(), "null");
        assert!(serde_json::to_string(&Payload::from_raw(Bytes::from_static(b"nope"))).is_err());
        assert!(serde_json::to_string(&Payload::from_raw(Bytes::from_static(b"\xff"))).is_err());
    }

    #[test]
    fn debug_is_short() {
        let long = format!("\"{}\"", "é".repeat(100));
        let p = Payload::from_json_str(&long).unwrap();
        let d = format!("{p:?}");
        assert!(d.len() < 120, "{d}");
        assert!(d.ends_with("... 202 bytes)"), "{d}");
        let bin = format!("{:?}", Payload::from_raw(Bytes::from_static(b"\x00\xff")));
        assert!(bin.contains("\\xff"), "{bin}");
    }
}
