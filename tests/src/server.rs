//! A running Centrifugo process: start, readiness, stop, restart and its log.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep, timeout};

use crate::api::ServerApi;
use crate::binary::{ServerBinary, centrifugo_binary};
use crate::config::non_empty_str;
use crate::ports::free_port;
use crate::tokens::TokenSecrets;
use crate::{HarnessError, ServerOptions, tls};

/// How long the server may take to answer `/health` after being spawned.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How often readiness is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How long `stop` waits after SIGTERM before it sends SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// How many times a start is retried with new ports when a port was taken meanwhile.
const PORT_ATTEMPTS: usize = 5;
/// How many log lines errors and panic diagnostics show.
const LOG_TAIL_LINES: usize = 60;
/// Environment variables with this prefix configure Centrifugo; they are not passed on, so
/// the developer's environment cannot change a test server.
const ENV_PREFIX: &str = "CENTRIFUGO_";

/// A running Centrifugo server, killed when dropped.
///
/// The server runs in its own temporary directory (its working directory, so no stray
/// `config.json` or `.env` is picked up), which holds `config.json` (the effective config),
/// `centrifugo.log` (its stdout and stderr) and, with TLS, `ca.pem`, `server.crt` and
/// `server.key`. If a test panics while a server is alive, the end of its log is printed.
#[derive(Debug)]
pub struct Centrifugo {
    // Declared first so it is dropped (and the process killed) before the directory goes.
    child: Option<Child>,
    binary: ServerBinary,
    dir: TempDir,
    config: Value,
    port: u16,
    api_port: u16,
    ca_pem: Option<String>,
    secrets: TokenSecrets,
    api: ServerApi,
}

impl Centrifugo {
    /// Starts a server with the default [`ServerOptions`].
    pub async fn start() -> Result<Centrifugo, HarnessError> {
        Self::start_with(ServerOptions::new()).await
    }

    /// Starts a server with `opts` and waits until it answers `/health`.
    pub async fn start_with(opts: ServerOptions) -> Result<Centrifugo, HarnessError> {
        let binary = centrifugo_binary()?;
        let merged = opts.merged_config()?;
        let dir = tempfile::Builder::new()
            .prefix("ceaseless-centrifugo-")
            .tempdir()
            .map_err(|e| HarnessError::Setup(format!("creating a temporary directory: {e}")))?;
        let ca_pem = if opts.tls { Some(write_certificates(dir.path())?) } else { None };

        let mut server = Centrifugo {
            child: None,
            binary,
            dir,
            config: Value::Null,
            port: 0,
            api_port: 0,
            ca_pem,
            secrets: TokenSecrets::from_config(&Value::Null),
            api: ServerApi::new(String::new(), String::new()),
        };
        // Retrying helps when a free port was taken meanwhile; a fixed port stays taken, except
        // that with TLS the internal port is picked afresh each time.
        let attempts = if opts.port.is_some() && !opts.tls { 1 } else { PORT_ATTEMPTS };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = match opts.port {
                Some(port) => port,
                None => free_port()?,
            };
            let api_port = if opts.tls { distinct_free_port(port)? } else { port };
            server.configure(merged.clone(), port, api_port)?;
            match server.launch().await {
                Ok(()) => return Ok(server),
                Err(HarnessError::StartFailed { log_tail, .. })
                    if attempt < attempts && log_tail.contains(PORT_TAKEN) =>
                {
                    tracing::info!(port, api_port, "a port was taken before Centrifugo bound it; retrying");
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The server's major version (5 or 6), read from `centrifugo version` once per process.
    /// Tests of v6-only features skip themselves when this is 5.
    pub fn major_version(&self) -> u32 {
        self.binary.major
    }

    /// The server's version as it reports it, e.g. `6.9.1`.
    pub fn version(&self) -> &str {
        &self.binary.version
    }

    /// The port of the WebSocket, HTTP-streaming and SSE endpoints.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ws://127.0.0.1:PORT/connection/websocket`, or `wss://` with TLS.
    pub fn ws_url(&self) -> String {
        let scheme = if self.is_tls() { "wss" } else { "ws" };
        format!("{scheme}://127.0.0.1:{}/connection/websocket", self.port)
    }

    /// `http://127.0.0.1:PORT`, or `https://` with TLS: the base of the HTTP-streaming
    /// (`/connection/http_stream`), SSE (`/connection/sse`) and emulation endpoints.
    ///
    /// With TLS the server API and `/health` are not here but on a plain-HTTP internal port;
    /// use [`api`](Self::api) for the API.
    pub fn http_url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The CA certificate (PEM) that signed the server certificate, when started with TLS.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// A client for this server's HTTP API.
    pub fn api(&self) -> ServerApi {
        self.api.clone()
    }

    /// The effective config the server runs with (base, overrides, address, ports, TLS).
    pub fn config(&self) -> &Value {
        &self.config
    }

    /// An HS256 connection token for `user`, expiring `ttl` from now when given.
    pub fn token(&self, user: &str, ttl: Option<Duration>) -> String {
        self.secrets.connection_token(user, ttl)
    }

    /// An HS256 connection token with exactly `claims`, e.g.
    /// `{"sub": "u", "exp": 1, "info": {...}, "channels": [...]}`.
    pub fn token_with_claims(&self, claims: Value) -> String {
        self.secrets.connection_token_with_claims(&claims)
    }

    /// An HS256 subscription token for `user` in `channel`, expiring `ttl` from now when given.
    pub fn subscription_token(&self, user: &str, channel: &str, ttl: Option<Duration>) -> String {
        self.secrets.subscription_token(user, channel, ttl)
    }

    /// A connection token for `user` that the server rejects: signed with another key.
    pub fn token_signed_with_wrong_key(&self, user: &str) -> String {
        self.secrets.token_signed_with_wrong_key(user)
    }

    /// Stops the server: SIGTERM (Centrifugo then disconnects clients with code 3001
    /// "shutdown"), waits for the exit, and sends SIGKILL after 5 s. Does nothing when stopped.
    pub async fn stop(&mut self) -> Result<(), HarnessError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Some(pid) = child.id() {
            let pid =
                i32::try_from(pid).map_err(|_| HarnessError::Stop(format!("pid {pid} out of range")))?;
            // ESRCH means it has exited already; wait() below collects it either way.
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        match timeout(STOP_GRACE, child.wait()).await {
            Ok(Ok(status)) => {
                tracing::debug!(%status, port = self.port, "Centrifugo stopped");
                Ok(())
            }
            Ok(Err(e)) => Err(HarnessError::Stop(format!("waiting for the process: {e}"))),
            Err(_) => {
                tracing::warn!(port = self.port, "Centrifugo ignored SIGTERM for 5 s; killing it");
                child.kill().await.map_err(|e| HarnessError::Stop(format!("SIGKILL: {e}")))
            }
        }
    }

    /// Starts the stopped server again with the same port(s), config and certificates, and
    /// waits for `/health`. Its log continues in the same file.
    pub async fn start_again(&mut self) -> Result<(), HarnessError> {
        if let Some(child) = self.child.as_mut() {
            match child.try_wait() {
                Ok(None) => return Err(HarnessError::AlreadyRunning),
                Ok(Some(_)) | Err(_) => self.child = None,
            }
        }
        self.launch().await
    }

    /// Everything the server has logged so far (stdout and stderr, JSON lines), across restarts.
    pub fn logs(&self) -> String {
        match std::fs::read(self.log_path()) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => format!("<could not read {}: {e}>", self.log_path().display()),
        }
    }

    fn is_tls(&self) -> bool {
        self.ca_pem.is_some()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(LOG_FILE)
    }

    /// The log's length in bytes, to tell one run's lines from earlier ones.
    fn log_len(&self) -> u64 {
        std::fs::metadata(self.log_path()).map(|meta| meta.len()).unwrap_or(0)
    }

    /// The log from byte `start` on.
    fn log_since(&self, start: u64) -> String {
        let all = self.logs();
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        all.get(start..).unwrap_or(&all).to_owned()
    }

    /// Settles the ports: writes the effective config (in the binary's layout) and points the API
    /// and tokens at it.
    fn configure(&mut self, merged: Value, port: u16, api_port: u16) -> Result<(), HarnessError> {
        let config = effective_config(merged, self.dir.path(), port, api_port, self.is_tls());
        let written = if self.binary.major < 6 { crate::layout::to_v5(&config)? } else { config.clone() };
        write_file(&self.dir.path().join(CONFIG_FILE), &pretty(&written))?;
        let api_key = non_empty_str(&config, "http_api.key").unwrap_or_default().to_owned();
        self.api = ServerApi::new(format!("http://127.0.0.1:{api_port}/api"), api_key);
        self.secrets = TokenSecrets::from_config(&config);
        self.config = config;
        self.port = port;
        self.api_port = api_port;
        Ok(())
    }

    /// Spawns the process with the config in the directory and waits until it is ready.
    async fn launch(&mut self) -> Result<(), HarnessError> {
        let log_start = self.log_len();
        let log = open_log(&self.log_path())?;
        let log_err =
            log.try_clone().map_err(|e| HarnessError::Setup(format!("cloning the log handle: {e}")))?;

        let mut command = Command::new(&self.binary.path);
        command
            .arg("--config")
            .arg(self.dir.path().join(CONFIG_FILE))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().to_ascii_uppercase().starts_with(ENV_PREFIX) {
                command.env_remove(name);
            }
        }
        let child = command
            .spawn()
            .map_err(|e| HarnessError::Setup(format!("spawning {}: {e}", self.binary.path.display())))?;
        self.child = Some(child);

        match self.wait_ready().await {
            Ok(()) => {
                tracing::debug!(port = self.port, api_port = self.api_port, "Centrifugo is ready");
                Ok(())
            }
            Err(reason) => {
                if let Some(mut child) = self.child.take() {
                    let _ = child.kill().await;
                }
                Err(HarnessError::StartFailed { reason, log_tail: tail(&self.log_since(log_start)) })
            }
        }
    }

    /// Waits until `/health` answers 200 and the main port accepts connections.
    ///
    /// `/health` is polled over plain HTTP: without TLS it is on the main port; with TLS the
    /// server runs with `tls_external: true` and an `internal_port`, so the API and `/health`
    /// stay plain HTTP on that port (reqwest is built without TLS here) while WebSocket,
    /// HTTP-streaming and SSE are TLS-only on the main port. Centrifugo starts one HTTP server
    /// per port, each in its own goroutine, so with TLS the main port is then also checked by
    /// a TCP connect (which the server logs as a harmless `TLS handshake error ... EOF` warning).
    /// A 200 from `/health` means the node, engine and config are all up,
    /// because the HTTP servers are started only after those.
    async fn wait_ready(&mut self) -> Result<(), String> {
        let health_url = format!("http://127.0.0.1:{}/health", self.api_port);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        let deadline = Instant::now() + START_TIMEOUT;
        let mut healthy = false;
        let mut ready = false;
        loop {
            if let Some(status) = self.exited()? {
                return Err(format!("the process exited ({status}) before it was ready"));
            }
            // Readiness counts once the process is still alive one poll later: Centrifugo exits
            // right after a failed bind, and meanwhile whoever holds the port may have answered.
            if ready {
                return Ok(());
            }
            if !healthy {
                healthy = matches!(http.get(&health_url).send().await, Ok(r) if r.status().as_u16() == 200);
            }
            ready = healthy && (self.api_port == self.port || port_accepts(self.port).await);
            if !ready && Instant::now() >= deadline {
                let what =
                    if healthy { "the main port to accept connections" } else { "GET /health → 200" };
                return Err(format!("no {what} within {} s ({health_url})", START_TIMEOUT.as_secs()));
            }
            sleep(POLL_INTERVAL).await;
        }
    }

    /// The exit status if the process has ended.
    fn exited(&mut self) -> Result<Option<ExitStatus>, String> {
        match self.child.as_mut() {
            Some(child) => child.try_wait().map_err(|e| format!("checking the process: {e}")),
            None => Err("no process".to_owned()),
        }
    }
}

impl Drop for Centrifugo {
    fn drop(&mut self) {
        // The process itself is killed by `kill_on_drop`; this only helps a failing test.
        if std::thread::panicking() && self.child.is_some() {
            eprintln!(
                "--- Centrifugo on port {} (log tail) ---\n{}\n--- end of Centrifugo log ---",
                self.port,
                tail(&self.logs())
            );
        }
    }
}

/// The effective config's file name in the server directory.
const CONFIG_FILE: &str = "config.json";
/// The log's file name in the server directory.
const LOG_FILE: &str = "centrifugo.log";
/// What Go logs when a listen address is taken.
const PORT_TAKEN: &str = "address already in use";

/// `merged` plus the loopback address, the port(s) and, with TLS, the certificate settings.
fn effective_config(mut merged: Value, dir: &Path, port: u16, api_port: u16, tls: bool) -> Value {
    let mut settings = json!({ "http_server": { "address": "127.0.0.1", "port": port.to_string() } });
    if tls {
        settings = json!({ "http_server": {
            "address": "127.0.0.1",
            "port": port.to_string(),
            "tls": {
                "enabled": true,
                "cert_pem": dir.join(CERT_FILE).to_string_lossy(),
                "key_pem": dir.join(KEY_FILE).to_string_lossy(),
            },
            "tls_external": true,
            "internal_port": api_port.to_string(),
        }});
    }
    crate::config::merge(&mut merged, settings);
    merged
}

/// The server certificate's file name in the server directory.
const CERT_FILE: &str = "server.crt";
/// The server key's file name in the server directory.
const KEY_FILE: &str = "server.key";

/// Generates the CA and server certificate into `dir` and returns the CA's PEM.
fn write_certificates(dir: &Path) -> Result<String, HarnessError> {
    let certificates = tls::generate()?;
    write_file(&dir.join("ca.pem"), &certificates.ca_pem)?;
    write_file(&dir.join(CERT_FILE), &certificates.server_cert_pem)?;
    write_file(&dir.join(KEY_FILE), &certificates.server_key_pem)?;
    Ok(certificates.ca_pem)
}

/// A free port other than `taken`.
fn distinct_free_port(taken: u16) -> Result<u16, HarnessError> {
    for _ in 0..10 {
        let port = free_port()?;
        if port != taken {
            return Ok(port);
        }
    }
    Err(HarnessError::Setup("could not find a second free port".into()))
}

/// Whether something accepts TCP connections on `127.0.0.1:port`.
async fn port_accepts(port: u16) -> bool {
    matches!(timeout(Duration::from_secs(1), TcpStream::connect(("127.0.0.1", port))).await, Ok(Ok(_)))
}

fn open_log(path: &Path) -> Result<File, HarnessError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| HarnessError::Setup(format!("opening {}: {e}", path.display())))
}

fn write_file(path: &Path, contents: &str) -> Result<(), HarnessError> {
    std::fs::write(path, contents)
        .map_err(|e| HarnessError::Setup(format!("writing {}: {e}", path.display())))
}

fn pretty(config: &Value) -> String {
    serde_json::to_string_pretty(config).unwrap_or_else(|_| config.to_string())
}

/// The last [`LOG_TAIL_LINES`] lines of `log`.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.len().saturating_sub(LOG_TAIL_LINES);
    lines[start..].join("\n")
}
