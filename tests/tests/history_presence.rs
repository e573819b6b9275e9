//! History, presence and join/leave through a real Centrifugo: history pages forward and backward with
//! `limit` and `since` and reports the stream top; presence and presence stats count two subscribed
//! clients; a second subscriber's subscribe and unsubscribe reach the first as Join then Leave.

mod common;

use ceaseless::{HistoryOptions, Publication, StreamPosition, Subscription, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{STEP, api_publish_numbered, connected, n_of, next_matching, subscribed, unique, within};

/// Reads one history page of `sub` and checks that it reports the stream top `top`.
async fn page(sub: &Subscription, options: HistoryOptions, top: &StreamPosition) -> Vec<Publication> {
    let result = within(STEP, "a history reply", sub.history(options)).await.expect("history");
    assert_eq!(result.offset, top.offset, "every page reports the stream top");
    assert_eq!(result.epoch, top.epoch);
    for publication in &result.publications {
        assert_eq!(n_of(publication), publication.offset, "data and offset agree");
    }
    result.publications
}

fn offsets(publications: &[Publication]) -> Vec<u64> {
    publications.iter().map(|p| p.offset).collect()
}

#[tokio::test]
async fn history_pages_forward_and_backward() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:history");
    let (client, _client_events, _) = connected(&server, &unique("reader")).await;
    // History needs a subscription in this namespace (allow_history_for_subscriber).
    let (sub, _events) = subscribed(&client, &channel).await;
    api_publish_numbered(&server, &channel, 1..=10).await;
    let top = server.api().publish(&channel, common::numbered(11)).await.expect("API publish");
    let top = StreamPosition { offset: top.offset, epoch: top.epoch };
    assert_eq!(top.offset, 11);

    let only_top = page(&sub, HistoryOptions { limit: 0, ..Default::default() }, &top).await;
    assert!(only_top.is_empty(), "limit 0 returns only the position");

    let mut forward = Vec::new();
    let mut since = None;
    loop {
        let options = HistoryOptions { limit: 3, since: since.clone(), reverse: false };
        let got = page(&sub, options, &top).await;
        assert!(got.len() <= 3, "a page holds at most `limit`: {:?}", offsets(&got));
        let Some(last) = got.last() else { break };
        since = Some(StreamPosition { offset: last.offset, epoch: top.epoch.clone() });
        let short = got.len() < 3;
        forward.extend(got);
        if short {
            break;
        }
    }
    assert_eq!(offsets(&forward), (1..=11).collect::<Vec<_>>());

    let newest = page(&sub, HistoryOptions { limit: 3, since: None, reverse: true }, &top).await;
    assert_eq!(offsets(&newest), vec![11, 10, 9]);
    let before_nine = StreamPosition { offset: 9, epoch: top.epoch.clone() };
    let older = page(&sub, HistoryOptions { limit: 3, since: Some(before_nine), reverse: true }, &top).await;
    assert_eq!(offsets(&older), vec![8, 7, 6]);

    let other_epoch = StreamPosition { offset: 3, epoch: format!("{}-not", top.epoch) };
    let stale = sub.history(HistoryOptions { limit: 3, since: Some(other_epoch), reverse: false }).await;
    assert!(
        matches!(stale, Err(ceaseless::Error::Server { code: 112, .. })),
        "another epoch is unrecoverable: {stale:?}"
    );
    client.close().await;
}

#[tokio::test]
async fn presence_lists_both_subscribers() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:presence");
    let (alice_name, bob_name) = (unique("alice"), unique("bob"));
    let (alice, _alice_events, alice_id) = connected(&server, &alice_name).await;
    let (bob, _bob_events, bob_id) = connected(&server, &bob_name).await;
    let (alice_sub, _) = subscribed(&alice, &channel).await;
    let (_bob_sub, _) = subscribed(&bob, &channel).await;

    let presence = within(STEP, "presence", alice_sub.presence()).await.expect("presence");
    let mut present: Vec<(String, String)> = presence
        .presence
        .iter()
        .map(|(id, info)| {
            assert_eq!(id, &info.client, "presence is keyed by client id");
            (info.client.clone(), info.user.clone())
        })
        .collect();
    present.sort();
    let mut expected = vec![(alice_id, alice_name), (bob_id, bob_name)];
    expected.sort();
    assert_eq!(present, expected);

    let stats = within(STEP, "presence stats", alice_sub.presence_stats()).await.expect("presence stats");
    assert_eq!((stats.num_clients, stats.num_users), (2, 2));
    alice.close().await;
    bob.close().await;
}

#[tokio::test]
async fn join_and_leave_name_the_other_client() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:join-leave");
    let (alice, _alice_events, _) = connected(&server, &unique("alice")).await;
    let bob_name = unique("bob");
    let (bob, _bob_events, bob_id) = connected(&server, &bob_name).await;
    let (_alice_sub, mut events) = subscribed(&alice, &channel).await;

    let (bob_sub, _) = subscribed(&bob, &channel).await;
    let is_join_or_leave =
        |e: &SubscriptionEvent| matches!(e, SubscriptionEvent::Join(_) | SubscriptionEvent::Leave(_));
    let joined = next_matching(&mut events, STEP, is_join_or_leave).await;
    // Alice's own join may come first, depending on timing; skip it.
    let joined = match joined {
        SubscriptionEvent::Join(info) if info.client != bob_id => {
            next_matching(&mut events, STEP, is_join_or_leave).await
        }
        other => other,
    };
    match joined {
        SubscriptionEvent::Join(info) => {
            assert_eq!((info.user.as_str(), info.client.as_str()), (bob_name.as_str(), bob_id.as_str()));
        }
        other => panic!("expected bob's Join, got {other:?}"),
    }

    bob_sub.unsubscribe();
    match next_matching(&mut events, STEP, is_join_or_leave).await {
        SubscriptionEvent::Leave(info) => {
            assert_eq!((info.user.as_str(), info.client.as_str()), (bob_name.as_str(), bob_id.as_str()));
        }
        other => panic!("expected bob's Leave, got {other:?}"),
    }
    alice.close().await;
    bob.close().await;
}
