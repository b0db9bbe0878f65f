// swift-tools-version:6.1
// The runme package: a job runner with experiment tracking for a DNS threat-detection job.
//
// Layers, top to bottom (dependencies point down only):
//   runme (CLI)
//     -> DNSAnalyticsJob (Jobs/: the manifest and the four steps)
//       -> JobRunner -> Tracking -> Lakehouse -> CSQLite
//       -> domain modules: DNSData (readers, PSL, URLhaus, typosquats, GeoIP, tables) -> Lakehouse, Fetch
//          DGAModel (XGBoost, featurizer, metrics, AutoML) -> CXGBoost, CLinear, CPrefetch, Tracking
//          Alerts (SQL alerts, states, Mustache templates, notifications) -> Lakehouse, Tracking, Fetch
//          MLflowExport (publish the store to an MLflow server) -> Tracking, Fetch
//          Reports (experiment, job-run and IoC pages) -> Tracking, Lakehouse
//         -> Fetch -> CCurl, CZlib;  Digest -> CLibCrypto;  CMaxMindDB
import PackageDescription

// The modules that featurize, train and score are compiled with optimization in debug builds
// too: unoptimized, their per-character loops ran 10-50 times slower, and the tests (which
// train and score on the real sample lists) spent most of their time there. Debug symbols and
// `@testable` still work.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "runme",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "runme", targets: ["runme"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // C bindings: system libraries from Debian, with typed shims for what Swift cannot import.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMaxMindDB", pkgConfig: "libmaxminddb", providers: [.apt(["libmaxminddb-dev"])]),
        .systemLibrary(name: "CXGBoost", pkgConfig: "xgboost", providers: [.apt(["libxgboost-dev"])]),
        // LIBLINEAR has no pkg-config file: its header and library are in the default paths.
        .systemLibrary(name: "CLinear", providers: [.apt(["liblinear-dev"])]),
        // A cache prefetch hint for the featurizer's batch path (Swift has no prefetch builtin).
        .target(name: "CPrefetch"),
        // glibc's malloc tuning (<malloc.h>, which Swift's Glibc module leaves out).
        .target(name: "CMalloc"),

        // Storage and support.
        .target(name: "Digest", dependencies: ["CLibCrypto"]),
        .target(name: "Hashing", swiftSettings: optimizedInDebug),
        .target(name: "Lakehouse", dependencies: ["CSQLite"], swiftSettings: optimizedInDebug),
        .target(name: "Tracking", dependencies: ["Lakehouse", "Digest"]),
        .target(name: "Fetch", dependencies: ["CCurl", "CZlib", "Digest"]),

        // Domain modules.
        .target(name: "DNSData", dependencies: ["Lakehouse", "Fetch", "Digest", "Hashing", "CMaxMindDB"], swiftSettings: optimizedInDebug),
        .target(name: "DGAModel", dependencies: ["CXGBoost", "CLinear", "CPrefetch", "Digest", "Hashing", "Tracking"], swiftSettings: optimizedInDebug),
        .target(
            name: "Alerts",
            dependencies: ["Lakehouse", "Tracking", "Fetch", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(name: "MLflowExport", dependencies: ["Tracking", "Fetch", "Digest"]),

        // The scoring pipeline: declarative tables with expectations over incremental log files.
        .target(name: "Pipeline", dependencies: ["Lakehouse", "DNSData", "DGAModel", "Fetch", "Hashing", "Tracking", "CPrefetch", "CMalloc"], swiftSettings: optimizedInDebug),

        // Experiment, job-run and IoC pages (HTML with inline SVG) and their terminal tables.
        .target(name: "Reports", dependencies: ["Tracking", "Lakehouse", "Hashing"]),

        // The job machinery and the job itself.
        .target(name: "JobRunner", dependencies: ["Tracking"]),
        .target(
            name: "DNSAnalyticsJob",
            dependencies: ["JobRunner", "Tracking", "Digest", "DNSData", "DGAModel", "Fetch", "Lakehouse", "Alerts", "Pipeline"],
            path: "Jobs",
            exclude: ["dns_analytics.json", "README.md", "alerts", "spark"]
        ),
        .executableTarget(
            name: "runme",
            dependencies: [
                "DNSAnalyticsJob", "JobRunner", "Tracking", "Lakehouse", "DNSData", "DGAModel", "Digest",
                "Alerts",
                "MLflowExport",
                "Pipeline",
                "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Tracking", "JobRunner", "DGAModel", "CZlib"], path: "Tests/TestSupport"),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "LakehouseTests", dependencies: ["Lakehouse", "TestSupport"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "Digest", "TestSupport"]),
        .testTarget(name: "JobRunnerTests", dependencies: ["JobRunner", "Tracking", "TestSupport"]),
        .testTarget(name: "RunmeCLITests", dependencies: ["runme", "Tracking", "Lakehouse", "DGAModel", "DNSData", "TestSupport"]),
        .testTarget(name: "FetchTests", dependencies: ["Fetch", "Digest", "TestSupport"]),
        .testTarget(name: "DNSDataTests", dependencies: ["DNSData", "Lakehouse", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "CMalloc", "DNSAnalyticsJob", "JobRunner", "DNSData", "DGAModel", "Lakehouse", "Tracking", "TestSupport"]),
        .testTarget(name: "DGAModelTests", dependencies: ["DGAModel", "Hashing", "Tracking", "TestSupport"]),
        .testTarget(name: "AlertsTests", dependencies: ["Alerts", "Tracking", "Lakehouse", "Fetch", "TestSupport"]),
        .testTarget(name: "MLflowExportTests", dependencies: ["MLflowExport", "Tracking", "Fetch", "DGAModel", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "DGAModel", "Tracking", "Lakehouse", "TestSupport"]),
    ]
)
