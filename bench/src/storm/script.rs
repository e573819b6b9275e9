//! The storm itself: the faults, in order, with a pause after each for the clients to come back.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{BoxError, World};

/// How long the clients may take to be back after a fault before the demo calls it a failure.
const BACK_WITHIN: Duration = Duration::from_secs(20);
/// How long a restarted server stays down.
const DOWN_FOR: Duration = Duration::from_secs(2);

/// Waits for every subscription to be active again, then lets traffic flow for `settle`.
async fn recover(world: &World, settle: Duration) -> Result<(), BoxError> {
    if !world.all_subscribed(BACK_WITHIN).await {
        return Err(format!("not every subscription was back within {} s", BACK_WITHIN.as_secs()).into());
    }
    tokio::time::sleep(settle).await;
    Ok(())
}

/// Runs every step of the storm, then stops the publisher and waits for the last deliveries.
pub(crate) async fn run(world: &mut World) -> Result<(), BoxError> {
    let settle = Duration::from_secs(2);
    world.phase("steady traffic; connection tokens live 8 s and are renewed in band throughout");
    tokio::time::sleep(Duration::from_secs(4)).await;

    world.phase("network cut: every connection reset (RST), new connections refused for 2 s");
    world.cluster.refuse(true);
    world.cluster.cut(true);
    tokio::time::sleep(Duration::from_secs(2)).await;
    world.cluster.refuse(false);
    recover(world, settle).await?;

    world.phase("blackhole: packets silently dropped for 6 s (only heartbeats can tell)");
    world.cluster.blackhole(true);
    tokio::time::sleep(Duration::from_secs(6)).await;
    world.cluster.blackhole(false);
    recover(world, settle).await?;

    world.phase("latency: 300 ms added each way for 3 s");
    world.cluster.latency(Duration::from_millis(300));
    tokio::time::sleep(Duration::from_secs(3)).await;
    world.cluster.latency(Duration::ZERO);
    recover(world, Duration::from_secs(1)).await?;

    if world.options.redis {
        rolling_restart(world).await?;
    } else {
        memory_restart(world).await?;
    }
    recover(world, settle).await?;

    world.phase("clean close: every connection closed (FIN)");
    world.cluster.cut(false);
    recover(world, Duration::from_secs(3)).await?;

    world.phase("publisher stopped; waiting for the last deliveries");
    world.publisher.stopped.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(200)).await;
    world.drained(Duration::from_secs(10)).await;
    Ok(())
}

/// Memory engine: a restarted server has forgotten its history (the stream epoch changes), so nothing
/// published before a client is subscribed again, or not yet delivered when the server went down, can be
/// replayed to it: the client reports a Gap instead. So the publisher pauses from just before the stop
/// until every subscriber is back, and the subscribers catch up first; anything still missing at the stop
/// is counted as not deliverable.
async fn memory_restart(world: &mut World) -> Result<(), BoxError> {
    world.phase("server restart (memory engine): server down 2 s, its history is gone; publisher paused until all are back");
    world.publisher.paused.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    world.drained(Duration::from_secs(5)).await;
    let sent: Vec<u64> = world.publisher.sent.iter().map(|s| s.load(Ordering::SeqCst)).collect();
    for (index, subscriber) in world.subscribers.iter().enumerate() {
        let Ok(received) = subscriber.received.lock() else { continue };
        for (channel, top) in sent.iter().enumerate() {
            let missing = (1..=*top).filter(|seq| !received.seen[channel].contains(seq));
            world.undeliverable[index][channel].extend(missing);
        }
    }
    world.cluster.restart(0, DOWN_FOR).await?;
    let back = world.all_subscribed(BACK_WITHIN).await;
    world.publisher.paused.store(false, Ordering::SeqCst);
    if back { Ok(()) } else { Err("not every subscription was back after the restart".into()) }
}

/// Redis engine: a rolling restart. History lives in Redis, so clients fail over to the other node and
/// resume without a gap while the publisher keeps going through the node that is up.
async fn rolling_restart(world: &mut World) -> Result<(), BoxError> {
    for index in 0..world.cluster.nodes.len() {
        let other = (index + 1) % world.cluster.nodes.len();
        world.phase(&format!(
            "rolling restart: node {} down 2 s, clients fail over to node {}; publishing continues",
            index + 1,
            other + 1
        ));
        world.publisher.node.store(other, Ordering::SeqCst);
        world.cluster.restart(index, DOWN_FOR).await?;
        recover(world, Duration::from_secs(1)).await?;
    }
    Ok(())
}
