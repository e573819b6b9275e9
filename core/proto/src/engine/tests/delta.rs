//! Fossil delta through the engine, on a JSON connection.
//!
//! Proven here: `delta: true` subscriptions ask for `fossil`; once the server negotiates it, a delta
//! publication is applied to the previous full payload and reaches the app whole; a delta that does
//! not apply is never delivered: the subscription unsubscribes, reports the error, and subscribes again
//! recovering from the last publication delivered whole.

use serde_json::{Value, json};

use super::config;
use super::sim::{Answer, Sim};
use crate::config::SubscriptionConfig;
use crate::event::{SubscriptionEvent, SubscriptionState};

const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

/// A number in the fossil delta base-64 notation.
fn fossil_int(mut v: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(ALPHABET[(v % 64) as usize]);
        v /= 64;
        if v == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap()
}

/// A delta that turns `base` into `base[..keep] + tail`, with the checksum of the result (or a wrong
/// one when `corrupt`).
fn delta(base: &str, keep: usize, tail: &str, corrupt: bool) -> String {
    let target = format!("{}{tail}", &base[..keep]);
    let sum = crate::delta::checksum(target.as_bytes()) ^ u32::from(corrupt);
    format!(
        "{}\n{}@0,{}:{tail}{};",
        fossil_int(target.len() as u64),
        fossil_int(keep as u64),
        fossil_int(tail.len() as u64),
        fossil_int(u64::from(sum))
    )
}

/// A publication push of a delta-negotiated JSON channel: `data` is a JSON string.
fn pub_string(data: &str, is_delta: bool, offset: u64) -> Value {
    json!({ "pub": { "data": data, "delta": is_delta, "offset": offset } })
}

fn delivered_data(sim: &Sim, channel: &str) -> Vec<Value> {
    let events = sim.sub_events(channel).into_iter();
    events
        .filter_map(|e| match e {
            SubscriptionEvent::Publication(p) => Some(p.data.json::<Value>().unwrap()),
            _ => None,
        })
        .collect()
}

/// A connected client subscribed to `prices` with fossil delta negotiated, at (e, 1).
fn negotiated() -> Sim {
    let mut sim = Sim::connected(config());
    sim.server.subscribe = Answer::Ok(json!({
        "recoverable": true, "positioned": true, "epoch": "e", "offset": 1, "delta": true,
    }));
    let config =
        SubscriptionConfig { delta: true, recoverable: true, positioned: true, ..Default::default() };
    sim.subscribe("prices", config);
    assert_eq!(sim.last("subscribe").field("delta"), "fossil");
    assert_eq!(sim.sub_state("prices"), Some(SubscriptionState::Subscribed));
    sim
}

#[test]
fn a_delta_publication_reaches_the_app_whole() {
    let mut sim = negotiated();
    let v2 = r#"{"price":100,"symbol":"ACME"}"#;
    sim.push("prices", pub_string(v2, false, 2));
    let d3 = delta(v2, 11, r#"1,"symbol":"ACME"}"#, false);
    sim.push("prices", pub_string(&d3, true, 3));
    let d4 = delta(r#"{"price":101,"symbol":"ACME"}"#, 9, r#"250,"symbol":"ACME"}"#, false);
    sim.push("prices", pub_string(&d4, true, 4));
    assert_eq!(
        delivered_data(&sim, "prices"),
        vec![
            json!({ "price": 100, "symbol": "ACME" }),
            json!({ "price": 101, "symbol": "ACME" }),
            json!({ "price": 250, "symbol": "ACME" }),
        ]
    );
    assert_eq!(sim.engine.subscription_position("prices").map(|p| p.offset), Some(4));
}

#[test]
fn a_bad_delta_is_never_delivered_and_resubscribes_with_recovery() {
    let mut sim = negotiated();
    let v2 = r#"{"price":100}"#;
    sim.push("prices", pub_string(v2, false, 2));
    sim.server.subscribe = Answer::Manual;
    sim.clear_events();
    let bad = delta(v2, 9, "999}", true);
    sim.push("prices", pub_string(&bad, true, 3));
    // A publication after the bad one, before the resubscribe is answered, is not delivered either.
    sim.push("prices", pub_string(&delta(v2, 9, "1}", false), true, 4));

    assert!(delivered_data(&sim, "prices").is_empty());
    let events = sim.sub_events("prices");
    assert!(matches!(&events[0], SubscriptionEvent::Error(crate::Error::Protocol(_))), "{events:?}");
    assert!(matches!(&events[1], SubscriptionEvent::Subscribing { code: 2500, .. }), "{events:?}");
    assert_eq!(sim.sub_state("prices"), Some(SubscriptionState::Subscribing));
    assert_eq!(sim.sent_of("unsubscribe").len(), 1);
    let resubscribe = sim.last("subscribe");
    assert_eq!(resubscribe.field("recover"), true);
    assert_eq!(resubscribe.field("offset"), 2, "recovers from the last publication delivered whole");
    assert_eq!(resubscribe.field("epoch"), "e");

    // The recovered replay restarts the chain from a full payload.
    sim.reply(
        &resubscribe,
        json!({
            "recoverable": true, "positioned": true, "epoch": "e", "offset": 3, "delta": true,
            "was_recovering": true, "recovered": true,
            "publications": [{ "data": r#"{"price":103}"#, "offset": 3 }],
        }),
    );
    sim.push("prices", pub_string(&delta(r#"{"price":103}"#, 11, "4}", false), true, 4));
    assert_eq!(delivered_data(&sim, "prices"), vec![json!({ "price": 103 }), json!({ "price": 104 })]);
    assert_eq!(sim.sub_state("prices"), Some(SubscriptionState::Subscribed));
}
