// Hand-written Swift conveniences over the generated bindings (Ceaseless.swift): `for await` over event
// streams, text views of byte payloads, and `code` / `temporary` on the one error type.
// Not compiled in our CI (no Swift toolchain there); the generated file next to it is checked instead.

import Foundation

/// How many queued events one boundary crossing takes at most.
public let defaultEventBatch: UInt32 = 256

/// An `AsyncSequence` over an `EventStream`. Each batch of queued events crosses from Rust in one call
/// (`nextBatch`); the sequence finishes when the stream ends (client shut down, `cancel()`). An event
/// stream has one reader: iterate it from one task.
public struct EventSequence: AsyncSequence, Sendable {
    public typealias Element = Event

    let stream: EventStream
    let batchSize: UInt32

    public init(_ stream: EventStream, batchSize: UInt32 = defaultEventBatch) {
        self.stream = stream
        self.batchSize = batchSize
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: stream, batchSize: batchSize)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let stream: EventStream
        let batchSize: UInt32
        var buffer: [Event] = []
        var index = 0
        var finished = false

        public mutating func next() async -> Event? {
            if index == buffer.count {
                if finished { return nil }
                buffer = await stream.nextBatch(max: batchSize)
                index = 0
                if buffer.isEmpty {
                    finished = true
                    return nil
                }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

extension EventStream {
    /// This stream as an `AsyncSequence`: `for await event in stream.events { ... }`.
    public var events: EventSequence { EventSequence(self) }

    /// Only the publications, in order, each once.
    public var publications: AsyncCompactMapSequence<EventSequence, Publication> {
        EventSequence(self).compactMap { event in
            if case let .publication(_, publication) = event { return publication }
            return nil
        }
    }
}

extension Publication {
    /// The data as text (JSON text in JSON mode), or nil if it is not UTF-8.
    public var text: String? { String(data: data, encoding: .utf8) }
}

extension CeaselessError {
    /// The stable numeric code: the Rust client's code, or the server's own (100 and up).
    public var code: UInt32 { parts.code }

    /// Whether retrying the same call later may succeed.
    public var temporary: Bool { parts.temporary }

    private var parts: (code: UInt32, temporary: Bool) {
        switch self {
        case let .Timeout(code, temporary, _), let .Transport(code, temporary, _),
             let .Disconnected(code, temporary, _), let .Closed(code, temporary, _),
             let .Token(code, temporary, _), let .Unauthorized(code, temporary, _),
             let .Unsubscribed(code, temporary, _), let .OutcomeUnknown(code, temporary, _),
             let .Config(code, temporary, _), let .InvalidUrl(code, temporary, _),
             let .InvalidChannel(code, temporary, _), let .InvalidPayload(code, temporary, _),
             let .MessageTooLarge(code, temporary, _), let .DuplicateSubscription(code, temporary, _),
             let .Protocol(code, temporary, _), let .QueueFull(code, temporary, _),
             let .Suspended(code, temporary, _), let .Callback(code, temporary, _),
             let .Internal(code, temporary, _), let .InvalidTagsFilter(code, temporary, _),
             let .Server(code, temporary, _):
            return (code, temporary)
        }
    }

    /// The error a `TokenProvider` throws when the user is signed out: the client stops for good.
    /// Built by the library, so its code is the core's.
    public static func unauthorized(_ detail: String = "") -> CeaselessError {
        unauthorizedError(detail: detail)
    }
}
