//! Push wake: a client parked in the background wakes, catches up what was published meanwhile,
//! reports the counts, and lets go of the connection again.

mod common;

use std::time::Duration;

use ceaseless::{AppState, Client, ClientEvent, ClientState, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{n_of, next_matching, numbered, unique};

const STEP: Duration = Duration::from_secs(5);

#[tokio::test]
async fn wake_catches_up_and_parks_again() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("waker"), unique("test:wake"));
    let client = Client::builder(&server.ws_url())
        .token(server.token(&user, None))
        .background_grace(Some(Duration::from_millis(200)))
        .build()
        .expect("client");
    let mut client_events = client.events();
    let sub = client.new_subscription(&channel).build().expect("subscription");
    let mut events = sub.events();
    client.connect();
    sub.subscribe();
    tokio::time::timeout(STEP, sub.ready()).await.expect("in time").expect("subscribed");
    server.api().publish(&channel, numbered(1)).await.expect("publish 1");
    let first = next_matching(&mut events, STEP, |e| matches!(e, SubscriptionEvent::Publication(_))).await;
    let SubscriptionEvent::Publication(first) = first else { unreachable!() };
    assert_eq!(n_of(&first), 1);

    client.set_app_state(AppState::Background);
    next_matching(&mut client_events, STEP, |e| {
        matches!(e, ClientEvent::Disconnected { code, .. } if *code == ceaseless::codes::disconnected::BACKGROUNDED)
    })
    .await;
    assert_eq!(client.state(), ClientState::Disconnected);

    for n in 2..=6 {
        server.api().publish(&channel, numbered(n)).await.expect("publish while parked");
    }
    let report = tokio::time::timeout(STEP, client.wake(Duration::from_secs(4))).await.expect("wake in time");
    assert!(report.caught_up, "{report:?}");
    assert_eq!(report.publications.get(&channel).copied(), Some(5), "{report:?}");
    let mut got = Vec::new();
    while got.len() < 5 {
        if let SubscriptionEvent::Publication(p) =
            next_matching(&mut events, STEP, |e| matches!(e, SubscriptionEvent::Publication(_))).await
        {
            got.push(n_of(&p));
        }
    }
    assert_eq!(got, vec![2, 3, 4, 5, 6]);
    println!("wake caught up {:?} in {:?}", report.publications, report.elapsed);

    // Still in the background: the client lets go of the connection again.
    next_matching(&mut client_events, STEP, |e| matches!(e, ClientEvent::Disconnected { .. })).await;
    client.set_app_state(AppState::Foreground);
    tokio::time::timeout(STEP, client.ready()).await.expect("in time").expect("connected in the foreground");
    client.close().await;
}
