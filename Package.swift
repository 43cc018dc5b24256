// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Ballast",
    products: [
        .executable(name: "ballast", targets: ["ballast"]),
        .library(name: "BallastCore", targets: ["BallastCore"]),
        .library(name: "BallastHTTP", targets: ["BallastHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/attaswift/BigInt", exact: "6.0.1"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // libcurl as the system provides it; the shims below give Swift typed entry points.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CCurlShims", dependencies: ["CCurl"]),
        // COIN-OR CBC, the mixed-integer solver, as the system provides it.
        .systemLibrary(
            name: "CCbc",
            pkgConfig: "cbc",
            providers: [.apt(["coinor-libcbc-dev"])]
        ),
        // CBC and CLP solves with their failed assertions turned into errors (see guard.c).
        .target(name: "CCbcGuard", dependencies: ["CCbc"]),
        // Linear and mixed-integer programs as values, solved by CBC: pure computation, no I/O.
        .target(name: "BallastOptimization", dependencies: ["CCbc", "CCbcGuard"]),
        .target(
            name: "BallastCore",
            dependencies: ["BallastOptimization", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "BallastHTTP",
            dependencies: ["CCurl", "CCurlShims", .product(name: "DequeModule", package: "swift-collections")]
        ),
        // Adapters: chain configuration, wire formats of RPC nodes, price and fee APIs, and the tick that pulls them.
        .target(
            name: "BallastChains",
            dependencies: ["BallastCore", "BallastHTTP", .product(name: "BigInt", package: "BigInt")]
        ),
        // zlib as the system provides it: the journal stores snapshots compressed.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The journal: cycles, the snapshots they decided from, and every intended transfer (SQLite through GRDB).
        .target(
            name: "BallastStore",
            dependencies: ["BallastCore", "CZlib", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // One rebalancing cycle: in-flight accounting, guard rails, and the executors (dry-run, signed webhook).
        .target(
            name: "BallastExecution",
            dependencies: [
                "BallastCore", "BallastStore", "BallastHTTP", "BallastChains",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `ballast backtest`: the service's decision loop in simulated time against a ledger, the
        // seed's greedy rebalancer as the baseline, and the HTML report.
        .target(
            name: "BallastBacktest",
            dependencies: ["BallastCore", "BallastStore", "BallastExecution", "BallastSandbox", "BallastSimulation", "BallastReports"]
        ),
        // Synthetic markets for benchmarks and simulation; never a source of real decisions.
        .target(name: "BallastSimulation", dependencies: ["BallastCore"]),
        // What a person or a program reads: tables and stable JSON, apart from the command line
        // so the fuzzers render exactly what `ballast` prints.
        .target(name: "BallastReports", dependencies: ["BallastCore", "BallastStore"]),
        // Fuzz targets (scripts/fuzz builds them with libFuzzer in .build-fuzz); in a normal
        // build, `ballast-fuzz` replays inputs, and the tests replay every committed one.
        .target(name: "BallastFuzzing", dependencies: ["BallastCore", "BallastChains", "BallastReports", .product(name: "BigInt", package: "BigInt")]),
        .executableTarget(name: "ballast-fuzz", dependencies: ["BallastFuzzing"]),
        // `ballast serve`: the tick loop, the HTTP API and dashboard, metrics and alerts.
        .target(
            name: "BallastService",
            dependencies: [
                "BallastCore", "BallastChains", "BallastHTTP", "BallastStore", "BallastExecution", "BallastReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "ballast",
            dependencies: [
                "BallastService",
                "BallastCore",
                "BallastOptimization",
                "BallastHTTP",
                "BallastChains",
                "BallastStore",
                "BallastExecution",
                "BallastSimulation",
                "BallastSandbox",
                "BallastBacktest",
                "BallastReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // A simulated multi-chain market on loopback, and a webhook receiver: the tests' servers and the pull benchmark's.
        .target(
            name: "BallastSandbox",
            dependencies: [
                "BallastCore",
                "BallastHTTP",
                // The receivers verify, and the custody simulator signs, exactly as Ballast signs.
                "BallastExecution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "BallastOptimizationTests", dependencies: ["BallastOptimization"]),
        .testTarget(name: "BallastFuzzingTests", dependencies: ["BallastFuzzing"]),
        .testTarget(name: "BallastCoreTests", dependencies: ["BallastCore", "BallastSimulation", "BallastSandbox"], exclude: ["Reference"]),
        .testTarget(name: "BallastHTTPTests", dependencies: ["BallastHTTP", "CCurl", "BallastSandbox"]),
        .testTarget(name: "BallastChainsTests", dependencies: ["BallastChains", "BallastSandbox"]),
        .testTarget(name: "BallastStoreTests", dependencies: ["BallastStore", "BallastSandbox"]),
        .testTarget(name: "BallastExecutionTests", dependencies: ["BallastExecution", "BallastStore", "BallastSandbox"]),
        .testTarget(name: "BallastBacktestTests", dependencies: ["BallastBacktest", "BallastSandbox", "BallastSimulation", "BallastCore"]),
        .testTarget(name: "BallastServiceTests", dependencies: ["BallastService", "BallastReports", "BallastSandbox", "BallastStore", "BallastHTTP", "BallastChains", "BallastCore"]),
        .testTarget(
            name: "BallastCLITests",
            dependencies: ["ballast", "BallastSandbox", "BallastStore", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
