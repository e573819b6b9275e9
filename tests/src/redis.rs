//! A real Redis server for the Redis-engine tests: two Centrifugo nodes sharing one Redis.
//!
//! [`RedisServer::start`] runs Debian's `redis-server` (installed by `scripts/install-redis.sh`; it is
//! not started as a service) on a free loopback port, without persistence (`--save ''
//! --appendonly no`), in its own temporary directory, and waits until a TCP `PING` answers `PONG`.
//! It is killed on drop. [`RedisServer::centrifugo_config`] gives the config overrides that put a
//! Centrifugo on it (v5 flat keys), with a prefix of its own so tests never see each other's keys.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ceaseless_tests::HarnessError> {
//! use ceaseless_tests::{Centrifugo, RedisServer, ServerOptions};
//! let redis = RedisServer::start().await?;
//! let engine = redis.centrifugo_config(&RedisServer::unique_prefix("demo"));
//! let node_a = Centrifugo::start_with(ServerOptions::new().config(engine.clone())).await?;
//! let node_b = Centrifugo::start_with(ServerOptions::new().config(engine)).await?;
//! # let _ = (node_a, node_b);
//! # Ok(())
//! # }
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep, timeout};

use crate::HarnessError;
use crate::ports::free_port;

/// The environment variable that overrides the `redis-server` path.
const BINARY_ENV: &str = "CEASELESS_REDIS_SERVER";
/// Where Debian's `redis-server` package puts the binary.
const DEFAULT_BINARY: &str = "/usr/bin/redis-server";
/// How long Redis may take to answer `PING`.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How often readiness is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(25);
/// How many times a start is retried with a new port when the free port was taken meanwhile.
const PORT_ATTEMPTS: usize = 5;
/// The log's file name in the server directory.
const LOG_FILE: &str = "redis.log";

/// A running `redis-server`, killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    // Declared first so the process is killed before its directory goes.
    child: Option<Child>,
    dir: TempDir,
    port: u16,
}

impl RedisServer {
    /// Starts `redis-server` on a free `127.0.0.1` port and waits until it answers `PING`.
    ///
    /// The binary is `$CEASELESS_REDIS_SERVER` when set, else `/usr/bin/redis-server`.
    pub async fn start() -> Result<RedisServer, HarnessError> {
        let binary = redis_binary()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let dir = tempfile::Builder::new()
                .prefix("ceaseless-redis-")
                .tempdir()
                .map_err(|e| HarnessError::Setup(format!("creating a temporary directory: {e}")))?;
            let port = free_port()?;
            let mut server = RedisServer { child: None, dir, port };
            match server.launch(&binary).await {
                Ok(()) => return Ok(server),
                // The free port may have been taken before Redis bound it: try another one.
                Err(e) if attempt < PORT_ATTEMPTS => {
                    tracing::info!(port, error = %e, "redis-server did not start; retrying on another port");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The port Redis listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`, Centrifugo's `engine.redis.address`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Config overrides that run a node on this Redis with `prefix`:
    /// `{"engine": {"type": "redis", "redis": {"address": [...], "prefix": prefix}}}`. Nodes given
    /// the same prefix share channels, history, presence and idempotency results.
    pub fn centrifugo_config(&self, prefix: &str) -> Value {
        json!({ "engine": { "type": "redis", "redis": { "address": [self.url()], "prefix": prefix } } })
    }

    /// A Redis key prefix no other test uses: `ceaseless-<label>-<pid>-<counter>`.
    pub fn unique_prefix(label: &str) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        format!("ceaseless-{label}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// Whether Redis answers `PING` right now.
    pub async fn ping(&self) -> bool {
        ping(self.port).await
    }

    /// Stops Redis (SIGKILL: it keeps nothing on disk anyway) and waits for the exit.
    pub async fn stop(&mut self) -> Result<(), HarnessError> {
        if let Some(mut child) = self.child.take() {
            child.kill().await.map_err(|e| HarnessError::Stop(format!("killing redis-server: {e}")))?;
        }
        Ok(())
    }

    /// Everything Redis has logged so far.
    pub fn logs(&self) -> String {
        let path = self.dir.path().join(LOG_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => format!("<could not read {}: {e}>", path.display()),
        }
    }

    async fn launch(&mut self, binary: &Path) -> Result<(), HarnessError> {
        let log = File::create(self.dir.path().join(LOG_FILE))
            .map_err(|e| HarnessError::Setup(format!("creating the Redis log: {e}")))?;
        let log_err =
            log.try_clone().map_err(|e| HarnessError::Setup(format!("cloning the log handle: {e}")))?;
        let mut command = Command::new(binary);
        command
            .arg("--port")
            .arg(self.port.to_string())
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--daemonize", "no"])
            .args(["--protected-mode", "yes"])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        let child = command
            .spawn()
            .map_err(|e| HarnessError::Setup(format!("spawning {}: {e}", binary.display())))?;
        self.child = Some(child);

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(HarnessError::StartFailed {
                    reason: format!("redis-server exited ({status}) before it answered PING"),
                    log_tail: self.logs(),
                });
            }
            if ping(self.port).await {
                tracing::debug!(port = self.port, "redis-server is ready");
                return Ok(());
            }
            if Instant::now() >= deadline {
                if let Some(mut child) = self.child.take() {
                    let _ = child.kill().await;
                }
                return Err(HarnessError::StartFailed {
                    reason: format!("no PONG within {} s on port {}", START_TIMEOUT.as_secs(), self.port),
                    log_tail: self.logs(),
                });
            }
            sleep(POLL_INTERVAL).await;
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if std::thread::panicking() && self.child.is_some() {
            eprintln!(
                "--- redis-server on port {} (log) ---\n{}\n--- end of Redis log ---",
                self.port,
                self.logs()
            );
        }
    }
}

/// The `redis-server` binary: `$CEASELESS_REDIS_SERVER` if set and non-empty, else
/// `/usr/bin/redis-server`. Fails when that file does not exist.
fn redis_binary() -> Result<PathBuf, HarnessError> {
    let path = match std::env::var_os(BINARY_ENV) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => PathBuf::from(DEFAULT_BINARY),
    };
    if path.exists() {
        Ok(path)
    } else {
        Err(HarnessError::Setup(format!(
            "redis-server not found at {}: run `scripts/install-redis.sh` (Debian's redis-server package) \
             or point {BINARY_ENV} at a redis-server binary",
            path.display()
        )))
    }
}

/// Sends an inline `PING` and checks for `+PONG`.
async fn ping(port: u16) -> bool {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        stream.write_all(b"PING\r\n").await.ok()?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply).await.ok()?;
        Some(&reply == b"+PONG\r\n")
    };
    matches!(timeout(Duration::from_secs(1), attempt).await, Ok(Some(true)))
}
