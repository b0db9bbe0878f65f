import Foundation
import Lakehouse

/// A run's status, with MLflow's names.
public enum RunStatus: String, Sendable, CaseIterable, Codable {
    case running = "RUNNING"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// True for the statuses a run ends with.
    public var isTerminal: Bool { self != .running }
}

/// What a run is: identity, place, status and times.
public struct RunInfo: Sendable, Equatable, Identifiable {
    /// 32 lowercase hex characters.
    public let runID: String
    /// `runID`, for `Identifiable`.
    public var id: String { runID }
    /// The experiment the run belongs to.
    public let experimentID: Int64
    /// The display name.
    public let name: String
    /// `RUNNING` until `endRun`.
    public let status: RunStatus
    /// When the run started.
    public let startTime: Date
    /// Nil while the run is `RUNNING`.
    public let endTime: Date?
    /// The run this one is nested in (for example a trial of a tuning run).
    public let parentRunID: String?
    /// The job run (`job_runs.run_id`) whose task logged this run, if any.
    public let jobRunID: Int64?
    /// The task of that job run, if any.
    public let taskKey: String?
}

/// What a run logged: parameters, the latest value of each metric, and tags.
public struct RunData: Sendable, Equatable {
    /// Parameters, key → value.
    public let params: [String: String]
    /// The latest point of each metric, by key (see `TrackingStore.latestMetrics(runID:)`).
    public let metrics: [String: Metric]
    /// Tags, key → value.
    public let tags: [String: String]
}

/// A run with its data, as MLflow's `get_run` returns it.
public struct Run: Sendable, Equatable {
    /// Identity, status and times.
    public let info: RunInfo
    /// Params, latest metrics and tags.
    public let data: RunData
}

extension TrackingStore {
    /// Starts a run in an experiment, status `RUNNING`.
    ///
    /// - Parameters:
    ///   - experimentID: an existing experiment (`TrackingError.experimentNotFound`).
    ///   - name: a display name; nil gives `run-<first 8 hex of the id>`.
    ///   - parentRunID: an existing run to nest this one in (`TrackingError.runNotFound`).
    ///   - jobRunID, taskKey: the job task that logs this run, if any.
    ///   - tags: tags set in the same transaction.
    ///   - startTime: defaults to now.
    @discardableResult
    public func createRun(
        experimentID: Int64,
        name: String? = nil,
        parentRunID: String? = nil,
        jobRunID: Int64? = nil,
        taskKey: String? = nil,
        tags: [String: String] = [:],
        startTime: Date? = nil
    ) throws -> RunInfo {
        if let name { try Validate.name(name, of: "run") }
        for (key, value) in tags { try Validate.tag(key: key, value: value) }
        let runID = Self.newRunID()
        let runName = name ?? "run-\(runID.prefix(8))"
        let start = startTime?.timeIntervalSince1970 ?? unixNow()
        try write { db in
            // Checked explicitly, not left to the foreign keys, so that the error names
            // which of the two references is wrong.
            let experiment = try db.cachedStatement("SELECT 1 FROM experiments WHERE experiment_id = ?" as StaticString)
            try experiment.bind(int: experimentID, at: 1)
            let experimentExists = try experiment.step()
            experiment.reset()
            guard experimentExists else { throw TrackingError.experimentNotFound(id: experimentID) }
            if let parentRunID { try requireRun(db, parentRunID) }
            let insert = try db.cachedStatement("""
                INSERT INTO runs(run_id, experiment_id, name, status, start_time, end_time, parent_run_id, job_run_id, task_key)
                VALUES (?, ?, ?, 'RUNNING', ?, NULL, ?, ?, ?)
                """ as StaticString)
            try insert.bind(text: runID, at: 1)
            try insert.bind(int: experimentID, at: 2)
            try insert.bind(text: runName, at: 3)
            try insert.bind(double: start, at: 4)
            try insert.bind(parentRunID.sqliteValue, at: 5)
            try insert.bind(jobRunID.sqliteValue, at: 6)
            try insert.bind(taskKey.sqliteValue, at: 7)
            try insert.run()
            let seq = db.lastInsertRowID
            rememberRunSeq(runID, seq)
            for (key, value) in tags {
                try upsertTag(db, seq: seq, key: key, value: value)
            }
        }
        return RunInfo(
            runID: runID, experimentID: experimentID, name: runName, status: .running,
            startTime: Date(unixSeconds: start), endTime: nil, parentRunID: parentRunID,
            jobRunID: jobRunID, taskKey: taskKey
        )
    }

    /// Ends a run: sets its terminal status and end time. Ending an ended run again
    /// replaces both (as MLflow's `update_run`).
    public func endRun(_ runID: String, status: RunStatus = .finished, endTime: Date? = nil) throws {
        guard status.isTerminal else {
            throw TrackingError.invalidArgument("endRun needs a terminal status (FINISHED, FAILED or KILLED), got RUNNING for run \(runID).")
        }
        let end = endTime?.timeIntervalSince1970 ?? unixNow()
        try write { db in
            let update = try db.cachedStatement("UPDATE runs SET status = ?, end_time = ? WHERE run_id = ?" as StaticString)
            try update.bind(text: status.rawValue, at: 1)
            try update.bind(double: end, at: 2)
            try update.bind(text: runID, at: 3)
            try update.run()
            if db.changes == 0 { throw TrackingError.runNotFound(runID: runID) }
        }
    }

    /// A run with its params, latest metrics and tags (`TrackingError.runNotFound`).
    public func run(id runID: String) throws -> Run {
        try read { db in
            guard let info = try loadRunInfo(db, runID: runID) else { throw TrackingError.runNotFound(runID: runID) }
            let seq = try requireRun(db, runID)
            return Run(info: info, data: RunData(
                params: try loadParams(db, seq: seq),
                metrics: try loadLatestMetrics(db, seq: seq),
                tags: try loadTags(db, seq: seq)
            ))
        }
    }

    /// The full id of the run that `idOrPrefix` names: the id itself, or a prefix of at least
    /// ``minimumRunIDPrefix`` characters that only one run's id starts with, as reports and
    /// tables show ids cut to 12 characters (`TrackingError.runNotFound`,
    /// `TrackingError.ambiguousRunID`).
    public func runID(matching idOrPrefix: String) throws -> String {
        try read { db in
            if try loadRunInfo(db, runID: idOrPrefix) != nil { return idOrPrefix }
            guard idOrPrefix.count >= Self.minimumRunIDPrefix else { throw TrackingError.runNotFound(runID: idOrPrefix) }
            // A range on the unique index instead of LIKE, which ignores case and the index.
            let matches = try db.query("SELECT run_id FROM runs WHERE run_id >= ? AND run_id < ? ORDER BY run_id LIMIT 6",
                                       [idOrPrefix, idOrPrefix + "\u{7F}"]).compactMap { $0.string("run_id") }
            switch matches.count {
            case 0: throw TrackingError.runNotFound(runID: idOrPrefix)
            case 1: return matches[0]
            default: throw TrackingError.ambiguousRunID(prefix: idOrPrefix, matches: matches)
            }
        }
    }

    /// The shortest prefix ``runID(matching:)`` accepts.
    public static let minimumRunIDPrefix = 6

    /// A run's info alone (`TrackingError.runNotFound`).
    public func runInfo(id runID: String) throws -> RunInfo {
        try read { db in
            guard let info = try loadRunInfo(db, runID: runID) else { throw TrackingError.runNotFound(runID: runID) }
            return info
        }
    }

    /// Runs, newest first.
    ///
    /// - Parameters:
    ///   - experimentID: only this experiment's runs; nil for every experiment.
    ///   - parentRunID: only runs nested in this one; nil for runs at any level.
    ///   - limit: at most this many; nil for all.
    public func runs(experimentID: Int64? = nil, parentRunID: String? = nil, limit: Int? = nil) throws -> [RunInfo] {
        var conditions: [String] = []
        var arguments: [any SQLiteBindable] = []
        if let experimentID {
            conditions.append("experiment_id = ?")
            arguments.append(experimentID)
        }
        if let parentRunID {
            conditions.append("parent_run_id = ?")
            arguments.append(parentRunID)
        }
        return try queryRuns(conditions: conditions, arguments: arguments, order: "start_time DESC, run_seq DESC", limit: limit)
    }

    /// The runs nested directly in `runID`, oldest first.
    public func childRuns(of runID: String) throws -> [RunInfo] {
        try queryRuns(conditions: ["parent_run_id = ?"], arguments: [runID], order: "start_time, run_seq", limit: nil)
    }

    /// The runs logged by a job run, or by one of its tasks, oldest first.
    public func runs(jobRunID: Int64, taskKey: String? = nil) throws -> [RunInfo] {
        var conditions = ["job_run_id = ?"]
        var arguments: [any SQLiteBindable] = [jobRunID]
        if let taskKey {
            conditions.append("task_key = ?")
            arguments.append(taskKey)
        }
        return try queryRuns(conditions: conditions, arguments: arguments, order: "start_time, run_seq", limit: nil)
    }

    // MARK: Helpers

    static let runColumns = "run_id, experiment_id, name, status, start_time, end_time, parent_run_id, job_run_id, task_key"

    private func queryRuns(conditions: [String], arguments: [any SQLiteBindable], order: String, limit: Int?) throws -> [RunInfo] {
        if let limit, limit < 0 {
            throw TrackingError.invalidArgument("a run listing limit must be zero or more, got \(limit).")
        }
        var sql = "SELECT \(Self.runColumns) FROM runs"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(order)"
        var arguments = arguments
        if let limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        return try read { db in try db.query(sql, arguments).compactMap(Self.makeRunInfo) }
    }

    func loadRunInfo(_ db: Database, runID: String) throws -> RunInfo? {
        try db.query("SELECT \(Self.runColumns) FROM runs WHERE run_id = ?", [runID]).first.flatMap(Self.makeRunInfo)
    }

    static func makeRunInfo(_ row: Row) -> RunInfo? {
        guard let runID = row.string("run_id"), let experimentID = row.int64("experiment_id") else { return nil }
        return RunInfo(
            runID: runID,
            experimentID: experimentID,
            name: row.string("name") ?? "",
            // The CHECK constraint keeps other values out; a hand-edited row reads as failed
            // rather than crashing a listing.
            status: row.string("status").flatMap(RunStatus.init(rawValue:)) ?? .failed,
            startTime: Date(unixSeconds: row.double("start_time") ?? 0),
            endTime: row.double("end_time").map(Date.init(unixSeconds:)),
            parentRunID: row.string("parent_run_id"),
            jobRunID: row.int64("job_run_id"),
            taskKey: row.string("task_key")
        )
    }

    /// A random UUID (version 4) as 32 lowercase hex characters, like MLflow's `uuid4().hex`.
    static func newRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        var high: UInt64 = generator.next()
        var low: UInt64 = generator.next()
        high = (high & ~0xF000) | 0x4000          // version 4
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return text.count == 16 ? text : String(repeating: "0", count: 16 - text.count) + text
    }
}
