//! The tokio-centrifuge peer of the ceaseless benchmark: follows the protocol in `bench/PEERS.md`.
//! tokio-centrifuge has no recovery, so the `recovery` scenario only reports what arrives.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_centrifuge::client::Client;
use tokio_centrifuge::config::Config;

#[derive(Deserialize)]
struct Body {
    i: u64,
    #[serde(default)]
    t: u64,
}

#[derive(Default)]
struct Tally {
    received: u64,
    first: u64,
    lat: Vec<u64>,
    seen: HashSet<u64>,
    dups: u64,
    last: u64,
    finished: bool,
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn client(url: &str, token: &str) -> Client {
    Client::new(url, Config::new().with_token(token).with_name("bench").use_json())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let scenario = var("BENCH_SCENARIO");
    let (url, token, channel) = (var("BENCH_URL"), var("BENCH_TOKEN"), var("BENCH_CHANNEL"));
    let count: u64 = std::env::var("BENCH_COUNT").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    match scenario.as_str() {
        "throughput" | "latency" | "recovery" => {
            let c = client(&url, &token);
            let sub = c.new_subscription(&channel);
            let tally = Arc::new(Mutex::new(Tally::default()));
            let shared = tally.clone();
            let kind = scenario.clone();
            sub.on_publication(move |p| {
                let now = now_ns();
                let Ok(body) = serde_json::from_slice::<Body>(&p.data) else { return };
                let mut t = shared.lock().expect("tally lock");
                t.received += 1;
                if t.received == 1 {
                    t.first = now;
                }
                match kind.as_str() {
                    "latency" => {
                        t.lat.push(now.saturating_sub(body.t) / 1000);
                        if t.received == count {
                            println!("{}", json!({ "event": "done", "lat_us": t.lat }));
                        }
                    }
                    "throughput" => {
                        if t.received == count {
                            println!("{}", json!({ "event": "done", "received": t.received, "first_ns": t.first, "last_ns": now, "i": body.i }));
                        }
                    }
                    _ => {
                        if !t.seen.insert(body.i) {
                            t.dups += 1;
                        }
                        t.last = now;
                        if !t.finished && t.seen.len() as u64 >= count {
                            t.finished = true;
                            println!("{}", json!({ "event": "done", "unique": t.seen.len(), "dups": t.dups, "last_ns": t.last }));
                        }
                    }
                }
            });
            let subscribed = sub.subscribe();
            let _ = c.connect().await;
            let _ = subscribed.await;
            println!("{}", json!({ "event": "ready" }));
            while let Ok(Some(_)) = stdin.next_line().await {
                let t = tally.lock().expect("tally lock");
                println!(
                    "{}",
                    json!({ "event": "status", "unique": t.seen.len(), "dups": t.dups, "last_ns": t.last })
                );
            }
        }
        "fleet" => {
            let n: usize = var("BENCH_CLIENTS").parse().expect("BENCH_CLIENTS is a number");
            println!("{}", json!({ "event": "baseline" }));
            if !matches!(stdin.next_line().await, Ok(Some(_))) {
                return;
            }
            let clients: Vec<Client> = (0..n).map(|_| client(&url, &token)).collect();
            let connecting: Vec<_> = clients.iter().map(|c| c.connect().into_future()).collect();
            for f in connecting {
                let _ = f.await;
            }
            println!("{}", json!({ "event": "connected" }));
            if !matches!(stdin.next_line().await, Ok(Some(_))) {
                return;
            }
            let subs: Vec<_> = clients
                .iter()
                .enumerate()
                .map(|(k, c)| c.new_subscription(&format!("{channel}{k}")))
                .collect();
            let subscribing: Vec<_> = subs.iter().map(|s| s.subscribe().into_future()).collect();
            for f in subscribing {
                let _ = f.await;
            }
            println!("{}", json!({ "event": "subscribed" }));
            while let Ok(Some(_)) = stdin.next_line().await {}
        }
        other => panic!("unknown scenario {other:?}"),
    }
}
