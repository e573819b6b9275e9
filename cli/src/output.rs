//! Printing: human-readable lines or JSON lines (one object per line, a `type` field in each).
//!
//! In JSON mode everything goes to standard output, so a pipe sees publications and status changes in
//! order. In human mode publications go to standard output and status changes to standard error, so
//! `ceaseless listen chat > file` keeps only the data.

use std::io::Write;

use ceaseless::{ClientInfo, Payload, Publication, StreamPosition};
use serde_json::{Map, Value, json};

use crate::args::OutputArg;
use crate::failure::{EXIT_OTHER, Failure};

/// Where results go.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// The output mode.
    pub mode: OutputArg,
}

impl Printer {
    /// Whether JSON lines are printed.
    pub fn json(&self) -> bool {
        self.mode == OutputArg::Json
    }

    /// Prints a data line: `human` in human mode, `value` in JSON mode.
    pub fn data(&self, human: impl FnOnce() -> String, value: impl FnOnce() -> Value) -> Result<(), Failure> {
        let line = if self.json() { value().to_string() } else { human() };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(|e| Failure::new(EXIT_OTHER, format!("cannot write to standard output: {e}")))
    }

    /// Prints a status line: to standard error in human mode, as a JSON line in JSON mode.
    pub fn status(
        &self,
        human: impl FnOnce() -> String,
        value: impl FnOnce() -> Value,
    ) -> Result<(), Failure> {
        if self.json() {
            return self.data(String::new, value);
        }
        eprintln!("-- {}", human());
        Ok(())
    }
}

/// A payload as JSON: the value itself when it is JSON, else `{"text": ...}` or `{"hex": ...}`.
pub fn payload_value(payload: &Payload) -> Value {
    if let Ok(value) = serde_json::from_slice::<Value>(payload.as_bytes()) {
        return value;
    }
    match payload.as_str() {
        Some(text) => json!({ "text": text }),
        None => json!({ "hex": hex(payload.as_bytes()) }),
    }
}

/// A payload for people: JSON or text as is, other bytes in hex.
pub fn payload_text(payload: &Payload) -> String {
    match payload.as_str() {
        Some(text) => text.to_owned(),
        None => format!("0x{}", hex(payload.as_bytes())),
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A client's identity as JSON.
pub fn info_value(info: &ClientInfo) -> Value {
    let mut map = Map::new();
    map.insert("user".into(), json!(info.user));
    map.insert("client".into(), json!(info.client));
    if let Some(conn) = &info.conn_info {
        map.insert("conn_info".into(), payload_value(conn));
    }
    if let Some(chan) = &info.chan_info {
        map.insert("chan_info".into(), payload_value(chan));
    }
    Value::Object(map)
}

/// A publication as a JSON object (`epoch` when the stream's epoch is known).
pub fn publication_value(channel: &str, publication: &Publication, epoch: Option<&str>) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!("publication"));
    map.insert("channel".into(), json!(channel));
    map.insert("offset".into(), json!(publication.offset));
    if let Some(epoch) = epoch {
        map.insert("epoch".into(), json!(epoch));
    }
    map.insert("data".into(), payload_value(&publication.data));
    if let Some(info) = &publication.info {
        map.insert("info".into(), info_value(info));
    }
    if !publication.tags.is_empty() {
        map.insert("tags".into(), json!(publication.tags));
    }
    if publication.time != 0 {
        map.insert("time".into(), json!(publication.time));
    }
    Value::Object(map)
}

/// A publication for people: `channel #offset data (from user)`.
pub fn publication_text(channel: &str, publication: &Publication) -> String {
    let mut line = format!("{channel} #{} {}", publication.offset, payload_text(&publication.data));
    if let Some(info) = &publication.info {
        line.push_str(&format!("  (from {})", if info.user.is_empty() { "anonymous" } else { &info.user }));
    }
    line
}

/// A stream position as JSON.
pub fn position_value(position: Option<&StreamPosition>) -> Value {
    match position {
        Some(p) => json!({ "offset": p.offset, "epoch": p.epoch }),
        None => Value::Null,
    }
}

/// A stream position for people: `offset:epoch`.
pub fn position_text(position: Option<&StreamPosition>) -> String {
    match position {
        Some(p) => format!("{}:{}", p.offset, p.epoch),
        None => "the beginning".to_owned(),
    }
}

/// Parses `offset:epoch`.
pub fn parse_position(raw: &str) -> Result<StreamPosition, Failure> {
    let bad =
        || Failure::input(format!("{raw:?} is not a stream position; expected OFFSET:EPOCH, e.g. 42:AbCd"));
    let (offset, epoch) = raw.split_once(':').ok_or_else(bad)?;
    let offset = offset.trim().parse::<u64>().map_err(|_| bad())?;
    Ok(StreamPosition { offset, epoch: epoch.trim().to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_parse() {
        let p = parse_position("42:AbCd").expect("valid");
        assert_eq!((p.offset, p.epoch.as_str()), (42, "AbCd"));
        assert!(parse_position("42").is_err());
        assert!(parse_position("x:y").is_err());
    }

    #[test]
    fn payloads_print_as_json_text_or_hex() {
        assert_eq!(payload_value(&Payload::from_raw(b"{\"a\":1}".to_vec().into())), json!({"a": 1}));
        assert_eq!(payload_value(&Payload::from_raw(b"hi".to_vec().into())), json!({"text": "hi"}));
        assert_eq!(payload_value(&Payload::from_raw(vec![0xff, 0x00].into())), json!({"hex": "ff00"}));
    }
}
