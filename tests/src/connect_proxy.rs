//! A connect-proxy endpoint for Centrifugo, so tests see what the server forwards from a client's
//! connect: Centrifugo (with `client.proxy.connect` on) POSTs each connect without a token to it and
//! takes the user from its answer. Every request is recorded: its HTTP headers (where Centrifugo v6
//! puts the client's emulated `headers` that `emulated_headers` lists) and its JSON body.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ceaseless_tests::HarnessError> {
//! use ceaseless_tests::{Centrifugo, ServerOptions, connect_proxy::ConnectProxy};
//! let proxy = ConnectProxy::start("alice").await?;
//! let server = Centrifugo::start_with(ServerOptions::new().config(proxy.config(&["X-Tenant"]))).await?;
//! // ... connect a client without a token, with headers {"X-Tenant": "blue"} ...
//! assert_eq!(proxy.requests()[0].header("x-tenant"), Some("blue"));
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::HarnessError;
use crate::http_proxy::{bind, read_head, serve};

/// The largest request body the endpoint reads.
const MAX_BODY: usize = 1024 * 1024;

/// One connect request Centrifugo sent.
#[derive(Debug, Clone)]
pub struct ProxyRequest {
    /// `(name, value)` in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The JSON body (`client`, `transport`, `protocol`, `encoding`, `name`, `version`, ...).
    pub body: Value,
}

impl ProxyRequest {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A running connect-proxy endpoint on a free loopback port; stops when dropped.
#[derive(Debug)]
pub struct ConnectProxy {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<ProxyRequest>>>,
    task: JoinHandle<()>,
}

impl ConnectProxy {
    /// Starts the endpoint; it lets every connect in as `user`.
    pub async fn start(user: &str) -> Result<ConnectProxy, HarnessError> {
        let (listener, addr) = bind("connect proxy").await?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<str> = json!({ "result": { "user": user } }).to_string().into();
        let task = {
            let requests = requests.clone();
            serve(listener, move |socket| handle(socket, requests.clone(), answer.clone()))
        };
        Ok(ConnectProxy { addr, requests, task })
    }

    /// `http://127.0.0.1:PORT/connect`, the endpoint's URL.
    pub fn url(&self) -> String {
        format!("http://{}/connect", self.addr)
    }

    /// Config overrides that send connects to this endpoint and forward the emulated headers
    /// named in `emulated_headers` (Centrifugo v6's `client.proxy.connect`).
    pub fn config(&self, emulated_headers: &[&str]) -> Value {
        json!({ "client": { "proxy": { "connect": {
            "enabled": true,
            "endpoint": self.url(),
            "timeout": "3s",
            "emulated_headers": emulated_headers,
        }}}})
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<ProxyRequest> {
        self.requests.lock().map(|list| list.clone()).unwrap_or_default()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (keep-alive connections may carry several), records it and answers.
async fn handle(mut socket: TcpStream, requests: Arc<Mutex<Vec<ProxyRequest>>>, answer: Arc<str>) {
    while let Some(head) = read_head(&mut socket).await {
        let length: usize = head.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        if length > MAX_BODY {
            return;
        }
        let mut body = head.rest.clone();
        while body.len() < length {
            let mut chunk = vec![0u8; length - body.len()];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
            }
        }
        let body = serde_json::from_slice(&body[..length.min(body.len())]).unwrap_or(Value::Null);
        if let Ok(mut list) = requests.lock() {
            list.push(ProxyRequest { headers: head.headers.clone(), body });
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}
