// App-side implementations the tests plug into the library, and helpers to wait for events.
package dev.ceaseless.tests

import dev.ceaseless.*
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/** A Kotlin token provider minting tokens for [user] that live [ttlSeconds] (forever when null). */
class Tokens(private val user: String, private val ttlSeconds: Long? = null) : TokenProvider {
    val calls = AtomicInteger()
    val issued = CopyOnWriteArrayList<String>()

    override suspend fun connectionToken(): String {
        calls.incrementAndGet()
        return Server.token(user, ttlSeconds).also { issued.add(it) }
    }
}

/** A Kotlin position store: a map, as an app would keep in memory and persist in the background. */
class MemoryStore : PositionStore {
    val positions = ConcurrentHashMap<String, StreamPosition>()
    val saves = AtomicInteger()

    override fun load(channel: String): StreamPosition? = positions[channel]

    override fun save(channel: String, position: StreamPosition) {
        saves.incrementAndGet()
        positions[channel] = position
    }
}

/** Collects events pushed to a listener. */
class Collecting : EventListener {
    val events = CopyOnWriteArrayList<Event>()
    override fun onEvent(event: Event) {
        events.add(event)
    }
}

/** Collects log lines. */
class Logs : LogSink {
    val records = CopyOnWriteArrayList<LogRecord>()
    override fun log(record: LogRecord) {
        records.add(record)
    }
}

/**
 * Reads an [EventStream] event by event while still taking whole batches across the boundary; unlike a
 * Flow that is abandoned after `first {}`, it keeps the rest of a batch for the next read.
 */
class Reader(val stream: EventStream) {
    private val buffer = ArrayDeque<Event>()

    suspend fun next(timeoutMs: Long = 10_000): Event = withTimeout(timeoutMs) {
        while (buffer.isEmpty()) {
            val batch = stream.nextBatch(DEFAULT_BATCH)
            if (batch.isEmpty()) throw AssertionFailed("the event stream ended")
            buffer.addAll(batch)
        }
        buffer.removeFirst()
    }

    /** Skips events until one of type [T]. */
    suspend inline fun <reified T : Event> await(timeoutMs: Long = 10_000): T = withTimeout(timeoutMs) {
        var event = next()
        while (event !is T) event = next()
        event
    }

    /** The next [count] publications, skipping other events. */
    suspend fun publications(count: Int, timeoutMs: Long = 10_000): List<Publication> = withTimeout(timeoutMs) {
        val out = ArrayList<Publication>()
        while (out.size < count) {
            val event = next()
            if (event is Event.Publication) out.add(event.publication)
        }
        out
    }

    /** Events that arrive within [ms] (none expected in quiet periods). */
    suspend fun drain(ms: Long): List<Event> {
        val out = ArrayList<Event>(buffer)
        buffer.clear()
        val deadline = System.currentTimeMillis() + ms
        while (true) {
            val left = deadline - System.currentTimeMillis()
            if (left <= 0) break
            val batch = withTimeoutOrNull(left) { stream.nextBatch(DEFAULT_BATCH) } ?: break
            if (batch.isEmpty()) break
            out.addAll(batch)
        }
        return out
    }
}

/** Waits until [condition] holds, polling every 20 ms, for at most [timeoutMs]. */
suspend fun eventually(what: String, timeoutMs: Long = 10_000, condition: () -> Boolean) {
    val deadline = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        if (System.currentTimeMillis() > deadline) throw AssertionFailed("timed out waiting for $what")
        delay(20)
    }
}

/** The `n` field of a publication made by [Server.publishBatch] or the tests. */
val Publication.n: Int get() = Regex("\"n\":(\\d+)").find(text)?.groupValues?.get(1)?.toInt() ?: -1
