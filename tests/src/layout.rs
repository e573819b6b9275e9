//! One config description, two server layouts.
//!
//! The harness describes a server in Centrifugo v6's nested layout (`tests/centrifugo.json` plus the
//! tests' overrides). v6 reads that as is. Centrifugo v5 reads a flat key space instead, so for a v5
//! binary [`to_v5`] rewrites the description through the table below. A setting the table does not
//! know is an error, never silently dropped: a test that relies on it would otherwise run against a
//! server configured differently from what it says. Settings v5 has no equivalent for (the v6
//! client features: tags filter namespaces, map and shared-poll namespaces, emulated headers) are
//! listed in [`V6_ONLY_NAMESPACE_KEYS`] and [`V6_ONLY_PATHS`] and left out for v5; the tests of those
//! features skip themselves on v5 (see [`crate::Centrifugo::major_version`]).

use serde_json::{Map, Value};

use crate::HarnessError;

/// v6 path (dot-separated) → v5 flat key, for every setting the harness and its tests use.
const PATHS: &[(&str, &str)] = &[
    ("log.level", "log_level"),
    ("node.name", "name"),
    ("client.token.hmac_secret_key", "token_hmac_secret_key"),
    ("client.subscription_token.enabled", "separate_subscription_token_config"),
    ("client.subscription_token.hmac_secret_key", "subscription_token_hmac_secret_key"),
    ("client.allowed_origins", "allowed_origins"),
    ("client.ping_interval", "ping_interval"),
    ("client.pong_timeout", "pong_timeout"),
    ("client.expired_close_delay", "client_expired_close_delay"),
    ("client.expired_sub_close_delay", "client_expired_sub_close_delay"),
    ("client.stale_close_delay", "client_stale_close_delay"),
    ("client.presence_update_interval", "client_presence_update_interval"),
    ("client.queue_max_size", "client_queue_max_size"),
    ("client.channel_limit", "client_channel_limit"),
    ("client.recovery_max_publication_limit", "client_recovery_max_publication_limit"),
    ("client.proxy.connect.enabled", "proxy_connect"),
    ("client.proxy.connect.endpoint", "proxy_connect_endpoint"),
    ("client.proxy.connect.timeout", "proxy_connect_timeout"),
    ("websocket.disabled", "websocket_disable"),
    ("websocket.write_timeout", "websocket_write_timeout"),
    ("http_api.key", "api_key"),
    ("health.enabled", "health"),
    ("http_stream.enabled", "http_stream"),
    ("sse.enabled", "sse"),
    ("usage_stats.disabled", "usage_stats_disable"),
    ("admin.enabled", "admin"),
    ("http_server.address", "address"),
    ("http_server.port", "port"),
    ("http_server.internal_address", "internal_address"),
    ("http_server.internal_port", "internal_port"),
    ("http_server.tls.enabled", "tls"),
    ("http_server.tls.cert_pem", "tls_cert"),
    ("http_server.tls.key_pem", "tls_key"),
    ("http_server.tls_external", "tls_external"),
    ("engine.type", "engine"),
    ("engine.redis.address", "redis_address"),
    ("engine.redis.prefix", "redis_prefix"),
];

/// v6 settings with no v5 equivalent, left out of a v5 config.
const V6_ONLY_PATHS: &[&str] = &["client.proxy.connect.emulated_headers", "map_broker.type"];

/// Namespace options that only v6 has; a v5 namespace is the same namespace without them.
pub const V6_ONLY_NAMESPACE_KEYS: &[&str] = &["allow_tags_filter", "subscription_type", "map", "shared_poll"];

/// `config` (v6 layout) rewritten in v5's flat layout.
pub(crate) fn to_v5(config: &Value) -> Result<Value, HarnessError> {
    let mut flat = Map::new();
    let mut leaves = Vec::new();
    collect_leaves(config, String::new(), &mut leaves);
    for (path, value) in leaves {
        if let Some(rest) = path.strip_prefix("channel.without_namespace.") {
            if !V6_ONLY_NAMESPACE_KEYS.iter().any(|key| rest == *key || rest.starts_with(&format!("{key}.")))
            {
                flat.insert(rest.to_owned(), value);
            }
        } else if path == "channel.namespaces" {
            flat.insert("namespaces".to_owned(), v5_namespaces(&value)?);
        } else if let Some((_, key)) = PATHS.iter().find(|(v6, _)| *v6 == path) {
            flat.insert((*key).to_owned(), v5_value(key, value));
        } else if !V6_ONLY_PATHS.contains(&path.as_str()) {
            return Err(HarnessError::Setup(format!(
                "config setting {path:?} has no Centrifugo v5 equivalent in the harness's table (tests/src/layout.rs)"
            )));
        }
    }
    Ok(Value::Object(flat))
}

/// v6 lists Redis addresses; v5 takes one address as a string.
fn v5_value(key: &str, value: Value) -> Value {
    match value {
        Value::Array(mut list) if key == "redis_address" && list.len() == 1 => list.remove(0),
        other => other,
    }
}

/// The dot-separated path and value of every non-object leaf; `channel.without_namespace.*`
/// options and `channel.namespaces` are leaves of their own (namespaces keep their shape).
fn collect_leaves(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if path != "channel.namespaces" && !is_namespace_option(&path) => {
            for (key, child) in map {
                let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                collect_leaves(child, child_path, out);
            }
        }
        _ => out.push((path, value.clone())),
    }
}

/// Whether `path` is one option of the channels without a namespace (kept whole, like `map`).
fn is_namespace_option(path: &str) -> bool {
    path.strip_prefix("channel.without_namespace.").is_some_and(|rest| !rest.contains('.'))
}

/// The namespace list for v5: the same namespaces without the v6-only options.
fn v5_namespaces(namespaces: &Value) -> Result<Value, HarnessError> {
    let Value::Array(list) = namespaces else {
        return Err(HarnessError::Setup("config key \"channel.namespaces\" is not an array".into()));
    };
    let list = list
        .iter()
        .map(|namespace| {
            let mut namespace = namespace.clone();
            if let Value::Object(options) = &mut namespace {
                options.retain(|key, _| !V6_ONLY_NAMESPACE_KEYS.contains(&key.as_str()));
            }
            namespace
        })
        .collect();
    Ok(Value::Array(list))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_settings_become_flat_keys() {
        let v6 = json!({
            "client": { "token": { "hmac_secret_key": "s" }, "ping_interval": "3s" },
            "http_api": { "key": "k" },
            "http_stream": { "enabled": true },
            "http_server": { "port": "9000", "tls": { "enabled": true, "cert_pem": "/c" } },
        });
        let v5 = to_v5(&v6).expect("translates");
        assert_eq!(
            v5,
            json!({
                "token_hmac_secret_key": "s", "ping_interval": "3s", "api_key": "k",
                "http_stream": true, "port": "9000", "tls": true, "tls_cert": "/c",
            })
        );
    }

    #[test]
    fn channel_options_move_to_the_top_and_lose_v6_only_keys() {
        let v6 = json!({ "channel": {
            "without_namespace": { "presence": true, "allowed_delta_types": ["fossil"], "allow_tags_filter": true },
            "namespaces": [{ "name": "kv", "subscription_type": "map", "map": { "mode": "ephemeral" }, "presence": true }],
        }});
        let v5 = to_v5(&v6).expect("translates");
        assert_eq!(
            v5,
            json!({
                "presence": true, "allowed_delta_types": ["fossil"],
                "namespaces": [{ "name": "kv", "presence": true }],
            })
        );
    }

    #[test]
    fn an_unknown_setting_is_an_error_not_a_silent_drop() {
        let error = to_v5(&json!({ "client": { "no_such_setting": 1 } })).expect_err("refused");
        assert!(error.to_string().contains("client.no_such_setting"), "{error}");
    }

    #[test]
    fn the_base_config_translates() {
        let base = crate::ServerOptions::new().merged_config().expect("base config parses");
        let v5 = to_v5(&base).expect("the base config has a v5 form");
        assert_eq!(v5["token_hmac_secret_key"], crate::HMAC_SECRET);
        assert_eq!(v5["api_key"], crate::API_KEY);
        assert!(
            v5["namespaces"]
                .as_array()
                .is_some_and(|list| list.iter().all(|ns| ns.get("allow_tags_filter").is_none()))
        );
    }
}
