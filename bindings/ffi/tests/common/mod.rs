//! Shared pieces of the FFI layer's tests: Rust implementations of the app-side traits, and a reader
//! that waits for events with a timeout.

#![allow(dead_code, missing_docs)]

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless_ffi::{
    CeaselessError, Event, EventListener, EventStream, PositionStore, Publication, StreamPosition,
    SubscriptionTokenProvider, TokenProvider,
};

pub const WAIT: Duration = Duration::from_secs(10);

/// An HS256 connection token for `user` signed with the test server's secret, `ttl` long.
pub fn token(user: &str, ttl: Option<Duration>) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let claims = match ttl {
        Some(ttl) => serde_json::json!({"sub": user, "exp": now + ttl.as_secs()}),
        None => serde_json::json!({"sub": user}),
    };
    let key = jsonwebtoken::EncodingKey::from_secret(ceaseless_tests::HMAC_SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("token")
}

/// A token provider minting tokens for `user` that live `ttl` (forever when `None`).
pub struct Tokens {
    user: String,
    ttl: Option<Duration>,
    calls: AtomicUsize,
    pub issued: Mutex<Vec<String>>,
}

impl Tokens {
    pub fn new(user: &str, ttl: Option<Duration>) -> Arc<Self> {
        Arc::new(Self {
            user: user.to_owned(),
            ttl,
            calls: AtomicUsize::new(0),
            issued: Mutex::new(Vec::new()),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl TokenProvider for Tokens {
    async fn connection_token(&self) -> Result<String, CeaselessError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let token = token(&self.user, self.ttl);
        self.issued.lock().expect("issued").push(token.clone());
        Ok(token)
    }
}

/// A token provider that fails with `error` every time.
pub struct Failing(pub CeaselessError, pub AtomicUsize);

#[async_trait::async_trait]
impl TokenProvider for Failing {
    async fn connection_token(&self) -> Result<String, CeaselessError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        Err(self.0.clone())
    }
}

/// Subscription tokens signed for `user`.
pub struct SubTokens(pub Mutex<HashMap<String, String>>);

#[async_trait::async_trait]
impl SubscriptionTokenProvider for SubTokens {
    async fn subscription_token(&self, channel: String) -> Result<String, CeaselessError> {
        Ok(self.0.lock().expect("tokens").get(&channel).cloned().unwrap_or_default())
    }
}

/// A position store in memory.
#[derive(Default)]
pub struct Store(pub Mutex<HashMap<String, StreamPosition>>);

impl PositionStore for Store {
    fn load(&self, channel: String) -> Result<Option<StreamPosition>, CeaselessError> {
        Ok(self.0.lock().expect("store").get(&channel).cloned())
    }

    fn save(&self, channel: String, position: StreamPosition) -> Result<(), CeaselessError> {
        self.0.lock().expect("store").insert(channel, position);
        Ok(())
    }
}

impl Store {
    pub fn offset(&self, channel: &str) -> Option<u64> {
        self.0.lock().expect("store").get(channel).map(|p| p.offset)
    }
}

/// Collects events pushed to a listener.
#[derive(Default)]
pub struct Collect(pub Mutex<Vec<Event>>);

impl EventListener for Collect {
    fn on_event(&self, event: Event) -> Result<(), CeaselessError> {
        self.0.lock().expect("events").push(event);
        Ok(())
    }
}

impl Collect {
    pub fn count(&self, predicate: impl Fn(&Event) -> bool) -> usize {
        self.0.lock().expect("events").iter().filter(|e| predicate(e)).count()
    }
}

/// Reads an event stream one event at a time, taking whole batches across the boundary.
pub struct Reader {
    pub stream: Arc<EventStream>,
    buffer: VecDeque<Event>,
}

impl Reader {
    pub fn new(stream: Arc<EventStream>) -> Self {
        Self { stream, buffer: VecDeque::new() }
    }

    pub async fn next(&mut self) -> Event {
        if self.buffer.is_empty() {
            let batch =
                tokio::time::timeout(WAIT, self.stream.next_batch(0)).await.expect("an event in time");
            assert!(!batch.is_empty(), "the stream ended");
            self.buffer.extend(batch);
        }
        self.buffer.pop_front().expect("buffered event")
    }

    /// Skips events until `pick` returns something.
    pub async fn until<T>(&mut self, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
        loop {
            let event = self.next().await;
            if let Some(found) = pick(&event) {
                return found;
            }
        }
    }

    pub async fn publications(&mut self, count: usize) -> Vec<Publication> {
        let mut out = Vec::new();
        while out.len() < count {
            if let Event::Publication { publication, .. } = self.next().await {
                out.push(publication);
            }
        }
        out
    }

    /// Everything that arrives within `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Event> {
        let mut out: Vec<Event> = self.buffer.drain(..).collect();
        while let Ok(batch) = tokio::time::timeout(quiet, self.stream.next_batch(0)).await {
            if batch.is_empty() {
                break;
            }
            out.extend(batch);
        }
        out
    }
}

/// The `n` field of a publication's JSON data.
pub fn n(publication: &Publication) -> i64 {
    let text = String::from_utf8_lossy(&publication.data);
    text.split("\"n\":").nth(1).and_then(|rest| rest.trim_end_matches('}').trim().parse().ok()).unwrap_or(-1)
}

/// Polls `condition` every 20 ms until it holds (panics after 10 s).
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
