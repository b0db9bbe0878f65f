import Foundation
import Lakehouse
import Pipeline
import TestSupport
import Testing

/// Auto Loader's contract on the shared sample: each file once, changed files reported,
/// and an update is all or nothing.
@Suite(.serialized) struct IncrementalInputTests {
    let directory: TemporaryDirectory
    var input: URL { directory.file("input") }
    var store: URL { directory.file("store") }

    init() throws {
        directory = try TemporaryDirectory("pipeline-incremental")
        try FileManager.default.createDirectory(at: directory.file("input"), withIntermediateDirectories: true)
    }

    func copy(_ name: String, as target: String) throws {
        try FileManager.default.copyItem(at: TestPaths.sharedData.appendingPathComponent(name), to: input.appendingPathComponent(target))
    }

    @Test func aRerunReadsOnlyNewFiles() async throws {
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store)
        try copy("dns_events.json", as: "a.json")
        let events = try PipelineFixture.recordLines("dns_events.json")
        let first = try await pipeline.runUpdate(try await pipeline.plan())
        #expect(first.state == "COMPLETED")
        #expect(first.files.map(\.state) == [.processed])
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == events)

        try copy("latest/dns_test_1.json", as: "b.json")
        let plan = try await pipeline.plan()
        #expect(plan.new.map { ($0.source as NSString).lastPathComponent } == ["b.json"])
        #expect(plan.unchanged == 1)
        _ = try await pipeline.runUpdate(plan)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == events + 3)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics WHERE source LIKE '%b.json'") == 3)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_checkpoints") == 2)
        #expect(try PipelineFixture.count(db, "SELECT rows FROM pipeline_checkpoints WHERE source LIKE '%a.json'") == events)
        // Nothing new: no work.
        #expect(try await pipeline.plan().hasWork(reprocessChanged: true) == false)
        // The event log has one row per expectation and update.
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_event_log WHERE expectation = 'parseable'") == 2)
        #expect(try PipelineFixture.count(db, "SELECT sum(passed) FROM pipeline_event_log WHERE expectation = 'parseable'") == events + 3)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_updates WHERE state = 'COMPLETED'") == 2)
    }

    @Test func theUpdateReturnsAtTheCommitAndTheWALIsCopiedAfter() async throws {
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store)
        try copy("dns_events.json", as: "a.json")
        let before = (try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int) ?? 0
        let summary = try await pipeline.runUpdate(try await pipeline.plan())
        #expect(summary.state == "COMPLETED")
        // The rows are committed and visible when the update returns.
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == (try PipelineFixture.recordLines("dns_events.json")))
        // The checkpoint that follows copies them into the database file.
        let seconds = try #require(pipeline.waitForCheckpoint())
        #expect(seconds >= 0)
        let after = (try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int) ?? 0
        #expect(after > before, "database file \(before) → \(after) bytes")
    }

    @Test func aChangedFileIsReportedAndReprocessedOnlyWhenAsked() async throws {
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store)
        try copy("latest/dns_test_1.json", as: "latest.json")
        _ = try await pipeline.runUpdate(try await pipeline.plan())
        // The producer appends the sample's first 10 events to the file.
        let existing = try Data(contentsOf: input.appendingPathComponent("latest.json"))
        let extra = (existing.last == UInt8(ascii: "\n") ? "" : "\n") + (try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dns_events.json"), encoding: .utf8)
            .split(separator: "\n").prefix(10).joined(separator: "\n")) + "\n"
        let handle = try FileHandle(forWritingTo: input.appendingPathComponent("latest.json"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(extra.utf8))
        try handle.close()

        let plan = try await pipeline.plan()
        #expect(plan.changed.count == 1 && plan.new.isEmpty)
        #expect(plan.hasWork(reprocessChanged: false) == false)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == 3)

        pipeline.options.reprocessChanged = true
        let summary = try await pipeline.runUpdate(plan)
        #expect(summary.files.map(\.state) == [.reprocessed])
        // Replaced, not doubled.
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == 13)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics WHERE domain = 'google.com'") == 1)
        #expect(try await pipeline.plan().changed.isEmpty)
    }

    @Test func aFailureBetweenFilesCommitsNothingAndTheRerunLosesNothing() async throws {
        try copy("dns_events.json", as: "1.json")
        try copy("latest/dns_test_1.json", as: "2.json")
        let (failing, db) = try await PipelineFixture.pipeline(input: input, store: store) { options in
            options.afterReading = { file in
                if file.source.hasSuffix("2.json") { throw CocoaError(.fileReadUnknown) }
            }
        }
        await #expect(throws: CocoaError.self) { try await failing.runUpdate(try await failing.plan()) }
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == 0)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_ioc_latest") == 0)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_checkpoints") == 0)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_updates WHERE state = 'FAILED'") == 1)

        let (pipeline, _) = try await PipelineFixture.pipeline(input: input, store: store)
        let summary = try await pipeline.runUpdate(try await pipeline.plan())
        #expect(summary.files.count == 2)
        let events = try PipelineFixture.recordLines("dns_events.json")
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == events + 3)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM (SELECT source, source_line FROM dns_log_analytics GROUP BY 1, 2 HAVING count(*) > 1)") == 0)
    }

    @Test func anExpectOrFailRollsTheUpdateBackAndLogsTheFailure() async throws {
        try copy("latest/dns_test_1.json", as: "latest.json")
        let (pipeline, db) = try await PipelineFixture.pipeline(input: input, store: store,
                                                                extra: [.expectOrFail("not_google") { $0.domain != "google.com" }])
        do {
            _ = try await pipeline.runUpdate(try await pipeline.plan())
            Issue.record("the update should have failed")
        } catch let error as PipelineError {
            #expect(error.description.contains("not_google") && error.description.contains("latest.json line 2"))
        }
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics") == 0)
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM pipeline_checkpoints") == 0)
        #expect(try PipelineFixture.count(db, "SELECT failed FROM pipeline_event_log WHERE expectation = 'not_google'") == 1)
        #expect(try db.scalar("SELECT state FROM pipeline_updates")?.stringValue == "FAILED")
    }

    @Test func aFileStillBeingWrittenWaits() async throws {
        let (pipeline, _) = try await PipelineFixture.pipeline(input: input, store: store) { $0.minFileAge = 30 }
        try copy("latest/dns_test_1.json", as: "fresh.json")
        try copy("latest/dns_test_1.json", as: "old.json")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: input.appendingPathComponent("old.json").path)
        try Data().write(to: input.appendingPathComponent("partial.json.part"))
        let plan = try await pipeline.plan()
        #expect(plan.new.map { ($0.source as NSString).lastPathComponent } == ["old.json"])
        #expect(plan.settling.map { ($0.source as NSString).lastPathComponent } == ["fresh.json"])
    }
}
