//! The `ceaseless` binary against a real Centrifugo (started by the `ceaseless-tests` harness).

use std::process::Stdio;
use std::time::Duration;

use ceaseless_tests::{Centrifugo, ServerOptions};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::timeout;

/// The environment variable the tests pass the token in (never on the command line).
const TOKEN_VAR: &str = "CEASELESS_TEST_TOKEN";
/// How long any one step may take.
const STEP: Duration = Duration::from_secs(15);

/// A server with a `cli` namespace whose history and presence any connected client may read (the
/// base config's namespaces allow them for subscribers only).
async fn server() -> Centrifugo {
    let cli = json!({
        "name": "cli",
        "presence": true,
        "history_size": 100,
        "history_ttl": "300s",
        "force_recovery": true,
        "allow_subscribe_for_client": true,
        "allow_publish_for_client": true,
        "allow_history_for_client": true,
        "allow_presence_for_client": true
    });
    Centrifugo::start_with(ServerOptions::new().namespace(cli)).await.expect("server starts")
}

/// What a finished run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The JSON lines of standard output.
    fn json_lines(&self) -> Vec<Value> {
        self.stdout.lines().map(|line| serde_json::from_str(line).expect("stdout line is JSON")).collect()
    }
}

/// The binary with the server's URL and a token for `user` in the environment.
fn command(server: &Centrifugo, user: &str) -> (Command, String) {
    command_for(server, user, &server.ws_url())
}

/// The binary with `url` and a token for `user` in the environment.
fn command_for(server: &Centrifugo, user: &str, url: &str) -> (Command, String) {
    let token = server.token(user, None);
    let mut command = Command::new(env!("CARGO_BIN_EXE_ceaseless"));
    command
        .arg("--url")
        .arg(url)
        .arg("--token-env")
        .arg(TOKEN_VAR)
        .env(TOKEN_VAR, &token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    (command, token)
}

/// Runs the binary to completion.
async fn run(mut command: Command, args: &[&str]) -> Run {
    let output =
        timeout(STEP, command.args(args).output()).await.expect("the command finishes").expect("it runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Reads JSON lines until one satisfies `pred`, returning every line read.
async fn read_until(lines: &mut Lines<BufReader<ChildStdout>>, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let line = timeout(STEP, lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("timed out; lines so far: {seen:?}"))
            .expect("stdout readable")
            .unwrap_or_else(|| panic!("listen ended early; lines so far: {seen:?}"));
        let value: Value = serde_json::from_str(&line).expect("JSON line");
        let done = pred(&value);
        seen.push(value);
        if done {
            return seen;
        }
    }
}

/// Starts `listen` in the background with JSON output.
fn spawn_listen(server: &Centrifugo, user: &str, args: &[&str]) -> (Child, Lines<BufReader<ChildStdout>>) {
    let (mut command, _token) = command(server, user);
    let mut child = command.args(["listen", "--output", "json"]).args(args).spawn().expect("listen starts");
    let stdout = child.stdout.take().expect("piped stdout");
    (child, BufReader::new(stdout).lines())
}

fn is_type(value: &Value, kind: &str) -> bool {
    value["type"] == kind
}

#[tokio::test]
async fn publish_then_history_shows_it() {
    let server = server().await;
    let (cmd, token) = command(&server, "alice");
    let published = run(cmd, &["publish", "cli:history", r#"{"n": 1}"#]).await;
    assert_eq!(published.code, 0, "publish failed: {}", published.stderr);
    assert!(!published.stdout.contains(&token) && !published.stderr.contains(&token), "token echoed");

    // A second one from standard input, one payload per line.
    let (mut cmd, _) = command(&server, "alice");
    cmd.stdin(Stdio::piped());
    let mut child = cmd.args(["publish", "cli:history", "--lines"]).spawn().expect("spawns");
    let mut stdin = child.stdin.take().expect("piped stdin");
    tokio::io::AsyncWriteExt::write_all(&mut stdin, b"{\"n\": 2}\n\n{\"n\": 3}\n").await.expect("writes");
    drop(stdin);
    let output = timeout(STEP, child.wait_with_output()).await.expect("finishes").expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let (cmd, _) = command(&server, "bob");
    let history = run(cmd, &["history", "cli:history", "--limit", "10", "--output", "json"]).await;
    assert_eq!(history.code, 0, "history failed: {}", history.stderr);
    let lines = history.json_lines();
    let data: Vec<&Value> = lines.iter().filter(|l| is_type(l, "publication")).map(|l| &l["data"]).collect();
    assert_eq!(data, [&json!({"n": 1}), &json!({"n": 2}), &json!({"n": 3})], "{lines:?}");
    let stream = lines.iter().find(|l| is_type(l, "stream")).expect("a stream line");
    assert_eq!(stream["offset"], 3);

    // --reverse and --limit, human output.
    let (cmd, _) = command(&server, "bob");
    let newest = run(cmd, &["history", "cli:history", "--limit", "1", "--reverse"]).await;
    assert_eq!(newest.code, 0, "{}", newest.stderr);
    assert!(newest.stdout.starts_with("cli:history #3 {\"n\": 3}"), "{}", newest.stdout);

    // --since: everything after offset 1 of this epoch.
    let epoch = stream["epoch"].as_str().expect("epoch");
    let since = format!("1:{epoch}");
    let (cmd, _) = command(&server, "bob");
    let after = run(cmd, &["history", "cli:history", "--since", &since, "--output", "json"]).await;
    let offsets: Vec<u64> = after
        .json_lines()
        .iter()
        .filter(|l| is_type(l, "publication"))
        .filter_map(|l| l["offset"].as_u64())
        .collect();
    assert_eq!(offsets, [2, 3], "{}", after.stdout);
}

#[tokio::test]
async fn listen_recovers_across_a_server_disconnect_without_loss_or_duplicates() {
    let server = server().await;
    let api = server.api();
    let channel = "cli:listen";
    let (mut child, mut lines) = spawn_listen(&server, "listener", &[channel, "--count", "30"]);
    read_until(&mut lines, |l| is_type(l, "subscribed")).await;

    for n in 1..=10 {
        api.publish(channel, json!({ "n": n })).await.expect("publish");
    }
    let mut seen = read_until(&mut lines, |l| is_type(l, "publication") && l["data"]["n"] == 10).await;

    // 4000: the server tells the client to reconnect. Publish while it is away.
    api.disconnect("listener", 4000, "cli test").await.expect("disconnect");
    for n in 11..=20 {
        api.publish(channel, json!({ "n": n })).await.expect("publish");
    }
    seen.extend(read_until(&mut lines, |l| is_type(l, "subscribed") && l["was_recovering"] == true).await);
    for n in 21..=30 {
        api.publish(channel, json!({ "n": n })).await.expect("publish");
    }
    seen.extend(read_until(&mut lines, |l| is_type(l, "publication") && l["data"]["n"] == 30).await);
    let status = timeout(STEP, child.wait()).await.expect("exits after --count").expect("waits");
    assert!(status.success(), "listen failed: {status}");

    let resumed =
        seen.iter().find(|l| is_type(l, "subscribed") && l["was_recovering"] == true).expect("resubscribed");
    assert_eq!(resumed["recovered"], true, "{resumed}");
    assert!(seen.iter().any(|l| is_type(l, "connecting")), "the reconnect is reported");
    let numbers: Vec<u64> =
        seen.iter().filter(|l| is_type(l, "publication")).filter_map(|l| l["data"]["n"].as_u64()).collect();
    assert_eq!(numbers, (1..=30).collect::<Vec<_>>(), "each publication once, in order");
    let offsets: Vec<u64> =
        seen.iter().filter(|l| is_type(l, "publication")).filter_map(|l| l["offset"].as_u64()).collect();
    assert_eq!(offsets, (1..=30).collect::<Vec<_>>());
    assert!(seen.iter().filter(|l| is_type(l, "publication")).all(|l| l["epoch"].is_string()));
}

#[tokio::test]
async fn listen_resumes_from_a_positions_file_across_processes() {
    let server = server().await;
    let api = server.api();
    let channel = "cli:positions";
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("positions.json");
    let file = file.to_str().expect("utf-8 path");

    let (mut child, mut lines) = spawn_listen(&server, "p", &[channel, "--positions", file, "--count", "2"]);
    read_until(&mut lines, |l| is_type(l, "subscribed")).await;
    api.publish(channel, json!({ "n": 1 })).await.expect("publish");
    api.publish(channel, json!({ "n": 2 })).await.expect("publish");
    read_until(&mut lines, |l| l["data"]["n"] == 2).await;
    assert!(timeout(STEP, child.wait()).await.expect("exits").expect("waits").success());

    // Published while no listener runs: the next one starts from the saved position.
    api.publish(channel, json!({ "n": 3 })).await.expect("publish");
    let (mut child, mut lines) = spawn_listen(&server, "p", &[channel, "--positions", file, "--count", "1"]);
    let seen = read_until(&mut lines, |l| is_type(l, "publication")).await;
    assert_eq!(seen.last().expect("a line")["data"], json!({"n": 3}), "{seen:?}");
    assert!(timeout(STEP, child.wait()).await.expect("exits").expect("waits").success());
}

#[tokio::test]
async fn presence_lists_subscribers_and_counts_them() {
    let server = server().await;
    let channel = "cli:presence";
    let (_listener, mut lines) = spawn_listen(&server, "carol", &[channel]);
    read_until(&mut lines, |l| is_type(l, "subscribed")).await;

    let (cmd, _) = command(&server, "dave");
    let presence = run(cmd, &["presence", channel, "--output", "json"]).await;
    assert_eq!(presence.code, 0, "{}", presence.stderr);
    let users: Vec<Value> = presence.json_lines().iter().map(|l| l["user"].clone()).collect();
    assert_eq!(users, [json!("carol")], "{}", presence.stdout);

    let (cmd, _) = command(&server, "dave");
    let stats = run(cmd, &["presence", channel, "--stats"]).await;
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert_eq!(stats.stdout.trim(), format!("{channel}: 1 client(s), 1 user(s)"));
}

#[tokio::test]
async fn unreachable_server_fails_fast_with_a_clear_error() {
    let server = server().await;
    // A port nobody listens on: taken from a listener that is dropped at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let (cmd, _) = command_for(&server, "alice", &format!("ws://127.0.0.1:{port}/connection/websocket"));
    let started = std::time::Instant::now();
    let run = run(cmd, &["publish", "test:x", "{}"]).await;
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.starts_with("ceaseless: cannot connect to ws://127.0.0.1:"), "{}", run.stderr);
    assert!(run.stderr.contains("ceaseless error code 2"), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(5), "fails fast, not after retries");

    let (cmd, _) = command_for(&server, "alice", "http://127.0.0.1/connection/websocket?token=secret");
    let run = self::run(cmd, &["history", "test:x"]).await;
    assert_eq!(run.code, 6, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("invalid URL") && run.stderr.contains("ws://"), "{}", run.stderr);
    assert!(!run.stderr.contains("secret"), "the query string is not echoed: {}", run.stderr);
}

#[tokio::test]
async fn rejected_token_is_an_auth_error_and_never_echoed() {
    let server = server().await;
    let bad = server.token_signed_with_wrong_key("mallory");
    let (mut cmd, _) = command(&server, "mallory");
    cmd.env(TOKEN_VAR, &bad);
    let run = run(cmd, &["presence", "test:x", "--stats"]).await;
    assert_eq!(run.code, 4, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("invalid token"), "{}", run.stderr);
    assert!(!run.stderr.contains(&bad) && !run.stdout.contains(&bad), "token echoed");

    let (mut cmd, _) = command(&server, "mallory");
    cmd.env_remove(TOKEN_VAR);
    let missing = self::run(cmd, &["presence", "test:x"]).await;
    assert_eq!(missing.code, 6, "{}", missing.stderr);
    assert!(missing.stderr.contains(TOKEN_VAR), "{}", missing.stderr);
}

#[tokio::test]
async fn server_refusals_and_bad_payloads_have_their_own_exit_codes() {
    let server = server().await;
    let (cmd, _) = command(&server, "alice");
    let not_json = run(cmd, &["publish", "test:x", "not json"]).await;
    assert_eq!(not_json.code, 6, "{}", not_json.stderr);
    assert!(not_json.stderr.contains("not valid JSON"), "{}", not_json.stderr);

    // The `secure` namespace does not let clients subscribe without a subscription token.
    let (cmd, _) = command(&server, "alice");
    let denied = run(cmd, &["listen", "secure:room", "--duration", "5"]).await;
    assert_eq!(denied.code, 5, "{}", denied.stderr);
    assert!(denied.stderr.contains("permission denied"), "{}", denied.stderr);

    let (cmd, _) = command(&server, "alice");
    let unknown = run(cmd, &["history", "nosuchnamespace:x"]).await;
    assert_eq!(unknown.code, 5, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("code 102"), "{}", unknown.stderr);
}

#[tokio::test]
async fn emulation_transports_and_protobuf_carry_publications() {
    let server = server().await;
    let channel = "cli:transports";
    let (mut listen, _) = command(&server, "eve");
    listen.args(["listen", "--output", "json", "--transport", "http_stream", "--format", "protobuf"]);
    let mut child = listen.args([channel, "--count", "2"]).spawn().expect("listen starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let connected = read_until(&mut lines, |l| is_type(l, "subscribed")).await;
    assert!(connected.iter().any(|l| l["transport"] == "http_stream"), "{connected:?}");

    // Publish over SSE (JSON only), then over WebSocket when listed after an unusable first choice.
    let (cmd, _) = command(&server, "eve");
    let sse = run(cmd, &["--transport", "sse", "publish", channel, r#"{"via":"sse"}"#]).await;
    assert_eq!(sse.code, 0, "{}", sse.stderr);
    let (cmd, _) = command(&server, "eve");
    let ws = run(cmd, &["--transport", "websocket", "publish", channel, r#"{"via":"websocket"}"#]).await;
    assert_eq!(ws.code, 0, "{}", ws.stderr);

    let seen = read_until(&mut lines, |l| l["data"]["via"] == "websocket").await;
    let via: Vec<&Value> =
        seen.iter().filter(|l| is_type(l, "publication")).map(|l| &l["data"]["via"]).collect();
    assert_eq!(via, [&json!("sse"), &json!("websocket")]);
    assert!(timeout(STEP, child.wait()).await.expect("exits").expect("waits").success());

    // SSE cannot carry Protobuf: refused before connecting, as invalid input.
    let (cmd, _) = command(&server, "eve");
    let refused = run(cmd, &["--transport", "sse", "--format", "protobuf", "presence", channel]).await;
    assert_eq!(refused.code, 6, "{}", refused.stderr);
    assert!(refused.stderr.contains("SSE"), "{}", refused.stderr);
}
