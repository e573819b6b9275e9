// A small test runner for the Kotlin library: plain `main`, no JUnit (no Maven needed).
// `kotlin ... dev.ceaseless.tests.MainKt [test-name ...]` runs the named tests (all by default) and
// `... MainKt bench` runs the benchmark. Ends with `N passed, N failed` and exit code 1 on failure.
package dev.ceaseless.tests

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlin.system.exitProcess

/** A failed expectation. */
class AssertionFailed(message: String) : Exception(message)

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionFailed(message())
}

fun <T> checkEquals(expected: T, actual: T, what: String) {
    if (expected != actual) throw AssertionFailed("$what: expected <$expected>, got <$actual>")
}

val TESTS: List<Pair<String, suspend () -> Unit>> = listOf(
    "connect with a token from a Kotlin provider" to ::connectWithProviderToken,
    "subscribe, publish, receive through a Flow" to ::subscribePublishReceiveFlow,
    "token refresh in band keeps the client id" to ::tokenRefreshInBand,
    "a second client resumes from a Kotlin position store" to ::positionStoreResume,
    "wake while disconnected catches up and reports counts" to ::wakeCatchesUp,
    "an exception in the token provider is a typed error" to ::tokenProviderExceptionIsTyped,
    "Unauthorized from the token provider stops the client" to ::tokenProviderUnauthorizedStops,
    "an invalid token: ready() throws Server 3500 at once" to ::invalidTokenFailsAtOnce,
    "a refused connection: ready() throws Transport after the timeout" to ::refusedConnectionFailsAfterTheTimeout,
    "commands and typed command errors" to ::commandsAndErrors,
    "listener, handle cancel, lifecycle hooks and log sink" to ::listenerLifecycleAndLogs,
    "transports = HTTP_STREAM connects and receives" to ::httpStreamingTransport,
    "format = PROTOBUF carries binary data" to ::protobufFormat,
    "delta = true delivers whole publications" to ::deltaSubscription,
    "reconnectDelayMinMs / MaxMs bound the reconnect" to ::reconnectDelays,
    "backgroundGrace = Never stays connected in the background" to ::backgroundGraceNever,
    "positionStore = File resumes a new client" to ::filePositionStore,
    "bad tlsRootCaPem, proxy and data are typed exceptions" to ::badOptionsAreTyped,
    "tagsFilter delivers only matching publications" to ::tagsFilterDeliversOnlyMatching,
    "bad tagsFilter and tagsFilter with delta are InvalidTagsFilter" to ::badTagsFiltersAreTyped,
    "stateLoader: StateLoaded comes before publications" to ::stateLoaderComesBeforePublications,
    "a throwing stateLoader is a Callback subscription error" to ::failingStateLoaderIsReported,
    "headers and setHeaders are accepted across a reconnect" to ::setHeadersIsAccepted,
    "wss:// to a plain server: ready() throws Transport (TLS) at once" to ::tlsToPlainServerFailsAtOnce,
    "a wrong path: ready() throws Transport (HTTP 404) after the timeout" to ::wrongPathFailsAfterTheTimeout,
    "an expired token without a provider: ready() throws Unauthorized at once" to ::expiredTokenIsUnauthorizedAtOnce,
    "a raising token provider: ready() throws Token after the timeout" to ::raisingProviderFailsAfterTheTimeout,
    "a refused subscribe: ready() throws Server 103 at once" to ::refusedSubscribeFailsAtOnce,
    "the README quickstart prints what the README says" to ::readmeQuickstartPrintsWhatItSays,
    "the JVM exits cleanly with callbacks pending (fresh JVMs)" to ::jvmExitsCleanlyWithCallbacksPending,
)

fun main(args: Array<String>) {
    if (args.firstOrNull() == "bench") {
        runBlocking { runBenchmark() }
        return
    }
    val selected = if (args.isEmpty()) TESTS else TESTS.filter { (name, _) -> args.any { name.contains(it) } }
    var passed = 0
    var failed = 0
    for ((name, test) in selected) {
        val started = System.nanoTime()
        try {
            runBlocking { withTimeout(60_000) { test() } }
            passed++
            println("PASS  $name (${(System.nanoTime() - started) / 1_000_000} ms)")
        } catch (e: Throwable) {
            failed++
            println("FAIL  $name: $e")
            e.printStackTrace(System.out)
        }
    }
    println("kotlin: $passed passed, $failed failed")
    // JNA and uniffi keep non-daemon helpers around; leave explicitly.
    exitProcess(if (failed == 0) 0 else 1)
}
