//! The accept loop and one proxied connection: refusals, upstream failures, cuts and how it ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::timeout;

use super::pump::{CHUNK, pump};
use super::{Cut, Shared};

/// How long the proxy tries to reach the upstream for one accepted connection.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a clean close waits for the peer's own close before the socket is dropped anyway.
const CLEAN_CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Accepts connections until the proxy is dropped.
pub(super) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
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
