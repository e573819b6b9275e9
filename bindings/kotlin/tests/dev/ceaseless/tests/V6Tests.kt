// Centrifugo v6 options from Kotlin against the real server: a publication tags filter (JSON text) and
// its refusals as typed exceptions, an app state loader and its Event.StateLoaded, and setHeaders.
package dev.ceaseless.tests

import dev.ceaseless.*
import java.util.concurrent.atomic.AtomicInteger

private const val GOOD_OR_BIG =
    """{"op":"or","nodes":[{"key":"kind","cmp":"eq","val":"good"},{"key":"n","cmp":"gte","val":"6"}]}"""

suspend fun tagsFilterDeliversOnlyMatching() {
    val channel = Server.channelIn("tagged", "filter")
    Client(Server.wsUrl, ClientOptions(), Tokens("tina")).use { client ->
        val sub = client.newSubscription(channel, SubscriptionOptions(tagsFilter = GOOD_OR_BIG))
        val events = Reader(sub.events())
        client.connect()
        sub.subscribe()
        sub.ready()
        for (n in 1..7) {
            val kind = if (n % 2 == 1) "good" else "bad"
            Server.publishTagged(channel, """{"n":$n}""", mapOf("kind" to kind, "n" to "$n"))
        }
        checkEquals(listOf(1, 3, 5, 6, 7), events.publications(5).map { it.n }, "kind=good or n>=6")
        val rest = events.drain(300).filterIsInstance<Event.Publication>()
        check(rest.isEmpty()) { "non-matching publications arrived: ${rest.map { it.publication.n }}" }
        sub.close()
        client.shutdown()
    }
}

suspend fun badTagsFiltersAreTyped() {
    Client(Server.wsUrl, ClientOptions(), Tokens("tina")).use { client ->
        val refused = listOf(
            "broken JSON" to SubscriptionOptions(tagsFilter = "{oops"),
            "an empty in" to SubscriptionOptions(tagsFilter = """{"key":"kind","cmp":"in","vals":[]}"""),
            "with delta" to SubscriptionOptions(tagsFilter = GOOD_OR_BIG, delta = true),
        )
        for ((what, options) in refused) {
            try {
                client.newSubscription(Server.channelIn("tagged", "bad"), options).close()
                throw AssertionFailed("$what: no exception")
            } catch (e: CeaselessException.InvalidTagsFilter) {
                checkEquals(23u, e.code, "$what: code")
                checkEquals(false, e.temporary, "$what: temporary")
            }
        }
        client.shutdown()
    }
}

/** A Kotlin state loader answering the stream top, as an app reading its own data would. */
class TopLoader : StateLoader {
    val calls = AtomicInteger()

    override suspend fun loadState(channel: String): LoadedState {
        calls.incrementAndGet()
        val (offset, epoch) = Server.streamTop(channel)
        return LoadedState(StreamPosition(offset, epoch), """{"upto":$offset}""".encodeToByteArray())
    }
}

suspend fun stateLoaderComesBeforePublications() {
    val channel = Server.channelIn("small", "loader")
    for (n in 1..3) Server.publish(channel, """{"n":$n}""")
    val loader = TopLoader()
    Client(Server.wsUrl, ClientOptions(), Tokens("sam")).use { client ->
        val sub = client.newSubscription(channel, SubscriptionOptions(stateLoader = loader))
        val events = Reader(sub.events())
        client.connect()
        sub.subscribe()
        sub.ready()
        Server.publish(channel, """{"n":4}""")
        val seen = ArrayList<Event>()
        while (seen.none { it is Event.Publication }) seen.add(events.next())
        checkEquals(1, loader.calls.get(), "loader calls")
        val loaded = seen.filterIsInstance<Event.StateLoaded>().singleOrNull()
            ?: throw AssertionFailed("no StateLoaded before the first publication: $seen")
        checkEquals(3uL, loaded.position.offset, "loaded position")
        checkEquals("""{"upto":3}""", loaded.state?.decodeToString(), "loaded state")
        checkEquals(4, (seen.last() as Event.Publication).publication.n, "the publication after the state")
        sub.close()
        client.shutdown()
    }
}

/** A state loader that throws, as a failing backend call would. */
class BrokenLoader : StateLoader {
    override suspend fun loadState(channel: String): LoadedState = throw IllegalStateException("database down")
}

suspend fun failingStateLoaderIsReported() {
    val channel = Server.channelIn("small", "broken")
    Client(Server.wsUrl, ClientOptions(), Tokens("sam")).use { client ->
        val options = SubscriptionOptions(stateLoader = BrokenLoader(), resubscribeDelayMinMs = 50u, resubscribeDelayMaxMs = 100u)
        val sub = client.newSubscription(channel, options)
        val events = Reader(sub.events())
        client.connect()
        sub.subscribe()
        repeat(2) {
            val error = events.await<Event.SubscriptionError>().error
            check(error is CeaselessException.Callback) { "expected Callback, got $error" }
            check(error.message?.contains("database down") == true) { "message: ${error.message}" }
        }
        sub.close()
        client.shutdown()
    }
}

suspend fun setHeadersIsAccepted() {
    val options = ClientOptions(headers = mapOf("X-Tenant" to "blue"), reconnectDelayMinMs = 20u, reconnectDelayMaxMs = 100u)
    Client(Server.wsUrl, options, Tokens("hana")).use { client ->
        val events = Reader(client.events())
        client.connect()
        events.await<Event.Connected>()
        client.setHeaders(mapOf("X-Tenant" to "green"))
        Server.disconnect("hana")
        checkEquals(4000u, events.await<Event.Connecting>().code, "server disconnect code")
        events.await<Event.Connected>()
        checkEquals(ClientState.CONNECTED, client.state(), "reconnected with the new headers")
        client.shutdown()
    }
}
