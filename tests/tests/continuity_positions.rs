//! Positions that survive the process, and gaps that are never silent, against a real Centrifugo:
//!
//! - app restart: process A (a real child process, this test binary run again) receives part of a
//!   stream with a `FilePositionStore` and exits; more is published while nobody listens; process B
//!   (a new client on a store opened from the same file) receives exactly the rest;
//! - a position older than the history window (`small:` keeps 5 publications), given as `since` or
//!   found in the position store, yields a `Gap` event carrying that position, not a silent resume;
//! - a server restart with the memory engine (a new epoch) yields a `Gap` carrying the last
//!   delivered position of the old epoch.

mod common;
mod continuity_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use ceaseless::positions::{FilePositionStore, MemoryPositionStore, PositionStore};
use ceaseless::{Client, ClientEvent, Gap, StreamPosition, SubscribedInfo, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, StreamPos, init_tracing};
use common::{STEP, n_of, next_matching, numbered, unique, within};
use continuity_support::{api_publish_numbered, collect_for, events_until_n, is_connected, ns};
use serde_json::{Value, json};
use tokio::time::Instant;

/// Set (to a JSON job) when this binary runs as process A of the app-restart test.
const CHILD_ENV: &str = "CEASELESS_CONTINUITY_CHILD";
/// The child's lines on stdout start with this, so they stand out from the test harness's own.
const CHILD_TAG: &str = "CONTINUITY-CHILD";

fn position(pos: &StreamPos) -> StreamPosition {
    StreamPosition { offset: pos.offset, epoch: pos.epoch.clone() }
}

fn subscribed_info(events: &[SubscriptionEvent]) -> Vec<SubscribedInfo> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Subscribed(info) => Some(info.clone()),
            _ => None,
        })
        .collect()
}

fn gaps(events: &[SubscriptionEvent]) -> Vec<Gap> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Gap(gap) => Some(gap.clone()),
            _ => None,
        })
        .collect()
}

/// Process A of the app-restart test. A no-op unless [`CHILD_ENV`] is set: the parent test runs this
/// binary again with `--exact` on this test and the job in that variable.
#[tokio::test]
async fn app_restart_child_process() {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return;
    };
    let job: Value = serde_json::from_str(&job).expect("the child's job is JSON");
    let (url, token, channel, store, count) = (
        job["url"].as_str().expect("url"),
        job["token"].as_str().expect("token"),
        job["channel"].as_str().expect("channel"),
        job["store"].as_str().expect("store"),
        job["count"].as_u64().expect("count"),
    );
    let store = FilePositionStore::open(store).expect("the position file opens");
    let client = Client::builder(url).token(token).position_store(store).build().expect("client");
    let mut client_events = client.events();
    client.connect();
    next_matching(&mut client_events, STEP, is_connected).await;
    let sub = client.new_subscription(channel).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");
    child_says("READY");
    let seen = events_until_n(&mut events, count, Duration::from_secs(20)).await;
    for n in ns(&seen) {
        child_says(&format!("GOT {n}"));
    }
    // Close flushes the store; the process then exits like an app being quit.
    client.close().await;
    drop(sub);
    drop(client);
    child_says("DONE");
}

/// A line from process A to the parent, written straight to stdout (past the test harness's
/// output capture) and flushed at once.
fn child_says(what: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{CHILD_TAG} {what}").expect("stdout");
    stdout.flush().expect("stdout");
}

/// Runs process A to completion: starts it, waits until it is subscribed, runs `publish`, and
/// returns the `n`s it received.
async fn run_child(job: Value, publish: impl std::future::Future<Output = ()>) -> Vec<u64> {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args(["--exact", "app_restart_child_process", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, job.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("process A starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    // Only the child's own lines, without the tag; the harness may print on the same line before it
    // (`test app_restart_child_process ... `).
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Some(at) = line.find(CHILD_TAG) else { continue };
            let said = line[at + CHILD_TAG.len()..].trim().to_owned();
            if lines_tx.send(said).is_err() {
                break;
            }
        }
    });
    loop {
        match within(Duration::from_secs(30), "process A's output", lines.recv()).await {
            Some(line) if line == "READY" => break,
            Some(_) => {}
            None => panic!("process A ended before it was subscribed"),
        }
    }
    publish.await;
    let mut got = Vec::new();
    loop {
        match within(Duration::from_secs(30), "process A's output", lines.recv()).await {
            Some(line) if line == "DONE" => break,
            Some(line) => {
                if let Some(n) = line.strip_prefix("GOT ") {
                    got.push(n.parse::<u64>().expect("a number"));
                }
            }
            None => panic!("process A ended before it was done; it got {got:?}"),
        }
    }
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    assert!(status.success(), "process A failed: {status}");
    reader.join().expect("reader thread");
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_app_resumes_exactly_where_it_stopped() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("restart-app"), unique("test:restart-app"));
    let dir = tempfile::tempdir().expect("temp dir");
    let store_path = dir.path().join("positions.json");
    let api = server.api();

    // Process A: a real child process with a file store receives 1..=30, then quits.
    let job = json!({
        "url": server.ws_url(),
        "token": server.token(&user, None),
        "channel": channel,
        "store": store_path.to_string_lossy(),
        "count": 30,
    });
    let started = Instant::now();
    let got_a = run_child(job, api_publish_numbered(&api, &channel, 1..=30)).await;
    println!("process A received {} publications in {:?} and exited", got_a.len(), started.elapsed());
    assert_eq!(got_a, (1..=30).collect::<Vec<_>>(), "process A got the first part once, in order");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&store_path).expect("process A left a position file"))
            .expect("the position file is JSON");
    println!("position file after process A: {saved}");
    assert_eq!(saved[&channel]["offset"], 30, "process A saved its last position");

    // Nobody listens meanwhile.
    api_publish_numbered(&api, &channel, 31..=60).await;

    // Process B: a new client on a store opened from the same file.
    let got_b = receive_with_store(&server, &user, &channel, &store_path, 60).await;
    println!("process B received {} publications: {:?}..={:?}", got_b.len(), got_b.first(), got_b.last());
    assert_eq!(
        got_b,
        (31..=60).collect::<Vec<_>>(),
        "process B got exactly the rest: none twice, none missing"
    );
}

/// A new client with a `FilePositionStore` at `path`: subscribes to `channel` without `since` and
/// returns the `n`s delivered up to `last` (plus anything in the next 500 ms).
async fn receive_with_store(
    server: &Centrifugo,
    user: &str,
    channel: &str,
    path: &Path,
    last: u64,
) -> Vec<u64> {
    let store = FilePositionStore::open(path).expect("the position file opens");
    let client = Client::builder(&server.ws_url())
        .token(server.token(user, None))
        .position_store(store)
        .build()
        .expect("client");
    let mut client_events = client.events();
    client.connect();
    next_matching(&mut client_events, STEP, is_connected).await;
    let sub = client.new_subscription(channel).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    let mut seen = events_until_n(&mut events, last, STEP).await;
    seen.extend(collect_for(&mut events, Duration::from_millis(500)).await);
    let infos = subscribed_info(&seen);
    assert!(
        infos.first().is_some_and(|i| i.was_recovering && i.recovered),
        "the saved position was recovered from: {infos:?}"
    );
    assert!(gaps(&seen).is_empty(), "no gap: {seen:?}");
    client.close().await;
    ns(&seen)
}

/// Publishes 1..=20 into a `small:` channel (history 5) and returns their positions.
async fn trimmed_stream(server: &Centrifugo, channel: &str) -> Vec<StreamPosition> {
    let api = server.api();
    let mut positions = Vec::new();
    for n in 1..=20 {
        positions.push(position(&api.publish(channel, numbered(n)).await.expect("API publish")));
    }
    positions
}

/// Subscribes `sub`, and returns the events up to and including the first publication after the
/// subscribe (the test publishes n=21 once subscribed).
async fn gap_events(
    server: &Centrifugo,
    channel: &str,
    sub: &ceaseless::Subscription,
) -> Vec<SubscriptionEvent> {
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");
    server.api().publish(channel, numbered(21)).await.expect("API publish");
    events_until_n(&mut events, 21, STEP).await
}

/// Checks the events of a subscribe from a position that fell out of the window: `Subscribed`
/// (recovering, not recovered), then `Gap { last_delivered: stale, resumed_from: top }`, and no
/// publication until the live one.
fn assert_gap(seen: &[SubscriptionEvent], stale: &StreamPosition, top: &StreamPosition) {
    let kinds: Vec<&str> = seen
        .iter()
        .map(|e| match e {
            SubscriptionEvent::Subscribing { .. } => "subscribing",
            SubscriptionEvent::Subscribed(_) => "subscribed",
            SubscriptionEvent::Gap(_) => "gap",
            SubscriptionEvent::Publication(_) => "publication",
            _ => "other",
        })
        .filter(|k| *k != "other")
        .collect();
    assert_eq!(kinds, ["subscribing", "subscribed", "gap", "publication"], "{seen:#?}");
    let info = &subscribed_info(seen)[0];
    assert!(info.was_recovering && !info.recovered, "{info:?}");
    let gap = &gaps(seen)[0];
    println!("gap: last_delivered {:?}, resumed_from {:?}", gap.last_delivered, gap.resumed_from);
    assert_eq!(gap.last_delivered.as_ref(), Some(stale), "the gap names the last delivered position");
    assert_eq!(gap.resumed_from.as_ref(), Some(top), "delivery resumes from the stream top");
    assert_eq!(ns(seen), [21], "nothing is replayed across the gap; the stream goes on live");
}

#[tokio::test]
async fn a_since_older_than_the_history_window_yields_a_gap() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("small:gap-since");
    let positions = trimmed_stream(&server, &channel).await;
    let (stale, top) = (positions[2].clone(), positions[19].clone());
    let client = Client::builder(&server.ws_url())
        .token(server.token(&unique("gap-since"), None))
        .build()
        .expect("client");
    client.connect();
    let sub = client.new_subscription(&channel).since(stale.clone()).build().expect("subscription");
    let seen = gap_events(&server, &channel, &sub).await;
    assert_gap(&seen, &stale, &top);
    client.close().await;
}

#[tokio::test]
async fn a_stale_stored_position_yields_a_gap_not_a_silent_resume() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("small:gap-store");
    let positions = trimmed_stream(&server, &channel).await;
    let (stale, top) = (positions[4].clone(), positions[19].clone());
    let store = MemoryPositionStore::new();
    store.save(&channel, &stale);
    let client = Client::builder(&server.ws_url())
        .token(server.token(&unique("gap-store"), None))
        .position_store(store)
        .build()
        .expect("client");
    client.connect();
    let sub = client.new_subscription(&channel).build().expect("subscription");
    let seen = gap_events(&server, &channel, &sub).await;
    assert_gap(&seen, &stale, &top);
    client.close().await;
}

#[tokio::test]
async fn an_epoch_change_after_a_server_restart_yields_a_gap() {
    init_tracing();
    let mut server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("epoch"), unique("test:epoch"));
    let client = Client::builder(&server.ws_url())
        .token(server.token(&user, None))
        .reconnect_delay(Duration::from_millis(200), Duration::from_millis(1000))
        .build()
        .expect("client");
    let mut client_events = client.events();
    client.connect();
    next_matching(&mut client_events, STEP, is_connected).await;
    let sub = client.new_subscription(&channel).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");
    api_publish_numbered(&server.api(), &channel, 1..=5).await;
    events_until_n(&mut events, 5, STEP).await;
    let last = sub.position().await.expect("a position after delivery");
    assert_eq!(last.offset, 5);

    // The memory engine forgets everything: the stream comes back with a new epoch.
    server.stop().await.expect("stop");
    server.start_again().await.expect("start again");
    next_matching(&mut client_events, Duration::from_secs(10), |e| {
        matches!(e, ClientEvent::Connected { .. })
    })
    .await;
    within(STEP, "resubscribed", sub.ready()).await.expect("resubscribed");
    server.api().publish(&channel, numbered(6)).await.expect("API publish");
    let seen = events_until_n(&mut events, 6, STEP).await;
    let gap =
        gaps(&seen).first().cloned().unwrap_or_else(|| panic!("no gap after the epoch change: {seen:#?}"));
    println!(
        "epoch change gap: last_delivered {:?}, resumed_from {:?}",
        gap.last_delivered, gap.resumed_from
    );
    assert_eq!(gap.last_delivered.as_ref(), Some(&last), "the gap names the old epoch's last position");
    let resumed = gap.resumed_from.expect("a resume position");
    assert_ne!(resumed.epoch, last.epoch, "a new epoch");
    assert_eq!(ns(&seen), [6], "the new stream goes on live");
    let p6 = seen
        .iter()
        .find_map(|e| match e {
            SubscriptionEvent::Publication(p) => Some(p.clone()),
            _ => None,
        })
        .expect("n=6");
    assert_eq!(n_of(&p6), 6);
    assert_eq!(sub.position().await.map(|p| p.epoch), Some(resumed.epoch), "positions follow the new epoch");
    client.close().await;
}
