//! A fault-injection TCP proxy, driven from test code.
//!
//! A [`FaultProxy`] listens on a free loopback port and forwards every connection it accepts to one
//! upstream address (a Centrifugo node). Between the two it can inject the faults a real network
//! produces:
//!
//! - [`cut`](FaultProxy::cut): every live connection ends at once, with a TCP reset or a clean close;
//! - [`blackhole`](FaultProxy::blackhole): nothing is forwarded any more, in either direction, but no
//!   connection is closed, so only heartbeats can tell (a packet-dropping path: bytes sent meanwhile
//!   are held, as TCP retransmission would, and flow again once the blackhole ends);
//!   [`blackhole_direction`](FaultProxy::blackhole_direction) does it for one direction only, e.g. to
//!   lose a reply after its command reached the server;
//! - [`set_latency`](FaultProxy::set_latency): every chunk is delayed by a fixed time in both
//!   directions (throughput is kept: chunks queue up behind each other);
//! - [`refuse`](FaultProxy::refuse): new connections are accepted and reset at once, as an unreachable
//!   server would answer.
//!
//! Counters tell what happened: connections accepted (and forwarded), refused, live, and those whose
//! upstream could not be reached (the proxy resets the client's side then, so a dead node looks dead
//! through the proxy too).
//!
//! ```no_run
//! # async fn demo(server: &ceaseless_tests::Centrifugo) -> Result<(), ceaseless_tests::HarnessError> {
//! use std::net::SocketAddr;
//! use ceaseless_tests::FaultProxy;
//! let proxy = FaultProxy::start(SocketAddr::from(([127, 0, 0, 1], server.port()))).await?;
//! let url = proxy.ws_url(); // give this to the client
//! proxy.refuse(true);
//! proxy.cut(true); // every connection reset, and no new one gets through
//! proxy.refuse(false);
//! # let _ = url;
//! # Ok(())
//! # }
//! ```
//!
//! Dropping the proxy stops it and resets every connection it still carries.
//!
//! By file: this one holds the handle and the fault settings it shares with the connection tasks;
//! `connection.rs` the accept loop and one proxied connection (cuts, refusals, resets);
//! `pump.rs` one direction of a connection (latency, blackholes).

mod connection;
mod pump;
#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::HarnessError;

use self::connection::accept_loop;

/// One direction of a proxied connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the client to the upstream server (commands).
    ToServer,
    /// From the upstream server to the client (replies, pushes, pings).
    ToClient,
}

/// What a cut asks the live connections to do.
#[derive(Debug, Clone, Copy)]
struct Cut {
    /// Bumped by every cut; connections only react to changes after they started.
    generation: u64,
    /// Reset (RST) instead of a clean close (FIN).
    reset: bool,
}

/// State shared by the proxy handle, its accept loop and every connection task.
#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    hold_to_server: watch::Sender<bool>,
    hold_to_client: watch::Sender<bool>,
    latency: watch::Sender<Duration>,
    cuts: watch::Sender<Cut>,
    refuse: AtomicBool,
    accepted: AtomicU64,
    refused: AtomicU64,
    upstream_failures: AtomicU64,
    live: AtomicU64,
}

/// A TCP proxy in front of one upstream address that injects network faults on command.
///
/// Every method takes effect at once (connection tasks pick the change up within microseconds);
/// none of them blocks.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on a free `127.0.0.1` port that forwards to `upstream`. It must be called
    /// inside a tokio runtime; the proxy's tasks run on it.
    pub async fn start(upstream: SocketAddr) -> Result<FaultProxy, HarnessError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| HarnessError::Setup(format!("binding the fault proxy: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| HarnessError::Setup(format!("reading the fault proxy's address: {e}")))?;
        let shared = Arc::new(Shared {
            upstream,
            hold_to_server: watch::Sender::new(false),
            hold_to_client: watch::Sender::new(false),
            latency: watch::Sender::new(Duration::ZERO),
            cuts: watch::Sender::new(Cut { generation: 0, reset: false }),
            refuse: AtomicBool::new(false),
            accepted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            upstream_failures: AtomicU64::new(0),
            live: AtomicU64::new(0),
        });
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone()));
        tracing::debug!(%addr, %upstream, "fault proxy started");
        Ok(FaultProxy { addr, shared, accept_task })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The upstream address connections are forwarded to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// `ws://127.0.0.1:PORT/connection/websocket` through this proxy.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/connection/websocket", self.port())
    }

    /// Ends every live connection, in both directions: with a TCP reset when `reset` (`SO_LINGER`
    /// zero, so the peers see `ECONNRESET`), else with a clean close (FIN, after which the proxy
    /// reads and discards until the peer closes too, so no unread byte turns it into a reset).
    /// Connections accepted afterwards are not affected. Returns how many connections were live.
    pub fn cut(&self, reset: bool) -> u64 {
        let live = self.live_connections();
        self.shared.cuts.send_modify(|cut| {
            cut.generation += 1;
            cut.reset = reset;
        });
        tracing::debug!(proxy = %self.addr, reset, live, "fault proxy: cut");
        live
    }

    /// Stops (`true`) or resumes (`false`) forwarding in both directions, without closing anything.
    /// New connections are still accepted and connected upstream, but carry nothing until the
    /// blackhole ends. Bytes sent meanwhile wait in the proxy and in the kernel's buffers.
    pub fn blackhole(&self, on: bool) {
        self.blackhole_direction(Direction::ToServer, on);
        self.blackhole_direction(Direction::ToClient, on);
    }

    /// Like [`blackhole`](Self::blackhole), for one direction only.
    pub fn blackhole_direction(&self, direction: Direction, on: bool) {
        let hold = match direction {
            Direction::ToServer => &self.shared.hold_to_server,
            Direction::ToClient => &self.shared.hold_to_client,
        };
        hold.send_replace(on);
        tracing::debug!(proxy = %self.addr, ?direction, on, "fault proxy: blackhole");
    }

    /// Delays every chunk by `latency` in both directions (zero: no delay). Applies to chunks read
    /// from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.latency.send_replace(latency);
    }

    /// Refuses (`true`) or allows (`false`) new connections. A refused connection is accepted and
    /// reset at once, so the client fails fast as with an unreachable server. Live connections are
    /// not touched; [`cut`](Self::cut) them as well to emulate an outage.
    pub fn refuse(&self, on: bool) {
        self.shared.refuse.store(on, Ordering::SeqCst);
        tracing::debug!(proxy = %self.addr, on, "fault proxy: refuse");
    }

    /// Whether new connections are refused.
    pub fn is_refusing(&self) -> bool {
        self.shared.refuse.load(Ordering::SeqCst)
    }

    /// Connections accepted and forwarded so far (refused ones not counted).
    pub fn connections_accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Connections refused so far.
    pub fn connections_refused(&self) -> u64 {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Accepted connections whose upstream could not be reached (reset on the client's side).
    pub fn upstream_failures(&self) -> u64 {
        self.shared.upstream_failures.load(Ordering::SeqCst)
    }

    /// Connections currently carried (accepted, not yet ended).
    pub fn live_connections(&self) -> u64 {
        self.shared.live.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.shared.cuts.send_modify(|cut| {
            cut.generation += 1;
            cut.reset = true;
        });
    }
}
