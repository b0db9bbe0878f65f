import DNSData
import Fetch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Lakehouse
import Tracking

/// The scoring pipeline's end-to-end rate: log records per second from a COF file to
/// committed `dns_log_analytics` and `dns_ioc_latest` rows (read, parse, extract, score,
/// enrich, commit), through the same code the step runs.
public enum PipelineBenchmark {
    /// What the issue asks for, end to end into SQLite (release build).
    public static let targetRecordsPerSecond = 300_000.0

    /// One measured figure.
    public struct Figure: Sendable, Equatable {
        public var name: String
        public var value: Double
        /// `records/s`, `s`, `MB`, `rows`.
        public var unit: String
    }

    /// Generates `lines` COF lines in a fresh directory under `directory` (removed
    /// afterwards) and runs one pipeline update over it into a fresh lakehouse there, with
    /// the model at `modelURI` in `store` and the store's threat-feed and typosquat tables
    /// (when its lakehouse has them). Returns the figures; `progress` hears what it does.
    ///
    /// - Throws: ``PipelineError/modelUnavailable(uri:reason:)`` when the model does not load
    ///   (run the job first), or when the update did not write every generated record.
    public static func run(store: TrackingStore, modelURI: String = "models:/dns_dga@champion", lines: Int = 1_000_000,
                           topFeatures: TopFeatureMethod = .pathAttributions,
                           in directory: URL = FileManager.default.temporaryDirectory,
                           progress: (String) -> Void = { _ in }) async throws -> [Figure] {
        let model = try ScoringModel(uri: modelURI, store: store, topFeatures: topFeatures)
        let workspace = directory.appendingPathComponent("runme-pipeline-bench-\(UUID().uuidString.prefix(8))", isDirectory: true)
        let input = workspace.appendingPathComponent("input", isDirectory: true)
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }

        progress("generating \(lines) COF lines")
        let bytes = try COFSample.write(lines: lines, to: input.appendingPathComponent("dns_bench.json"))
        var reference = ReferenceData()
        if FileManager.default.fileExists(atPath: store.directory.appendingPathComponent("lakehouse.db").path) {
            reference = try ReferenceData.load(from: try LakehouseSchema.openReadOnly(storeDirectory: store.directory))
        }
        let database = try LakehouseSchema.open(storeDirectory: workspace.appendingPathComponent("store", isDirectory: true))
        let enricher = Enricher(model: model, suffixes: try PublicSuffixList(), reference: reference, geoIP: nil)
        let definition = ScoringPipelineDefinition(
            name: "bench",
            analytics: PipelineTable(name: "dns_log_analytics", source: "generated COF", quarantineTable: "dns_log_analytics_quarantine",
                                     expectations: [
                                         .expectOrQuarantine("parseable") { $0.parseError == nil },
                                         .expectOrQuarantine("valid_domain") { $0.parseError != nil || (!$0.label.isEmpty && !$0.isIPAddress) },
                                         .expectOrFail("score_is_probability") { $0.score >= 0 && $0.score <= 1 },
                                     ],
                                     transform: { try enricher.enrich($0) }),
            detections: PipelineTable(name: "dns_ioc_latest", source: "dns_log_analytics",
                                      expectations: [.expectOrFail("has_reason") { !$0.reason.isEmpty }],
                                      transform: { try Detections.detect($0, model: model) }))
        var options = ScoringPipeline.Options()
        options.minFileAge = 0
        let client = FetchClient(cacheDirectory: workspace.appendingPathComponent("cache", isDirectory: true))
        let pipeline = try ScoringPipeline(database: database, definition: definition, model: model,
                                           input: InputLocation(input.path, client: client), client: client, options: options)
        // The champion sets the speed: say how large it is, so runs with different models are
        // not compared as if they were alike.
        let size = model.bundle.compiled.map { compiled in
            String(format: " (%@, %d trees, %.0f split tests per prediction)", compiled.model.boosterName, compiled.model.treeCount,
                   compiled.model.splitTestsPerPrediction)
        } ?? " (scored by the XGBoost library)"
        progress("scoring \(lines) records with \(modelURI)\(size)")
        let clock = ContinuousClock.now
        let cpuStart = processCPUSeconds()
        let summary = try await pipeline.runUpdate(try await pipeline.plan())
        let seconds = (ContinuousClock.now - clock) / .seconds(1)
        let cpuToCommit = processCPUSeconds() - cpuStart
        // The checkpoint runs after the commit on a thread of its own; its cost is counted
        // apart, and in the CPU time.
        let checkpointSeconds = pipeline.waitForCheckpoint() ?? 0
        let cpuSeconds = processCPUSeconds() - cpuStart
        let stored = Int(try database.scalar("SELECT count(*) FROM dns_log_analytics")?.int64Value ?? 0)
        guard summary.rowsRead == lines, stored + summary.quarantined == lines else {
            throw PipelineError.expectationFailed(table: "dns_log_analytics", expectation: "benchmark_complete",
                                                  row: "\(summary.rowsRead) of \(lines) records read, \(stored) stored, \(summary.quarantined) quarantined")
        }
        let distinct = Int(try database.scalar("SELECT count(DISTINCT domain) FROM dns_log_analytics")?.int64Value ?? 0)
        return [
            Figure(name: "COF records to committed dns_log_analytics rows, end to end (top features: \(topFeatures.rawValue))", value: Double(lines) / seconds, unit: "records/s"),
            // On a shared machine the wall clock counts time spent waiting for a core.
            Figure(name: "same, per CPU second of the process (user + system, with the checkpoint)", value: Double(lines) / cpuSeconds, unit: "records/s"),
            Figure(name: "update time (read, parse, extract, score, enrich, commit)", value: seconds, unit: "s"),
            Figure(name: "CPU time of the update (user + system, all threads)", value: cpuToCommit, unit: "s"),
            Figure(name: "WAL checkpoint after the commit (background thread)", value: checkpointSeconds, unit: "s"),
            Figure(name: "CPU time of the update and the checkpoint", value: cpuSeconds, unit: "s"),
            Figure(name: "input size", value: Double(bytes) / 1e6, unit: "MB"),
            Figure(name: "distinct names", value: Double(distinct), unit: "rows"),
            Figure(name: "detections written to dns_ioc_latest (latest per name)", value: Double(summary.detections), unit: "rows"),
        ]
    }

    /// User plus system CPU seconds of the whole process so far.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
