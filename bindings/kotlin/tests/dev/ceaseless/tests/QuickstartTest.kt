// Runs bindings/README.md's Kotlin quickstart (compiled from the README by run-tests.sh, with only the
// server URL replaced) and checks it prints the README's ```text block after the code, line by line.
// The quickstart streams forever, as the README's does, so it is cancelled once it printed that much.
package dev.ceaseless.tests

import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/** The README quickstart's `fetchJwtFromMyBackend()`: the app's backend, here a JWT signed by the test. */
suspend fun fetchJwtFromMyBackend(): String = Server.token("me")

/** What the README says the quickstart prints. */
private fun readmeOutput(): List<String> {
    val readme = File("bindings/README.md").readText()
    val section = readme.substring(readme.indexOf("\n## Kotlin quickstart\n"))
    val code = Regex("\n```kotlin\n.*?\n```\n", RegexOption.DOT_MATCHES_ALL).find(section)
        ?: throw AssertionFailed("the quickstart has a ```kotlin block")
    val printed = Regex("\n```text\n(.*?)\n```\n", RegexOption.DOT_MATCHES_ALL)
        .find(section, code.range.last)
        ?: throw AssertionFailed("the quickstart says what it prints, in a ```text block after the code")
    return printed.groupValues[1].lines()
}

suspend fun readmeQuickstartPrintsWhatItSays() {
    val expected = readmeOutput()
    val captured = ByteArrayOutputStream()
    val console = System.out
    System.setOut(PrintStream(captured, true, "UTF-8"))
    val printed = try {
        coroutineScope {
            val running = launch { quickstart() }
            withTimeoutOrNull(20_000) {
                while (captured.toString("UTF-8").lines().size <= expected.size) delay(20)
            }
            val stillRunning = running.isActive
            running.cancelAndJoin()
            check(stillRunning) { "the quickstart stopped by itself" }
            captured.toString("UTF-8").lines().dropLast(1)
        }
    } finally {
        System.setOut(console)
    }
    checkEquals(expected, printed, "what the quickstart printed")
}
