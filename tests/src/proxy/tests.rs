//! Tests of the proxy against a local echo server.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

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
