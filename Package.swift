// swift-tools-version:6.1
// The runme package: a job runner with experiment tracking for a DNS threat-detection job.
//
// Layers, top to bottom (dependencies point down only):
//   runme (CLI)
//     -> DNSAnalyticsJob (Jobs/: the manifest and the four steps)
//       -> JobRunner -> Tracking -> Lakehouse -> CSQLite
//       -> domain modules: DNSData (readers, PSL, URLhaus, typosquats, GeoIP, tables) -> Lakehouse, Fetch
//          DGAModel (XGBoost, featurizer, metrics, AutoML) -> CXGBoost, Tracking
//         -> Fetch -> CCurl, CZlib;  Digest -> CLibCrypto;  CMaxMindDB
import PackageDescription

let package = Package(
    name: "runme",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "runme", targets: ["runme"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C bindings: system libraries from Debian, with typed shims for what Swift cannot import.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMaxMindDB", pkgConfig: "libmaxminddb", providers: [.apt(["libmaxminddb-dev"])]),
        .systemLibrary(name: "CXGBoost", pkgConfig: "xgboost", providers: [.apt(["libxgboost-dev"])]),

        // Storage and support.
        .target(name: "Digest", dependencies: ["CLibCrypto"]),
        .target(name: "Lakehouse", dependencies: ["CSQLite"]),
        .target(name: "Tracking", dependencies: ["Lakehouse", "Digest"]),
        .target(name: "Fetch", dependencies: ["CCurl", "CZlib", "Digest"]),

        // Domain modules.
        .target(name: "DNSData", dependencies: ["Lakehouse", "Fetch", "Digest", "CMaxMindDB"]),
        .target(name: "DGAModel", dependencies: ["CXGBoost", "Digest", "Tracking"]),

        // The job machinery and the job itself.
        .target(name: "JobRunner", dependencies: ["Tracking"]),
        .target(
            name: "DNSAnalyticsJob",
            dependencies: ["JobRunner", "Tracking", "Digest", "DNSData", "DGAModel", "Fetch", "Lakehouse"],
            path: "Jobs",
            exclude: ["dns_analytics.json", "README.md"]
        ),
        .executableTarget(
            name: "runme",
            dependencies: [
                "DNSAnalyticsJob", "JobRunner", "Tracking", "Lakehouse", "DNSData", "DGAModel", "Digest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Tracking", "JobRunner", "DGAModel"], path: "Tests/TestSupport"),
        .testTarget(name: "LakehouseTests", dependencies: ["Lakehouse", "TestSupport"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "Digest", "TestSupport"]),
        .testTarget(name: "JobRunnerTests", dependencies: ["JobRunner", "Tracking", "TestSupport"]),
        .testTarget(name: "RunmeCLITests", dependencies: ["runme", "Tracking", "Lakehouse", "DGAModel", "DNSData", "TestSupport"]),
        .testTarget(name: "FetchTests", dependencies: ["Fetch", "TestSupport"]),
        .testTarget(name: "DNSDataTests", dependencies: ["DNSData", "Lakehouse", "TestSupport"]),
        .testTarget(name: "DGAModelTests", dependencies: ["DGAModel", "Tracking", "TestSupport"]),
    ]
)
