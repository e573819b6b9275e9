//! `set_log_sink`: the client's log lines reach the app's sink, with tokens redacted. A test binary of
//! its own, because it installs the process-wide `tracing` subscriber.

mod common;

use std::sync::{Arc, Mutex};

use ceaseless_ffi::{CeaselessError, Client, ClientOptions, LogLevel, LogRecord, LogSink, set_log_sink};
use ceaseless_tests::Centrifugo;
use common::Tokens;

#[derive(Default)]
struct Lines(Mutex<Vec<LogRecord>>);

impl LogSink for Lines {
    fn log(&self, record: LogRecord) -> Result<(), CeaselessError> {
        self.0.lock().expect("lines").push(record);
        Ok(())
    }
}

struct Broken;

impl LogSink for Broken {
    fn log(&self, _: LogRecord) -> Result<(), CeaselessError> {
        Err(CeaselessError::Callback { code: 21, temporary: true, detail: "sink failed".into() })
    }
}

fn options(token: String) -> ClientOptions {
    ClientOptions { token: Some(token), ..ClientOptions::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn log_lines_reach_the_sink_without_tokens() {
    let server = Centrifugo::start().await.expect("server");
    let lines = Arc::new(Lines::default());
    set_log_sink(Some(lines.clone()), LogLevel::Trace);
    let token = common::token("alice", None);
    let tokens = Tokens::new("alice", None);
    let client = Client::new(server.ws_url(), options(token.clone()), Some(tokens.clone())).expect("client");
    client.connect();
    client.ready().await.expect("ready");
    client.shutdown().await;
    // The transport task finishes (and logs) shortly after shutdown returns.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let records = lines.0.lock().expect("lines").clone();
    assert!(!records.is_empty(), "no log lines");
    assert!(records.iter().any(|r| r.target.starts_with("ceaseless")), "no client lines");
    assert!(records.iter().any(|r| r.level >= LogLevel::Debug), "trace level lets debug lines through");
    assert!(records.iter().all(|r| !r.message.contains(&token)), "the token leaked");
    assert!(records.iter().all(|r| !r.message.contains("eyJ")), "something JWT-shaped leaked");

    // Errors only: fewer lines; a failing sink is ignored; none: nothing.
    set_log_sink(Some(Arc::new(Broken)), LogLevel::Error);
    set_log_sink(Some(lines.clone()), LogLevel::Error);
    let before = lines.0.lock().expect("lines").len();
    let quiet = Client::new(server.ws_url(), options(common::token("bob", None)), None).expect("client");
    quiet.connect();
    quiet.ready().await.expect("ready");
    quiet.shutdown().await;
    let after = lines.0.lock().expect("lines");
    assert_eq!(before, after.len(), "no error lines for a clean connect: {:?}", &after[before..]);
    drop(after);
    set_log_sink(None, LogLevel::Trace);
}
