//! The ceaseless peer of the benchmark: follows the protocol in `bench/PEERS.md`.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ceaseless::{Client, Publication, Subscription, SubscriptionEvent};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The fields of a benchmark publication a peer reads.
#[derive(Deserialize)]
struct Body {
    i: u64,
    #[serde(default)]
    t: u64,
}

fn env(name: &str) -> Result<String, BoxError> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

fn emit(value: serde_json::Value) {
    println!("{value}");
}

/// Waits for one line on standard input; `false` at end of input.
async fn step(lines: &mut tokio::io::Lines<BufReader<tokio::io::Stdin>>) -> bool {
    matches!(lines.next_line().await, Ok(Some(_)))
}

fn client(url: &str, token: &str) -> Result<Client, BoxError> {
    Ok(Client::builder(url).token(token).name("bench").build()?)
}

/// Connects one client and subscribes it to `channel`; returns the subscription's event stream.
async fn subscribed(
    url: &str,
    token: &str,
    channel: &str,
    recover: bool,
) -> Result<(Client, Subscription, ceaseless::EventStream<SubscriptionEvent>), BoxError> {
    let client = client(url, token)?;
    let sub = client.new_subscription(channel).recoverable(recover).positioned(recover).build()?;
    let events = sub.events();
    client.connect();
    sub.subscribe();
    sub.ready().await?;
    Ok((client, sub, events))
}

fn body(p: &Publication) -> Option<Body> {
    p.data.json::<Body>().ok()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let scenario = env("BENCH_SCENARIO")?;
    let url = env("BENCH_URL")?;
    let token = env("BENCH_TOKEN")?;
    let channel = env("BENCH_CHANNEL")?;
    let count: u64 = std::env::var("BENCH_COUNT").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    match scenario.as_str() {
        "throughput" | "latency" => {
            let (_client, _sub, mut events) = subscribed(&url, &token, &channel, false).await?;
            emit(json!({ "event": "ready" }));
            let (mut received, mut first, mut lat) = (0u64, 0u64, Vec::with_capacity(count as usize));
            while let Some(event) = events.next().await {
                let SubscriptionEvent::Publication(p) = event else { continue };
                let Some(body) = body(&p) else { continue };
                let now = now_ns();
                received += 1;
                if received == 1 {
                    first = now;
                }
                if scenario == "latency" {
                    lat.push(now.saturating_sub(body.t) / 1_000);
                }
                std::hint::black_box(body.i);
                if received == count {
                    if scenario == "latency" {
                        emit(json!({ "event": "done", "lat_us": lat }));
                    } else {
                        emit(
                            json!({ "event": "done", "received": received, "first_ns": first, "last_ns": now }),
                        );
                    }
                    break;
                }
            }
            while step(&mut stdin).await {}
        }
        "fleet" => {
            let clients: usize = env("BENCH_CLIENTS")?.parse()?;
            emit(json!({ "event": "baseline" }));
            if !step(&mut stdin).await {
                return Ok(());
            }
            let mut all = Vec::with_capacity(clients);
            for _ in 0..clients {
                let client = client(&url, &token)?;
                client.connect();
                all.push(client);
            }
            for client in &all {
                client.ready().await?;
            }
            emit(json!({ "event": "connected" }));
            if !step(&mut stdin).await {
                return Ok(());
            }
            let mut subs = Vec::with_capacity(clients);
            for (k, client) in all.iter().enumerate() {
                let sub = client.new_subscription(&format!("{channel}{k}")).build()?;
                sub.subscribe();
                subs.push(sub);
            }
            for sub in &subs {
                sub.ready().await?;
            }
            emit(json!({ "event": "subscribed" }));
            while step(&mut stdin).await {}
        }
        "recovery" => {
            let (_client, _sub, mut events) = subscribed(&url, &token, &channel, true).await?;
            emit(json!({ "event": "ready" }));
            let (mut seen, mut dups, mut last) = (HashSet::new(), 0u64, 0u64);
            let mut done = false;
            loop {
                tokio::select! {
                    event = events.next() => {
                        let Some(event) = event else { break };
                        let SubscriptionEvent::Publication(p) = event else { continue };
                        let Some(body) = body(&p) else { continue };
                        if !seen.insert(body.i) { dups += 1; }
                        last = now_ns();
                        if !done && seen.len() as u64 >= count {
                            done = true;
                            emit(json!({ "event": "done", "unique": seen.len(), "dups": dups, "last_ns": last }));
                        }
                    }
                    line = stdin.next_line() => {
                        if !matches!(line, Ok(Some(_))) { break; }
                        emit(json!({ "event": "status", "unique": seen.len(), "dups": dups, "last_ns": last }));
                    }
                }
            }
        }
        other => return Err(format!("unknown scenario {other:?}").into()),
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}
