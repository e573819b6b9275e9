//! One direction of a proxied connection: chunks delayed by the latency, held while blackholed.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

/// The read buffer of one direction.
pub(super) const CHUNK: usize = 16 * 1024;
/// How many chunks one direction queues (between its reader and its delayed writer) before it stops
/// reading, so a held or slow direction pushes back through TCP flow control.
const QUEUE_CHUNKS: usize = 64;

/// Forwards one direction: a reader queues chunks stamped with their due time, a writer sends each
/// when it is due. Both stop while the direction is held (blackholed). The end of the input is
/// forwarded as a FIN, also only once the hold is lifted, so a blackhole hides a server's close too.
pub(super) async fn pump<R, W>(
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
