//! The subscribers: ceaseless clients that count what they receive and what happens to them.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless::{Client, ClientEvent, SubscriptionEvent, TokenError};
use futures::StreamExt;
use futures::stream::SelectAll;

use super::BoxError;
use crate::tokens::connection_token;

/// How long connection tokens live: the client renews them on the live connection.
pub const TOKEN_TTL: Duration = Duration::from_secs(8);
/// How long before expiry the client renews.
const REFRESH_AHEAD: Duration = Duration::from_secs(3);
/// The Centrifugo disconnect code for an expired connection token.
const TOKEN_EXPIRED_DISCONNECT: u32 = 3005;

/// Counters shared by every subscriber.
#[derive(Default)]
pub struct Counters {
    /// Publications received for the first time.
    pub received: AtomicU64,
    /// Publications received again.
    pub duplicates: AtomicU64,
    /// Publications received out of order (a smaller sequence after a larger one).
    pub out_of_order: AtomicU64,
    /// Connections re-established after a loss.
    pub reconnects: AtomicU64,
    /// Resubscribes that recovered everything missed.
    pub resumes: AtomicU64,
    /// Gap events (continuity lost).
    pub gaps: AtomicU64,
    /// Tokens fetched while connected: renewals on the live connection.
    pub refreshes: AtomicU64,
    /// Disconnects because a token expired (renewal came too late).
    pub expired: AtomicU64,
    /// Clients connected right now.
    pub connected: AtomicI64,
    /// Subscriptions subscribed right now.
    pub subscribed: AtomicI64,
}

/// What one subscriber received, per channel: the set of sequence numbers and the highest one.
pub struct Received {
    /// Per channel.
    pub seen: Vec<HashSet<u64>>,
    last: Vec<u64>,
}

/// One subscriber.
pub struct Subscriber {
    /// Its client (kept alive; closed at the end).
    pub client: Client,
    /// What it received.
    pub received: Arc<Mutex<Received>>,
}

/// Starts subscriber `index` on `urls` (first preferred) and subscribes it to every channel.
pub fn start(
    index: usize,
    urls: &[String],
    channels: &[String],
    counters: &Arc<Counters>,
) -> Result<Subscriber, BoxError> {
    let user = format!("storm-{index}");
    let connected = Arc::new(AtomicBool::new(false));
    let provider = {
        let (user, connected, counters) = (user.clone(), connected.clone(), counters.clone());
        move || {
            if connected.load(Ordering::SeqCst) {
                counters.refreshes.fetch_add(1, Ordering::Relaxed);
            }
            let token = connection_token(&user, Some(TOKEN_TTL));
            async move { Ok::<_, TokenError>(token) }
        }
    };
    let mut builder = Client::builder(&urls[0])
        .token_provider(provider)
        .refresh_ahead(REFRESH_AHEAD)
        .max_server_ping_delay(Duration::from_secs(1))
        .timeout(Duration::from_secs(3))
        .reconnect_delay(Duration::from_millis(200), Duration::from_secs(3));
    for url in &urls[1..] {
        builder = builder.endpoint(url);
    }
    let client = builder.build()?;
    let mut streams = SelectAll::new();
    streams.push(client.events().map(|e| (usize::MAX, Err(e))).boxed());
    let mut subs = Vec::new();
    for (k, channel) in channels.iter().enumerate() {
        let sub = client
            .new_subscription(channel)
            .resubscribe_delay(Duration::from_millis(200), Duration::from_secs(3))
            .build()?;
        streams.push(sub.events().map(move |e| (k, Ok(e))).boxed());
        subs.push(sub);
    }
    let received = Arc::new(Mutex::new(Received {
        seen: vec![HashSet::new(); channels.len()],
        last: vec![0; channels.len()],
    }));
    let state = Watch {
        counters: counters.clone(),
        connected,
        received: received.clone(),
        ever_connected: false,
        subscribed: vec![false; channels.len()],
    };
    tokio::spawn(state.run(streams, subs));
    client.connect();
    Ok(Subscriber { client, received })
}

/// The event loop of one subscriber.
struct Watch {
    counters: Arc<Counters>,
    connected: Arc<AtomicBool>,
    received: Arc<Mutex<Received>>,
    ever_connected: bool,
    subscribed: Vec<bool>,
}

type Item = (usize, Result<SubscriptionEvent, ClientEvent>);

impl Watch {
    async fn run(
        mut self,
        mut streams: SelectAll<futures::stream::BoxStream<'static, Item>>,
        subs: Vec<ceaseless::Subscription>,
    ) {
        for sub in &subs {
            sub.subscribe();
        }
        while let Some((channel, event)) = streams.next().await {
            match event {
                Err(event) => self.client_event(event),
                Ok(event) => self.subscription_event(channel, event),
            }
        }
        self.set_connected(false);
        for k in 0..self.subscribed.len() {
            self.set_subscribed(k, false);
        }
    }

    fn set_connected(&mut self, on: bool) {
        if self.connected.swap(on, Ordering::SeqCst) != on {
            self.counters.connected.fetch_add(if on { 1 } else { -1 }, Ordering::SeqCst);
        }
    }

    fn set_subscribed(&mut self, channel: usize, on: bool) {
        if self.subscribed[channel] != on {
            self.subscribed[channel] = on;
            self.counters.subscribed.fetch_add(if on { 1 } else { -1 }, Ordering::SeqCst);
        }
    }

    fn client_event(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::Connected { .. } => {
                if self.ever_connected {
                    self.counters.reconnects.fetch_add(1, Ordering::Relaxed);
                }
                self.ever_connected = true;
                self.set_connected(true);
            }
            ClientEvent::Connecting { code, .. } => {
                if code == TOKEN_EXPIRED_DISCONNECT {
                    self.counters.expired.fetch_add(1, Ordering::Relaxed);
                }
                self.set_connected(false);
            }
            ClientEvent::Disconnected { .. } | ClientEvent::Closed => self.set_connected(false),
            _ => {}
        }
    }

    fn subscription_event(&mut self, channel: usize, event: SubscriptionEvent) {
        match event {
            SubscriptionEvent::Publication(p) => {
                let Ok(body) = p.data.json::<serde_json::Value>() else { return };
                let Some(seq) = body.get("seq").and_then(serde_json::Value::as_u64) else { return };
                let Ok(mut received) = self.received.lock() else { return };
                if !received.seen[channel].insert(seq) {
                    self.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if seq < received.last[channel] {
                    self.counters.out_of_order.fetch_add(1, Ordering::Relaxed);
                }
                received.last[channel] = received.last[channel].max(seq);
                self.counters.received.fetch_add(1, Ordering::Relaxed);
            }
            SubscriptionEvent::Subscribed(info) => {
                if info.was_recovering && info.recovered {
                    self.counters.resumes.fetch_add(1, Ordering::Relaxed);
                }
                self.set_subscribed(channel, true);
            }
            SubscriptionEvent::Gap(_) => {
                self.counters.gaps.fetch_add(1, Ordering::Relaxed);
            }
            SubscriptionEvent::Subscribing { .. } | SubscriptionEvent::Unsubscribed { .. } => {
                self.set_subscribed(channel, false);
            }
            _ => {}
        }
    }
}
