// Resuming across client objects through a Kotlin position store, and the push wake.
package dev.ceaseless.tests

import dev.ceaseless.*

suspend fun positionStoreResume() {
    val store = MemoryStore()
    val channel = Server.channel("resume")
    val options = SubscriptionOptions(recoverable = true, positioned = true)

    // The first client sees 1..3, then is dropped (no shutdown: the app just lets go of it).
    val first = Client(Server.wsUrl, ClientOptions(positionStore = PositionStoreOption.App(store)), Tokens("erin"))
    val firstSub = first.newSubscription(channel, options)
    val firstEvents = Reader(firstSub.events())
    first.connect()
    firstSub.subscribe()
    firstSub.ready()
    for (n in 1..3) Server.publish(channel, """{"n":$n}""")
    checkEquals(listOf(1, 2, 3), firstEvents.publications(3).map { it.n }, "first client")
    // Saved on a background thread, just after delivery.
    eventually("the position to be saved") { store.positions[channel]?.offset == 3uL }
    firstEvents.stream.close()
    firstSub.close()
    first.close()
    eventually("the first connection to go away") { Server.subscribers(channel) == 0 }

    // Published while no client runs.
    for (n in 4..7) Server.publish(channel, """{"n":$n}""")

    val second = Client(Server.wsUrl, ClientOptions(positionStore = PositionStoreOption.App(store)), Tokens("erin"))
    val secondSub = second.newSubscription(channel, options)
    val events = Reader(secondSub.events())
    second.connect()
    secondSub.subscribe()
    val subscribed = events.await<Event.Subscribed>()
    check(subscribed.info.wasRecovering && subscribed.info.recovered) { "not recovered: ${subscribed.info}" }
    val resumed = events.publications(4)
    checkEquals(listOf(4, 5, 6, 7), resumed.map { it.n }, "second client resumes exactly after the first")
    checkEquals(listOf(4uL, 5uL, 6uL, 7uL), resumed.map { it.offset }, "offsets")
    val extra = events.drain(500).filterIsInstance<Event.Publication>()
    check(extra.isEmpty()) { "delivered twice: $extra" }
    secondSub.close()
    second.shutdown()
    checkEquals(7uL, store.positions[channel]?.offset, "saved position after shutdown")
    second.close()
}

suspend fun wakeCatchesUp() {
    val channel = Server.channel("wake")
    val quiet = Server.channel("wake-quiet")
    val options = ClientOptions(backgroundGrace = BackgroundGrace.After(100u), positionStore = PositionStoreOption.App(MemoryStore()))
    Client(Server.wsUrl, options, Tokens("frank")).use { client ->
        val sub = client.newSubscription(channel, SubscriptionOptions(recoverable = true, positioned = true))
        val other = client.newSubscription(quiet, SubscriptionOptions(recoverable = true, positioned = true))
        val events = Reader(sub.events())
        client.connect()
        sub.subscribe()
        other.subscribe()
        sub.ready()
        other.ready()
        Server.publish(channel, """{"n":0}""")
        checkEquals(listOf(0), events.publications(1).map { it.n }, "before the app went to the background")

        // The app goes to the background: after the grace period the client lets go of the connection.
        client.setAppState(AppState.BACKGROUND)
        eventually("the client to park in the background") { client.state() == ClientState.DISCONNECTED }
        for (n in 1..5) Server.publish(channel, """{"n":$n}""")

        // A push arrives: catch up within the budget.
        val report = client.wake("push", 10_000u)
        check(report.caughtUp) { "not caught up: $report" }
        checkEquals(5uL, report.publications[channel], "publications reported for $channel")
        checkEquals(null, report.publications[quiet], "nothing reported for the quiet channel")
        check(report.elapsedMs < 10_000uL) { "elapsed ${report.elapsedMs} ms" }
        checkEquals(listOf(1, 2, 3, 4, 5), events.publications(5).map { it.n }, "delivered during the wake")

        // Back to what the app state asks for: disconnected in the background.
        eventually("the client to park again after the wake") { client.state() == ClientState.DISCONNECTED }
        client.setAppState(AppState.FOREGROUND)
        client.ready()
        sub.close()
        other.close()
        client.shutdown()
    }
}
