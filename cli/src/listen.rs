//! `ceaseless listen`: subscribe, print publications, resume across reconnects.
//!
//! Each channel is subscribed with recovery on: after a reconnect the client resubscribes from the last
//! printed offset and the server replays what was missed, so nothing is lost or printed twice while the
//! server keeps history. When it cannot (history trimmed, stream recreated) a `gap` line says so.

use std::collections::HashMap;
use std::time::Duration;

use ceaseless::positions::FilePositionStore;
use ceaseless::{ClientEvent, SubscriptionEvent};
use futures::stream::{SelectAll, StreamExt};
use serde_json::json;

use crate::args::{Global, ListenArgs};
use crate::connect::{self, display_url};
use crate::failure::Failure;
use crate::output::{self, Printer};

/// One item of the merged event streams.
enum Item {
    /// A client event.
    Client(ClientEvent),
    /// An event of one subscription.
    Sub(String, SubscriptionEvent),
}

/// `ceaseless listen`.
pub async fn listen(global: &Global, args: &ListenArgs, out: Printer) -> Result<(), Failure> {
    let since = args.since.as_deref().map(output::parse_position).transpose()?;
    if since.is_some() && args.channels.len() != 1 {
        return Err(Failure::input("--since takes one channel (positions differ between channels)"));
    }
    let deadline = match args.duration {
        Some(secs) => Some(
            Duration::try_from_secs_f64(secs)
                .map_err(|_| Failure::input(format!("--duration must be a number of seconds, not {secs}")))?,
        ),
        None => None,
    };
    let mut builder = connect::builder(global)?;
    if let Some(path) = &args.positions {
        let store = FilePositionStore::open(path)
            .map_err(|e| Failure::input(format!("cannot use the positions file {}: {e}", path.display())))?;
        builder = builder.position_store(store);
    }
    let client = connect::build(global, builder)?;

    let mut streams = SelectAll::new();
    let mut subscriptions = Vec::new();
    for channel in &args.channels {
        let mut sub =
            client.new_subscription(channel).recoverable(true).positioned(true).join_leave(args.join_leave);
        if let Some(position) = &since {
            sub = sub.since(position.clone());
        }
        let sub =
            sub.build().map_err(|e| Failure::from_error(&format!("cannot subscribe to {channel:?}"), &e))?;
        let name = channel.clone();
        streams.push(sub.events().map(move |event| Item::Sub(name.clone(), event)).boxed());
        subscriptions.push(sub);
    }
    let (client_events, connected) = connect::connect(global, &client).await?;
    client_event(connected, out, &display_url(&global.url))?;
    streams.push(client_events.map(Item::Client).boxed());
    for sub in &subscriptions {
        sub.subscribe();
    }

    let result = run(&mut streams, args, out, deadline, &display_url(&global.url)).await;
    client.close().await;
    result
}

/// Prints events until `--count`, `--duration`, Ctrl-C or a terminal failure.
async fn run(
    streams: &mut SelectAll<futures::stream::BoxStream<'static, Item>>,
    args: &ListenArgs,
    out: Printer,
    duration: Option<Duration>,
    url: &str,
) -> Result<(), Failure> {
    let mut epochs: HashMap<String, String> = HashMap::new();
    let mut printed = 0u64;
    let stop_at = duration.map(|d| tokio::time::Instant::now() + d);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        if args.count.is_some_and(|count| printed >= count) {
            return Ok(());
        }
        let sleep = async {
            match stop_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let item = tokio::select! {
            item = streams.next() => item,
            _ = sleep => return Ok(()),
            _ = &mut ctrl_c => return Ok(()),
        };
        let Some(item) = item else { return Ok(()) };
        match item {
            Item::Sub(channel, SubscriptionEvent::Publication(publication)) => {
                printed += 1;
                let epoch = epochs.get(&channel).map(String::as_str);
                out.data(
                    || output::publication_text(&channel, &publication),
                    || output::publication_value(&channel, &publication, epoch),
                )?;
            }
            Item::Sub(channel, event) => subscription_event(&channel, event, &mut epochs, out)?,
            Item::Client(event) => client_event(event, out, url)?,
        }
    }
}

/// Reports a subscription's state change; a terminal unsubscribe ends the command.
fn subscription_event(
    channel: &str,
    event: SubscriptionEvent,
    epochs: &mut HashMap<String, String>,
    out: Printer,
) -> Result<(), Failure> {
    match event {
        SubscriptionEvent::Subscribed(info) => {
            if let Some(position) = &info.position {
                epochs.insert(channel.to_owned(), position.epoch.clone());
            }
            let how = match (info.was_recovering, info.recovered) {
                (true, true) => "resumed; missed publications follow",
                (true, false) => "resubscribed, but could not resume",
                _ => "subscribed",
            };
            out.status(
                || format!("{channel}: {how} at {}", output::position_text(info.position.as_ref())),
                || {
                    json!({ "type": "subscribed", "channel": channel, "recovered": info.recovered,
                            "was_recovering": info.was_recovering,
                            "position": output::position_value(info.position.as_ref()) })
                },
            )
        }
        SubscriptionEvent::Gap(gap) => {
            if let Some(position) = &gap.resumed_from {
                epochs.insert(channel.to_owned(), position.epoch.clone());
            }
            out.status(
                || {
                    format!(
                        "{channel}: GAP: publications after {} could not be replayed; resuming from {}",
                        output::position_text(gap.last_delivered.as_ref()),
                        output::position_text(gap.resumed_from.as_ref())
                    )
                },
                || {
                    json!({ "type": "gap", "channel": channel,
                            "last_delivered": output::position_value(gap.last_delivered.as_ref()),
                            "resumed_from": output::position_value(gap.resumed_from.as_ref()) })
                },
            )
        }
        // The first subscribe is not news; a resubscribe after a loss is.
        SubscriptionEvent::Subscribing { code: ceaseless::codes::subscribing::SUBSCRIBE_CALLED, .. } => Ok(()),
        SubscriptionEvent::Subscribing { code, reason } => out.status(
            || format!("{channel}: resubscribing ({reason}, code {code})"),
            || json!({ "type": "subscribing", "channel": channel, "code": code, "reason": reason }),
        ),
        SubscriptionEvent::Unsubscribed { code, reason } => {
            Err(Failure::new(crate::failure::EXIT_SERVER, format!("{channel}: unsubscribed: {reason} (code {code})")))
        }
        SubscriptionEvent::Error(error) => match error {
            ceaseless::Error::Server { temporary: false, .. } | ceaseless::Error::Unauthorized(_) => {
                Err(Failure::from_error(&format!("subscribing to {channel}"), &error))
            }
            other => out.status(
                || format!("{channel}: {other} (retrying)"),
                || json!({ "type": "error", "channel": channel, "code": other.code(), "message": other.to_string() }),
            ),
        },
        SubscriptionEvent::Join(info) => out.status(
            || format!("{channel}: {} joined", info.user),
            || json!({ "type": "join", "channel": channel, "info": output::info_value(&info) }),
        ),
        SubscriptionEvent::Leave(info) => out.status(
            || format!("{channel}: {} left", info.user),
            || json!({ "type": "leave", "channel": channel, "info": output::info_value(&info) }),
        ),
        _ => Ok(()),
    }
}

/// Reports a connection state change; a terminal disconnect ends the command.
fn client_event(event: ClientEvent, out: Printer, url: &str) -> Result<(), Failure> {
    match event {
        ClientEvent::Connecting { code, reason } => out.status(
            || format!("reconnecting ({reason}, code {code})"),
            || json!({ "type": "connecting", "code": code, "reason": reason }),
        ),
        ClientEvent::Connected { client, transport, .. } => out.status(
            || format!("connected over {transport} as client {client}"),
            || json!({ "type": "connected", "client": client, "transport": transport }),
        ),
        ClientEvent::Disconnected { code, reason } => Err(Failure::from_disconnect(url, code, &reason)),
        ClientEvent::Suspended => out.status(
            || "offline for a long time; retrying less often".to_owned(),
            || json!({ "type": "suspended" }),
        ),
        ClientEvent::Error(error) => out.status(
            || format!("{error} (retrying)"),
            || json!({ "type": "error", "code": error.code(), "message": error.to_string() }),
        ),
        _ => Ok(()),
    }
}
