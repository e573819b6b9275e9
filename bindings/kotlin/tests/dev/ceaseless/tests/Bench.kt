// The delivery benchmark: one stream, consumed in the same run by the Rust client alone (a
// DeliveryProbe counting inside Rust) and by a Kotlin collector. Three rounds: the Flow (one boundary
// crossing per batch) reading live, `next()` (one crossing per event) reading live, and the Flow
// draining a backlog the Rust side had already received (the boundary's own ceiling).
package dev.ceaseless.tests

import dev.ceaseless.*
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.takeWhile
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

private const val CHUNK = 500
private const val PUBLISHERS = 4

/** How the Kotlin side reads. */
enum class Mode { FLOW_LIVE, NEXT_LIVE, FLOW_BACKLOG }

private fun rate(count: Long, spanNs: Long): Double = if (spanNs <= 0) 0.0 else (count - 1) * 1e9 / spanNs

/** Publishes [count] messages into [channel] through the server API: [PUBLISHERS] in parallel, [CHUNK] per request. */
private suspend fun publishAll(channel: String, count: Int) = coroutineScope {
    val share = (count + PUBLISHERS - 1) / PUBLISHERS
    for (p in 0 until PUBLISHERS) {
        launch(Dispatchers.IO) {
            var sent = p * share
            val end = minOf(count, sent + share)
            while (sent < end) {
                val n = minOf(CHUNK, end - sent)
                Server.publishBatch(channel, sent, n)
                sent += n
            }
        }
    }
}

/** One round: returns (rust publications/s, kotlin publications/s). */
private suspend fun round(client: Client, count: Int, mode: Mode): Pair<Double, Double> = coroutineScope {
    val channel = Server.channel("bench")
    val sub = client.newSubscription(channel, SubscriptionOptions())
    val probe = DeliveryProbe(sub)
    val stream = sub.events()
    sub.subscribe()
    sub.ready()
    val rust = async(Dispatchers.Default) { probe.wait(count.toULong(), 120_000u) }
    launch { publishAll(channel, count) }
    if (mode == Mode.FLOW_BACKLOG) rust.await()
    val kotlin = async(Dispatchers.Default) {
        var seen = 0L
        var first = 0L
        var last = 0L
        if (mode == Mode.NEXT_LIVE) {
            while (seen < count) {
                val event = stream.next() ?: break
                if (event is Event.Publication) {
                    last = System.nanoTime()
                    if (seen == 0L) first = last
                    seen++
                }
            }
        } else {
            stream.asFlow().takeWhile { event ->
                if (event is Event.Publication) {
                    last = System.nanoTime()
                    if (seen == 0L) first = last
                    seen++
                }
                seen < count
            }.collect()
        }
        Pair(seen, last - first)
    }
    val r = withTimeout(180_000) { rust.await() }
    val (seen, span) = withTimeout(180_000) { kotlin.await() }
    check(r.count == count.toULong() && seen == count.toLong()) { "lost publications: rust ${r.count}, kotlin $seen of $count" }
    stream.close()
    probe.close()
    sub.remove()
    sub.close()
    Pair(rate(r.count.toLong(), r.spanNs.toLong()), rate(seen, span))
}

suspend fun runBenchmark() {
    val count = System.getenv("CEASELESS_BENCH_COUNT")?.toIntOrNull() ?: 20_000
    Client(Server.wsUrl, ClientOptions(), Tokens("bench")).use { client ->
        client.connect()
        client.ready()
        round(client, 2_000, Mode.FLOW_LIVE) // warm-up: JIT, connection, server
        println("bench: $count publications per round; each round's stream is consumed by the Rust client alone")
        println("bench: (counting inside Rust) and by a Kotlin collector, in the same run")
        for ((mode, label) in listOf(
            Mode.FLOW_LIVE to "kotlin Flow (nextBatch), live   ",
            Mode.NEXT_LIVE to "kotlin next() per event, live   ",
            Mode.FLOW_BACKLOG to "kotlin Flow, draining a backlog ",
        )) {
            val (rust, kotlin) = round(client, count, mode)
            println("bench: %s %9.0f publications/s vs rust alone %9.0f/s: %.2f of rust".format(label, kotlin, rust, kotlin / rust))
        }
        client.shutdown()
    }
}
