// The shared options through ClientOptions / SubscriptionOptions, end to end against the real server:
// transports, Protobuf, delta, reconnect delays, background grace, a file position store, bad values.
package dev.ceaseless.tests

import dev.ceaseless.*
import kotlinx.coroutines.delay

/** Connects with [options], subscribes, and receives one publication made through the server API. */
private suspend fun connectAndReceive(options: ClientOptions, user: String): String {
    val channel = Server.channel("opt")
    Client(Server.wsUrl, options, Tokens(user)).use { client ->
        val events = Reader(client.events())
        val sub = client.newSubscription(channel, SubscriptionOptions())
        val publications = Reader(sub.events())
        client.connect()
        val transport = events.await<Event.Connected>().transport
        sub.subscribe()
        sub.ready()
        Server.publish(channel, """{"n":1}""")
        checkEquals(listOf(1), publications.publications(1).map { it.n }, "received over $transport")
        sub.close()
        client.shutdown()
        return transport
    }
}

suspend fun httpStreamingTransport() {
    val transport = connectAndReceive(ClientOptions(transports = listOf(Transport.HTTP_STREAM)), "ivan")
    checkEquals("http_stream", transport, "transport")
}

suspend fun protobufFormat() {
    val channel = Server.channel("protobuf")
    Client(Server.wsUrl, ClientOptions(format = Format.PROTOBUF), Tokens("judy")).use { client ->
        val sub = client.newSubscription(channel, SubscriptionOptions())
        val publications = Reader(sub.events())
        client.connect()
        sub.subscribe()
        sub.ready()
        val bytes = byteArrayOf(0, 1, 2, -1, -2)
        client.publish(channel, bytes)
        val received = publications.publications(1).single()
        check(received.data.contentEquals(bytes)) { "binary data changed: ${received.data.toList()}" }
        sub.close()
        client.shutdown()
    }
}

suspend fun deltaSubscription() {
    val channel = Server.channel("delta")
    val body = "x".repeat(400)
    Client(Server.wsUrl, ClientOptions(), Tokens("ken")).use { client ->
        val sub = client.newSubscription(
            channel,
            SubscriptionOptions(delta = true, resubscribeDelayMinMs = 50u, resubscribeDelayMaxMs = 500u),
        )
        val publications = Reader(sub.events())
        client.connect()
        sub.subscribe()
        sub.ready()
        for (n in 1..3) Server.publish(channel, """{"body":"$body","n":$n}""")
        val received = publications.publications(3)
        checkEquals(listOf(1, 2, 3), received.map { it.n }, "delta publications")
        check(received.all { it.text == """{"body":"$body","n":${it.n}}""" }) { "a publication arrived as a delta" }
        sub.close()
        client.shutdown()
    }
}

suspend fun reconnectDelays() {
    val options = ClientOptions(reconnectDelayMinMs = 10u, reconnectDelayMaxMs = 50u, maxServerPingDelayMs = 5_000u)
    Client(Server.wsUrl, options, Tokens("leo")).use { client ->
        val events = Reader(client.events())
        client.connect()
        events.await<Event.Connected>()
        Server.disconnect("leo")
        val connecting = events.await<Event.Connecting>()
        checkEquals(4000u, connecting.code, "server disconnect code")
        val started = System.currentTimeMillis()
        events.await<Event.Connected>(timeoutMs = 2_000)
        val took = System.currentTimeMillis() - started
        check(took < 2_000) { "reconnecting took $took ms with a 50 ms ceiling" }
        client.shutdown()
    }
}

suspend fun backgroundGraceNever() {
    Client(Server.wsUrl, ClientOptions(backgroundGrace = BackgroundGrace.Never), Tokens("mia")).use { client ->
        client.connect()
        client.ready()
        client.setAppState(AppState.BACKGROUND)
        delay(300)
        checkEquals(ClientState.CONNECTED, client.state(), "still connected in the background")
        client.shutdown()
    }
}

suspend fun filePositionStore() {
    val dir = java.nio.file.Files.createTempDirectory("ceaseless-kotlin")
    val path = dir.resolve("positions.json").toString()
    val options = ClientOptions(positionStore = PositionStoreOption.File(path))
    val recoverable = SubscriptionOptions(recoverable = true, positioned = true)
    val channel = Server.channel("file")
    Client(Server.wsUrl, options, Tokens("nick")).use { first ->
        val sub = first.newSubscription(channel, recoverable)
        val events = Reader(sub.events())
        first.connect()
        sub.subscribe()
        sub.ready()
        Server.publish(channel, """{"n":1}""")
        checkEquals(listOf(1), events.publications(1).map { it.n }, "first client")
        sub.close()
        first.shutdown()
    }
    for (n in 2..3) Server.publish(channel, """{"n":$n}""")
    Client(Server.wsUrl, options, Tokens("nick")).use { second ->
        val sub = second.newSubscription(channel, recoverable)
        val events = Reader(sub.events())
        second.connect()
        sub.subscribe()
        checkEquals(listOf(2, 3), events.publications(2).map { it.n }, "resumed from the file")
        check(events.drain(300).none { it is Event.Publication }) { "delivered twice" }
        sub.close()
        second.shutdown()
    }
    dir.toFile().deleteRecursively()
}

suspend fun badOptionsAreTyped() {
    val url = Server.wsUrl
    val pem = expectError("a bad root certificate") { Client(url, ClientOptions(tlsRootCaPem = listOf("not a certificate"))) }
    check(pem is CeaselessException.Config) { "bad PEM: $pem" }
    check(!pem.temporary) { "a bad PEM is not temporary" }
    val proxy = expectError("a bad proxy URL") { Client(url, ClientOptions(proxy = "socks5://127.0.0.1:1080")) }
    check(proxy is CeaselessException.InvalidUrl) { "bad proxy: $proxy" }
    val secret = expectError("a proxy URL with a path") {
        Client(url, ClientOptions(proxy = "http://user:hunter2@127.0.0.1:3128/path"))
    }
    check(secret is CeaselessException.InvalidUrl) { "bad proxy: $secret" }
    check("hunter2" !in secret.toString()) { "the proxy password leaked: $secret" }
    val data = expectError("bad connect data") { Client(url, ClientOptions(data = "{".encodeToByteArray())) }
    check(data is CeaselessException.InvalidPayload) { "bad data: $data" }
}
