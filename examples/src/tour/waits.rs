//! Bounded waits on event streams: every wait of the tour gives up with an error after a while.

use std::collections::BTreeSet;

use ceaseless::{ClientEvent, EventStream, Publication, SubscribedInfo, SubscriptionEvent};
use futures::StreamExt;
use tokio::time::{Instant, timeout, timeout_at};

use crate::narrator::{Narrator, describe_publication};
use crate::{BoxError, DUPLICATE_GRACE, STEP_TIMEOUT, USER};

/// Runs `future`, failing with a message naming `what` if it errs or takes longer than [`STEP_TIMEOUT`].
pub(crate) async fn within<T, E: Into<BoxError>>(
    what: &str,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, BoxError> {
    match timeout(STEP_TIMEOUT, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(format!("{what} failed: {}", error.into()).into()),
        Err(_) => Err(format!("{what}: no answer within {} s", STEP_TIMEOUT.as_secs()).into()),
    }
}

/// The next event, or an error naming `what` once `deadline` has passed.
pub(crate) async fn next_event<E>(
    events: &mut EventStream<E>,
    deadline: Instant,
    what: &str,
) -> Result<E, BoxError> {
    match timeout_at(deadline, events.next()).await {
        Ok(Some(event)) => Ok(event),
        Ok(None) => Err(format!("the event stream ended while waiting for {what}").into()),
        Err(_) => Err(format!("gave up waiting for {what} after {} s", STEP_TIMEOUT.as_secs()).into()),
    }
}

/// Skips events until `pick` accepts one (within [`STEP_TIMEOUT`]).
pub(crate) async fn wait_for<E, R>(
    events: &mut EventStream<E>,
    what: &str,
    mut pick: impl FnMut(E) -> Option<R>,
) -> Result<R, BoxError> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        if let Some(picked) = pick(next_event(events, deadline, what).await?) {
            return Ok(picked);
        }
    }
}

/// Waits for `Connected` and returns the client id and server version; fails if the client gives up.
pub(crate) async fn wait_connected(
    out: &Narrator,
    events: &mut EventStream<ClientEvent>,
) -> Result<(String, String), BoxError> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        match next_event(events, deadline, "the client to connect").await? {
            ClientEvent::Connected { client, version, .. } => return Ok((client, version)),
            ClientEvent::Connecting { code, reason } => {
                out.event(format!("Connecting: code {code} ({reason})"));
            }
            ClientEvent::Error(error) => out.event(format!("Error: {error} (the client keeps trying)")),
            ClientEvent::Disconnected { code, reason } => {
                return Err(format!("the client gave up connecting: code {code} ({reason})").into());
            }
            _ => {}
        }
    }
}

/// Waits for `Subscribed`; fails if the subscription ends or a publication comes first.
pub(crate) async fn wait_subscribed(
    out: &Narrator,
    events: &mut EventStream<SubscriptionEvent>,
) -> Result<SubscribedInfo, BoxError> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        match next_event(events, deadline, "the subscription to be confirmed").await? {
            SubscriptionEvent::Subscribed(info) => return Ok(info),
            SubscriptionEvent::Subscribing { code, reason } => {
                out.event(format!("Subscribing: code {code} ({reason})"));
            }
            SubscriptionEvent::Error(error) => out.event(format!("subscription Error: {error}")),
            SubscriptionEvent::Unsubscribed { code, reason } => {
                return Err(format!("the subscription ended: code {code} ({reason})").into());
            }
            SubscriptionEvent::Publication(p) => {
                return Err(format!("publication at offset {} arrived before Subscribed", p.offset).into());
            }
            _ => {}
        }
    }
}

/// Receives and prints `count` publications.
pub(crate) async fn receive(
    out: &Narrator,
    events: &mut EventStream<SubscriptionEvent>,
    count: usize,
) -> Result<(), BoxError> {
    for _ in 0..count {
        let publication = wait_for(events, "a publication", |event| match event {
            SubscriptionEvent::Publication(p) => Some(p),
            _ => None,
        })
        .await?;
        out.event(format!("Publication {}", describe_publication(&publication)));
    }
    Ok(())
}

/// Waits for someone else to join (or leave) the channel and prints who.
pub(crate) async fn wait_presence_change(
    out: &Narrator,
    events: &mut EventStream<SubscriptionEvent>,
    what: &str,
    join: bool,
) -> Result<(), BoxError> {
    let who = wait_for(events, what, |event| match event {
        SubscriptionEvent::Join(who) if join && who.user != USER => Some(who),
        SubscriptionEvent::Leave(who) if !join && who.user != USER => Some(who),
        _ => None,
    })
    .await?;
    let verb = if join { "Join" } else { "Leave" };
    out.event(format!("{verb}: user {} (client {})", who.user, who.client));
    Ok(())
}

/// Receives the recovered publications: until every expected offset arrived (or [`STEP_TIMEOUT`]
/// passed), then for [`DUPLICATE_GRACE`] more to catch any duplicate. Also says whether the client
/// reported a [`Gap`](ceaseless::Gap) (continuity lost).
pub(crate) async fn receive_missed(
    out: &Narrator,
    events: &mut EventStream<SubscriptionEvent>,
    expected: &[u64],
) -> Result<(Vec<Publication>, bool), BoxError> {
    let mut missing: BTreeSet<u64> = expected.iter().copied().collect();
    let mut received = Vec::new();
    let mut gap = false;
    let mut deadline = Instant::now() + STEP_TIMEOUT;
    let mut lingering = false;
    loop {
        if !lingering && missing.is_empty() {
            lingering = true;
            deadline = Instant::now() + DUPLICATE_GRACE;
        }
        let event = match timeout_at(deadline, events.next()).await {
            Ok(Some(event)) => event,
            Ok(None) => return Err("the event stream ended during recovery".into()),
            Err(_) => break,
        };
        match event {
            SubscriptionEvent::Publication(publication) => {
                missing.remove(&publication.offset);
                out.event(format!("Publication {}", describe_publication(&publication)));
                received.push(publication);
            }
            SubscriptionEvent::Gap(lost) => {
                gap = true;
                out.event(format!("Gap: continuity lost ({lost:?})"));
            }
            SubscriptionEvent::Join(who) | SubscriptionEvent::Leave(who) if who.user == USER => {}
            other => out.event(format!("{other:?}")),
        }
    }
    if !lingering {
        out.result(format!("still missing after {} s: offsets {missing:?}", STEP_TIMEOUT.as_secs()));
    }
    Ok((received, gap))
}
