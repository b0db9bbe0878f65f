import DGAModel
import DNSData
import Fetch
import Foundation
import Lakehouse
import Pipeline
import TestSupport
import Tracking

/// A store with a small registered model, trained once per test process, and helpers that
/// build the scoring pipeline on a lakehouse of a test's own.
enum PipelineFixture {
    /// The shared model store (never written by tests after training).
    static let modelStore = Task<URL, any Error> {
        let directory = try TemporaryDirectory.forProcess("pipeline-model")
        let store = try TrackingStore.open(at: directory)
        _ = try await AutoMLFixture.trainAndRegister(store: store, data: try AutoMLFixture.dataset(), maxTrials: 3, budgetSeconds: 20)
        return directory
    }

    static let championURI = "models:/dns_dga@champion"

    /// The model, loaded once from the shared store.
    static let loadedModel = Task<ScoringModel, any Error> {
        try ScoringModel(uri: championURI, store: try TrackingStore.open(at: try await modelStore.value))
    }

    static func model() async throws -> ScoringModel { try await loadedModel.value }

    static let suffixes = Result { try PublicSuffixList() }

    /// The step's declared tables (as in 03_DNS_Analytics_Scoring), with extra expectations when given.
    static func definition(model: ScoringModel, database: Database, extra: [Expectation<AnalyticsRow>] = []) throws -> ScoringPipelineDefinition {
        let enricher = Enricher(model: model, suffixes: try suffixes.get(), reference: try ReferenceData.load(from: database), geoIP: nil)
        let analytics = PipelineTable<LogLine, AnalyticsRow>(
            name: "dns_log_analytics", source: "files", quarantineTable: "dns_log_analytics_quarantine",
            expectations: [
                .expectOrQuarantine("parseable") { $0.parseError == nil },
                .expectOrQuarantine("valid_domain") { $0.parseError != nil || (!$0.label.isEmpty && !$0.isIPAddress) },
            ] + extra,
            transform: { try enricher.enrich($0) })
        let detections = PipelineTable<AnalyticsRow, DetectionRow>(name: "dns_ioc_latest", source: "dns_log_analytics",
                                                                   expectations: [.expectOrFail("has_reason") { !$0.reason.isEmpty }],
                                                                   transform: { try Detections.detect($0, model: model) })
        return ScoringPipelineDefinition(name: "dns_scoring", analytics: analytics, detections: detections)
    }

    /// A pipeline over `input`, writing to the lakehouse in `store`.
    static func pipeline(input: URL, store: URL, extra: [Expectation<AnalyticsRow>] = [], location: String? = nil,
                         environment: [String: String] = [:],
                         configure: (inout ScoringPipeline.Options) -> Void = { _ in }) async throws -> (ScoringPipeline, Database) {
        let database = try LakehouseSchema.open(storeDirectory: store)
        let model = try await model()
        var options = ScoringPipeline.Options()
        options.minFileAge = 0
        options.batchSize = 256
        configure(&options)
        let client = FetchClient(cacheDirectory: store.appendingPathComponent("cache"), environment: environment)
        let pipeline = try ScoringPipeline(database: database, definition: try definition(model: model, database: database, extra: extra),
                                           model: model, input: InputLocation(location ?? input.path, client: client), client: client, options: options)
        return (pipeline, database)
    }

    static func count(_ database: Database, _ sql: String) throws -> Int {
        Int(try database.scalar(sql)?.int64Value ?? -1)
    }

    /// Lines of the shared sample that hold a record.
    static func recordLines(_ name: String) throws -> Int {
        try String(contentsOf: TestPaths.sharedData.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"rrname\"") }.count
    }
}
