//! Options that shape what the engine sends: emulated headers in `connect`, and publication tags
//! filters in `subscribe`.
//!
//! Proven here: the configured headers go out in every `connect`; `set_headers` keeps the live
//! connection and applies from the next connect; header values never show in `Debug`. A tags filter
//! goes out as `tf` in its wire (JSON) form; an invalid filter, or one combined with delta, is refused
//! by `new_subscription` before anything is sent.

use std::collections::BTreeMap;

use serde_json::json;

use super::config;
use super::sim::{Sim, secs};
use crate::config::{Config, SubscriptionConfig};
use crate::error::Error;
use crate::filter::TagsFilter;

fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn headers_go_out_in_every_connect_and_set_headers_applies_from_the_next_one() {
    let config = Config { headers: headers(&[("Authorization", "Bearer one")]), ..config() };
    let mut sim = Sim::connected(config);
    assert_eq!(sim.last("connect").field("headers"), &json!({ "Authorization": "Bearer one" }));

    sim.engine.set_headers(headers(&[("Authorization", "Bearer two"), ("X-Tenant", "7")]));
    sim.advance(secs(1));
    assert_eq!(sim.opens.len(), 1, "set_headers does not reconnect");
    assert_eq!(sim.sent_of("connect").len(), 1);

    sim.close(Some(3001), "restart");
    sim.advance(secs(30));
    assert_eq!(sim.sent_of("connect").len(), 2);
    assert_eq!(
        sim.last("connect").field("headers"),
        &json!({ "Authorization": "Bearer two", "X-Tenant": "7" })
    );
}

#[test]
fn no_headers_no_field() {
    let sim = Sim::connected(config());
    assert!(sim.last("connect").field("headers").is_null());
}

#[test]
fn header_values_and_tokens_never_show_in_debug_output() {
    let config = Config { headers: headers(&[("Authorization", "Bearer secret-value")]), ..config() };
    let text = format!("{config:?}");
    assert!(!text.contains("secret-value"), "{text}");
    assert!(text.contains("Authorization"), "{text}");
    let mut sim = Sim::connected(Config { token: "secret-token".into(), ..config });
    let sub = SubscriptionConfig { token: "secret-sub-token".into(), ..SubscriptionConfig::default() };
    sim.subscribe("s", sub);
    let text = format!("{:?}", sim.engine);
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("Authorization"), "{text}");
}

#[test]
fn a_tags_filter_goes_out_as_tf() {
    let mut sim = Sim::connected(config());
    let filter = TagsFilter::and(vec![TagsFilter::eq("kind", "good"), TagsFilter::gt("price", "10.5")]);
    sim.subscribe(
        "tagged:x",
        SubscriptionConfig { tags_filter: Some(filter), ..SubscriptionConfig::default() },
    );
    assert_eq!(
        sim.last("subscribe").field("tf"),
        &json!({ "op": "and", "nodes": [
            { "key": "kind", "cmp": "eq", "val": "good" },
            { "key": "price", "cmp": "gt", "val": "10.5" }
        ] })
    );
    sim.subscribe("plain", SubscriptionConfig::default());
    assert!(sim.last("subscribe").field("tf").is_null());
}

#[test]
fn invalid_filters_and_filters_with_delta_are_refused_before_anything_is_sent() {
    let mut sim = Sim::connected(config());
    let invalid = TagsFilter { key: "k".into(), cmp: "in".into(), val: "x".into(), ..TagsFilter::default() };
    let config = SubscriptionConfig { tags_filter: Some(invalid), ..SubscriptionConfig::default() };
    let err = sim.engine.new_subscription("a", config).unwrap_err();
    assert_eq!(err, Error::InvalidTagsFilter("root: in needs a non-empty vals".into()));
    assert_eq!(err.code(), 23);

    let with_delta = SubscriptionConfig {
        tags_filter: Some(TagsFilter::eq("k", "v")),
        delta: true,
        ..SubscriptionConfig::default()
    };
    let err = sim.engine.new_subscription("b", with_delta).unwrap_err();
    assert!(matches!(err, Error::InvalidTagsFilter(ref m) if m.contains("delta")), "{err:?}");
    assert_eq!(sim.engine.subscription_state("a"), None);
    assert_eq!(sim.engine.subscription_state("b"), None);
    assert!(sim.sent_of("subscribe").is_empty());
}
