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

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout};

use crate::HarnessError;

/// How long the proxy tries to reach the upstream for one accepted connection.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a clean close waits for the peer's own close before the socket is dropped anyway.
const CLEAN_CLOSE_LINGER: Duration = Duration::from_secs(2);
/// The read buffer of one direction.
const CHUNK: usize = 16 * 1024;
/// How many chunks one direction queues (between its reader and its delayed writer) before it stops
/// reading, so a held or slow direction pushes back through TCP flow control.
const QUEUE_CHUNKS: usize = 64;

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

/// Accepts connections until the proxy is dropped.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (client, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: back off a little instead of spinning.
                tracing::warn!(error = %e, "fault proxy: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        if shared.refuse.load(Ordering::SeqCst) {
            shared.refused.fetch_add(1, Ordering::SeqCst);
            reset(client);
            continue;
        }
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        // Subscribed here, so a cut right after this accept still reaches the connection.
        let cuts = shared.cuts.subscribe();
        let live = LiveGuard::new(shared.clone());
        tracing::trace!(%peer, "fault proxy: accepted");
        tokio::spawn(serve(client, shared.clone(), cuts, live));
    }
}

/// Counts a connection as live until dropped.
struct LiveGuard(Arc<Shared>);

impl LiveGuard {
    fn new(shared: Arc<Shared>) -> Self {
        shared.live.fetch_add(1, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How a proxied connection ended.
enum Ending {
    /// One direction finished (EOF or an error): both sockets are simply dropped.
    Ended,
    /// A cut: reset or close cleanly.
    Cut { reset: bool },
}

/// Carries one connection until it ends or is cut.
async fn serve(mut client: TcpStream, shared: Arc<Shared>, mut cuts: watch::Receiver<Cut>, live: LiveGuard) {
    let connect = timeout(UPSTREAM_CONNECT_TIMEOUT, TcpStream::connect(shared.upstream));
    let mut server = tokio::select! {
        biased;
        _ = cuts.changed() => {
            reset(client);
            return;
        }
        connected = connect => match connected {
            Ok(Ok(server)) => server,
            Ok(Err(e)) => {
                tracing::debug!(upstream = %shared.upstream, error = %e, "fault proxy: upstream unreachable");
                shared.upstream_failures.fetch_add(1, Ordering::SeqCst);
                reset(client);
                return;
            }
            Err(_) => {
                tracing::debug!(upstream = %shared.upstream, "fault proxy: upstream connect timed out");
                shared.upstream_failures.fetch_add(1, Ordering::SeqCst);
                reset(client);
                return;
            }
        },
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);

    let ending = {
        let (client_read, client_write) = client.split();
        let (server_read, server_write) = server.split();
        let to_server = pump(client_read, server_write, shared.hold_to_server.subscribe(), &shared.latency);
        let to_client = pump(server_read, client_write, shared.hold_to_client.subscribe(), &shared.latency);
        // Biased towards the cut: a cut followed at once by lifting a blackhole must not let held
        // bytes slip through first.
        tokio::select! {
            biased;
            changed = cuts.changed() => {
                // An error means the proxy itself is gone: reset.
                let reset = changed.is_err() || cuts.borrow().reset;
                Ending::Cut { reset }
            }
            result = to_server => {
                tracing::trace!(?result, "fault proxy: client side finished");
                Ending::Ended
            }
            result = to_client => {
                tracing::trace!(?result, "fault proxy: server side finished");
                Ending::Ended
            }
        }
    };
    drop(live);
    match ending {
        Ending::Ended => {}
        Ending::Cut { reset: true } => {
            reset(client);
            reset(server);
        }
        Ending::Cut { reset: false } => {
            tokio::join!(close_cleanly(client), close_cleanly(server));
        }
    }
}

/// Forwards one direction: a reader queues chunks stamped with their due time, a writer sends each
/// when it is due. Both stop while the direction is held (blackholed). The end of the input is
/// forwarded as a FIN, also only once the hold is lifted, so a blackhole hides a server's close too.
async fn pump<R, W>(
    mut from: R,
    mut to: W,
    hold: watch::Receiver<bool>,
    latency: &watch::Sender<Duration>,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (queue, mut queued) = mpsc::channel::<(Instant, Vec<u8>)>(QUEUE_CHUNKS);
    let mut read_hold = hold.clone();
    let mut write_hold = hold;
    let read = async move {
        let mut buf = vec![0u8; CHUNK];
        loop {
            released(&mut read_hold).await;
            let n = from.read(&mut buf).await?;
            if n == 0 {
                return Ok::<(), io::Error>(());
            }
            let due = Instant::now() + *latency.borrow();
            if queue.send((due, buf[..n].to_vec())).await.is_err() {
                return Ok(());
            }
        }
    };
    let write = async move {
        while let Some((due, chunk)) = queued.recv().await {
            sleep_until(due).await;
            released(&mut write_hold).await;
            to.write_all(&chunk).await?;
        }
        released(&mut write_hold).await;
        to.shutdown().await
    };
    tokio::try_join!(read, write).map(drop)
}

/// Waits until the hold is off.
async fn released(hold: &mut watch::Receiver<bool>) {
    // An error means the proxy is gone; the connection is being cut anyway.
    let _ = hold.wait_for(|held| !*held).await;
}

/// Drops `stream` with a TCP reset.
fn reset(stream: TcpStream) {
    if let Err(e) = stream.set_zero_linger() {
        tracing::debug!(error = %e, "fault proxy: SO_LINGER failed; closing normally");
    }
    drop(stream);
}

/// Sends a FIN, then reads and discards until the peer closes too (or a short while passes).
async fn close_cleanly(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut buf = vec![0u8; CHUNK];
    let drain = async {
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    let _ = timeout(CLEAN_CLOSE_LINGER, drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that echoes everything back.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("bind echo");
        let addr = listener.local_addr().expect("echo addr");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = socket.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn roundtrip(stream: &mut TcpStream, data: &[u8], limit: Duration) -> io::Result<Vec<u8>> {
        stream.write_all(data).await?;
        let mut got = vec![0u8; data.len()];
        timeout(limit, stream.read_exact(&mut got))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no echo"))??;
        Ok(got)
    }

    #[tokio::test]
    async fn forwards_and_counts() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
        let got = roundtrip(&mut stream, b"hello", Duration::from_secs(2)).await.expect("echo");
        assert_eq!(got, b"hello");
        assert_eq!(proxy.connections_accepted(), 1);
        assert_eq!(proxy.live_connections(), 1);
    }

    #[tokio::test]
    async fn cut_with_reset_and_cleanly() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        for reset in [true, false] {
            let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
            roundtrip(&mut stream, b"x", Duration::from_secs(2)).await.expect("echo");
            assert_eq!(proxy.cut(reset), 1);
            let mut buf = [0u8; 8];
            let read = timeout(Duration::from_secs(2), stream.read(&mut buf)).await.expect("the cut is seen");
            match (reset, read) {
                (true, Err(e)) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
                (false, Ok(0)) => {}
                (reset, other) => panic!("reset={reset}: unexpected {other:?}"),
            }
        }
        // A connection made after the cuts is untouched.
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
        roundtrip(&mut stream, b"after", Duration::from_secs(2)).await.expect("echo after cut");
    }

    #[tokio::test]
    async fn blackhole_holds_bytes_until_lifted() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
        roundtrip(&mut stream, b"a", Duration::from_secs(2)).await.expect("echo");
        proxy.blackhole(true);
        let held = roundtrip(&mut stream, b"b", Duration::from_millis(300)).await;
        assert!(held.is_err(), "nothing passes a blackhole: {held:?}");
        proxy.blackhole(false);
        let mut got = [0u8; 1];
        timeout(Duration::from_secs(2), stream.read_exact(&mut got)).await.expect("released").expect("read");
        assert_eq!(&got, b"b");
    }

    #[tokio::test]
    async fn refuse_resets_new_connections_only() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        let mut old = TcpStream::connect(proxy.addr()).await.expect("connect");
        roundtrip(&mut old, b"before", Duration::from_secs(2)).await.expect("accepted before refusing");
        proxy.refuse(true);
        // The reset may already fail the connect, or else the first exchange.
        let refused = match TcpStream::connect(proxy.addr()).await {
            Ok(mut new) => roundtrip(&mut new, b"x", Duration::from_secs(2)).await.map(drop),
            Err(e) => Err(e),
        };
        assert!(refused.is_err(), "a refused connection carries nothing: {refused:?}");
        assert_eq!(proxy.connections_refused(), 1);
        roundtrip(&mut old, b"still", Duration::from_secs(2)).await.expect("old connection lives");
    }

    #[tokio::test]
    async fn latency_delays_each_direction() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
        proxy.set_latency(Duration::from_millis(100));
        let started = Instant::now();
        roundtrip(&mut stream, b"slow", Duration::from_secs(2)).await.expect("echo");
        assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_dead_upstream_resets_the_client() {
        let dead = {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("bind");
            listener.local_addr().expect("addr")
        };
        let proxy = FaultProxy::start(dead).await.expect("proxy");
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
        let failed = roundtrip(&mut stream, b"x", Duration::from_secs(2)).await;
        assert!(failed.is_err(), "{failed:?}");
        assert_eq!(proxy.upstream_failures(), 1);
    }
}
