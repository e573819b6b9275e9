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
        check(error is CeaselessException.Transport) { "expected Transport, got $error" }
        check(error.toString().lowercase().contains("refused")) { "the cause is carried: $error" }
        checkEquals(true, error.temporary, "temporary")
        check(tookMs >= TIMEOUT_MS.toLong() && tookMs < TIMEOUT_MS.toLong() + 2500) { "after the timeout: $tookMs ms" }
        checkEquals(ClientState.CONNECTING, client.state(), "still trying in the background")
        client.shutdown()
    }
}
