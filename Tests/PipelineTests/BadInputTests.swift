import Foundation
import Lakehouse
import Pipeline
import TestSupport
import Testing
import Tracking

/// Issue §7: bad files are reported and never stop the good ones; junk lines are quarantined
/// and counted; a model that cannot be loaded is an error naming its URI.
@Suite(.serialized) struct PipelineBadInputTests {
    let directory: TemporaryDirectory
    var input: URL { directory.file("input") }
    var store: URL { directory.file("store") }

    init() throws {
        directory = try TemporaryDirectory("pipeline-bad")
        try FileManager.default.createDirectory(at: directory.file("input"), withIntermediateDirectories: true)
    }

    func write(_ name: String, _ data: Data) throws { try data.write(to: input.appendingPathComponent(name)) }

    func latestLines() throws -> [String] {
        try String(contentsOf: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    @Test func emptyBinaryAndCompressedFilesAreReportedAndTheRestIsScored() async throws {
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store)
        try write("empty.json", Data())
        try write("binary.json", Data([0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00, 0x7F] + Array(repeating: 0, count: 64)))
        try write("zipped.json.gz", Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]))
        try FileManager.default.copyItem(at: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), to: input.appendingPathComponent("good.json"))

        let plan = try await pipeline.plan()
        #expect(plan.empty.map { ($0.source as NSString).lastPathComponent } == ["empty.json"])
        let summary = try await pipeline.runUpdate(plan)
        let states = Dictionary(uniqueKeysWithValues: summary.files.map { (($0.file.source as NSString).lastPathComponent, $0) })
        #expect(states["good.json"]?.state == .processed)
        #expect(states["binary.json"]?.state == .failed)
        #expect(states["zipped.json.gz"]?.state == .failed)
        #expect(states["zipped.json.gz"]?.message.contains("gzip") == true, "\(states["zipped.json.gz"]?.message ?? "")")
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == 3)
        // Only the good file is checkpointed: the bad ones are tried again (and reported) next time.
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_checkpoints") == 1)
        #expect(try db.scalar("SELECT message FROM pipeline_updates")?.stringValue?.contains("binary.json") == true)
        // An empty file that gets content later is read then.
        try Data((try latestLines().joined(separator: "\n") + "\n").utf8).write(to: input.appendingPathComponent("empty.json"))
        #expect(try await pipeline.plan().new.map { ($0.source as NSString).lastPathComponent }.contains("empty.json"))
    }

    @Test func junkLinesAreQuarantinedWithTheExpectationAndCounted() async throws {
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store)
        var lines = try latestLines()
        lines.insert("this is not json", at: 1)
        lines.append(#"{"rrname": "10.1.2.3", "rrtype": "A", "rdata": ["10.1.2.3"], "time_first": 1597615349, "time_last": 1597615349}"#)
        lines.append(#"{"rrname": "com.", "rrtype": "NS", "rdata": ["a.gtld-servers.net"], "time_first": 1597615349, "time_last": 1597615349}"#)
        try write("mixed.json", Data((lines.joined(separator: "\n") + "\n").utf8))
        let summary = try await pipeline.runUpdate(try await pipeline.plan())
        #expect(summary.rowsWritten == 3)
        #expect(summary.quarantined == 3)
        let quarantine = try db.query("SELECT source_line, expectation, raw FROM dns_log_analytics_quarantine ORDER BY source_line")
        #expect(quarantine.map { $0.int("source_line") ?? 0 } == [2, 5, 6])
        #expect(quarantine.map { $0.string("expectation") ?? "" } == ["parseable", "valid_domain", "valid_domain"])
        #expect(quarantine.first?.string("raw") == "this is not json")
        #expect(try PipelineFixture.count(db, "SELECT failed FROM pipeline_event_log WHERE expectation = 'parseable'") == 1)
        #expect(try PipelineFixture.count(db, "SELECT dropped FROM pipeline_event_log WHERE expectation = 'valid_domain'") == 2)
        #expect(try PipelineFixture.count(db, "SELECT passed FROM pipeline_event_log WHERE expectation = 'parseable'") == 5)
    }

    @Test func aFileDeletedWhileBeingReadIsRolledBackAndTheOthersCommit() async throws {
        try FileManager.default.copyItem(at: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), to: input.appendingPathComponent("a.json"))
        try FileManager.default.copyItem(at: TestPaths.sharedData.appendingPathComponent("dns_events.json"), to: input.appendingPathComponent("b.json"))
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store) { options in
            // The producer removes b.json after it was read and before it is checkpointed.
            options.afterReading = { file in
                if file.source.hasSuffix("b.json") { try FileManager.default.removeItem(atPath: file.source) }
            }
        }
        let summary = try await pipeline.runUpdate(try await pipeline.plan())
        #expect(summary.state == "COMPLETED")
        #expect(summary.files.map(\.state) == [.processed, .unstable])
        #expect(summary.files.last?.message.contains("deleted") == true)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == 3)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics WHERE source LIKE '%b.json'") == 0)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_checkpoints") == 1)
        // Its expectation counts were rolled back with its rows.
        #expect(try PipelineFixture.count(db, "SELECT passed FROM pipeline_event_log WHERE expectation = 'parseable'") == 3)
    }

    @Test func aModelURIThatDoesNotResolveOrLoadIsAnErrorNamingIt() async throws {
        let tracking = try TrackingStore.open(at: store)
        #expect(throws: PipelineError.self) { try ScoringModel(uri: "models:/dns_dga@champion", store: tracking) }
        do {
            _ = try ScoringModel(uri: "models:/no_such_model/3", store: tracking)
            Issue.record("no error")
        } catch let error as PipelineError {
            #expect(error.description.contains("models:/no_such_model/3"))
        }
        // A run whose model artifact is damaged.
        let experiment = try tracking.getOrCreateExperiment(named: "broken")
        let run = try tracking.createRun(experimentID: experiment.id, name: "broken")
        _ = try tracking.writeArtifact(runID: run.runID, data: Data("{not json".utf8), artifactPath: "model/MLmodel.json")
        _ = try tracking.writeArtifact(runID: run.runID, data: Data("{}".utf8), artifactPath: "model/featurizer.json")
        _ = try tracking.writeArtifact(runID: run.runID, data: Data("{}".utf8), artifactPath: "model/model.json")
        let uri = "runs:/\(run.runID)/model"
        do {
            _ = try ScoringModel(uri: uri, store: tracking)
            Issue.record("no error")
        } catch let error as PipelineError {
            #expect(error.description.contains(uri) && error.description.contains("does not load"), "\(error)")
        }
    }
}
