// The Centrifugo server the tests run against (started by bindings/run-tests.sh), HS256 tokens minted
// with javax.crypto, and the server HTTP API for publishing from outside the client under test.
package dev.ceaseless.tests

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.Base64
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

object Server {
    private fun env(name: String): String =
        System.getenv(name) ?: throw IllegalStateException("$name is not set (run bindings/run-tests.sh)")

    /** `ws://127.0.0.1:PORT/connection/websocket`. */
    val wsUrl: String by lazy { env("CEASELESS_WS_URL") }
    private val apiUrl: String by lazy { env("CEASELESS_API_URL") }
    private val apiKey: String by lazy { env("CEASELESS_API_KEY") }
    private val secret: String by lazy { env("CEASELESS_HMAC_SECRET") }
    private val http: HttpClient = HttpClient.newHttpClient()
    private val unique = AtomicInteger()

    /** A channel name no other test uses, e.g. `test:flow-1718-3`. */
    fun channel(prefix: String): String = "test:$prefix-${System.currentTimeMillis() % 100000}-${unique.incrementAndGet()}"

    private fun b64(bytes: ByteArray): String = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)

    /** An HS256 connection token for [user], expiring [ttlSeconds] from now (never when null). */
    fun token(user: String, ttlSeconds: Long? = null): String {
        val header = b64("""{"alg":"HS256","typ":"JWT"}""".toByteArray())
        val exp = ttlSeconds?.let { ""","exp":${System.currentTimeMillis() / 1000 + it}""" } ?: ""
        val payload = b64("""{"sub":"$user"$exp}""".toByteArray())
        val mac = Mac.getInstance("HmacSHA256")
        mac.init(SecretKeySpec(secret.toByteArray(), "HmacSHA256"))
        val signature = b64(mac.doFinal("$header.$payload".toByteArray()))
        return "$header.$payload.$signature"
    }

    private fun call(method: String, body: String): String {
        val request = HttpRequest.newBuilder(URI.create("$apiUrl/$method"))
            .header("X-API-Key", apiKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 200) { "API $method answered ${response.statusCode()}: ${response.body()}" }
        check(!response.body().contains("\"error\"")) { "API $method failed: ${response.body()}" }
        return response.body()
    }

    /** Publishes the JSON text [data] into [channel] through the server API. */
    fun publish(channel: String, data: String) {
        call("publish", """{"channel":"$channel","data":$data}""")
    }

    /** A channel name in [namespace] no other test uses. */
    fun channelIn(namespace: String, prefix: String): String =
        "$namespace:$prefix-${System.currentTimeMillis() % 100000}-${unique.incrementAndGet()}"

    /** Publishes the JSON text [data] into [channel] with publication [tags]. */
    fun publishTagged(channel: String, data: String, tags: Map<String, String>) {
        val tagsJson = tags.entries.joinToString(",", "{", "}") { (k, v) -> "\"$k\":\"$v\"" }
        call("publish", """{"channel":"$channel","data":$data,"tags":$tagsJson}""")
    }

    /** The stream top of [channel] (history with limit 0). */
    fun streamTop(channel: String): Pair<ULong, String> {
        val body = call("history", """{"channel":"$channel","limit":0}""")
        val offset = Regex("\"offset\":(\\d+)").find(body)?.groupValues?.get(1)?.toULong() ?: 0uL
        val epoch = Regex("\"epoch\":\"([^\"]*)\"").find(body)?.groupValues?.get(1) ?: ""
        return offset to epoch
    }

    /** Publishes `{"n":from}` … `{"n":from+count-1}` into [channel] in one batch request. */
    fun publishBatch(channel: String, from: Int, count: Int) {
        val commands = (from until from + count).joinToString(",") { """{"publish":{"channel":"$channel","data":{"n":$it}}}""" }
        call("batch", """{"commands":[$commands]}""")
    }

    /** Disconnects every connection of [user] with a code that lets clients reconnect. */
    fun disconnect(user: String) {
        call("disconnect", """{"user":"$user","disconnect":{"code":4000,"reason":"test"}}""")
    }

    /** How many connections the server has subscribed to [channel]. */
    fun subscribers(channel: String): Int {
        val body = call("presence_stats", """{"channel":"$channel"}""")
        return Regex("\"num_clients\":(\\d+)").find(body)?.groupValues?.get(1)?.toInt() ?: 0
    }

    /** An HS256 subscription token for [user] in [channel]. */
    fun subscriptionToken(user: String, channel: String): String {
        val header = b64("""{"alg":"HS256","typ":"JWT"}""".toByteArray())
        val payload = b64("""{"sub":"$user","channel":"$channel"}""".toByteArray())
        val mac = Mac.getInstance("HmacSHA256")
        mac.init(SecretKeySpec(secret.toByteArray(), "HmacSHA256"))
        return "$header.$payload.${b64(mac.doFinal("$header.$payload".toByteArray()))}"
    }
}
