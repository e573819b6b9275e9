//! THE SOAK: zero loss and zero duplicates under sustained faults, on two Centrifugo nodes sharing a
//! real Redis.
//!
//! - 24 clients, each subscribed to 2 of 6 channels (8 subscribers per channel), each client through
//!   its own pair of fault proxies, one in front of each node, and given both as endpoints (half of
//!   them start on node A, half on node B);
//! - a publisher sends numbered messages through the server HTTP API at a steady 240 per second in
//!   total (40 per channel), alternating between the nodes, for `CEASELESS_SOAK_SECS` seconds
//!   (default 60). A failed API call is retried on the other node with the same `idempotency_key`,
//!   so the publisher itself never publishes twice;
//! - meanwhile a fault is injected every 700 ms on a random client: cuts with reset and with a clean
//!   close, blackholes longer than the heartbeat detection window (ping 2 s + max delay 1 s) on both
//!   paths of a client, 9 s blackholes on one path (the client must give up on it and move to the
//!   other node), refused reconnects (cut, then refused for 3 s), and added latency; node A is killed
//!   and restarted, then node B is;
//! - at the end every client must hold every message of its channels exactly once, in order.
//!
//! It prints a table (messages sent, received, lost, duplicated, reconnects, recoveries, gaps, worst
//! detection time, faults) and asserts lost = duplicated = 0. `CEASELESS_SOAK_SEED` replays a fault
//! schedule (the seed is printed).

#[path = "continuity_soak/faults.rs"]
mod faults;
#[path = "continuity_soak/fleet.rs"]
mod fleet;
#[path = "continuity_soak/publisher.rs"]
mod publisher;

mod common;
mod continuity_support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless::{Client, codes};
use ceaseless_tests::{Centrifugo, FaultProxy, RedisServer, ServerOptions, init_tracing};
use common::{STEP, within};
use continuity_support::server_addr;
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, sleep_until, timeout};

use self::faults::{Fault, FaultLog, Rng, inject_faults};
use self::fleet::{
    ClientLog, SoakClient, SoakSub, SubLog, channel_name, channels_of, lock, spawn_client_recorder,
    spawn_sub_recorder,
};
use self::publisher::publish_channel;

/// How long the publisher runs unless `CEASELESS_SOAK_SECS` says otherwise.
const DEFAULT_SECS: u64 = 60;
const CLIENTS: usize = 24;
const CHANNELS: usize = 6;
/// Publications per second per channel (240 per second in total).
const RATE_PER_CHANNEL: u64 = 40;
/// One fault every this long, on a random idle client.
const FAULT_EVERY: Duration = Duration::from_millis(700);
/// The server's ping interval and the client's extra tolerance: the detection window is their sum.
const PING_INTERVAL: Duration = Duration::from_secs(2);
const MAX_PING_DELAY: Duration = Duration::from_secs(1);
/// Blackholes last longer than the detection window.
const BLACKHOLE_FOR: Duration = Duration::from_millis(4500);
/// A blackhole on one path (one node, for one client) outlasts detection plus the open timeout
/// (5 s), so the client gives up on that path and moves to the other node.
const PATH_BLACKHOLE_FOR: Duration = Duration::from_secs(9);
const REFUSE_FOR: Duration = Duration::from_secs(3);
const LATENCY_FOR: Duration = Duration::from_secs(4);
const LATENCY: Duration = Duration::from_millis(250);
/// How long after the publisher stops every client may take to catch up.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);
/// Scheduling slack allowed on top of the detection window.
const DETECTION_SLACK: Duration = Duration::from_secs(1);

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            value.trim().parse().unwrap_or_else(|_| panic!("{name}={value:?} is not a number"))
        }
        _ => default,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn soak_every_client_gets_every_message_exactly_once_under_faults() {
    init_tracing();
    let secs = env_u64("CEASELESS_SOAK_SECS", DEFAULT_SECS);
    let default_seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let seed = env_u64("CEASELESS_SOAK_SEED", default_seed);
    let run_for = Duration::from_secs(secs);
    let limit = run_for + DRAIN_LIMIT + Duration::from_secs(90);
    timeout(limit, soak(run_for, seed))
        .await
        .unwrap_or_else(|_| panic!("the soak did not finish within {limit:?} (seed {seed})"));
}

async fn soak(run_for: Duration, seed: u64) {
    println!(
        "soak: {CLIENTS} clients, {CHANNELS} channels, {} publications/s for {} s, seed {seed} \
         (CEASELESS_SOAK_SEED={seed} replays the fault schedule)",
        RATE_PER_CHANNEL * CHANNELS as u64,
        run_for.as_secs()
    );
    let run = format!("{}-{}", std::process::id(), seed % 100_000);

    // Two nodes on one Redis, short heartbeats, and a namespace whose history outlasts the run.
    let redis = RedisServer::start().await.expect("redis-server");
    let engine = redis.centrifugo_config(&RedisServer::unique_prefix("soak"));
    let node = |name: &str| {
        ServerOptions::new()
            .config(engine.clone())
            .config(json!({
                "node": { "name": format!("soak-{name}") },
                "client": {
                    "ping_interval": format!("{}s", PING_INTERVAL.as_secs()),
                    "pong_timeout": "1s",
                    // Centrifugo recovers at most 300 publications by default; a 9 s outage at 40/s
                    // misses more, which would (rightly) end in a gap.
                    "recovery_max_publication_limit": 100_000,
                },
                "log": { "level": "warn" },
            }))
            .namespace(json!({
                "name": "soak",
                "history_size": 100_000,
                "history_ttl": "900s",
                "force_recovery": true,
                "allow_subscribe_for_client": true,
                "presence": false,
                "join_leave": false,
            }))
    };
    let mut node_a = Centrifugo::start_with(node("a")).await.expect("node A");
    let mut node_b = Centrifugo::start_with(node("b")).await.expect("node B");
    let apis = [node_a.api(), node_b.api()];
    let upstreams = [server_addr(&node_a), server_addr(&node_b)];

    // The clients, each behind its own two proxies.
    let mut clients = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let proxies = Arc::new([
            FaultProxy::start(upstreams[0]).await.expect("proxy to A"),
            FaultProxy::start(upstreams[1]).await.expect("proxy to B"),
        ]);
        let (first, second) = if i % 2 == 0 { (0, 1) } else { (1, 0) };
        let client = Client::builder(&proxies[first].ws_url())
            .endpoint(&proxies[second].ws_url())
            .token(node_a.token(&format!("soak-user-{i}"), None))
            .max_server_ping_delay(MAX_PING_DELAY)
            .reconnect_delay(Duration::from_millis(100), Duration::from_secs(2))
            .build()
            .expect("client");
        let log = Arc::new(Mutex::new(ClientLog::default()));
        spawn_client_recorder(&client, log.clone());
        client.connect();
        let mut subs = Vec::new();
        for channel in channels_of(i) {
            let sub = client.new_subscription(&channel_name(&run, channel)).build().expect("subscription");
            let log = Arc::new(Mutex::new(SubLog::default()));
            spawn_sub_recorder(&sub, log.clone());
            sub.subscribe();
            subs.push(SoakSub { channel, sub, log });
        }
        clients.push(SoakClient { client, proxies, log, subs });
    }
    for (i, c) in clients.iter().enumerate() {
        within(STEP * 2, &format!("client {i} connected"), c.client.ready()).await.expect("connected");
        for s in &c.subs {
            within(STEP * 2, &format!("client {i} subscribed"), s.sub.ready()).await.expect("subscribed");
        }
    }
    println!("soak: {CLIENTS} clients connected and subscribed; publishing and injecting faults");

    // Publisher, fault injector, node kills.
    let started = Instant::now();
    let until = started + run_for;
    let publishers: Vec<JoinHandle<(u64, u64)>> = (0..CHANNELS)
        .map(|channel| tokio::spawn(publish_channel(apis.clone(), channel_name(&run, channel), until)))
        .collect();
    let fault_log = Arc::new(Mutex::new(FaultLog::default()));
    let injector = {
        let targets: Vec<(Client, Arc<[FaultProxy; 2]>)> =
            clients.iter().map(|c| (c.client.clone(), c.proxies.clone())).collect();
        tokio::spawn(inject_faults(targets, until, Rng::new(seed), fault_log.clone()))
    };
    let mut node_events = Vec::new();
    for (at, node, up) in [(0.25, 0, false), (0.40, 0, true), (0.60, 1, false), (0.75, 1, true)] {
        sleep_until(started + run_for.mul_f64(at)).await;
        let server = if node == 0 { &mut node_a } else { &mut node_b };
        let name = if node == 0 { "A" } else { "B" };
        let at = started.elapsed();
        if up {
            server.start_again().await.unwrap_or_else(|e| panic!("restarting node {name}: {e}"));
        } else {
            server.stop().await.unwrap_or_else(|e| panic!("stopping node {name}: {e}"));
        }
        let what = format!(
            "node {name} {} at {:.1} s (took {:.1} s)",
            if up { "restarted" } else { "killed" },
            at.as_secs_f64(),
            (started.elapsed() - at).as_secs_f64()
        );
        println!("soak: {what}");
        node_events.push(what);
    }

    let mut sent = [0u64; CHANNELS];
    let mut api_retries = 0;
    for (channel, publisher) in publishers.into_iter().enumerate() {
        let (count, retries) = publisher.await.expect("publisher");
        sent[channel] = count;
        api_retries += retries;
    }
    let published_for = started.elapsed();
    injector.await.expect("fault injector");
    for c in &clients {
        for proxy in c.proxies.iter() {
            proxy.blackhole(false);
            proxy.refuse(false);
            proxy.set_latency(Duration::ZERO);
        }
    }
    let total_sent: u64 = sent.iter().sum();
    println!(
        "soak: published {total_sent} in {:.1} s ({:.1}/s); waiting for every client to catch up",
        published_for.as_secs_f64(),
        total_sent as f64 / published_for.as_secs_f64()
    );

    // Catch up, then a moment more for anything delivered twice.
    let drain_started = Instant::now();
    let caught_up = loop {
        let behind = clients
            .iter()
            .flat_map(|c| c.subs.iter())
            .filter(|s| lock(&s.log).received.last().copied().unwrap_or(0) < sent[s.channel])
            .count();
        if behind == 0 {
            break true;
        }
        if drain_started.elapsed() > DRAIN_LIMIT {
            break false;
        }
        sleep(Duration::from_millis(100)).await;
    };
    let drained_in = drain_started.elapsed();
    sleep(Duration::from_secs(1)).await;

    // Tally.
    let mut expected = 0u64;
    let mut received = 0u64;
    let mut lost = 0u64;
    let mut duplicated = 0u64;
    let mut out_of_order = 0u64;
    let mut recoveries = 0usize;
    let mut unrecovered = 0usize;
    let mut gaps = 0usize;
    let mut reconnects = 0usize;
    let mut suspended = 0usize;
    let mut problems = Vec::new();
    for (i, c) in clients.iter().enumerate() {
        let log = lock(&c.log);
        reconnects += log.connected.len().saturating_sub(1);
        suspended += log.suspended;
        if !log.disconnected.is_empty() {
            problems.push(format!("client {i} was disconnected: {:?}", log.disconnected));
        }
        for s in &c.subs {
            let log = lock(&s.log);
            let want = sent[s.channel];
            expected += want;
            received += log.received.len() as u64;
            let distinct: BTreeSet<u64> = log.received.iter().copied().collect();
            let missing = (1..=want).filter(|n| !distinct.contains(n)).count() as u64;
            let dups = log.received.len() as u64 - distinct.len() as u64;
            let disorder = log.received.windows(2).filter(|w| w[1] <= w[0]).count() as u64;
            lost += missing;
            duplicated += dups;
            out_of_order += disorder;
            recoveries += log.recoveries;
            unrecovered += log.unrecovered;
            gaps += log.gaps;
            if missing + dups + disorder > 0 || !log.unsubscribed.is_empty() {
                let first_missing = (1..=want).find(|n| !distinct.contains(n));
                problems.push(format!(
                    "client {i} channel {}: {} received of {want}, {missing} missing (first {first_missing:?}), \
                     {dups} duplicated, {disorder} out of order, unsubscribed {:?}, state {:?}/{:?}",
                    s.channel,
                    log.received.len(),
                    log.unsubscribed,
                    c.client.state(),
                    s.sub.state(),
                ));
            }
        }
    }

    // Detection: the first `Connecting` after each blackhole on a connected client must be the
    // heartbeat watchdog's (code 2), within the window.
    let (applied, watched) = {
        let faults = lock(&fault_log);
        (faults.applied.clone(), faults.watched_blackholes.clone())
    };
    let mut detections = Vec::new();
    let mut missed = Vec::new();
    for &(i, start) in &watched {
        let log = lock(&clients[i].log);
        match log.connecting.iter().find(|(at, _)| *at >= start) {
            Some(&(at, code)) if code == codes::connecting::NO_PING && at - start <= BLACKHOLE_FOR => {
                detections.push(at - start);
            }
            other => missed
                .push(format!("client {i} blackholed at +{:?}: next connecting {other:?}", start - started)),
        }
    }
    let worst_detection = detections.iter().max().copied().unwrap_or_default();
    let mean_detection = if detections.is_empty() {
        Duration::ZERO
    } else {
        detections.iter().sum::<Duration>() / detections.len() as u32
    };
    let count = |kind: Fault| applied.iter().filter(|(f, _, _)| *f == kind).count();
    let proxies = clients.iter().flat_map(|c| c.proxies.iter());
    let (accepted, refused, upstream_failed) = proxies.fold((0, 0, 0), |(a, r, u), p| {
        (a + p.connections_accepted(), r + p.connections_refused(), u + p.upstream_failures())
    });

    let rows: Vec<(&str, String)> = vec![
        ("server", format!("2 Centrifugo v{} nodes sharing Redis", node_a.version())),
        ("duration (publishing)", format!("{:.1} s", published_for.as_secs_f64())),
        ("clients / channels", format!("{CLIENTS} / {CHANNELS} (2 channels per client)")),
        (
            "messages sent",
            format!(
                "{total_sent} ({:.1}/s, API retries {api_retries})",
                total_sent as f64 / published_for.as_secs_f64()
            ),
        ),
        ("deliveries expected", expected.to_string()),
        ("received", received.to_string()),
        ("lost", lost.to_string()),
        ("duplicated", duplicated.to_string()),
        ("out of order", out_of_order.to_string()),
        ("reconnects", reconnects.to_string()),
        ("recoveries", format!("{recoveries} (unrecovered resubscribes: {unrecovered})")),
        ("gaps", gaps.to_string()),
        (
            "worst detection time",
            format!(
                "{:.0} ms (mean {:.0} ms over {} blackholes; window {} ms)",
                worst_detection.as_secs_f64() * 1000.0,
                mean_detection.as_secs_f64() * 1000.0,
                detections.len(),
                (PING_INTERVAL + MAX_PING_DELAY).as_millis()
            ),
        ),
        (
            "faults",
            format!(
                "{} cut/reset, {} cut/clean, {} blackhole, {} one-path blackhole, {} refuse, {} latency; {}",
                count(Fault::CutReset),
                count(Fault::CutClean),
                count(Fault::Blackhole),
                count(Fault::PathBlackhole),
                count(Fault::Refuse),
                count(Fault::Latency),
                node_events.join(", ")
            ),
        ),
        (
            "proxied connections",
            format!("{accepted} accepted, {refused} refused, {upstream_failed} upstream down"),
        ),
        ("suspended events", suspended.to_string()),
        (
            "caught up after stop",
            format!("{} in {:.1} s", if caught_up { "yes" } else { "NO" }, drained_in.as_secs_f64()),
        ),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    println!();
    println!("| {:width$} | seed {seed} |", "soak");
    println!("|-{}-|-{}-|", "-".repeat(width), "-".repeat(20));
    for (key, value) in &rows {
        println!("| {key:width$} | {value} |");
    }
    println!();
    for problem in problems.iter().chain(missed.iter()).take(40) {
        println!("soak problem: {problem}");
    }

    for c in &clients {
        c.client.close().await;
    }

    assert!(total_sent as f64 >= 200.0 * published_for.as_secs_f64() * 0.95, "the publisher kept its rate");
    assert_eq!(lost, 0, "no message lost (seed {seed}); see the problems above");
    assert_eq!(duplicated, 0, "no message delivered twice (seed {seed})");
    assert_eq!(out_of_order, 0, "every message in order (seed {seed})");
    assert_eq!(gaps, 0, "no gap: the history outlasts the run (seed {seed})");
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(!detections.is_empty(), "at least one blackhole on a connected client");
    assert!(missed.is_empty(), "every blackhole was noticed by the heartbeat watchdog: {missed:#?}");
    assert!(
        worst_detection <= PING_INTERVAL + MAX_PING_DELAY + DETECTION_SLACK,
        "worst detection {worst_detection:?}"
    );
    assert!(reconnects > 0 && recoveries > 0, "faults did happen");
}
