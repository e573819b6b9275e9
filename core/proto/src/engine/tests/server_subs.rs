//! Server-side subscriptions across reconnects (PROTOCOL.md 3.9).
//!
//! Proven here: the `subs` of a connect reply become `ServerSubscribed` events (and their publications
//! `ServerPublication` events); live publications are deduplicated by offset; losing the connection
//! emits `ServerSubscribing` for each; the next `connect` carries `subs` with `recover`, `offset` and
//! `epoch` for the recoverable ones only; the recovered reply delivers `ServerSubscribed
//! { recovered: true }` and then the replay; a channel missing from the new reply is `ServerUnsubscribed`.

use serde_json::{Value, json};

use super::config;
use super::sim::{Answer, Sim, publication, secs};
use crate::event::ClientEvent;

fn connect_reply(subs: Value) -> Answer {
    Answer::Ok(json!({ "version": "6.9.1", "subs": subs }))
}

/// The channels of `ConnectRequest.subs`, each with its `(recover, offset, epoch)`.
fn recovering(subs: &Value) -> Vec<(String, Value)> {
    let subs = subs.as_object().expect("subs is a map");
    subs.iter().map(|(c, s)| (c.clone(), json!([s["recover"], s["offset"], s["epoch"]]))).collect()
}

#[test]
fn server_side_subscriptions_recover_across_a_reconnect() {
    let mut sim = Sim::new(config());
    sim.server.connect = connect_reply(json!({
        "news": { "recoverable": true, "positioned": true, "epoch": "e", "offset": 5 },
        "plain": {},
    }));
    sim.connect();
    let subscribed: Vec<_> = sim
        .client_events()
        .into_iter()
        .filter_map(
            |e| if let ClientEvent::ServerSubscribed { channel, .. } = e { Some(channel) } else { None },
        )
        .collect();
    assert_eq!(subscribed, ["news", "plain"]);
    assert_eq!(sim.engine.server_subscriptions().collect::<Vec<_>>(), ["news", "plain"]);
    assert!(sim.last("connect").field("subs").is_null(), "nothing to recover on the first connect");

    sim.publish_offsets("news", &[6, 7, 7, 6]);
    assert_eq!(sim.server_delivered("news"), vec![6, 7]);

    sim.server.connect = connect_reply(json!({
        "news": {
            "recoverable": true, "positioned": true, "epoch": "e", "offset": 7,
            "was_recovering": true, "recovered": true,
            "publications": [publication(8), publication(9)],
        },
    }));
    sim.close(Some(3001), "shutdown");
    let subscribing: Vec<_> = sim
        .client_events()
        .into_iter()
        .filter_map(|e| if let ClientEvent::ServerSubscribing { channel } = e { Some(channel) } else { None })
        .collect();
    assert_eq!(subscribing, ["news", "plain"]);
    sim.clear_events();

    sim.advance(secs(2));
    let connect = sim.last("connect");
    assert_eq!(recovering(connect.field("subs")), [("news".to_owned(), json!([true, 7, "e"]))]);

    let events = sim.client_events();
    let recovered = events.iter().position(|e| {
        matches!(e, ClientEvent::ServerSubscribed { channel, info } if channel == "news" && info.recovered)
    });
    let first_replayed = events.iter().position(|e| matches!(e, ClientEvent::ServerPublication { .. }));
    assert!(recovered.is_some() && recovered < first_replayed, "{events:?}");
    assert_eq!(sim.server_delivered("news"), vec![8, 9]);
    assert!(events.contains(&ClientEvent::ServerUnsubscribed { channel: "plain".to_owned() }));
    assert_eq!(sim.engine.server_subscriptions().collect::<Vec<_>>(), ["news"]);

    sim.publish_offsets("news", &[9, 10]);
    assert_eq!(sim.server_delivered("news"), vec![8, 9, 10]);
}

#[test]
fn a_subscribe_push_adds_a_server_side_subscription() {
    let mut sim = Sim::connected(config());
    sim.push("live", json!({ "subscribe": { "recoverable": true, "epoch": "x", "offset": 3 } }));
    assert_eq!(sim.engine.server_subscriptions().collect::<Vec<_>>(), ["live"]);
    sim.publish_offsets("live", &[3, 4]);
    assert_eq!(sim.server_delivered("live"), vec![4]);

    sim.close(None, "network");
    sim.advance(secs(2));
    let subs = recovering(sim.last("connect").field("subs"));
    assert_eq!(subs, [("live".to_owned(), json!([true, 4, "x"]))]);
}
