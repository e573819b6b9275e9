//! The guided tour of ceaseless: connect, subscribe, publish, history, presence and, above all, recovery
//! after a forced disconnect, against a local Centrifugo started just for this run.
//!
//! Run it with `scripts/demo.sh` (which installs Centrifugo first) or
//! `cargo run -p ceaseless-examples --bin tour`. `--quiet` prints only the final summary. The exit code is
//! non-zero when anything fails, including a publication lost or delivered twice during recovery.

#[path = "../tour/narrator.rs"]
mod narrator;
#[path = "../tour/report.rs"]
mod report;
#[path = "../tour/waits.rs"]
mod waits;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless::{
    Client, ClientEvent, ClientState, HistoryOptions, StreamPosition, SubscriptionEvent, TokenError,
};
use ceaseless_tests::Centrifugo;
use serde_json::json;
use tokio::sync::Mutex;
use tokio::time::{Instant, timeout};

use self::narrator::{Narrator, describe_info, describe_publication};
use self::report::RecoveryReport;
use self::waits::*;

/// Any error, with a message fit for a human.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The user in every connection token.
const USER: &str = "alice";
/// The channel of the tour. The `test:` namespace of the local server keeps history and forces recovery.
const CHANNEL: &str = "test:tour";
/// How long minted connection tokens are valid.
const TOKEN_TTL: Duration = Duration::from_secs(10 * 60);
/// The longest the tour waits for any one thing before giving up with an error.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// The code the server API disconnects the client with: 4000–4499 means "reconnect".
const RECONNECT_CODE: u32 = 4000;
/// How many publications are made while the client is away.
const MISSED: usize = 10;
/// How long to keep listening after recovery, so a duplicate would be caught.
const DUPLICATE_GRACE: Duration = Duration::from_millis(500);
/// The history page size.
const PAGE: i32 = 2;
/// A bound on history pages, in case the server kept returning full pages.
const MAX_PAGES: u32 = 100;

const USAGE: &str = "\
A guided tour of ceaseless against a local Centrifugo.

Usage: tour [--quiet]

Options:
  -q, --quiet  Print only the final summary line
  -h, --help   Print this help
";

#[tokio::main]
async fn main() -> ExitCode {
    let quiet = match parse_args(std::env::args().skip(1)) {
        Ok(Some(quiet)) => quiet,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tour: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    let out = Narrator { quiet };
    let started = Instant::now();
    match run(&out).await {
        Ok(report) => {
            let problems = report.problems();
            out.blank();
            println!("{report}");
            out.say(format!("tour finished in {:.1} s", started.elapsed().as_secs_f64()));
            if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                for problem in problems {
                    eprintln!("tour: {problem}");
                }
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("tour failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `Some(quiet)` to run, `None` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<bool>, String> {
    let mut quiet = false;
    for arg in args {
        match arg.as_str() {
            "-q" | "--quiet" => quiet = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(quiet))
}

/// Client logs go to stderr; `RUST_LOG=ceaseless=debug` shows what the client does under the hood.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn run(out: &Narrator) -> Result<RecoveryReport, BoxError> {
    // ── Setup ───────────────────────────────────────────────────────────────────────────────────────
    out.heading("Setup: start a local Centrifugo");
    out.explain(
        "A real Centrifugo v5 (memory engine) on a free loopback port, with the config the integration\n\
         tests use. Lines with `->` are results of calls, lines with `<-` are events the client reported.",
    );
    let server = Centrifugo::start().await?;
    let api = server.api();
    let ws_url = server.ws_url();
    let server_info = within("the server API call `info`", api.call("info", json!({}))).await?;
    let version = server_info["nodes"][0]["version"].as_str().unwrap_or("?").to_owned();
    out.result(format!("Centrifugo {version} is running"));
    out.result(format!("WebSocket endpoint: {ws_url}"));
    out.result(format!("server HTTP API:    {}/api", server.http_url()));
    // The token provider below and the final `stop` both need the server, so it is shared.
    let server = Arc::new(Mutex::new(server));

    // ── 1. Connect ──────────────────────────────────────────────────────────────────────────────────
    out.step(1, "connect with a JWT");
    out.explain(
        "The client asks a token provider for a connection JWT whenever it needs one: before the first\n\
         connect, and again when the token is about to expire. A real app's provider calls its backend;\n\
         this one has the local server sign a token for user `alice`. Tokens are never printed.",
    );
    let token_calls = Arc::new(AtomicUsize::new(0));
    let client = Client::builder(&ws_url)
        .token_provider({
            let server = server.clone();
            let token_calls = token_calls.clone();
            move || {
                token_calls.fetch_add(1, Ordering::Relaxed);
                let server = server.clone();
                async move { Ok::<_, TokenError>(server.lock().await.token(USER, Some(TOKEN_TTL))) }
            }
        })
        // Wait 1–1.5 s before reconnecting, so step 6 has a real window in which the client is away.
        .reconnect_delay(Duration::from_millis(1000), Duration::from_millis(1500))
        .build()?;
    // Open event streams before acting, so no event is missed.
    let mut client_events = client.events();
    client.connect();
    let (client_id, server_version) = wait_connected(out, &mut client_events).await?;
    out.event(format!("Connected: client id {client_id}, server version {server_version:?}"));
    out.result(format!("the token provider was called {} time(s)", token_calls.load(Ordering::Relaxed)));

    // ── 2. Subscribe ────────────────────────────────────────────────────────────────────────────────
    out.step(2, &format!("subscribe to {CHANNEL}"));
    out.explain(
        "The server confirms with the stream position (offset + epoch) of the channel. The client keeps\n\
         the position of the last publication it delivered, to recover from there after a reconnect.",
    );
    let sub = client.new_subscription(CHANNEL).build()?;
    let mut sub_events = sub.events();
    sub.subscribe();
    let info = wait_subscribed(out, &mut sub_events).await?;
    out.event(format!("Subscribed: {}", describe_info(&info)));

    // ── 3. Publish ──────────────────────────────────────────────────────────────────────────────────
    out.step(3, "publish and receive");
    out.explain(
        "Publications reach every subscriber, including the publisher, each with its offset in the\n\
         channel's stream. Publications from clients carry the publisher's info; API ones do not.",
    );
    within(
        "publishing from the client",
        client.publish_json(CHANNEL, &json!({ "text": "hello from the client" })),
    )
    .await?;
    out.result("published from the client");
    receive(out, &mut sub_events, 1).await?;
    within(
        "publishing through the server API",
        api.publish(CHANNEL, json!({ "text": "hello from the server API" })),
    )
    .await?;
    out.result("published through the server API");
    receive(out, &mut sub_events, 1).await?;
    for n in 1..=3 {
        within("publishing through the server API", api.publish(CHANNEL, json!({ "n": n }))).await?;
    }
    out.result("published 3 more through the API, so the history has pages");
    receive(out, &mut sub_events, 3).await?;

    // ── 4. History ──────────────────────────────────────────────────────────────────────────────────
    out.step(4, "read the history");
    out.explain(
        "`limit: 0` returns only the stream top. `limit` + `since` pages forward through the stream;\n\
         `reverse` reads newest first.",
    );
    let top = within("reading the stream top", sub.history(HistoryOptions::default())).await?;
    out.result(format!("stream top: offset {}, epoch {:?}", top.offset, top.epoch));
    let mut since: Option<StreamPosition> = None;
    for page in 1..=MAX_PAGES {
        let options = HistoryOptions { limit: PAGE, since: since.clone(), reverse: false };
        let history = within("reading a history page", sub.history(options)).await?;
        let after = since.as_ref().map_or_else(|| "the start".to_owned(), |p| format!("offset {}", p.offset));
        out.result(format!(
            "page {page} (limit {PAGE}, since {after}): {} publication(s)",
            history.publications.len()
        ));
        for publication in &history.publications {
            out.detail(describe_publication(publication));
        }
        let Some(last) = history.publications.last() else {
            break;
        };
        since = Some(StreamPosition { offset: last.offset, epoch: history.epoch.clone() });
        if history.publications.len() < PAGE as usize {
            break;
        }
    }
    let newest = HistoryOptions { limit: 3, since: None, reverse: true };
    let history = within("reading the history in reverse", sub.history(newest)).await?;
    out.result("the 3 newest (reverse: true):");
    for publication in &history.publications {
        out.detail(describe_publication(publication));
    }

    // ── 5. Presence ─────────────────────────────────────────────────────────────────────────────────
    out.step(5, "presence and presence stats");
    out.explain(
        "Presence lists who is subscribed to the channel; presence stats only count. A second client,\n\
         `bob`, joins for a moment (this one uses a fixed token instead of a provider).",
    );
    let bob_token = server.lock().await.token("bob", Some(TOKEN_TTL));
    let bob = Client::builder(&ws_url).token(bob_token).build()?;
    let bob_sub = bob.new_subscription(CHANNEL).build()?;
    bob.connect();
    bob_sub.subscribe();
    within("bob subscribing", bob_sub.ready()).await?;
    wait_presence_change(out, &mut sub_events, "bob to join", true).await?;
    let presence = within("reading presence", sub.presence()).await?;
    out.result(format!("presence: {} client(s)", presence.presence.len()));
    for (id, who) in &presence.presence {
        let this = if *id == client_id { "  (this client)" } else { "" };
        out.detail(format!("user {:<6} client {id}{this}", who.user));
    }
    let stats = within("reading presence stats", sub.presence_stats()).await?;
    out.result(format!("presence stats: {} client(s), {} user(s)", stats.num_clients, stats.num_users));
    timeout(STEP_TIMEOUT, bob.close()).await.map_err(|_| "closing bob took too long")?;
    wait_presence_change(out, &mut sub_events, "bob to leave", false).await?;

    // ── 6. Recovery ─────────────────────────────────────────────────────────────────────────────────
    out.step(6, "recovery after a forced disconnect");
    out.explain(&format!(
        "The server API disconnects every connection of `{USER}` with code {RECONNECT_CODE} (\"reconnect\").\n\
         While the client waits to reconnect, {MISSED} messages are published through the API. The client\n\
         reconnects by itself, resubscribes from its last position, and the server sends what was missed."
    ));
    let before = sub.position().await.ok_or("the subscription has no stream position to recover from")?;
    out.result(format!("the client's position: offset {}, epoch {:?}", before.offset, before.epoch));
    let disconnected_at = Instant::now();
    within(
        "the server API call `disconnect`",
        api.disconnect(USER, RECONNECT_CODE, "tour: forced disconnect"),
    )
    .await?;
    out.result(format!("server API: disconnected user {USER} with code {RECONNECT_CODE}"));
    let (code, reason) = wait_for(&mut client_events, "the client to notice the disconnect", |e| match e {
        ClientEvent::Connecting { code, reason } => Some((code, reason)),
        _ => None,
    })
    .await?;
    out.event(format!("Connecting: code {code} ({reason}); reconnecting with backoff"));
    let (code, reason) = wait_for(&mut sub_events, "the subscription to notice", |e| match e {
        SubscriptionEvent::Subscribing { code, reason } => Some((code, reason)),
        _ => None,
    })
    .await?;
    out.event(format!("subscription Subscribing: code {code} ({reason})"));

    let publishing = Instant::now();
    let mut expected = Vec::with_capacity(MISSED);
    for n in 1..=MISSED {
        let position =
            within("publishing through the server API", api.publish(CHANNEL, json!({ "missed": n }))).await?;
        expected.push(position.offset);
    }
    let state = client.state();
    out.result(format!(
        "published {MISSED} messages through the API in {} ms (offsets {}–{}); the client is {state:?}",
        publishing.elapsed().as_millis(),
        expected.first().copied().unwrap_or_default(),
        expected.last().copied().unwrap_or_default(),
    ));
    if state == ClientState::Connected {
        out.result("(the client reconnected faster than the API published: some were not really missed)");
    }

    let (new_id, _) = wait_connected(out, &mut client_events).await?;
    out.event(format!(
        "Connected: new client id {new_id}, {:.1} s after the disconnect",
        disconnected_at.elapsed().as_secs_f64()
    ));
    let info = wait_subscribed(out, &mut sub_events).await?;
    out.event(format!("Subscribed: {}", describe_info(&info)));
    let (received, gap) = receive_missed(out, &mut sub_events, &expected).await?;
    if let Some(position) = sub.position().await {
        out.result(format!("the client's position is now offset {}", position.offset));
        out.detail("(a recovered Subscribed reports the offset it recovered from; each recovered");
        out.detail(" publication then moves the position on)");
    }
    let report = RecoveryReport::new(&expected, &received, &info, gap);

    // ── 7. Close ────────────────────────────────────────────────────────────────────────────────────
    out.step(7, "close the client and stop the server");
    out.explain("`close` ends the client for good and waits until it has let go of the connection.");
    timeout(STEP_TIMEOUT, client.close()).await.map_err(|_| "closing the client took too long")?;
    out.result(format!("client state: {:?}", client.state()));
    server.lock().await.stop().await?;
    out.result("Centrifugo stopped");
    Ok(report)
}
