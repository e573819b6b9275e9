//! Every exported `Subscription` function, and subscription token providers.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ceaseless_ffi::{
    CeaselessError, Client, ClientOptions, Event, HistoryOptions, StreamPosition, SubscriptionOptions,
    SubscriptionState,
};
use ceaseless_tests::Centrifugo;
use common::{Collect, Reader, SubTokens, Tokens, eventually, n};

fn options() -> ClientOptions {
    ClientOptions::default()
}

fn sub_options(since: Option<StreamPosition>) -> SubscriptionOptions {
    SubscriptionOptions {
        data: Some(br#"{"from":"ffi"}"#.to_vec()),
        positioned: Some(true),
        recoverable: Some(true),
        join_leave: Some(true),
        since,
        ..SubscriptionOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn subscription_lifecycle_and_commands() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("alice", None))).expect("client");
    let channel = "test:ffi-sub".to_owned();
    let sub =
        client.clone().new_subscription(channel.clone(), sub_options(None), None).expect("subscription");
    assert_eq!(sub.channel(), channel);
    assert_eq!(sub.state(), SubscriptionState::Unsubscribed);
    let mut events = Reader::new(sub.events());
    let listener = Arc::new(Collect::default());
    let handle = sub.add_listener(listener.clone()).expect("listener");
    client.connect();
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    assert_eq!(sub.state(), SubscriptionState::Subscribed);
    let info = events
        .until(|e| if let Event::Subscribed { info, .. } = e { Some(info.clone()) } else { None })
        .await;
    assert!(info.recoverable && info.positioned && !info.was_recovering);

    sub.publish(br#"{"n":1}"#.to_vec()).await.expect("publish");
    sub.publish_text(r#"{"n":2}"#.into()).await.expect("publish_text");
    let received = events.publications(2).await;
    assert_eq!(received.iter().map(n).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(received.iter().map(|p| p.offset).collect::<Vec<_>>(), vec![1, 2]);
    eventually("publications at the listener", || {
        listener.count(|e| matches!(e, Event::Publication { channel, .. } if channel == "test:ffi-sub")) == 2
    })
    .await;
    handle.cancel();
    assert_eq!(sub.position().await.map(|p| p.offset), Some(2));
    let history =
        sub.history(HistoryOptions { limit: -1, since: None, reverse: true }).await.expect("history");
    assert_eq!(history.publications.iter().map(n).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(sub.presence().await.expect("presence").clients.len(), 1);
    assert_eq!(sub.presence_stats().await.expect("presence stats").num_clients, 1);

    // A second client joining shows up as a join event.
    let other = Client::new(server.ws_url(), options(), Some(Tokens::new("bob", None))).expect("client");
    let other_sub = other.clone().new_subscription(channel.clone(), sub_options(None), None).expect("sub");
    other.connect();
    other_sub.subscribe();
    let joined =
        events.until(|e| if let Event::Join { info, .. } = e { Some(info.user.clone()) } else { None }).await;
    assert_eq!(joined, "bob");
    other.shutdown().await;
    let left = events
        .until(|e| if let Event::Leave { info, .. } = e { Some(info.user.clone()) } else { None })
        .await;
    assert_eq!(left, "bob");

    sub.unsubscribe();
    let code =
        events.until(|e| if let Event::Unsubscribed { code, .. } = e { Some(*code) } else { None }).await;
    assert_eq!(code, 0, "unsubscribe called");
    assert!(matches!(sub.ready().await, Err(CeaselessError::Unsubscribed { code: 7, .. })));
    sub.remove();
    let again =
        client.clone().new_subscription(channel.clone(), sub_options(None), None).expect("name is free");
    assert_eq!(again.channel(), channel);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn since_recovers_and_reports() {
    let server = Centrifugo::start().await.expect("server");
    let channel = "test:ffi-since";
    let mut epoch = String::new();
    for i in 1..=4 {
        epoch = server.api().publish(channel, serde_json::json!({ "n": i })).await.expect("publish").epoch;
    }
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("carol", None))).expect("client");
    let since = StreamPosition { offset: 2, epoch };
    let sub = client.clone().new_subscription(channel.into(), sub_options(Some(since)), None).expect("sub");
    let mut events = Reader::new(sub.events());
    client.connect();
    sub.subscribe();
    let info = events
        .until(|e| if let Event::Subscribed { info, .. } = e { Some(info.clone()) } else { None })
        .await;
    assert!(info.was_recovering && info.recovered, "{info:?}");
    assert_eq!(events.publications(2).await.iter().map(n).collect::<Vec<_>>(), vec![3, 4]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn subscription_token_provider() {
    let server = Centrifugo::start().await.expect("server");
    let channel = "secure:ffi-tokens".to_owned();
    let tokens = HashMap::from([(channel.clone(), server.subscription_token("dave", &channel, None))]);
    let provider = Arc::new(SubTokens(Mutex::new(tokens)));
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("dave", None))).expect("client");
    let sub =
        client.clone().new_subscription(channel.clone(), sub_options(None), Some(provider)).expect("sub");
    client.connect();
    sub.subscribe();
    sub.ready().await.expect("subscribed with a token from the provider");

    // Without a provider or token the server refuses the channel.
    let refused =
        client.clone().new_subscription("secure:ffi-other".into(), sub_options(None), None).expect("sub");
    let mut events = Reader::new(refused.events());
    refused.subscribe();
    let outcome = events
        .until(|e| match e {
            Event::Unsubscribed { code, .. } => Some(*code),
            Event::SubscriptionError { error, .. } => Some(error.code()),
            _ => None,
        })
        .await;
    assert!(outcome > 0, "refused with code {outcome}");
    client.shutdown().await;
}
