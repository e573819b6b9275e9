//! Publish and subscribe through a real Centrifugo: a publication made by one client reaches another
//! client's subscription (with the publisher's identity), and a publication made through the server
//! HTTP API reaches a subscriber at the offset the API reported; a publish made while the client is
//! still connecting goes out once it is connected.

mod common;

use ceaseless::Payload;
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{STEP, connected, n_of, numbered, publications, subscribed, unique, within};

#[tokio::test]
async fn a_client_publication_reaches_another_client() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:pubsub-clients");
    let (alice, _alice_events, _) = connected(&server, &unique("alice")).await;
    let bob_name = unique("bob");
    let (bob, _bob_events, bob_id) = connected(&server, &bob_name).await;
    let (_sub, mut events) = subscribed(&alice, &channel).await;

    let data = Payload::to_json(&numbered(7)).expect("JSON");
    within(STEP, "bob's publish", bob.publish(&channel, data))
        .await
        .expect("bob may publish without subscribing");

    let got = publications(&mut events, 1).await;
    assert_eq!(n_of(&got[0]), 7);
    let info = got[0].info.as_ref().expect("a client publication names its publisher");
    assert_eq!(info.user, bob_name);
    assert_eq!(info.client, bob_id);
    assert_eq!(got[0].offset, 1, "the first publication of a channel with history");
    alice.close().await;
    bob.close().await;
}

#[tokio::test]
async fn an_api_publication_reaches_a_subscriber() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:pubsub-api");
    let (client, _client_events, _) = connected(&server, &unique("carol")).await;
    let (sub, mut events) = subscribed(&client, &channel).await;

    let first = server.api().publish(&channel, numbered(1)).await.expect("API publish");
    let second = server.api().publish(&channel, numbered(2)).await.expect("API publish");

    let got = publications(&mut events, 2).await;
    assert_eq!(got.iter().map(n_of).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(got[0].offset, first.offset);
    assert_eq!(got[1].offset, second.offset);
    assert!(got[0].info.is_none(), "API publications have no publisher");
    let position = sub.position().await.expect("a recoverable subscription has a position");
    assert_eq!(position.offset, second.offset);
    assert_eq!(position.epoch, second.epoch);
    client.close().await;
}

#[tokio::test]
async fn a_publish_made_while_connecting_goes_out_once_connected() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:pubsub-early");
    let (reader, _reader_events, _) = connected(&server, &unique("reader")).await;
    let (_sub, mut events) = subscribed(&reader, &channel).await;

    let writer = common::builder_for(&server, &unique("writer")).build().expect("client");
    writer.connect();
    within(STEP, "the early publish", writer.publish(&channel, common::json(r#"{"n":3}"#)))
        .await
        .expect("a publish waits for the connection");
    assert_eq!(n_of(&publications(&mut events, 1).await[0]), 3);
    reader.close().await;
    writer.close().await;
}
