// swift-tools-version:6.0
import PackageDescription

// Layout = architecture. Dependencies point one way:
//   LuaHost (CLua, CLuaShim)           knows nothing of tags, HTTP or Pinterest
//   TagdJSON                            JSON values shared by intake, hashing and delivery
//   UserDataHashing, Dedup, PinterestCAPI   know nothing of Lua
//   Intake                              HTTP request -> common event data
//   TagRuntime                          joins Lua host, hashing, dedup and Pinterest
//   TagdServer                          the Hummingbird app; tagd wires it all
let package = Package(
    name: "tagd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tagd", targets: ["tagd"]),
        .library(name: "LuaHost", targets: ["LuaHost"]),
        .library(name: "TagRuntime", targets: ["TagRuntime"]),
        .library(name: "PinterestTesting", targets: ["PinterestTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev.
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        // What must be C: protected calls, budget hook, capped allocator, native-function trampoline,
        // step-counted pattern matching.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        .target(name: "LuaHost", dependencies: ["CLua", "CLuaShim"]),

        .target(name: "TagdJSON"),
        // SHA-256 from OpenSSL's libcrypto (Debian's libssl-dev), as the nginx + Lua peer hashes, on a context on
        // the stack (CSHA256).
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CSHA256", dependencies: ["COpenSSLCrypto"]),
        .target(name: "UserDataHashing", dependencies: ["TagdJSON", "CSHA256"]),
        .target(name: "Dedup"),
        .target(
            name: "PinterestCAPI",
            dependencies: [
                "TagdJSON", "Dedup",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The schema JSON is compiled in (Schema/EmbeddedSchema.swift, see scripts/embed-schema.sh);
            // the source files stay beside it for provenance only.
            exclude: ["Schema/events-create.openapi.json", "Schema/LICENSE", "Schema/SOURCES.md"]
        ),
        .target(
            name: "PinterestTesting",
            dependencies: [
                "PinterestCAPI", "TagdJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Intake", dependencies: ["TagdJSON"]),
        .target(
            name: "TagRuntime",
            dependencies: [
                "LuaHost", "TagdJSON", "UserDataHashing", "Dedup", "PinterestCAPI", "Intake",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "TagTesting", dependencies: ["TagRuntime", "Intake", "TagdJSON"]),
        .target(
            name: "TagdServer",
            dependencies: [
                "TagRuntime", "LuaHost", "Intake", "PinterestCAPI", "TagdJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                // Hits are answered in NIO's HTTP/1 types, before Hummingbird's channel converts them.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "tagd",
            dependencies: [
                "TagdServer", "TagRuntime", "TagTesting", "PinterestCAPI", "TagdJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `tagd serve` installs NIO's event loops as Swift's global executor (BENCHMARKS.md).
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "LuaHostBenchmark", dependencies: ["LuaHost"], path: "Benchmarks/LuaHostBenchmark"),
        .executableTarget(
            name: "HashingBenchmark", dependencies: ["UserDataHashing", "TagdJSON"], path: "Benchmarks/HashingBenchmark"),
        // `make bench`: the fake Pinterest as a process of its own, and the batcher's delivery rate.
        .executableTarget(
            name: "FakePinterestServer", dependencies: ["PinterestTesting"], path: "Benchmarks/FakePinterestServer"),
        .executableTarget(
            name: "DeliveryBenchmark",
            dependencies: ["PinterestCAPI", "PinterestTesting", "TagdJSON"],
            path: "Benchmarks/DeliveryBenchmark"),
        .executableTarget(name: "DedupBenchmark", dependencies: ["Dedup"], path: "Benchmarks/DedupBenchmark"),

        // The seeded generator the test suites share.
        .target(name: "TestRandom", path: "Tests/TestRandom"),
        .testTarget(name: "LuaHostTests", dependencies: ["LuaHost"]),
        .testTarget(name: "TagdJSONTests", dependencies: ["TagdJSON", "TestRandom"]),
        .testTarget(name: "UserDataHashingTests", dependencies: ["UserDataHashing", "TagdJSON", "TestRandom"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DedupTests", dependencies: ["Dedup", "TestRandom"]),
        .testTarget(
            name: "PinterestCAPITests",
            dependencies: [
                "PinterestCAPI", "PinterestTesting", "TagdJSON", "Dedup", "TestRandom",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "IntakeTests", dependencies: ["Intake", "TagdJSON", "TestRandom"]),
        .testTarget(name: "TagRuntimeTests", dependencies: ["TagRuntime", "UserDataHashing", "PinterestCAPI", "TestRandom"]),
        .testTarget(name: "TagTestingTests", dependencies: ["TagTesting", "TagRuntime"]),
        .testTarget(
            name: "TagdServerTests",
            dependencies: [
                "TagdServer", "PinterestTesting", "Intake",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds let the optimizer specialize and inline across our own modules: one hit crosses seven of them.
for target in package.targets where target.type != .system && target.name != "CLuaShim" {
    target.swiftSettings = (target.swiftSettings ?? [])
        + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
}
