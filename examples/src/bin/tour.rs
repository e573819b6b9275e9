//! The guided tour of ceaseless: connect, subscribe, publish, history, presence and, above all, recovery
//! after a forced disconnect, against a local Centrifugo started just for this run.
//!
//! Run it with `scripts/demo.sh` (which installs Centrifugo first) or
//! `cargo run -p ceaseless-examples --bin tour`. `--quiet` prints only the final summary. The exit code is
//! non-zero when anything fails, including a publication lost or delivered twice during recovery.

use std::collections::BTreeSet;
use std::fmt;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless::{
    Client, ClientEvent, ClientState, EventStream, HistoryOptions, Publication, StreamPosition,
    SubscribedInfo, SubscriptionEvent, TokenError,
};
use ceaseless_tests::Centrifugo;
use futures::StreamExt;
use serde_json::json;
use tokio::sync::Mutex;
use tokio::time::{Instant, timeout, timeout_at};

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

// ── Waiting, with bounded time ──────────────────────────────────────────────────────────────────────

/// Runs `future`, failing with a message naming `what` if it errs or takes longer than [`STEP_TIMEOUT`].
async fn within<T, E: Into<BoxError>>(
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
async fn next_event<E>(events: &mut EventStream<E>, deadline: Instant, what: &str) -> Result<E, BoxError> {
    match timeout_at(deadline, events.next()).await {
        Ok(Some(event)) => Ok(event),
        Ok(None) => Err(format!("the event stream ended while waiting for {what}").into()),
        Err(_) => Err(format!("gave up waiting for {what} after {} s", STEP_TIMEOUT.as_secs()).into()),
    }
}

/// Skips events until `pick` accepts one (within [`STEP_TIMEOUT`]).
async fn wait_for<E, R>(
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
async fn wait_connected(
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
async fn wait_subscribed(
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
async fn receive(
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
async fn wait_presence_change(
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
async fn receive_missed(
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

// ── The verdict ─────────────────────────────────────────────────────────────────────────────────────

/// What step 6 found.
struct RecoveryReport {
    expected: usize,
    recovered: usize,
    duplicates: usize,
    unexpected: Vec<u64>,
    in_order: bool,
    was_recovering: bool,
    recovered_flag: bool,
    gap: bool,
}

impl RecoveryReport {
    fn new(expected: &[u64], received: &[Publication], info: &SubscribedInfo, gap: bool) -> Self {
        let wanted: BTreeSet<u64> = expected.iter().copied().collect();
        let mut seen = BTreeSet::new();
        let mut duplicates = 0;
        let mut unexpected = Vec::new();
        for publication in received {
            if !wanted.contains(&publication.offset) {
                unexpected.push(publication.offset);
            } else if !seen.insert(publication.offset) {
                duplicates += 1;
            }
        }
        Self {
            expected: wanted.len(),
            recovered: seen.len(),
            duplicates,
            unexpected,
            in_order: received.windows(2).all(|pair| pair[0].offset < pair[1].offset),
            was_recovering: info.was_recovering,
            recovered_flag: info.recovered,
            gap,
        }
    }

    /// Everything that went wrong; empty when recovery was perfect.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.recovered < self.expected {
            problems.push(format!("{} missed publication(s) were lost", self.expected - self.recovered));
        }
        if self.duplicates > 0 {
            problems.push(format!("{} publication(s) were delivered twice", self.duplicates));
        }
        if !self.unexpected.is_empty() {
            problems.push(format!("unexpected publications at offsets {:?}", self.unexpected));
        }
        if !self.in_order {
            problems.push("publications were delivered out of order".to_owned());
        }
        if !(self.was_recovering && self.recovered_flag) {
            problems.push(format!(
                "the resubscribe reported was_recovering={} recovered={} (expected both true)",
                self.was_recovering, self.recovered_flag
            ));
        }
        if self.gap {
            problems.push("the client reported a gap (continuity lost)".to_owned());
        }
        problems
    }
}

impl fmt::Display for RecoveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "recovered {}/{} missed publications, {} duplicates",
            self.recovered, self.expected, self.duplicates
        )
    }
}

// ── Printing ────────────────────────────────────────────────────────────────────────────────────────

/// Prints the tour, or nothing but the summary with `--quiet`.
struct Narrator {
    quiet: bool,
}

impl Narrator {
    fn heading(&self, title: &str) {
        if !self.quiet {
            println!("\n== {title} ==");
        }
    }

    fn step(&self, number: u32, title: &str) {
        self.heading(&format!("Step {number} of 7: {title}"));
    }

    fn explain(&self, text: &str) {
        if !self.quiet {
            for line in text.lines() {
                println!("   {line}");
            }
        }
    }

    fn result(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("   -> {line}");
        }
    }

    fn event(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("   <- {line}");
        }
    }

    fn detail(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("        {line}");
        }
    }

    fn say(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("{line}");
        }
    }

    fn blank(&self) {
        if !self.quiet {
            println!();
        }
    }
}

/// `offset  1  {"text":"hi"}  (from user alice)`.
fn describe_publication(publication: &Publication) -> String {
    let data = publication.data.as_str().unwrap_or("<binary>");
    let from = publication.info.as_ref().map(|who| format!("  (from user {})", who.user)).unwrap_or_default();
    format!("offset {:>2}  {data}{from}", publication.offset)
}

/// The fields of a `Subscribed` event that matter for continuity.
fn describe_info(info: &SubscribedInfo) -> String {
    let position = info
        .position
        .as_ref()
        .map_or_else(|| "none".to_owned(), |p| format!("offset {} epoch {:?}", p.offset, p.epoch));
    format!(
        "recoverable={} positioned={} position=({position}) was_recovering={} recovered={}",
        info.recoverable, info.positioned, info.was_recovering, info.recovered
    )
}
