import Foundation
import Lakehouse

/// A job run as stored: one execution of a job manifest, with its repairs.
public struct JobRunRecord: Sendable, Codable, Equatable {
    public var runID: Int64
    public var jobName: String
    public var manifestPath: String
    /// The manifest text the run used; a repair reruns exactly this.
    public var manifestJSON: String
    /// Job parameters after overrides, as resolved when the run started.
    public var parameters: [String: String]
    public var experimentID: Int64?
    public var lifeCycleState: LifeCycleState
    public var resultState: ResultState?
    public var stateMessage: String
    public var startTime: Double
    public var endTime: Double?
    /// The process that runs (or last ran) it, to tell a live run from an abandoned one.
    public var pid: Int32
    public var host: String
    public var maxConcurrentRuns: Int
    /// `JOB_RUN`, or `SUBMIT_RUN` for runs of selected tasks (`--task`, `--from`).
    public var runType: String

    public var duration: Double? { endTime.map { $0 - startTime } }
}

/// One attempt of one task within a job run (or a repair of it).
public struct TaskRunRecord: Sendable, Codable, Equatable {
    public var taskRunID: Int64
    public var jobRunID: Int64
    public var taskKey: String
    public var notebookPath: String
    /// 0 for the first attempt, as Databricks counts.
    public var attempt: Int
    /// The repair this attempt belongs to; nil for the original run.
    public var repairID: Int64?
    public var lifeCycleState: LifeCycleState
    public var resultState: ResultState?
    public var stateMessage: String
    /// The task's parameters after resolving dynamic references.
    public var parameters: [String: String]
    /// The tracking run holding the attempt's params, metrics and transcript.
    public var trackingRunID: String?
    public var startTime: Double?
    public var endTime: Double?

    public var duration: Double? {
        guard let startTime, let endTime else { return nil }
        return endTime - startTime
    }

    public init(
        taskRunID: Int64 = 0, jobRunID: Int64, taskKey: String, notebookPath: String, attempt: Int, repairID: Int64?,
        lifeCycleState: LifeCycleState, resultState: ResultState?, stateMessage: String, parameters: [String: String],
        trackingRunID: String?, startTime: Double?, endTime: Double?
    ) {
        self.taskRunID = taskRunID
        self.jobRunID = jobRunID
        self.taskKey = taskKey
        self.notebookPath = notebookPath
        self.attempt = attempt
        self.repairID = repairID
        self.lifeCycleState = lifeCycleState
        self.resultState = resultState
        self.stateMessage = stateMessage
        self.parameters = parameters
        self.trackingRunID = trackingRunID
        self.startTime = startTime
        self.endTime = endTime
    }
}

/// A repair of a job run: which tasks it reran and how it ended.
public struct RepairRecord: Sendable, Codable, Equatable {
    public var repairID: Int64
    public var jobRunID: Int64
    public var taskKeys: [String]
    public var startTime: Double
    public var endTime: Double?
    public var resultState: ResultState?
}

/// A task value as stored: small JSON that a task sets and later tasks read.
public struct TaskValueRecord: Sendable, Codable, Equatable {
    public var jobRunID: Int64
    public var taskKey: String
    public var name: String
    public var valueJSON: String
    public var setTime: Double
}

/// Why a job run could not start or continue.
public enum JobRunStoreError: Error, CustomStringConvertible, Sendable {
    /// `max_concurrent_runs` is reached: other live processes hold runs of this job.
    case maxConcurrentRunsReached(job: String, limit: Int, holders: [JobRunRecord])
    case unknownJobRun(Int64)
    /// A repair was asked for a run that is still running in a live process.
    case jobRunStillRunning(JobRunRecord)
    case taskValueTooLarge(taskKey: String, name: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case let .maxConcurrentRunsReached(job, limit, holders):
            let list = holders.map { "run \($0.runID) (pid \($0.pid) on \($0.host), started \(Self.format($0.startTime)))" }.joined(separator: ", ")
            return "job '\(job)' allows \(limit) concurrent run\(limit == 1 ? "" : "s") (max_concurrent_runs) and \(list) \(holders.count == 1 ? "holds" : "hold") it. Wait for it to finish, cancel it (Ctrl-C in its terminal, or kill the pid), or raise max_concurrent_runs in the manifest."
        case let .unknownJobRun(id):
            return "no job run with id \(id) in this store; `runme runs` lists the runs."
        case let .jobRunStillRunning(run):
            return "job run \(run.runID) is still running (pid \(run.pid) on \(run.host)); repair it once it has ended."
        case let .taskValueTooLarge(taskKey, name, bytes, limit):
            return "task value '\(name)' of task '\(taskKey)' is \(bytes) bytes of JSON; task values are limited to \(limit) bytes. Store large results as an artifact or table and pass its name or URI instead."
        }
    }

    static func format(_ time: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: time))
    }
}

/// The most a task value may weigh, as Databricks limits it.
public let taskValueLimitBytes = 48 * 1024

extension TrackingStore {
    // MARK: Job runs

    /// Records a new job run as RUNNING in this process, unless `maxConcurrentRuns` live runs
    /// of the same job already exist. The check and the insert are one immediate transaction,
    /// so two processes starting at once cannot both pass it. Runs left RUNNING by a process
    /// that no longer exists are marked INTERNAL_ERROR on the way.
    public func beginJobRun(
        jobName: String, manifestPath: String, manifestJSON: String, parameters: [String: String],
        experimentID: Int64?, maxConcurrentRuns: Int, runType: String = "JOB_RUN"
    ) throws -> JobRunRecord {
        try write { db in
            let holders = try liveRuns(db, jobName: jobName)
            if holders.count >= max(1, maxConcurrentRuns) {
                throw JobRunStoreError.maxConcurrentRunsReached(job: jobName, limit: max(1, maxConcurrentRuns), holders: holders)
            }
            let now = Date().timeIntervalSince1970
            try db.execute("""
                INSERT INTO job_runs(job_name, manifest_path, manifest_json, parameters_json, experiment_id,
                    life_cycle_state, result_state, state_message, start_time, pid, host, max_concurrent_runs, run_type)
                VALUES (?, ?, ?, ?, ?, 'RUNNING', NULL, '', ?, ?, ?, ?, ?)
                """, [jobName, manifestPath, manifestJSON, Self.encode(parameters), experimentID, now,
                      Int64(ProcessIdentity.pid), ProcessIdentity.host, maxConcurrentRuns, runType])
            let id = db.lastInsertRowID
            return try jobRun(db, id: id)
        }
    }

    /// Takes an ended job run back into RUNNING for a repair by this process, and records the repair.
    public func beginRepair(jobRunID: Int64, taskKeys: [String]) throws -> (JobRunRecord, RepairRecord) {
        try write { db in
            let run = try jobRun(db, id: jobRunID)
            let holders = try liveRuns(db, jobName: run.jobName)
            if let same = holders.first(where: { $0.runID == jobRunID }) {
                throw JobRunStoreError.jobRunStillRunning(same)
            }
            if holders.count >= max(1, run.maxConcurrentRuns) {
                throw JobRunStoreError.maxConcurrentRunsReached(job: run.jobName, limit: max(1, run.maxConcurrentRuns), holders: holders)
            }
            let now = Date().timeIntervalSince1970
            try db.execute("INSERT INTO repairs(job_run_id, task_keys_json, start_time, pid) VALUES (?, ?, ?, ?)",
                           [jobRunID, Self.encode(taskKeys), now, Int64(ProcessIdentity.pid)])
            let repairID = db.lastInsertRowID
            try db.execute("""
                UPDATE job_runs SET life_cycle_state = 'RUNNING', result_state = NULL, state_message = ?,
                    end_time = NULL, pid = ?, host = ? WHERE run_id = ?
                """, ["repair \(repairID) running", Int64(ProcessIdentity.pid), ProcessIdentity.host, jobRunID])
            let repair = RepairRecord(repairID: repairID, jobRunID: jobRunID, taskKeys: taskKeys, startTime: now, endTime: nil, resultState: nil)
            return (try jobRun(db, id: jobRunID), repair)
        }
    }

    /// Ends a job run (and the repair, when one is running).
    public func finishJobRun(_ jobRunID: Int64, lifeCycle: LifeCycleState, result: ResultState?, message: String, repairID: Int64? = nil) throws {
        try write { db in
            let now = Date().timeIntervalSince1970
            try db.execute("UPDATE job_runs SET life_cycle_state = ?, result_state = ?, state_message = ?, end_time = ? WHERE run_id = ?",
                           [lifeCycle.rawValue, result?.rawValue, message, now, jobRunID])
            if let repairID {
                try db.execute("UPDATE repairs SET end_time = ?, result_state = ? WHERE repair_id = ?", [now, result?.rawValue, repairID])
            }
        }
    }

    /// One job run.
    public func jobRun(id: Int64) throws -> JobRunRecord {
        try read { db in try jobRun(db, id: id) }
    }

    /// The latest job runs, newest first.
    public func jobRuns(limit: Int = 20, jobName: String? = nil) throws -> [JobRunRecord] {
        try read { db in
            let rows: [Row]
            if let jobName {
                rows = try db.query("SELECT * FROM job_runs WHERE job_name = ? ORDER BY run_id DESC LIMIT ?", [jobName, limit])
            } else {
                rows = try db.query("SELECT * FROM job_runs ORDER BY run_id DESC LIMIT ?", [limit])
            }
            return rows.map(Self.jobRunRecord)
        }
    }

    /// True when the process that holds a RUNNING job run is gone (killed, crashed).
    public func isAbandoned(_ run: JobRunRecord) -> Bool {
        !run.lifeCycleState.isFinal && !ProcessIdentity.isAlive(pid: run.pid, host: run.host)
    }

    // MARK: Task runs

    /// Records a task attempt.
    public func insertTaskRun(_ record: TaskRunRecord) throws -> TaskRunRecord {
        try write { db in
            try db.execute("""
                INSERT INTO task_runs(job_run_id, task_key, notebook_path, attempt, repair_id, life_cycle_state,
                    result_state, state_message, parameters_json, tracking_run_id, start_time, end_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [record.jobRunID, record.taskKey, record.notebookPath, record.attempt, record.repairID,
                      record.lifeCycleState.rawValue, record.resultState?.rawValue, record.stateMessage,
                      Self.encode(record.parameters), record.trackingRunID, record.startTime, record.endTime])
            var stored = record
            stored.taskRunID = db.lastInsertRowID
            return stored
        }
    }

    /// Writes back the mutable fields of a task attempt.
    public func updateTaskRun(_ record: TaskRunRecord) throws {
        try write { db in
            try db.execute("""
                UPDATE task_runs SET life_cycle_state = ?, result_state = ?, state_message = ?, parameters_json = ?,
                    tracking_run_id = ?, start_time = ?, end_time = ? WHERE task_run_id = ?
                """, [record.lifeCycleState.rawValue, record.resultState?.rawValue, record.stateMessage,
                      Self.encode(record.parameters), record.trackingRunID, record.startTime, record.endTime, record.taskRunID])
        }
    }

    /// Every task attempt of a job run, in the order they were recorded.
    public func taskRuns(jobRunID: Int64) throws -> [TaskRunRecord] {
        try read { db in
            try db.query("SELECT * FROM task_runs WHERE job_run_id = ? ORDER BY task_run_id", [jobRunID]).map(Self.taskRunRecord)
        }
    }

    /// The repairs of a job run, oldest first.
    public func repairs(jobRunID: Int64) throws -> [RepairRecord] {
        try read { db in
            try db.query("SELECT * FROM repairs WHERE job_run_id = ? ORDER BY repair_id", [jobRunID]).map { row in
                RepairRecord(
                    repairID: row.int64("repair_id") ?? 0, jobRunID: row.int64("job_run_id") ?? 0,
                    taskKeys: Self.decode([String].self, row.string("task_keys_json")) ?? [],
                    startTime: row.double("start_time") ?? 0, endTime: row.double("end_time"),
                    resultState: row.string("result_state").flatMap(ResultState.init(rawValue:)))
            }
        }
    }

    /// The latest successful attempt of a task in any run of the job, for reruns of single tasks
    /// that read their upstream task values.
    public func latestSuccessfulTaskRun(jobName: String, taskKey: String) throws -> TaskRunRecord? {
        try read { db in
            try db.query("""
                SELECT t.* FROM task_runs t JOIN job_runs j ON j.run_id = t.job_run_id
                WHERE j.job_name = ? AND t.task_key = ? AND t.result_state = 'SUCCESS'
                ORDER BY t.end_time DESC, t.task_run_id DESC LIMIT 1
                """, [jobName, taskKey]).first.map(Self.taskRunRecord)
        }
    }

    // MARK: Task values

    /// Sets a task value (JSON text of at most 48 KiB), replacing an earlier one of the same name.
    public func setTaskValue(jobRunID: Int64, taskKey: String, name: String, json: String) throws {
        let bytes = json.utf8.count
        guard bytes <= taskValueLimitBytes else {
            throw JobRunStoreError.taskValueTooLarge(taskKey: taskKey, name: name, bytes: bytes, limit: taskValueLimitBytes)
        }
        try write { db in
            try db.execute("""
                INSERT INTO task_values(job_run_id, task_key, name, value_json, set_time) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(job_run_id, task_key, name) DO UPDATE SET value_json = excluded.value_json, set_time = excluded.set_time
                """, [jobRunID, taskKey, name, json, Date().timeIntervalSince1970])
        }
    }

    /// A task value's JSON text, or nil when the task did not set it in that run.
    public func taskValue(jobRunID: Int64, taskKey: String, name: String) throws -> String? {
        try read { db in
            try db.scalar("SELECT value_json FROM task_values WHERE job_run_id = ? AND task_key = ? AND name = ?",
                          [jobRunID, taskKey, name])?.stringValue
        }
    }

    /// Every task value of a job run.
    public func taskValues(jobRunID: Int64) throws -> [TaskValueRecord] {
        try read { db in
            try db.query("SELECT * FROM task_values WHERE job_run_id = ? ORDER BY task_key, name", [jobRunID]).map { row in
                TaskValueRecord(jobRunID: row.int64("job_run_id") ?? 0, taskKey: row.string("task_key") ?? "",
                                name: row.string("name") ?? "", valueJSON: row.string("value_json") ?? "null",
                                setTime: row.double("set_time") ?? 0)
            }
        }
    }

    /// Removes the task values a task set in a run, before it runs again in a repair, so that
    /// a value it no longer sets does not linger from the failed attempt.
    public func clearTaskValues(jobRunID: Int64, taskKey: String) throws {
        try write { db in
            try db.execute("DELETE FROM task_values WHERE job_run_id = ? AND task_key = ?", [jobRunID, taskKey])
        }
    }

    // MARK: Helpers

    /// The runs of a job that a live process holds; abandoned ones are closed on the way.
    private func liveRuns(_ db: Database, jobName: String) throws -> [JobRunRecord] {
        let running = try db.query("SELECT * FROM job_runs WHERE job_name = ? AND life_cycle_state IN ('PENDING', 'RUNNING', 'TERMINATING')", [jobName]).map(Self.jobRunRecord)
        var live: [JobRunRecord] = []
        for run in running {
            if ProcessIdentity.isAlive(pid: run.pid, host: run.host) {
                live.append(run)
            } else {
                let message = "the process that ran it (pid \(run.pid) on \(run.host)) ended without finishing it; `runme repair \(run.runID)` reruns what did not succeed"
                let now = Date().timeIntervalSince1970
                try db.execute("UPDATE job_runs SET life_cycle_state = 'INTERNAL_ERROR', result_state = 'FAILED', state_message = ?, end_time = COALESCE(end_time, ?) WHERE run_id = ?", [message, now, run.runID])
                try db.execute("UPDATE task_runs SET life_cycle_state = 'INTERNAL_ERROR', result_state = 'CANCELED', state_message = 'the process running the job ended', end_time = COALESCE(end_time, ?) WHERE job_run_id = ? AND life_cycle_state IN ('PENDING', 'RUNNING', 'TERMINATING')", [now, run.runID])
                try db.execute("UPDATE repairs SET end_time = COALESCE(end_time, ?), result_state = COALESCE(result_state, 'FAILED') WHERE job_run_id = ? AND end_time IS NULL", [now, run.runID])
            }
        }
        return live
    }

    private func jobRun(_ db: Database, id: Int64) throws -> JobRunRecord {
        guard let row = try db.query("SELECT * FROM job_runs WHERE run_id = ?", [id]).first else {
            throw JobRunStoreError.unknownJobRun(id)
        }
        return Self.jobRunRecord(row)
    }

    static func jobRunRecord(_ row: Row) -> JobRunRecord {
        JobRunRecord(
            runID: row.int64("run_id") ?? 0, jobName: row.string("job_name") ?? "",
            manifestPath: row.string("manifest_path") ?? "", manifestJSON: row.string("manifest_json") ?? "{}",
            parameters: decode([String: String].self, row.string("parameters_json")) ?? [:],
            experimentID: row.int64("experiment_id"),
            lifeCycleState: row.string("life_cycle_state").flatMap(LifeCycleState.init(rawValue:)) ?? .internalError,
            resultState: row.string("result_state").flatMap(ResultState.init(rawValue:)),
            stateMessage: row.string("state_message") ?? "", startTime: row.double("start_time") ?? 0,
            endTime: row.double("end_time"), pid: Int32(truncatingIfNeeded: row.int64("pid") ?? 0),
            host: row.string("host") ?? "", maxConcurrentRuns: row.int("max_concurrent_runs") ?? 1,
            runType: row.string("run_type") ?? "JOB_RUN")
    }

    static func taskRunRecord(_ row: Row) -> TaskRunRecord {
        TaskRunRecord(
            taskRunID: row.int64("task_run_id") ?? 0, jobRunID: row.int64("job_run_id") ?? 0,
            taskKey: row.string("task_key") ?? "", notebookPath: row.string("notebook_path") ?? "",
            attempt: row.int("attempt") ?? 0, repairID: row.int64("repair_id"),
            lifeCycleState: row.string("life_cycle_state").flatMap(LifeCycleState.init(rawValue:)) ?? .internalError,
            resultState: row.string("result_state").flatMap(ResultState.init(rawValue:)),
            stateMessage: row.string("state_message") ?? "",
            parameters: decode([String: String].self, row.string("parameters_json")) ?? [:],
            trackingRunID: row.string("tracking_run_id"), startTime: row.double("start_time"), endTime: row.double("end_time"))
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// Who this process is, to tell live runs from abandoned ones.
public enum ProcessIdentity {
    public static let pid: Int32 = getpid()
    public static let host: String = ProcessInfo.processInfo.hostName

    /// True when a process with this pid exists on this host (a run held on another host
    /// sharing the store is taken as alive: it cannot be checked from here).
    public static func isAlive(pid: Int32, host: String) -> Bool {
        guard host == Self.host else { return true }
        if pid == Self.pid { return true }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }
}
