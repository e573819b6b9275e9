//! One running peer process, driven through the protocol in `bench/PEERS.md`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::BoxError;

/// A peer: its name and the command that runs it.
#[derive(Debug, Clone)]
pub struct PeerSpec {
    /// Shown in the table, e.g. `centrifuge-js 5.8.0 (Node)`.
    pub name: String,
    /// Program and arguments.
    pub command: Vec<String>,
}

impl PeerSpec {
    /// Parses `NAME=PROGRAM ARG...` (split on spaces).
    pub fn parse(raw: &str) -> Result<PeerSpec, BoxError> {
        let (name, command) = raw.split_once('=').ok_or("a peer is NAME=COMMAND")?;
        let command: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        if name.is_empty() || command.is_empty() {
            return Err(format!("bad peer {raw:?}").into());
        }
        Ok(PeerSpec { name: name.to_owned(), command })
    }
}

/// A running peer.
pub struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    pid: u32,
}

impl Peer {
    /// Starts `spec` with `env`; its standard error goes to `log`.
    pub fn spawn(spec: &PeerSpec, env: &[(&str, String)], log: &Path) -> Result<Peer, BoxError> {
        let log = std::fs::File::create(log)?;
        let mut command = Command::new(&spec.command[0]);
        command
            .args(&spec.command[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", spec.command[0]))?;
        let pid = child.id().ok_or("the peer exited at once")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        Ok(Peer { child, stdin, lines: BufReader::new(stdout).lines(), pid })
    }

    /// Reads lines until one is `{"event": event}` (at most `limit`).
    pub async fn expect(&mut self, event: &str, limit: Duration) -> Result<Value, BoxError> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .map_err(|_| format!("no {event:?} from the peer within {} s", limit.as_secs()))??
                .ok_or_else(|| format!("the peer exited before {event:?}"))?;
            let Ok(value) = serde_json::from_str::<Value>(&line) else { continue };
            if value["event"] == event {
                return Ok(value);
            }
        }
    }

    /// Tells the peer to go on.
    pub async fn step(&mut self) -> Result<(), BoxError> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        stdin.write_all(b"\n").await?;
        stdin.flush().await?;
        Ok(())
    }

    /// Pauses (`STOP`) or resumes (`CONT`) the peer process.
    pub fn signal(&self, signal: &str) -> Result<(), BoxError> {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid.to_string())
            .status()?;
        if status.success() { Ok(()) } else { Err(format!("kill -{signal} {} failed", self.pid).into()) }
    }

    /// CPU time (user + system) used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, BoxError> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // Fields after the command name (which may contain spaces) start after the last ')'.
        let rest = stat.rsplit_once(')').ok_or("bad /proc stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = fields.get(11).ok_or("no utime")?.parse::<f64>()?
            + fields.get(12).ok_or("no stime")?.parse::<f64>()?;
        Ok(ticks / clock_ticks())
    }

    /// Resident memory, in KiB.
    pub fn rss_kib(&self) -> Result<u64, BoxError> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or("no VmRSS")?;
        Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
    }

    /// Closes standard input and waits (briefly) for the exit; kills it otherwise.
    pub async fn finish(mut self) {
        self.stdin.take();
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// Clock ticks per second (`getconf CLK_TCK`); 100 on every Linux we run on.
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
