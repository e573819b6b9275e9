// Hand-written Kotlin conveniences over the generated bindings (ceaseless_ffi.kt): Flows over event
// streams, text views of byte payloads, and `code` / `temporary` on the one error type.
package dev.ceaseless

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/** How many queued events one boundary crossing takes at most. */
const val DEFAULT_BATCH: UInt = 256u

/**
 * This stream's events as a [Flow]. Each batch of queued events crosses from Rust in one call
 * ([EventStream.nextBatch]); the flow completes when the stream ends (client shut down or dropped, or
 * [EventStream.cancel]). An event stream has one reader: collect the flow once.
 */
fun EventStream.asFlow(batchSize: UInt = DEFAULT_BATCH): Flow<Event> = flow {
    while (true) {
        val batch = nextBatch(batchSize)
        if (batch.isEmpty()) break
        for (event in batch) emit(event)
    }
}

/**
 * Client-level events as a [Flow], from the moment collection starts; the stream is cancelled and freed
 * when collection ends.
 */
fun Client.eventFlow(batchSize: UInt = DEFAULT_BATCH): Flow<Event> = flow {
    events().use { stream ->
        try {
            stream.asFlow(batchSize).collect { emit(it) }
        } finally {
            stream.cancel()
        }
    }
}

/**
 * This subscription's events as a [Flow], from the moment collection starts. To see every event of a
 * new subscription, open [Subscription.events] before [Subscription.subscribe] and use [asFlow].
 */
fun Subscription.eventFlow(batchSize: UInt = DEFAULT_BATCH): Flow<Event> = flow {
    events().use { stream ->
        try {
            stream.asFlow(batchSize).collect { emit(it) }
        } finally {
            stream.cancel()
        }
    }
}

/** Only the publications of this stream, in order, each once. */
fun EventStream.publications(batchSize: UInt = DEFAULT_BATCH): Flow<Publication> = flow {
    asFlow(batchSize).collect { if (it is Event.Publication) emit(it.publication) }
}

/** The publication's data as text (JSON text in JSON mode). */
val Publication.text: String get() = data.decodeToString()

/** The message's data as text. */
val Event.Message.text: String get() = data.decodeToString()

/** The stable numeric code: the Rust client's code, or the server's own (100 and up). */
val CeaselessException.code: UInt
    get() = when (this) {
        is CeaselessException.Timeout -> code
        is CeaselessException.Transport -> code
        is CeaselessException.Disconnected -> code
        is CeaselessException.Closed -> code
        is CeaselessException.Token -> code
        is CeaselessException.Unauthorized -> code
        is CeaselessException.Unsubscribed -> code
        is CeaselessException.OutcomeUnknown -> code
        is CeaselessException.Config -> code
        is CeaselessException.InvalidUrl -> code
        is CeaselessException.InvalidChannel -> code
        is CeaselessException.InvalidPayload -> code
        is CeaselessException.MessageTooLarge -> code
        is CeaselessException.DuplicateSubscription -> code
        is CeaselessException.Protocol -> code
        is CeaselessException.QueueFull -> code
        is CeaselessException.Suspended -> code
        is CeaselessException.Callback -> code
        is CeaselessException.Internal -> code
        is CeaselessException.InvalidTagsFilter -> code
        is CeaselessException.Server -> code
    }

/** Whether retrying the same call later may succeed. */
val CeaselessException.temporary: Boolean
    get() = when (this) {
        is CeaselessException.Timeout -> temporary
        is CeaselessException.Transport -> temporary
        is CeaselessException.Disconnected -> temporary
        is CeaselessException.Closed -> temporary
        is CeaselessException.Token -> temporary
        is CeaselessException.Unauthorized -> temporary
        is CeaselessException.Unsubscribed -> temporary
        is CeaselessException.OutcomeUnknown -> temporary
        is CeaselessException.Config -> temporary
        is CeaselessException.InvalidUrl -> temporary
        is CeaselessException.InvalidChannel -> temporary
        is CeaselessException.InvalidPayload -> temporary
        is CeaselessException.MessageTooLarge -> temporary
        is CeaselessException.DuplicateSubscription -> temporary
        is CeaselessException.Protocol -> temporary
        is CeaselessException.QueueFull -> temporary
        is CeaselessException.Suspended -> temporary
        is CeaselessException.Callback -> temporary
        is CeaselessException.Internal -> temporary
        is CeaselessException.InvalidTagsFilter -> temporary
        is CeaselessException.Server -> temporary
    }

/**
 * The error a [TokenProvider] throws when the user is signed out: the client stops for good
 * (`throw CeaselessException.unauthorized("signed out")`). Built by the library, so its code is the
 * core's.
 */
fun CeaselessException.ErrorHandler.unauthorized(detail: String = ""): CeaselessException =
    unauthorizedError(detail)
