// First contact from Kotlin: ready() never hangs on a client that cannot get in, and says why.
package dev.ceaseless.tests

import dev.ceaseless.*
import java.net.ServerSocket

private const val TIMEOUT_MS = 2000uL

private suspend fun readyError(client: Client): Pair<CeaselessException, Long> {
    val started = System.nanoTime()
    client.connect()
    try {
        client.ready()
    } catch (e: CeaselessException) {
        return e to (System.nanoTime() - started) / 1_000_000
    }
    throw AssertionFailed("ready() succeeded")
}

suspend fun invalidTokenFailsAtOnce() {
    Client(Server.wsUrl, ClientOptions(token = "not-a-jwt", timeoutMs = TIMEOUT_MS)).use { client ->
        val (error, tookMs) = readyError(client)
        printed("invalid token", error, tookMs)
        check(error is CeaselessException.Server) { "expected Server, got $error" }
        checkEquals(3500u, error.code, "the server's code")
        checkEquals(false, error.temporary, "3500 is terminal")
        check(tookMs < TIMEOUT_MS.toLong()) { "at once, not after the timeout: $tookMs ms" }
        client.shutdown()
    }
}

suspend fun refusedConnectionFailsAfterTheTimeout() {
    val port = ServerSocket(0).use { it.localPort }
    val url = "ws://127.0.0.1:$port/connection/websocket"
    Client(url, ClientOptions(token = "t", timeoutMs = TIMEOUT_MS)).use { client ->
        val (error, tookMs) = readyError(client)
        printed("connection refused", error, tookMs)
        check(error is CeaselessException.Transport) { "expected Transport, got $error" }
        check(error.toString().lowercase().contains("refused")) { "the cause is carried: $error" }
        checkEquals(true, error.temporary, "temporary")
        checkAfterTheTimeout(tookMs)
        checkEquals(ClientState.CONNECTING, client.state(), "still trying in the background")
        client.shutdown()
    }
}

/** Ended by the client's timeout (not sooner, and not much later). */
private fun checkAfterTheTimeout(tookMs: Long) =
    check(tookMs >= TIMEOUT_MS.toLong() && tookMs < TIMEOUT_MS.toLong() + 2500) { "after the timeout: $tookMs ms" }

private fun printed(what: String, error: CeaselessException, tookMs: Long) =
    println("  $what: ${error::class.simpleName} ${error.message} (code ${error.code}, temporary ${error.temporary}) after $tookMs ms")

suspend fun tlsToPlainServerFailsAtOnce() {
    val url = Server.wsUrl.replaceFirst("ws://", "wss://")
    Client(url, ClientOptions(token = "t", timeoutMs = TIMEOUT_MS)).use { client ->
        val (error, tookMs) = readyError(client)
        printed("wss to a plain server", error, tookMs)
        check(error is CeaselessException.Transport) { "expected Transport, got $error" }
        check(error.message?.contains("TLS") == true) { "the cause is carried: $error" }
        check(tookMs < TIMEOUT_MS.toLong()) { "at once, not after the timeout: $tookMs ms" }
        client.shutdown()
    }
}

suspend fun wrongPathFailsAfterTheTimeout() {
    val url = Server.wsUrl.replace("/connection/websocket", "/no/such/path")
    Client(url, ClientOptions(token = "t", timeoutMs = TIMEOUT_MS)).use { client ->
        val (error, tookMs) = readyError(client)
        printed("HTTP 404", error, tookMs)
        check(error is CeaselessException.Transport) { "expected Transport, got $error" }
        check(error.message?.contains("404") == true) { "the status is carried: $error" }
        checkAfterTheTimeout(tookMs)
        client.shutdown()
    }
}

suspend fun expiredTokenIsUnauthorizedAtOnce() {
    val token = Server.token("expired", ttlSeconds = 1)
    kotlinx.coroutines.delay(2100)
    Client(Server.wsUrl, ClientOptions(token = token, timeoutMs = TIMEOUT_MS)).use { client ->
        val (error, tookMs) = readyError(client)
        printed("expired token", error, tookMs)
        check(error is CeaselessException.Unauthorized) { "expected Unauthorized, got $error" }
        checkEquals(false, error.temporary, "temporary")
        check(error.message?.let { "109" in it && "token expired" in it } == true) { "the server's reason: $error" }
        check(tookMs < TIMEOUT_MS.toLong()) { "at once: $tookMs ms" }
        client.shutdown()
    }
}

suspend fun raisingProviderFailsAfterTheTimeout() {
    val failing = object : TokenProvider {
        override suspend fun connectionToken(): String = throw IllegalStateException("token backend down")
    }
    Client(Server.wsUrl, ClientOptions(timeoutMs = TIMEOUT_MS), failing).use { client ->
        val (error, tookMs) = readyError(client)
        printed("token provider raising", error, tookMs)
        check(error is CeaselessException.Token) { "expected Token, got $error" }
        check(error.message?.contains("token backend down") == true) { "the app's message: $error" }
        checkAfterTheTimeout(tookMs)
        client.shutdown()
    }
}

suspend fun refusedSubscribeFailsAtOnce() {
    Client(Server.wsUrl, ClientOptions(token = Server.token("nobody"), timeoutMs = TIMEOUT_MS)).use { client ->
        client.connect()
        client.ready()
        val sub = client.newSubscription("secure:denied-${System.nanoTime()}", SubscriptionOptions())
        val started = System.nanoTime()
        sub.subscribe()
        try {
            sub.ready()
            throw AssertionFailed("subscribed to a channel the server refuses")
        } catch (e: CeaselessException.Server) {
            val tookMs = (System.nanoTime() - started) / 1_000_000
            printed("permission denied", e, tookMs)
            checkEquals(103u, e.code, "the server's code")
            checkEquals(false, e.temporary, "103 is terminal")
            check(tookMs < TIMEOUT_MS.toLong()) { "at once: $tookMs ms" }
        }
        client.shutdown()
    }
}
