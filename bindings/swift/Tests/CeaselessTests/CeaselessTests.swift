// XCTest sources for the Swift library, mirroring the Kotlin tests. Not run in our CI (no Swift
// toolchain on Linux there); on a Mac: build the XCFramework, start Centrifugo with
// bindings/kotlin/tests/centrifugo.json, export the variables below and run `swift test`.
//   CEASELESS_WS_URL       ws://127.0.0.1:PORT/connection/websocket
//   CEASELESS_API_URL      http://127.0.0.1:PORT/api
//   CEASELESS_API_KEY, CEASELESS_HMAC_SECRET   from that config

import CryptoKit
import Foundation
import XCTest

@testable import Ceaseless

private func env(_ name: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name] else { throw XCTSkip("\(name) is not set") }
    return value
}

private func base64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// An HS256 token for `user`, `ttl` seconds long (forever when nil).
private func mintToken(_ user: String, ttl: Int? = nil) throws -> String {
    let secret = try env("CEASELESS_HMAC_SECRET")
    let header = base64url(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    let exp = ttl.map { #","exp":\#(Int(Date().timeIntervalSince1970) + $0)"# } ?? ""
    let payload = base64url(Data(#"{"sub":"\#(user)"\#(exp)}"#.utf8))
    let key = SymmetricKey(data: Data(secret.utf8))
    let signature = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: key)
    return "\(header).\(payload).\(base64url(Data(signature)))"
}

/// Publishes JSON through the server API.
private func publish(_ channel: String, _ json: String) async throws {
    var request = URLRequest(url: URL(string: try env("CEASELESS_API_URL") + "/publish")!)
    request.httpMethod = "POST"
    request.setValue(try env("CEASELESS_API_KEY"), forHTTPHeaderField: "X-API-Key")
    request.httpBody = Data(#"{"channel":"\#(channel)","data":\#(json)}"#.utf8)
    let (_, response) = try await URLSession.shared.data(for: request)
    XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
}

private func channel(_ prefix: String) -> String { "test:\(prefix)-\(UUID().uuidString.prefix(8))" }

final class Tokens: TokenProvider, @unchecked Sendable {
    let user: String
    let ttl: Int?
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.withLock { count } }

    init(_ user: String, ttl: Int? = nil) {
        self.user = user
        self.ttl = ttl
    }

    func connectionToken() async throws -> String {
        lock.withLock { count += 1 }
        return try mintToken(user, ttl: ttl)
    }
}

final class MemoryStore: PositionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var positions: [String: StreamPosition] = [:]

    func load(channel: String) throws -> StreamPosition? { lock.withLock { positions[channel] } }
    func save(channel: String, position: StreamPosition) throws { lock.withLock { positions[channel] = position } }
}

struct Locked: Error {}

final class FailingTokens: TokenProvider, @unchecked Sendable {
    func connectionToken() async throws -> String { throw Locked() }
}

final class CeaselessTests: XCTestCase {
    func testConnectWithProviderToken() async throws {
        let tokens = Tokens("alice")
        let client = try Client(url: try env("CEASELESS_WS_URL"), tokenProvider: tokens)
        client.connect()
        try await client.ready()
        XCTAssertEqual(client.state(), .connected)
        XCTAssertEqual(tokens.calls, 1)
        await client.shutdown()
        XCTAssertEqual(client.state(), .closed)
    }

    func testSubscribePublishReceive() async throws {
        let client = try Client(url: try env("CEASELESS_WS_URL"), tokenProvider: Tokens("alice"))
        let name = channel("swift-flow")
        let sub = try client.newSubscription(channel: name, options: SubscriptionOptions(positioned: true, recoverable: true))
        let stream = sub.events()
        client.connect()
        sub.subscribe()
        try await sub.ready()
        for n in 1...3 { try await client.publishText(channel: name, text: #"{"n":\#(n)}"#) }
        var texts: [String] = []
        for await publication in stream.publications {
            texts.append(publication.text ?? "")
            if texts.count == 3 { break }
        }
        XCTAssertEqual(texts, [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
        await client.shutdown()
    }

    func testTokenProviderErrorIsTyped() async throws {
        let client = try Client(url: try env("CEASELESS_WS_URL"), tokenProvider: FailingTokens())
        let events = client.events()
        client.connect()
        for await event in events.events {
            if case let .error(error) = event {
                XCTAssertEqual(error.code, 5)
                XCTAssertTrue(error.temporary)
                break
            }
        }
        await client.shutdown()
    }

    func testSecondClientResumesFromPositionStore() async throws {
        let url = try env("CEASELESS_WS_URL")
        let store = MemoryStore()
        let name = channel("swift-resume")
        let options = SubscriptionOptions(positioned: true, recoverable: true)
        do {
            let first = try Client(url: url, options: ClientOptions(positionStore: .app(store: store)), tokenProvider: Tokens("bob"))
            let sub = try first.newSubscription(channel: name, options: options)
            let stream = sub.events()
            first.connect()
            sub.subscribe()
            try await sub.ready()
            try await publish(name, #"{"n":1}"#)
            for await _ in stream.publications { break }
            await first.shutdown()
        }
        try await publish(name, #"{"n":2}"#)
        let second = try Client(url: url, options: ClientOptions(positionStore: .app(store: store)), tokenProvider: Tokens("bob"))
        let sub = try second.newSubscription(channel: name, options: options)
        let stream = sub.events()
        second.connect()
        sub.subscribe()
        for await publication in stream.publications {
            XCTAssertEqual(publication.text, #"{"n":2}"#)
            XCTAssertEqual(publication.offset, 2)
            break
        }
        await second.shutdown()
    }

    func testWakeCatchesUp() async throws {
        let client = try Client(
            url: try env("CEASELESS_WS_URL"), options: ClientOptions(backgroundGrace: .after(ms: 100)), tokenProvider: Tokens("carol"))
        let name = channel("swift-wake")
        let sub = try client.newSubscription(channel: name, options: SubscriptionOptions(positioned: true, recoverable: true))
        client.connect()
        sub.subscribe()
        try await sub.ready()
        client.setAppState(state: .background)
        while client.state() != .disconnected { try await Task.sleep(nanoseconds: 20_000_000) }
        for n in 1...3 { try await publish(name, #"{"n":\#(n)}"#) }
        let report = try await client.wake(reason: "push", maxDurationMs: 10_000)
        XCTAssertTrue(report.caughtUp)
        XCTAssertEqual(report.publications[name], 3)
        await client.shutdown()
    }

    func testHttpStreamingAndProtobufOptions() async throws {
        let options = ClientOptions(format: .protobuf, transports: [.httpStream], reconnectDelayMinMs: 50)
        let client = try Client(url: try env("CEASELESS_WS_URL"), options: options, tokenProvider: Tokens("dave"))
        let events = client.events()
        client.connect()
        for await event in events.events {
            if case let .connected(_, _, _, transport) = event {
                XCTAssertEqual(transport, "http_stream")
                break
            }
        }
        let name = channel("swift-delta")
        let sub = try client.newSubscription(channel: name, options: SubscriptionOptions(delta: true))
        let stream = sub.events()
        sub.subscribe()
        try await sub.ready()
        let bytes = Data([0, 1, 2, 255])
        try await client.publish(channel: name, data: bytes)
        for await publication in stream.publications {
            XCTAssertEqual(publication.data, bytes)
            break
        }
        await client.shutdown()
    }

    func testBadOptionsAreTypedErrors() throws {
        let url = try env("CEASELESS_WS_URL")
        XCTAssertThrowsError(try Client(url: url, options: ClientOptions(tlsRootCaPem: ["not a certificate"]))) { error in
            guard case .Config = error as? CeaselessError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Client(url: url, options: ClientOptions(proxy: "socks5://127.0.0.1:1080"))) { error in
            guard case .InvalidUrl = error as? CeaselessError else { return XCTFail("\(error)") }
        }
    }
}
