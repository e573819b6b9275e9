// Connecting, Flows, token refresh and token provider failures, against the real server.
package dev.ceaseless.tests

import dev.ceaseless.*
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.withTimeout

suspend fun connectWithProviderToken() {
    val tokens = Tokens("alice")
    Client(Server.wsUrl, ClientOptions(), tokens).use { client ->
        checkEquals(ClientState.DISCONNECTED, client.state(), "initial state")
        client.events().use { events ->
            client.connect()
            client.ready()
            checkEquals(ClientState.CONNECTED, client.state(), "state after ready")
            check(tokens.calls.get() == 1) { "the provider was asked ${tokens.calls.get()} times" }
            val connected = withTimeout(5_000) { events.asFlow().filterIsInstance<Event.Connected>().first() }
            check(connected.client.isNotEmpty()) { "no client id" }
            checkEquals("websocket", connected.transport, "transport")
            client.shutdown()
            checkEquals(ClientState.CLOSED, client.state(), "state after shutdown")
            // The flow completes after shutdown, with Closed as the last event.
            val rest = withTimeout(5_000) { events.asFlow().toList() }
            check(rest.lastOrNull() is Event.Closed) { "expected Closed last, got $rest" }
        }
    }
}

suspend fun subscribePublishReceiveFlow() {
    val channel = Server.channel("flow")
    Client(Server.wsUrl, ClientOptions(), Tokens("alice")).use { client ->
        val sub = client.newSubscription(channel, SubscriptionOptions(recoverable = true, positioned = true))
        // Opened before subscribe, so the flow sees everything.
        val stream = sub.events()
        client.connect()
        sub.subscribe()
        sub.ready()
        checkEquals(SubscriptionState.SUBSCRIBED, sub.state(), "subscription state")
        for (n in 1..3) client.publishText(channel, """{"n":$n}""")
        sub.publish("""{"n":4}""".encodeToByteArray())
        val received = withTimeout(10_000) { stream.publications().take(4).toList() }
        checkEquals(listOf(1, 2, 3, 4), received.map { it.n }, "publications in order")
        checkEquals(listOf(1uL, 2uL, 3uL, 4uL), received.map { it.offset }, "offsets")
        check(received.all { it.info?.user == "alice" }) { "publisher info missing: ${received.first().info}" }
        checkEquals("""{"n":1}""", received.first().text, "text view")
        checkEquals(4uL, sub.position()?.offset, "position")
        stream.cancel()
        checkEquals(null, stream.next(), "a cancelled stream ends")
        stream.close()
        sub.close()
        client.shutdown()
    }
}

suspend fun tokenRefreshInBand() {
    // Tokens live 4 s; the client refreshes ahead of expiry on the live connection.
    val tokens = Tokens("dave", ttlSeconds = 4)
    Client(Server.wsUrl, ClientOptions(), tokens).use { client ->
        val events = Reader(client.events())
        client.connect()
        val connected = events.await<Event.Connected>()
        delay(9_000)
        val later = events.drain(100)
        check(later.none { it is Event.Connected || it is Event.Connecting || it is Event.Disconnected }) {
            "the connection was interrupted: $later"
        }
        check(tokens.calls.get() >= 3) { "expected at least two refreshes, the provider was asked ${tokens.calls.get()} times" }
        checkEquals(ClientState.CONNECTED, client.state(), "state")
        // Still the same connection: presence shows the client id from the first connect.
        val channel = Server.channel("refresh")
        val sub = client.newSubscription(channel, SubscriptionOptions())
        sub.subscribe()
        sub.ready()
        val present = client.presence(channel).clients.keys
        checkEquals(setOf(connected.client), present, "client id after refreshes")
        sub.close()
        client.shutdown()
    }
}

suspend fun tokenProviderExceptionIsTyped() {
    val calls = java.util.concurrent.atomic.AtomicInteger()
    val failing = object : TokenProvider {
        override suspend fun connectionToken(): String {
            calls.incrementAndGet()
            throw IllegalStateException("keychain locked")
        }
    }
    Client(Server.wsUrl, ClientOptions(reconnectDelayMinMs = 50u, reconnectDelayMaxMs = 200u, offlineQueueTimeoutMs = 300u), failing).use { client ->
        val events = Reader(client.events())
        client.connect()
        val error = events.await<Event.Error>().error
        check(error is CeaselessException.Token) { "expected a Token error, got $error" }
        checkEquals(5u, error.code, "code")
        check(error.temporary) { "a failing provider is temporary" }
        check(error.message?.contains("keychain locked") == true) { "the app's message is lost: ${error.message}" }
        // The client keeps trying, with backoff, and calls fail with typed errors.
        eventually("a retry") { calls.get() >= 2 }
        checkEquals(ClientState.CONNECTING, client.state(), "state while the provider fails")
        try {
            client.publishText(Server.channel("x"), "{}")
            throw AssertionFailed("publish succeeded without a connection")
        } catch (e: CeaselessException) {
            check(e.temporary) { "expected a temporary error, got $e" }
        }
        client.shutdown()
        try {
            client.ready()
            throw AssertionFailed("ready() succeeded after shutdown")
        } catch (e: CeaselessException.Closed) {
            checkEquals(4u, e.code, "closed code")
        }
    }
}

suspend fun tokenProviderUnauthorizedStops() {
    val refusing = object : TokenProvider {
        override suspend fun connectionToken(): String = throw CeaselessException.unauthorized("signed out")
    }
    Client(Server.wsUrl, ClientOptions(), refusing).use { client ->
        val events = Reader(client.events())
        client.connect()
        val disconnected = events.await<Event.Disconnected>()
        checkEquals(1u, disconnected.code, "disconnect code (unauthorized)")
        checkEquals(ClientState.DISCONNECTED, client.state(), "state")
        // No retries: the client stays disconnected and calls fail with a typed error.
        check(events.drain(300).none { it is Event.Connecting }) { "the client retried after Unauthorized" }
        try {
            client.ready()
            throw AssertionFailed("ready() succeeded for an unauthorized user")
        } catch (e: CeaselessException.Unauthorized) {
            checkEquals(6u, e.code, "code: ready() says why")
        }
        client.shutdown()
    }
}
