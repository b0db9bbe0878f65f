import DNSData
import Fetch
import Foundation
import Lakehouse

/// The declared tables of the scoring pipeline: the silver `dns_log_analytics` (from log
/// files) and the gold `dns_ioc_latest` (from it).
public struct ScoringPipelineDefinition: Sendable {
    /// The pipeline's name in `pipeline_updates` and `pipeline_checkpoints`.
    public var name: String
    public var analytics: PipelineTable<LogLine, AnalyticsRow>
    public var detections: PipelineTable<AnalyticsRow, DetectionRow>

    public init(name: String, analytics: PipelineTable<LogLine, AnalyticsRow>, detections: PipelineTable<AnalyticsRow, DetectionRow>) {
        self.name = name
        self.analytics = analytics
        self.detections = detections
    }
}

/// What a listing of the input found, against the checkpoint.
public struct InputPlan: Sendable {
    /// Files never processed, complete: to process.
    public var new: [InputFile] = []
    /// Processed files whose size, modification time or ETag changed since.
    public var changed: [(file: InputFile, checkpoint: FileCheckpoint)] = []
    /// Files already processed as they are.
    public var unchanged = 0
    /// Files modified too recently to be complete (read at a later poll).
    public var settling: [InputFile] = []
    /// Empty files (nothing to read yet; not checkpointed, so content written later is read).
    public var empty: [InputFile] = []

    /// Whether there is work for an update (with or without changed files).
    public func hasWork(reprocessChanged: Bool) -> Bool { !new.isEmpty || (reprocessChanged && !changed.isEmpty) }
}

/// How one file of an update went.
public struct FileOutcome: Sendable {
    public enum State: String, Sendable {
        case processed, reprocessed
        /// Unreadable, or not a DNS log: not checkpointed; tried again next update.
        case failed
        /// Deleted or changed while it was read: its rows rolled back; tried again when stable.
        case unstable
    }

    public var file: InputFile
    public var state: State
    public var format: String = ""
    public var linesRead = 0
    public var rowsWritten = 0
    public var quarantined = 0
    public var detections = 0
    public var message = ""
}

/// One update's result.
public struct UpdateSummary: Sendable {
    public var updateID: Int64
    public var state: String
    public var files: [FileOutcome] = []
    public var rowsRead = 0
    public var rowsWritten = 0
    public var quarantined = 0
    public var detections = 0
    public var expectations: [ExpectationLedger.Entry] = []
    public var seconds = 0.0
}

/// Runs the scoring pipeline over a location incrementally, as Auto Loader: each update
/// reads the files the checkpoint has not seen, scores and enriches their lines, and writes
/// the tables, the checkpoint entries and the event log in one transaction — so a crash or
/// kill at any moment leaves either the whole update or none of it, never half a file.
///
/// A file counts as complete (not still being written) when its modification time is at
/// least ``Options/minFileAge`` seconds old, and its size and modification time are the same
/// after it was read as when it was listed; otherwise it waits for a later update.
public final class ScoringPipeline {
    /// Tuning and behaviour.
    public struct Options: Sendable {
        /// Lines scored and written per batch.
        public var batchSize = 32_768
        /// Seconds since the last modification before a local file counts as complete.
        public var minFileAge = 2.0
        /// Process changed files again (their earlier rows are replaced); otherwise they are reported only.
        public var reprocessChanged = false
        /// The job run, for `pipeline_updates.job_run_id`.
        public var jobRunID: Int64?
        /// Called after each file is read and before its rows are kept: a test seam for
        /// simulating failures and deletions between reading and committing.
        public var afterReading: (@Sendable (InputFile) throws -> Void)?

        public init() {}
    }

    public let database: Database
    public let definition: ScoringPipelineDefinition
    public let model: ScoringModel
    public let input: InputLocation
    public var options: Options
    let client: FetchClient
    private let writers: ScoringWriters
    /// Copies the WAL into the database after each update (nil for an in-memory database).
    private let checkpointer: BackgroundCheckpointer?

    public init(database: Database, definition: ScoringPipelineDefinition, model: ScoringModel, input: InputLocation,
                client: FetchClient, options: Options = Options()) throws {
        self.database = database
        self.definition = definition
        self.model = model
        self.input = input
        self.client = client
        self.options = options
        writers = try ScoringWriters(database: database)
        checkpointer = database.path == ":memory:" || database.path.isEmpty ? nil : BackgroundCheckpointer(path: database.path, name: "runme-pipeline-checkpoint")
    }

    deinit {
        // The last update's checkpoint may still be copying; it finishes on its own.
        checkpointer?.finishInBackground()
    }

    /// Waits for the checkpoint that follows an update (the WAL copied into the database
    /// file), and returns how long the last one took; nil when none ran.
    @discardableResult
    public func waitForCheckpoint() -> Double? { checkpointer?.waitUntilIdle() }

    /// The checkpoint of this pipeline.
    public var checkpoints: CheckpointStore { CheckpointStore(database: database, pipeline: definition.name) }

    /// The update history of this pipeline.
    public var updates: PipelineUpdates { PipelineUpdates(database: database, pipeline: definition.name) }

    /// Lists the input and sorts its files against the checkpoint.
    public func plan(now: Date = Date()) async throws -> InputPlan {
        let files = try await input.list()
        let recorded = try checkpoints.all()
        var plan = InputPlan()
        for file in files {
            if let checkpoint = recorded[file.source] {
                if file.matches(checkpoint) { plan.unchanged += 1 } else { plan.changed.append((file, checkpoint)) }
                continue
            }
            if !file.isRemote, let modified = file.modified, now.timeIntervalSince1970 - modified < options.minFileAge {
                plan.settling.append(file)
            } else if file.size == 0 {
                plan.empty.append(file)
            } else {
                plan.new.append(file)
            }
        }
        return plan
    }

    /// Runs one update over the plan's new files (and changed ones when asked).
    ///
    /// - Throws: ``PipelineError/expectationFailed(table:expectation:row:)`` (the update is
    ///   rolled back and recorded FAILED), `CancellationError` (rolled back, CANCELED), or a
    ///   store error. Files that cannot be read do not fail the update: they are reported.
    public func runUpdate(_ plan: InputPlan, progress: (String) -> Void = { _ in }) async throws -> UpdateSummary {
        let clock = ContinuousClock.now
        _ = AllocatorTuning.applied
        try updates.markInterrupted()
        let updateID = try updates.begin(jobRunID: options.jobRunID, modelURI: model.uri)
        let ledger = ExpectationLedger()
        var summary = UpdateSummary(updateID: updateID, state: "RUNNING")
        var work: [(InputFile, Bool)] = plan.new.map { ($0, false) }
        if options.reprocessChanged { work += plan.changed.map { ($0.file, true) } }

        // Remote files are downloaded before the transaction opens: the write lock is not
        // held across the network.
        var localPaths: [String: String] = [:]
        var downloadFailures: [FileOutcome] = []
        for (file, _) in work where file.isRemote {
            try Task.checkCancellation()
            do {
                localPaths[file.source] = try await client.fetch(file.source, progress: nil).fileURL.path
            } catch {
                downloadFailures.append(FileOutcome(file: file, state: .failed, message: "download failed: \(error)"))
            }
        }
        work.removeAll { file, _ in downloadFailures.contains { $0.file.source == file.source } }

        // A larger page cache than the default keeps the indexes' hot pages in memory instead of
        // spilling them to the WAL again and again; automatic checkpoints wait for the commit.
        let cacheSize = try database.scalar("PRAGMA cache_size")?.int64Value ?? -2000
        let autocheckpoint = try database.scalar("PRAGMA wal_autocheckpoint")?.int64Value ?? 1000
        try database.execute("PRAGMA cache_size=\(-Self.updateCacheKiB)")
        _ = try database.scalar("PRAGMA wal_autocheckpoint=0")
        defer {
            try? database.execute("PRAGMA cache_size=\(cacheSize)")
            _ = try? database.scalar("PRAGMA wal_autocheckpoint=\(autocheckpoint)")
        }
        do {
            summary = try database.transaction(.immediate) { () throws -> UpdateSummary in
                var summary = summary
                summary.files = downloadFailures
                for (file, reprocess) in work {
                    try Task.checkCancellation()
                    let outcome = try processFile(file, reprocess: reprocess, localPath: localPaths[file.source] ?? file.source,
                                                  updateID: updateID, ledger: ledger)
                    progress("\(file.source): \(outcome.state.rawValue), \(outcome.rowsWritten) rows")
                    summary.files.append(outcome)
                    summary.rowsRead += outcome.linesRead
                    summary.rowsWritten += outcome.rowsWritten
                    summary.quarantined += outcome.quarantined
                    summary.detections += outcome.detections
                }
                try ledger.write(to: database, updateID: updateID)
                let done = summary.files.filter { $0.state == .processed || $0.state == .reprocessed }.count
                try updates.finish(updateID, state: "COMPLETED", files: done, rowsRead: summary.rowsRead,
                                   rowsWritten: summary.rowsWritten, message: Self.message(summary.files))
                summary.state = "COMPLETED"
                return summary
            }
        } catch {
            let canceled = error is CancellationError || Task.isCancelled
            let state = canceled ? "CANCELED" : "FAILED"
            // Recorded after the rollback, in transactions of their own, so that the event log
            // shows which expectation failed an update that left no rows.
            try? ledger.write(to: database, updateID: updateID)
            try? updates.finish(updateID, state: state, files: 0, rowsRead: 0, rowsWritten: 0,
                                message: canceled ? "cancelled; rolled back" : "rolled back: \(error)")
            throw error
        }
        summary.expectations = ledger.entries
        summary.seconds = (ContinuousClock.now - clock) / .seconds(1)
        // The rows are committed. The WAL (as large as the rows written) is copied into the
        // database by another connection, while the caller goes on: not in the middle of the
        // next update, and not before this one returns.
        checkpointer?.request()
        return summary
    }

    /// SQLite's page cache during an update, in KiB. 64 MiB rather than 256: with 256 the
    /// whole update's dirty pages waited in the cache and went to the WAL at the commit, and
    /// the update took about 0.45 s more CPU per 1,000,000 records (kernel copying), measured
    /// with `perf record` over `runme bench pipeline`; 16 and 32 MiB were no better than 64.
    static let updateCacheKiB = 65_536

    static func message(_ files: [FileOutcome]) -> String {
        files.filter { $0.state == .failed || $0.state == .unstable }.map { "\($0.file.source): \($0.message)" }.joined(separator: "; ")
    }

    /// Reads one file into the tables inside a savepoint of the update's transaction.
    private func processFile(_ file: InputFile, reprocess: Bool, localPath: String, updateID: Int64, ledger: ExpectationLedger) throws -> FileOutcome {
        var outcome = FileOutcome(file: file, state: reprocess ? .reprocessed : .processed)
        // Counts of a file that is rolled back must not reach the update's event log.
        let fileLedger = ExpectationLedger()
        do {
            try database.transaction {
                if reprocess {
                    try database.execute("DELETE FROM dns_log_analytics WHERE source = ?", [file.source])
                    try database.execute("DELETE FROM dns_log_analytics_quarantine WHERE source = ?", [file.source])
                }
                let reader = try DNSLogReader(fileAt: URL(fileURLWithPath: localPath), source: file.source)
                outcome.format = reader.format.rawValue
                // Reading, scoring and the expectations run on a thread of their own, a few
                // batches ahead; this thread, which holds the transaction, writes the rows.
                let producer = BatchProducer(reader: reader, source: file.source, batchSize: options.batchSize,
                                             definition: definition, ledger: fileLedger)
                defer { producer.stop() }
                while let ready = try producer.channel.receive() {
                    if Task.isCancelled { throw CancellationError() }
                    try write(ready, into: &outcome, updateID: updateID)
                    producer.giveBack(ready)
                }
                producer.stop()
                outcome.linesRead = producer.recordsRead
                try options.afterReading?(file)
                if !file.isRemote {
                    guard let now = InputLocation.fileState(localPath) else {
                        throw FileProblem.unstable("deleted while it was read; its rows were rolled back")
                    }
                    if now.size != file.size || now.modified != file.modified {
                        throw FileProblem.unstable("changed while it was read (still being written?); its rows were rolled back, it is read again once stable")
                    }
                }
                try checkpoints.record(file, rows: outcome.rowsWritten, updateID: updateID, at: Date())
            }
        } catch let problem as FileProblem {
            guard case let .unstable(message) = problem else { throw problem }
            return FileOutcome(file: file, state: .unstable, format: outcome.format, message: message)
        } catch let error as DNSLogError {
            return FileOutcome(file: file, state: .failed, format: outcome.format, message: error.description)
        } catch {
            // The update fails: its event log still shows the counts up to the failure.
            for entry in fileLedger.entries { ledger.add(table: entry.table, expectation: entry.expectation, action: entry.action, entry.counts) }
            throw error
        }
        for entry in fileLedger.entries { ledger.add(table: entry.table, expectation: entry.expectation, action: entry.action, entry.counts) }
        return outcome
    }

    private enum FileProblem: Error { case unstable(String) }

    /// Writes one batch the producer made ready.
    private func write(_ ready: BatchProducer.Ready, into outcome: inout FileOutcome, updateID: Int64) throws {
        let timestamp = SQLTime.text(Date())
        try writers.insertAnalytics(ready.analytics.kept, timestamp: timestamp, modelURI: model.uri, updateID: updateID)
        try writers.quarantine(ready.analytics.quarantined, timestamp: timestamp, updateID: updateID)
        try writers.upsertDetections(ready.detections, timestamp: timestamp, modelURI: model.uri, updateID: updateID)
        outcome.rowsWritten += ready.analytics.kept.count
        outcome.quarantined += ready.analytics.quarantined.count
        outcome.detections += ready.detections.count
    }
}

/// Reads a file on a thread of its own and runs the pipeline's tables over it batch by batch
/// (transformation: enrichment and scoring; expectations, counted into the file's ledger),
/// handing the results to the thread that writes them, at most ``readAhead`` batches ahead.
///
/// What the reader or the tables throw (an unreadable file, a failed `expect_or_fail`) comes
/// out of ``channel``'s `receive` after the batches before it, in the order the code before
/// this split threw it: the analytics table's expectations before the detections'.
final class BatchProducer: @unchecked Sendable {
    /// One batch, checked and ready to write.
    struct Ready: @unchecked Sendable {
        var analytics: PipelineTable<LogLine, AnalyticsRow>.Checked
        var detections: [DetectionRow]
    }

    /// Batches made ready and not yet written.
    static let readAhead = 2

    let channel = BatchChannel<Ready>(capacity: BatchProducer.readAhead)
    /// Batches written, handed back so that the reading thread, which made their rows, also
    /// frees them. Freed on the writing thread, every row's strings went back to another
    /// thread's malloc arena, and the file path every row shares had its reference count
    /// moved between the cores row by row (about 0.1 s of CPU per 1,000,000 records).
    private let writtenLock = NSLock()
    private var writtenBatches: [Ready] = []
    private var work: BackgroundWork?
    /// Records the reader read (valid after ``stop()``).
    private(set) var recordsRead = 0

    private struct Stopped: Error {}

    init(reader: DNSLogReader, source: String, batchSize: Int, definition: ScoringPipelineDefinition, ledger: ExpectationLedger) {
        let channel = channel
        work = BackgroundWork(name: "runme-pipeline-reader") { [self] in
            func prepare(_ batch: [LogLine]) throws -> Ready {
                // The batches written since the last one are freed here, on this thread.
                writtenLock.lock()
                let done = writtenBatches
                writtenBatches.removeAll(keepingCapacity: true)
                writtenLock.unlock()
                withExtendedLifetime(done) {}
                let analytics = try definition.analytics.run(batch, ledger: ledger, describe: \.summary)
                let gold = try definition.detections.run(analytics.kept, ledger: ledger, describe: { $0.row.summary })
                return Ready(analytics: analytics, detections: gold.kept)
            }
            do {
                var batch: [LogLine] = []
                batch.reserveCapacity(batchSize)
                let counts = try reader.forEachRow { row in
                    batch.append(LogLine(row: row, source: source))
                    if batch.count >= batchSize {
                        guard channel.send(try prepare(batch)) else { throw Stopped() }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty {
                    guard channel.send(try prepare(batch)) else { throw Stopped() }
                }
                recordsRead = counts.recordsRead
                channel.close()
            } catch is Stopped {
                channel.close()
            } catch {
                channel.close(error)
            }
        }
    }

    /// Hands a written batch back to the reading thread to free (see ``writtenBatches``).
    func giveBack(_ ready: Ready) {
        writtenLock.lock()
        writtenBatches.append(ready)
        writtenLock.unlock()
    }

    /// Stops reading (when the writer has not drained the channel) and waits for the thread.
    func stop() {
        guard let work else { return }
        channel.cancel()
        work.wait()
        self.work = nil
    }
}
