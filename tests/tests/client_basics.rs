//! Connect, subscribe, publish and receive against a real Centrifugo.

use std::time::Duration;

use ceaseless::{Client, ClientState, Payload, SubscriptionEvent};
use ceaseless_tests::Centrifugo;
use futures::StreamExt;

fn json(s: &str) -> Payload {
    Payload::from_json_str(s).expect("test JSON is valid")
}

#[tokio::test]
async fn subscribe_publish_receive() {
    ceaseless_tests::init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let client =
        Client::builder(&server.ws_url()).token(server.token("alice", None)).build().expect("client");
    let sub = client.new_subscription("test:basics").build().expect("subscription");
    let mut events = sub.events();
    client.connect();
    sub.subscribe();
    tokio::time::timeout(Duration::from_secs(5), sub.ready()).await.expect("in time").expect("subscribed");
    assert_eq!(client.state(), ClientState::Connected);
    client.publish("test:basics", json(r#"{"n":1}"#)).await.expect("publish");
    server.api().publish("test:basics", serde_json::json!({"n": 2})).await.expect("api publish");
    let mut got = Vec::new();
    while got.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(5), events.next()).await.expect("event in time");
        if let Some(SubscriptionEvent::Publication(p)) = event {
            got.push(p.data.json::<serde_json::Value>().expect("json")["n"].as_u64().expect("n"));
        }
    }
    assert_eq!(got, vec![1, 2]);
    client.close().await;
}

#[tokio::test]
async fn event_streams_end_when_the_client_closes() {
    ceaseless_tests::init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let client =
        Client::builder(&server.ws_url()).token(server.token("carol", None)).build().expect("client");
    let sub = client.new_subscription("test:closing").build().expect("subscription");
    let mut client_events = client.events();
    let mut sub_events = sub.events();
    client.connect();
    sub.subscribe();
    tokio::time::timeout(Duration::from_secs(5), sub.ready()).await.expect("in time").expect("subscribed");
    client.close().await;
    let drain = async {
        while client_events.next().await.is_some() {}
        while sub_events.next().await.is_some() {}
    };
    tokio::time::timeout(Duration::from_secs(2), drain)
        .await
        .expect("streams end after close, handles still alive");
    assert_eq!(client.state(), ClientState::Closed);
    drop(sub);
}
