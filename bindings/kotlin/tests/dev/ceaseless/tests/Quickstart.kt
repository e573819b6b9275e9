// The Kotlin quickstart of bindings/README.md, compiled with the tests so it stays true (not run).
package dev.ceaseless.tests

import dev.ceaseless.*
import kotlinx.coroutines.flow.collect

class MyTokens : TokenProvider {
    override suspend fun connectionToken(): String = fetchJwtFromMyBackend()
}

suspend fun fetchJwtFromMyBackend(): String = Server.token("me")

suspend fun quickstart() {
    val client = Client("wss://example.com/connection/websocket", ClientOptions(), MyTokens())
    val chat = client.newSubscription("chat", SubscriptionOptions(recoverable = true, positioned = true))
    val events = chat.events() // open before subscribe to see everything
    client.connect()
    chat.subscribe()
    chat.ready()
    client.publishText("chat", """{"text":"hi"}""")
    events.publications().collect { publication ->
        println("${publication.offset}: ${publication.text}")
    }
}
