// swift-tools-version:5.9
// The Swift library: the generated bindings (Sources/Ceaseless/Ceaseless.swift, committed and checked
// against the exported interface in CI), the hand-written EventSequence.swift, and the Rust library as
// an XCFramework that build-xcframework.sh makes on a Mac (it holds Headers/ and the static libraries).
import PackageDescription

let package = Package(
    name: "Ceaseless",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Ceaseless", targets: ["Ceaseless"]),
    ],
    targets: [
        .binaryTarget(name: "CeaselessFFI", path: "CeaselessFFI.xcframework"),
        .target(name: "Ceaseless", dependencies: ["CeaselessFFI"], path: "Sources/Ceaseless"),
        .testTarget(name: "CeaselessTests", dependencies: ["Ceaseless"], path: "Tests/CeaselessTests"),
    ]
)
