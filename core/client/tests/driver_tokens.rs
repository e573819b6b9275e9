//! Token providers through the real driver, on a fake transport and a manual clock.
//!
//! Proven here: a provider answering `TokenError::Failed` is reported as `ClientEvent::Error` and asked
//! again after a full-jitter backoff (never sooner than its minimum, within its growing window), and the
//! token it finally gives is the one `connect` carries; a provider answering `TokenError::Unauthorized`
//! stops the client for good: `Disconnected` with the unauthorized code, `ready()` fails, no transport
//! is ever opened and the provider is not asked again, however long the clock runs.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless::{ClientEvent, ClientState, Error, TokenError, codes};
use serde_json::json;
use support::*;

/// A connection token provider with scripted answers that records the virtual time of every call.
#[derive(Clone)]
struct Provider {
    answers: Arc<Mutex<VecDeque<Result<String, TokenError>>>>,
    calls: Arc<Mutex<Vec<Duration>>>,
    rt: ManualRuntime,
}

impl Provider {
    fn new(rt: &ManualRuntime, answers: impl IntoIterator<Item = Result<String, TokenError>>) -> Self {
        Self {
            answers: Arc::new(Mutex::new(answers.into_iter().collect())),
            calls: Arc::new(Mutex::new(Vec::new())),
            rt: rt.clone(),
        }
    }

    fn calls(&self) -> Vec<Duration> {
        self.calls.lock().unwrap().clone()
    }

    fn install(
        &self,
    ) -> impl Fn() -> futures::future::Ready<Result<String, TokenError>> + Send + Sync + 'static {
        let this = self.clone();
        move || {
            this.calls.lock().unwrap().push(this.rt.elapsed());
            let answer = this.answers.lock().unwrap().pop_front();
            futures::future::ready(answer.unwrap_or(Err(TokenError::Failed("script ran out".into()))))
        }
    }
}

fn failed() -> Result<String, TokenError> {
    Err(TokenError::Failed("token service unavailable".into()))
}

#[tokio::test]
async fn a_failed_token_is_reported_and_retried_with_backoff() {
    let rt = ManualRuntime::new();
    let provider = Provider::new(&rt, [failed(), failed(), Ok("fresh-token".to_owned())]);
    let (transport, mut server) = fake_transport();
    let client = ceaseless::Client::builder(URL)
        .token_provider(provider.install())
        .reconnect_delay(Duration::from_secs(1), Duration::from_secs(30))
        .seed(7)
        .build_with(rt.clone(), vec![transport])
        .unwrap();
    let mut events = client.events();
    client.connect();
    settle().await;

    assert_eq!(provider.calls(), [Duration::ZERO]);
    let seen = drain(&mut events);
    assert!(
        matches!(seen.as_slice(), [ClientEvent::Connecting { .. }, ClientEvent::Error(Error::Token(reason))]
        if reason == "token service unavailable"),
        "{seen:?}"
    );
    assert_eq!(client.state(), ClientState::Connecting, "still trying");
    assert!(!server.has_attempt(), "no transport without a token");

    // Not before the backoff's minimum (1 s) ...
    rt.advance(Duration::from_millis(999)).await;
    assert_eq!(provider.calls().len(), 1);
    // ... and within its first window (1 s + up to 1 s of jitter), then a window twice as wide.
    for _ in 0..100 {
        if provider.calls().len() == 3 {
            break;
        }
        rt.advance(Duration::from_millis(100)).await;
    }
    let calls = provider.calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    let first_retry = calls[1] - calls[0];
    let second_retry = calls[2] - calls[1];
    assert!(
        first_retry >= Duration::from_secs(1) && first_retry <= Duration::from_secs(2),
        "{first_retry:?}"
    );
    assert!(
        second_retry >= Duration::from_secs(1) && second_retry <= Duration::from_secs(3),
        "{second_retry:?}"
    );
    let errors =
        drain(&mut events).iter().filter(|e| matches!(e, ClientEvent::Error(Error::Token(_)))).count();
    assert_eq!(errors, 1, "the second failure is reported too");

    // The third answer is a token: the client connects with it.
    let mut conn = server.accept().await;
    let commands = conn.frame().await;
    assert_eq!(commands[0].kind, "connect");
    assert_eq!(commands[0].body["token"], json!("fresh-token"));
    conn.send(&[commands[0].reply(connect_result())]);
    assert_eq!(within("ready", client.ready()).await, Ok(()));
    within("close", client.close()).await;
}

#[tokio::test]
async fn an_unauthorized_token_stops_the_client_for_good() {
    let rt = ManualRuntime::new();
    let provider = Provider::new(&rt, [Err(TokenError::Unauthorized)]);
    let (transport, mut server) = fake_transport();
    let client = ceaseless::Client::builder(URL)
        .token_provider(provider.install())
        .seed(7)
        .build_with(rt.clone(), vec![transport])
        .unwrap();
    let mut events = client.events();
    client.connect();
    let ready = tokio::spawn({
        let client = client.clone();
        async move { client.ready().await }
    });

    assert_eq!(
        within("ready", ready).await.unwrap(),
        Err(Error::Unauthorized("the token provider answered unauthorized".into())),
        "ready() says why"
    );
    assert_eq!(client.state(), ClientState::Disconnected);
    let seen = drain(&mut events);
    assert!(
        matches!(seen.last(), Some(ClientEvent::Disconnected { code, .. }) if *code == codes::disconnected::UNAUTHORIZED),
        "{seen:?}"
    );

    // For good: ten minutes later nothing has been tried.
    rt.advance(Duration::from_secs(600)).await;
    assert_eq!(provider.calls().len(), 1);
    assert!(!server.has_attempt());
    assert!(drain(&mut events).is_empty());
    assert_eq!(
        within("ready again", client.ready()).await,
        Err(Error::Unauthorized("the token provider answered unauthorized".into())),
        "a later ready() too"
    );
    within("close", client.close()).await;
}
