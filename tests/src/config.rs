//! The server's configuration: the base file, the per-test overrides and how they merge.

use serde_json::{Map, Value};

use crate::HarnessError;

/// The base config, `tests/centrifugo.json`, in Centrifugo v6's nested layout (the one description;
/// [`crate::layout`] derives v5's flat layout from it).
const BASE_CONFIG: &str = include_str!("../centrifugo.json");

/// How to start a [`Centrifugo`](crate::Centrifugo): config overrides, TLS and the port.
///
/// ```
/// use ceaseless_tests::ServerOptions;
/// let opts = ServerOptions::new()
///     .config(serde_json::json!({ "client": { "ping_interval": "3s", "pong_timeout": "1s" } }))
///     .namespace(serde_json::json!({ "name": "bare" }));
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    overrides: Value,
    namespaces: Vec<Value>,
    pub(crate) tls: bool,
    pub(crate) port: Option<u16>,
}

impl ServerOptions {
    /// The defaults: the base config as is, plain HTTP/WebSocket, a free port.
    pub fn new() -> Self {
        Self::default()
    }

    /// Deep-merges `overrides` into the base config, with JSON Merge Patch (RFC 7396) rules:
    /// objects merge key by key, anything else (arrays included) replaces, and `null` removes
    /// the key. Several calls merge in order. Keys follow Centrifugo v6's nested layout, e.g.
    /// `{"client": {"expired_close_delay": "1s"}, "channel": {"without_namespace": {"presence": null}}}`;
    /// for a v5 server the harness translates them ([`crate::layout`]).
    ///
    /// Note that `channel.namespaces` is an array, so overriding it replaces every namespace; use
    /// [`namespace`](Self::namespace) to add or replace a single one.
    pub fn config(mut self, overrides: Value) -> Self {
        merge(&mut self.overrides, overrides);
        self
    }

    /// Adds a channel namespace (to `channel.namespaces`), or replaces the one with the same `name`, after the
    /// [`config`](Self::config) overrides are applied.
    pub fn namespace(mut self, namespace: Value) -> Self {
        self.namespaces.push(namespace);
        self
    }

    /// Serves WebSocket, HTTP-streaming and SSE over TLS (`wss://`, `https://`) with a freshly
    /// generated CA and a leaf certificate for `127.0.0.1`, `::1` and `localhost`; see
    /// [`Centrifugo::ca_pem`](crate::Centrifugo::ca_pem).
    ///
    /// The server API and `/health` stay on plain HTTP on a second loopback port, so
    /// [`Centrifugo::api`](crate::Centrifugo::api) works as usual.
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Listens on `port` instead of a free one picked by the harness.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The base config with the overrides and namespaces applied; without ports or TLS.
    pub(crate) fn merged_config(&self) -> Result<Value, HarnessError> {
        let mut config: Value = serde_json::from_str(BASE_CONFIG)
            .map_err(|e| HarnessError::Setup(format!("tests/centrifugo.json is not valid JSON: {e}")))?;
        if !config.is_object() {
            return Err(HarnessError::Setup("tests/centrifugo.json must hold a JSON object".into()));
        }
        match &self.overrides {
            Value::Null => {}
            Value::Object(_) => merge(&mut config, self.overrides.clone()),
            other => {
                return Err(HarnessError::Setup(format!(
                    "config overrides must be a JSON object, not {other}"
                )));
            }
        }
        for namespace in &self.namespaces {
            upsert_namespace(&mut config, namespace.clone())?;
        }
        Ok(config)
    }
}

/// Applies `patch` to `target` with JSON Merge Patch (RFC 7396) rules.
pub(crate) fn merge(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(&key);
            } else {
                merge(target.entry(key).or_insert(Value::Null), value);
            }
        }
    }
}

/// Puts `namespace` into the config's `namespaces`, replacing one with the same name.
fn upsert_namespace(config: &mut Value, namespace: Value) -> Result<(), HarnessError> {
    let name = namespace
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| HarnessError::Setup(format!("namespace without a string \"name\": {namespace}")))?
        .to_owned();
    let Some(root) = config.as_object_mut() else {
        return Err(HarnessError::Setup("the config is not a JSON object".into()));
    };
    let channel = root.entry("channel").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(channel) = channel else {
        return Err(HarnessError::Setup("config key \"channel\" is not an object".into()));
    };
    let namespaces = channel.entry("namespaces").or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(list) = namespaces else {
        return Err(HarnessError::Setup("config key \"channel.namespaces\" is not an array".into()));
    };
    list.retain(|existing| existing.get("name").and_then(Value::as_str) != Some(name.as_str()));
    list.push(namespace);
    Ok(())
}

/// Reads a string setting at a dot-separated `path` (`"http_api.key"`), treating a missing key or
/// an empty string as absent.
pub(crate) fn non_empty_str<'a>(config: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.')
        .try_fold(config, |value, key| value.get(key))
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_follows_json_merge_patch() {
        let mut target = json!({"a": {"b": 1, "c": 2}, "list": [1, 2], "gone": true});
        merge(&mut target, json!({"a": {"c": 3, "d": 4}, "list": [9], "gone": null, "new": "x"}));
        assert_eq!(target, json!({"a": {"b": 1, "c": 3, "d": 4}, "list": [9], "new": "x"}));
    }

    #[test]
    fn base_config_holds_the_published_secrets() {
        let config = ServerOptions::new().merged_config().expect("base config parses");
        assert_eq!(config["client"]["token"]["hmac_secret_key"], crate::HMAC_SECRET);
        assert_eq!(config["http_api"]["key"], crate::API_KEY);
    }

    #[test]
    fn namespace_replaces_by_name() {
        let config = ServerOptions::new()
            .namespace(json!({"name": "test", "presence": false}))
            .namespace(json!({"name": "extra"}))
            .merged_config()
            .expect("config merges");
        let namespaces = config["channel"]["namespaces"].as_array().expect("namespaces is an array");
        let test: Vec<_> = namespaces.iter().filter(|ns| ns["name"] == "test").collect();
        assert_eq!(test, vec![&json!({"name": "test", "presence": false})]);
        assert!(namespaces.iter().any(|ns| ns["name"] == "extra"));
        assert!(namespaces.iter().any(|ns| ns["name"] == "secure"));
    }
}
