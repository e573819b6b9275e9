//! The JSON that crosses to JS: event batches and call results.
//!
//! One batch is one string, `[[target, "kind", {...}], ...]`, parsed with a single `JSON.parse` in JS
//! (`target` 0 is the client, other numbers are subscriptions). Application payloads are embedded as
//! the raw JSON text they arrived as, never re-parsed here. Field names are the JS API's (camelCase),
//! and the shapes match `npm/index.d.ts`. Offsets are JSON numbers: exact up to 2^53.
//!
//! With the Protobuf format application data is bytes: a [`Json`] made with [`Json::binary`] gathers
//! them into one buffer and writes `[start, end]` ranges where the data would be (`npm/data.js` slices
//! them out), so a batch still crosses the boundary once.

use std::fmt::Write;

use ceaseless::{
    ClientEvent, ClientInfo, Error, Gap, HistoryResult, Payload, PresenceResult, PresenceStatsResult,
    Publication, StreamPosition, SubscribedInfo, SubscriptionEvent, WakeReport,
};
use ceaseless_bridge::ErrorInfo;

/// A growing JSON text, and in binary mode the buffer its data ranges point into.
#[derive(Debug, Default)]
pub struct Json {
    /// The JSON text.
    pub text: String,
    /// The bytes of every payload (binary mode only).
    pub bytes: Option<Vec<u8>>,
}

impl Json {
    /// An empty text; `binary` for the Protobuf format.
    pub fn new(binary: bool) -> Self {
        Self { text: String::new(), bytes: binary.then(Vec::new) }
    }

    /// Starts a batch (`[`); [`Json::end_batch`] closes it.
    pub fn start_batch(&mut self) {
        self.text.push('[');
    }

    /// Closes a batch.
    pub fn end_batch(&mut self) {
        self.text.push(']');
    }

    fn raw(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// A JSON string literal.
    fn string(&mut self, value: &str) -> &mut Self {
        let out = &mut self.text;
        out.push('"');
        let mut start = 0;
        for (i, byte) in value.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            out.push_str(&value[start..i]);
            if escape.is_empty() {
                let _ = write!(out, "\\u{byte:04x}");
            } else {
                out.push_str(escape);
            }
            start = i + 1;
        }
        out.push_str(&value[start..]);
        out.push('"');
        self
    }

    fn number(&mut self, value: impl std::fmt::Display) -> &mut Self {
        let _ = write!(self.text, "{value}");
        self
    }

    /// `"key":` with a leading comma unless it is the first field (`first`).
    fn key(&mut self, key: &str, first: bool) -> &mut Self {
        if !first {
            self.text.push(',');
        }
        self.string(key).raw(":")
    }

    /// Application data: embedded JSON (`null` when absent or not text), or in binary mode its
    /// `[start, end]` range in the buffer (`null` when absent).
    fn payload(&mut self, payload: Option<&Payload>) -> &mut Self {
        if let Some(bytes) = self.bytes.as_mut() {
            let Some(payload) = payload else { return self.raw("null") };
            let start = bytes.len();
            bytes.extend_from_slice(payload.as_bytes());
            let end = bytes.len();
            return self.raw("[").number(start).raw(",").number(end).raw("]");
        }
        match payload.and_then(Payload::as_str) {
            Some(text) if !text.is_empty() => self.raw(text),
            _ => self.raw("null"),
        }
    }

    fn position(&mut self, position: Option<&StreamPosition>) -> &mut Self {
        match position {
            Some(p) => self.raw("{\"offset\":").number(p.offset).raw(",\"epoch\":").string(&p.epoch).raw("}"),
            None => self.raw("null"),
        }
    }

    fn client_info(&mut self, info: &ClientInfo) -> &mut Self {
        self.raw("{\"user\":").string(&info.user).raw(",\"client\":").string(&info.client);
        if info.conn_info.is_some() {
            self.key("connInfo", false).payload(info.conn_info.as_ref());
        }
        if info.chan_info.is_some() {
            self.key("chanInfo", false).payload(info.chan_info.as_ref());
        }
        self.raw("}")
    }

    /// A publication's fields, without the braces (so a channel can be added).
    fn publication_fields(&mut self, p: &Publication) -> &mut Self {
        self.key("data", true).payload(Some(&p.data)).key("offset", false).number(p.offset);
        if let Some(info) = &p.info {
            self.key("info", false).client_info(info);
        }
        if !p.tags.is_empty() {
            self.key("tags", false).raw("{");
            for (i, (k, v)) in p.tags.iter().enumerate() {
                self.key(k, i == 0).string(v);
            }
            self.raw("}");
        }
        if p.time != 0 {
            self.key("time", false).number(p.time);
        }
        self
    }

    fn publication(&mut self, p: &Publication) -> &mut Self {
        self.raw("{").publication_fields(p).raw("}")
    }

    /// `{kind, code, message, temporary}` of an error, from the shared error table.
    pub fn error(&mut self, error: &Error) -> &mut Self {
        let info = ErrorInfo::from(error);
        self.raw("{\"kind\":").string(info.kind.name()).raw(",\"code\":").number(info.code);
        self.raw(",\"message\":").string(&info.message);
        self.raw(",\"temporary\":").raw(if info.temporary { "true" } else { "false" }).raw("}")
    }

    fn subscribed_fields(&mut self, info: &SubscribedInfo) -> &mut Self {
        let flag = |on: bool| if on { "true" } else { "false" };
        self.key("recoverable", false).raw(flag(info.recoverable));
        self.key("positioned", false).raw(flag(info.positioned));
        self.key("position", false).position(info.position.as_ref());
        self.key("wasRecovering", false).raw(flag(info.was_recovering));
        self.key("recovered", false).raw(flag(info.recovered));
        self.key("data", false).payload(info.data.as_ref())
    }

    fn gap_fields(&mut self, gap: &Gap) -> &mut Self {
        self.key("lastDelivered", false).position(gap.last_delivered.as_ref());
        self.key("resumedFrom", false).position(gap.resumed_from.as_ref())
    }

    /// Starts one batch entry: `[target,"kind",{` plus the `type` field.
    fn entry(&mut self, target: u32, kind: &str) -> &mut Self {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        self.raw("[").number(target).raw(",").string(kind).raw(",{\"type\":").string(kind)
    }

    /// Appends a client event to the batch.
    pub fn client_event(&mut self, event: &ClientEvent) {
        let code_reason = |json: &mut Json, kind: &str, code: u32, reason: &str| {
            json.entry(0, kind).key("code", false).number(code).key("reason", false).string(reason);
        };
        match event {
            ClientEvent::Connecting { code, reason } => code_reason(self, "connecting", *code, reason),
            ClientEvent::Disconnected { code, reason } => code_reason(self, "disconnected", *code, reason),
            ClientEvent::Connected { client, version, data, transport } => {
                self.entry(0, "connected").key("client", false).string(client);
                self.key("version", false).string(version).key("transport", false).string(transport);
                self.key("data", false).payload(data.as_ref());
            }
            ClientEvent::Error(error) => {
                self.entry(0, "error").key("error", false).error(error);
            }
            ClientEvent::Message(data) => {
                self.entry(0, "message").key("data", false).payload(Some(data));
            }
            ClientEvent::Suspended => {
                self.entry(0, "suspended");
            }
            ClientEvent::Closed => {
                self.entry(0, "closed");
            }
            ClientEvent::ServerSubscribing { channel } => {
                self.entry(0, "serverSubscribing").key("channel", false).string(channel);
            }
            ClientEvent::ServerSubscribed { channel, info } => {
                self.entry(0, "serverSubscribed").key("channel", false).string(channel);
                self.subscribed_fields(info);
            }
            ClientEvent::ServerUnsubscribed { channel } => {
                self.entry(0, "serverUnsubscribed").key("channel", false).string(channel);
            }
            ClientEvent::ServerPublication { channel, publication } => {
                self.entry(0, "serverPublication").key("channel", false).string(channel).raw(",");
                self.publication_fields(publication);
            }
            ClientEvent::ServerJoin { channel, info } | ClientEvent::ServerLeave { channel, info } => {
                let kind = if matches!(event, ClientEvent::ServerJoin { .. }) {
                    "serverJoin"
                } else {
                    "serverLeave"
                };
                self.entry(0, kind).key("channel", false).string(channel);
                self.key("info", false).client_info(info);
            }
            ClientEvent::ServerGap { channel, gap } => {
                self.entry(0, "serverGap").key("channel", false).string(channel);
                self.gap_fields(gap);
            }
            _ => return,
        }
        self.raw("}]");
    }

    /// Appends an event of the subscription `target` to the batch.
    pub fn subscription_event(&mut self, target: u32, event: &SubscriptionEvent) {
        match event {
            SubscriptionEvent::Publication(p) => {
                self.entry(target, "publication").raw(",").publication_fields(p);
            }
            SubscriptionEvent::Subscribing { code, reason }
            | SubscriptionEvent::Unsubscribed { code, reason } => {
                let kind = if matches!(event, SubscriptionEvent::Subscribing { .. }) {
                    "subscribing"
                } else {
                    "unsubscribed"
                };
                self.entry(target, kind).key("code", false).number(code).key("reason", false).string(reason);
            }
            SubscriptionEvent::Subscribed(info) => {
                self.entry(target, "subscribed").subscribed_fields(info);
            }
            SubscriptionEvent::Join(info) | SubscriptionEvent::Leave(info) => {
                let kind = if matches!(event, SubscriptionEvent::Join(_)) { "join" } else { "leave" };
                self.entry(target, kind).key("info", false).client_info(info);
            }
            SubscriptionEvent::Gap(gap) => {
                self.entry(target, "gap").gap_fields(gap);
            }
            SubscriptionEvent::Error(error) => {
                self.entry(target, "error").key("error", false).error(error);
            }
            SubscriptionEvent::StateLoaded { state, position } => {
                self.entry(target, "stateLoaded").key("state", false).payload(state.as_ref());
                self.key("position", false).position(Some(position));
            }
            _ => return,
        }
        self.raw("}]");
    }
}

/// `{publications, offset, epoch}` of a history call.
pub fn history(result: &HistoryResult, binary: bool) -> Json {
    let mut json = Json::new(binary);
    json.raw("{\"publications\":[");
    for (i, p) in result.publications.iter().enumerate() {
        if i > 0 {
            json.raw(",");
        }
        json.publication(p);
    }
    json.raw("],\"offset\":").number(result.offset).raw(",\"epoch\":").string(&result.epoch).raw("}");
    json
}

/// `{clients: {id: ClientInfo}}` of a presence call.
pub fn presence(result: &PresenceResult, binary: bool) -> Json {
    let mut json = Json::new(binary);
    json.raw("{\"clients\":{");
    for (i, (id, info)) in result.presence.iter().enumerate() {
        json.key(id, i == 0).client_info(info);
    }
    json.raw("}}");
    json
}

/// `{numClients, numUsers}` of a presence stats call.
pub fn presence_stats(result: &PresenceStatsResult) -> String {
    format!("{{\"numClients\":{},\"numUsers\":{}}}", result.num_clients, result.num_users)
}

/// The data of an RPC reply (`null` when there is none).
pub fn payload(data: Option<&Payload>, binary: bool) -> Json {
    let mut json = Json::new(binary);
    json.payload(data);
    json
}

/// `{caughtUp, publications: {channel: count}, elapsed}` of a wake (`elapsed` in milliseconds).
pub fn wake(report: &WakeReport) -> String {
    let mut json = Json::default();
    json.raw("{\"caughtUp\":").raw(if report.caught_up { "true" } else { "false" });
    json.raw(",\"publications\":{");
    for (i, (channel, count)) in report.publications.iter().enumerate() {
        json.key(channel, i == 0).number(count);
    }
    json.raw("},\"elapsed\":").number(report.elapsed.as_millis()).raw("}");
    json.text
}
