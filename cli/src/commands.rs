//! The one-shot subcommands: `publish`, `history` and `presence`.

use std::io::Read;

use ceaseless::{Client, HistoryOptions, Payload};
use serde_json::json;

use crate::args::{FormatArg, Global, HistoryArgs, PresenceArgs, PublishArgs};
use crate::connect;
use crate::failure::{EXIT_OTHER, Failure};
use crate::output::{self, Printer};

/// Connects a client for a one-shot command.
async fn connected(global: &Global) -> Result<Client, Failure> {
    let client = connect::build(global, connect::builder(global)?)?;
    connect::connect(global, &client).await?;
    Ok(client)
}

/// Turns user input into a payload for the chosen format.
fn payload(format: FormatArg, bytes: Vec<u8>) -> Result<Payload, Failure> {
    match format {
        FormatArg::Json => Payload::from_json_bytes(bytes).map_err(|e| {
            Failure::input(format!(
                "{e} (with --format json the data must be JSON, e.g. '{{\"text\":\"hi\"}}')"
            ))
        }),
        FormatArg::Protobuf => Ok(Payload::from_raw(bytes.into())),
    }
}

/// `ceaseless publish`.
pub async fn publish(global: &Global, args: &PublishArgs, out: Printer) -> Result<(), Failure> {
    let payloads = match &args.data {
        Some(data) => vec![payload(global.format, data.clone().into_bytes())?],
        None => {
            let mut input = Vec::new();
            std::io::stdin()
                .read_to_end(&mut input)
                .map_err(|e| Failure::new(EXIT_OTHER, format!("cannot read standard input: {e}")))?;
            if args.lines {
                input
                    .split(|b| *b == b'\n')
                    .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
                    .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
                    .map(|line| payload(global.format, line.to_vec()))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                if global.format == FormatArg::Json && input.iter().all(u8::is_ascii_whitespace) {
                    return Err(Failure::input(
                        "nothing to publish: give the data as an argument or on standard input",
                    ));
                }
                vec![payload(global.format, input)?]
            }
        }
    };
    let client = connected(global).await?;
    let mut result = Ok(());
    for (index, data) in payloads.into_iter().enumerate() {
        if let Err(e) = client.publish(&args.channel, data).await {
            result = Err(Failure::from_error(&format!("publishing into {}", args.channel), &e));
            break;
        }
        out.data(
            || format!("published into {}", args.channel),
            || json!({ "type": "published", "channel": args.channel, "index": index }),
        )?;
    }
    client.close().await;
    result
}

/// `ceaseless history`.
pub async fn history(global: &Global, args: &HistoryArgs, out: Printer) -> Result<(), Failure> {
    let since = args.since.as_deref().map(output::parse_position).transpose()?;
    let client = connected(global).await?;
    let options = HistoryOptions { limit: args.limit, since, reverse: args.reverse };
    let result = client.history(&args.channel, options).await;
    client.close().await;
    let history = result.map_err(|e| Failure::from_error(&format!("history of {}", args.channel), &e))?;
    for publication in &history.publications {
        out.data(
            || output::publication_text(&args.channel, publication),
            || output::publication_value(&args.channel, publication, Some(&history.epoch)),
        )?;
    }
    out.data(
        || {
            format!(
                "{} publication(s); stream top {}:{} (use --since {}:{} to continue)",
                history.publications.len(),
                history.offset,
                history.epoch,
                history.publications.last().map_or(history.offset, |p| p.offset),
                history.epoch
            )
        },
        || json!({ "type": "stream", "channel": args.channel, "offset": history.offset, "epoch": history.epoch }),
    )
}

/// `ceaseless presence`.
pub async fn presence(global: &Global, args: &PresenceArgs, out: Printer) -> Result<(), Failure> {
    let client = connected(global).await?;
    let what = format!("presence in {}", args.channel);
    if args.stats {
        let result = client.presence_stats(&args.channel).await;
        client.close().await;
        let stats = result.map_err(|e| Failure::from_error(&what, &e))?;
        return out.data(
            || format!("{}: {} client(s), {} user(s)", args.channel, stats.num_clients, stats.num_users),
            || {
                json!({ "type": "presence_stats", "channel": args.channel,
                        "num_clients": stats.num_clients, "num_users": stats.num_users })
            },
        );
    }
    let result = client.presence(&args.channel).await;
    client.close().await;
    let presence = result.map_err(|e| Failure::from_error(&what, &e))?;
    for (client_id, info) in &presence.presence {
        out.data(
            || format!("{client_id}  user {}", if info.user.is_empty() { "(anonymous)" } else { &info.user }),
            || {
                let mut value = output::info_value(info);
                value["type"] = json!("presence");
                value["channel"] = json!(args.channel);
                value
            },
        )?;
    }
    if !out.json() {
        eprintln!("-- {} client(s) in {}", presence.presence.len(), args.channel);
    }
    Ok(())
}
