// Commands, subscription tokens, listeners, lifecycle hooks and the log sink.
package dev.ceaseless.tests

import dev.ceaseless.*
import kotlinx.coroutines.delay

/** Runs [block] and returns the CeaselessException it throws. */
suspend fun expectError(what: String, block: suspend () -> Unit): CeaselessException {
    try {
        block()
    } catch (e: CeaselessException) {
        return e
    }
    throw AssertionFailed("$what did not fail")
}

suspend fun commandsAndErrors() {
    val channel = Server.channel("cmd")
    Client(Server.wsUrl, ClientOptions(), Tokens("grace")).use { client ->
        client.connect()
        val sub = client.newSubscription(channel, SubscriptionOptions(recoverable = true, positioned = true, joinLeave = true))
        sub.subscribe()
        sub.ready()
        client.publishText(channel, """{"n":1}""")
        sub.publishText("""{"n":2}""")
        val history = client.history(channel, HistoryOptions(limit = 10))
        checkEquals(listOf(1, 2), history.publications.map { it.n }, "history")
        checkEquals(2uL, history.offset, "history top")
        checkEquals(listOf(2), sub.history(HistoryOptions(limit = 1, reverse = true)).publications.map { it.n }, "reverse history")
        checkEquals(1, client.presence(channel).clients.size, "presence")
        checkEquals("grace", sub.presence().clients.values.single().user, "presence user")
        checkEquals(1u, client.presenceStats(channel).numClients, "presence stats")
        checkEquals(1u, sub.presenceStats().numUsers, "subscription presence stats")

        // Server refusals and refused input arrive as typed errors with codes.
        val rpc = expectError("rpc without a proxy") { client.rpc("nothing", "{}".encodeToByteArray()) }
        check(rpc is CeaselessException.Server && rpc.code in 100u..1999u) { "rpc: $rpc" }
        val badJson = expectError("publishing invalid JSON") { client.publishText(channel, "not json") }
        check(badJson is CeaselessException.InvalidPayload) { "bad json: $badJson" }
        checkEquals(15u, badJson.code, "invalid payload code")
        val badChannel = expectError("an empty channel") { client.newSubscription("", SubscriptionOptions()) }
        check(badChannel is CeaselessException.InvalidChannel) { "bad channel: $badChannel" }
        checkEquals(14u, badChannel.code, "invalid channel code")
        val duplicate = expectError("a second subscription") { client.newSubscription(channel, SubscriptionOptions()) }
        check(duplicate is CeaselessException.DuplicateSubscription) { "duplicate: $duplicate" }
        checkEquals(17u, duplicate.code, "duplicate code")
        val badUrl = expectError("a bad URL") { Client("http://nowhere", ClientOptions()) }
        check(badUrl is CeaselessException.InvalidUrl) { "bad url: $badUrl" }
        checkEquals(13u, badUrl.code, "bad url code")

        // A channel that needs a subscription token, from a Kotlin provider.
        val secure = "secure:${channel.substringAfter(':')}"
        val subTokens = object : SubscriptionTokenProvider {
            override suspend fun subscriptionToken(channel: String): String = Server.subscriptionToken("grace", channel)
        }
        val secured = client.newSubscription(secure, SubscriptionOptions(), subTokens)
        secured.subscribe()
        secured.ready()
        checkEquals(secure, secured.channel(), "channel")

        sub.unsubscribe()
        eventually("unsubscribed") { sub.state() == SubscriptionState.UNSUBSCRIBED }
        val unsubscribed = expectError("ready after unsubscribe") { sub.ready() }
        checkEquals(7u, unsubscribed.code, "unsubscribed code")
        sub.remove()
        client.newSubscription(channel, SubscriptionOptions()).close() // the name is free again
        secured.close()
        sub.close()
        client.shutdown()
    }
}

suspend fun listenerLifecycleAndLogs() {
    val logs = Logs()
    setLogSink(logs, LogLevel.DEBUG)
    val tokens = Tokens("heidi")
    val listener = Collecting()
    val thrown = java.util.concurrent.atomic.AtomicInteger()
    val throwing = object : EventListener {
        override fun onEvent(event: Event) {
            thrown.incrementAndGet()
            throw IllegalStateException("listener bug")
        }
    }
    try {
        Client(Server.wsUrl, ClientOptions(backgroundGrace = BackgroundGrace.After(50u), reconnectDelayMinMs = 50u, reconnectDelayMaxMs = 200u), tokens).use { client ->
            val handle = client.addListener(listener)
            val throwingHandle = client.addListener(throwing)
            client.connect()
            eventually("Connected through the listener") { listener.events.any { it is Event.Connected } }

            client.networkChanged(false)
            eventually("the network loss to be noticed") { client.state() == ClientState.CONNECTING }
            client.networkChanged(true)
            client.ready()

            client.setAppState(AppState.BACKGROUND)
            eventually("parked in the background") { client.state() == ClientState.DISCONNECTED }
            client.setAppState(AppState.FOREGROUND)
            client.ready()
            // Listeners run on their own threads: give them a moment to catch up with ready().
            eventually("three connects at the listener") { listener.events.count { it is Event.Connected } == 3 }
            eventually("the throwing listener to keep receiving after its first exception") { thrown.get() >= 3 }

            handle.cancel()
            check(handle.isCancelled()) { "handle not cancelled" }
            val seen = listener.events.size
            client.disconnect()
            delay(300)
            checkEquals(seen, listener.events.size, "events after cancel")
            throwingHandle.cancel()
            handle.close()
            throwingHandle.close()
            client.shutdown()
        }
    } finally {
        setLogSink(null, LogLevel.ERROR)
    }
    check(logs.records.isNotEmpty()) { "no log lines arrived" }
    check(logs.records.any { it.target.startsWith("ceaseless") }) { "no lines from the client: ${logs.records.take(3)}" }
    for (token in tokens.issued) {
        check(logs.records.none { token in it.message }) { "a token leaked into the logs" }
    }
    check(logs.records.none { "eyJ" in it.message }) { "something JWT-shaped leaked into the logs" }
}
