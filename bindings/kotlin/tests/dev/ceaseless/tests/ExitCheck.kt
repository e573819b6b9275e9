// A JVM whose main ends while the library still has callbacks in flight must exit cleanly (code 0, no
// JVM crash report). Each case runs in a fresh JVM (ExitCheck.main, one case per process) many times,
// because the hazard is a race between Rust threads calling into Kotlin and the JVM shutting down.
package dev.ceaseless.tests

import dev.ceaseless.*
import java.io.File
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

private const val RUNS_PER_CASE = 12

private val CASES = listOf(
    "token provider raising, then shutdown",
    "token provider pending, no shutdown",
    "listener receiving publications, no shutdown",
    "publish pending, then shutdown",
)

/** One case, in a JVM of its own: `java ... dev.ceaseless.tests.ExitCheck <case>`. */
object ExitCheck {
    @JvmStatic
    fun main(args: Array<String>): Unit = runBlocking {
        when (args.first()) {
            CASES[0] -> {
                val failing = object : TokenProvider {
                    override suspend fun connectionToken(): String = throw IllegalStateException("token backend down")
                }
                val client = Client(Server.wsUrl, ClientOptions(reconnectDelayMinMs = 10u, reconnectDelayMaxMs = 20u), failing)
                client.connect()
                delay(100)
                client.shutdown()
            }
            CASES[1] -> {
                val hanging = object : TokenProvider {
                    override suspend fun connectionToken(): String = awaitCancellation()
                }
                Client(Server.wsUrl, ClientOptions(), hanging).connect()
                delay(100)
            }
            CASES[2] -> {
                val channel = Server.channel("exit")
                val client = Client(Server.wsUrl, ClientOptions(token = Server.token("exit")))
                val sub = client.newSubscription(channel, SubscriptionOptions())
                sub.addListener(object : EventListener {
                    override fun onEvent(event: Event) {}
                })
                client.connect()
                sub.subscribe()
                sub.ready()
                Server.publishBatch(channel, 0, 200)
            }
            else -> {
                val client = Client(Server.wsUrl, ClientOptions(token = Server.token("exit")))
                client.connect()
                client.ready()
                val channel = Server.channel("exit")
                coroutineScope {
                    repeat(20) { launch { runCatching { client.publishText(channel, "{}") } } }
                    client.shutdown()
                }
            }
        }
    }
}

suspend fun jvmExitsCleanlyWithCallbacksPending() {
    val javaBin = File(System.getProperty("java.home"), "bin/java").path
    val command = listOf(
        javaBin,
        "-Djna.library.path=${System.getProperty("jna.library.path")}",
        "-cp", System.getProperty("java.class.path"),
        "dev.ceaseless.tests.ExitCheck",
    )
    val pool = Executors.newFixedThreadPool(2)
    val failures = ConcurrentLinkedQueue<String>()
    for (case in CASES) repeat(RUNS_PER_CASE) { run ->
        pool.execute {
            val process = ProcessBuilder(command + case).redirectErrorStream(true).start()
            val output = process.inputStream.bufferedReader().readText()
            val exited = process.waitFor(60, TimeUnit.SECONDS)
            when {
                !exited -> { process.destroyForcibly(); failures.add("$case #$run: still running after 60 s") }
                process.exitValue() != 0 -> failures.add("$case #$run: exit ${process.exitValue()}\n${output.takeLast(2000)}")
                output.contains("fatal error", ignoreCase = true) -> failures.add("$case #$run: ${output.takeLast(2000)}")
            }
        }
    }
    pool.shutdown()
    check(pool.awaitTermination(10, TimeUnit.MINUTES)) { "the exit runs did not finish" }
    println("  JVM exit: ${CASES.size} cases x $RUNS_PER_CASE fresh JVMs = ${CASES.size * RUNS_PER_CASE} runs, ${failures.size} failed")
    check(failures.isEmpty()) { failures.joinToString("\n") }
}
