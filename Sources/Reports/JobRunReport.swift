import Foundation
import Lakehouse
import Tracking

/// Everything the job-run page shows about one job run, gathered from the tracking store
/// (tasks, attempts, repairs, task values, each task's run, model registry, alert history)
/// and the lakehouse (loads, pipeline updates, expectation counts, quarantine).
public struct JobRunReport: Sendable {
    /// One task attempt with its tracking run.
    public struct TaskAttempt: Sendable {
        public let record: TaskRunRecord
        /// The task's tracking run (params and latest metrics), if it logged one.
        public let run: Run?
        /// The HTML transcript beside the Markdown one, when present.
        public let transcript: URL?
    }

    /// One `loads` row.
    public struct Load: Sendable {
        public let loadID: Int64
        public let table: String
        public let source: String
        public let format: String?
        public let rowsRead: Int
        public let rowsLoaded: Int
        public let rowsQuarantined: Int
        public let linesSkipped: Int
    }

    /// One `pipeline_updates` row with its expectation counts.
    public struct PipelineUpdate: Sendable {
        public let updateID: Int64
        public let pipeline: String
        public let state: String
        public let modelURI: String?
        public let files: Int
        public let rowsRead: Int
        public let rowsWritten: Int
        public let message: String
        public let expectations: [Expectation]
        /// Quarantined rows per expectation, from `dns_log_analytics_quarantine`.
        public let quarantined: [String: Int]
    }

    /// One `pipeline_event_log` row.
    public struct Expectation: Sendable {
        public let table: String
        public let name: String
        public let action: String
        public let passed: Int
        public let failed: Int
        public let dropped: Int
    }

    /// One `alert_history` row.
    public struct AlertOutcome: Sendable {
        public let name: String
        public let evaluatedAt: Double
        public let state: String
        public let previousState: String?
        public let value: String?
        public let threshold: String?
        public let reason: String
        public let notified: Bool
        public let deliveriesJSON: String
    }

    /// A model the run used or produced, as named by a task value, a param or a pipeline update.
    public struct ModelUse: Sendable {
        public let uri: String
        public let where_: String
        /// The registry's version behind the URI, when it resolves.
        public let version: ModelVersion?
    }

    public let job: JobRunRecord
    public let tasks: [TaskAttempt]
    public let repairs: [RepairRecord]
    public let values: [TaskValueRecord]
    public let loads: [Load]
    public let updates: [PipelineUpdate]
    public let alerts: [AlertOutcome]
    public let models: [ModelUse]
    /// Tables that were not there to read (an older store), for the page to say so.
    public let missingTables: [String]
    public let generatedAt: Date

    /// Gathers job run `id` from the store in `store.directory`.
    public static func load(store: TrackingStore, jobRunID id: Int64) throws -> JobRunReport {
        let job = try store.jobRun(id: id)
        let records = try store.taskRuns(jobRunID: id)
        var tasks: [TaskAttempt] = []
        for record in records {
            var run: Run?
            var transcript: URL?
            if let runID = record.trackingRunID {
                run = try? store.run(id: runID)
                if let directory = try? store.artifactDirectory(runID: runID) {
                    let html = directory.appendingPathComponent("transcript/transcript.html")
                    let markdown = directory.appendingPathComponent("transcript/transcript.md")
                    transcript = FileManager.default.fileExists(atPath: html.path) ? html
                        : FileManager.default.fileExists(atPath: markdown.path) ? markdown : nil
                }
            }
            tasks.append(TaskAttempt(record: record, run: run, transcript: transcript))
        }
        let values = try store.taskValues(jobRunID: id)
        var missing: [String] = []
        var loads: [Load] = [], updates: [PipelineUpdate] = []
        let lakehousePath = store.directory.appendingPathComponent("lakehouse.db")
        if FileManager.default.fileExists(atPath: lakehousePath.path) {
            let db = try LakehouseSchema.openReadOnly(storeDirectory: store.directory)
            let tables = Set(try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string("name") })
            if tables.contains("loads") {
                loads = try db.query("""
                    SELECT load_id, table_name, source, format, rows_read, rows_loaded, rows_quarantined, lines_skipped
                    FROM loads WHERE job_run_id = ? ORDER BY load_id
                    """, [id]).map { row in
                    Load(loadID: row.int64("load_id") ?? 0, table: row.string("table_name") ?? "", source: row.string("source") ?? "",
                         format: row.string("format"), rowsRead: row.int("rows_read") ?? 0, rowsLoaded: row.int("rows_loaded") ?? 0,
                         rowsQuarantined: row.int("rows_quarantined") ?? 0, linesSkipped: row.int("lines_skipped") ?? 0)
                }
            } else { missing.append("loads") }
            for table in ["pipeline_updates", "pipeline_event_log", "dns_log_analytics_quarantine"] where !tables.contains(table) { missing.append(table) }
            if tables.contains("pipeline_updates") {
                for row in try db.query("""
                    SELECT update_id, pipeline, state, model_uri, files, rows_read, rows_written, message
                    FROM pipeline_updates WHERE job_run_id = ? ORDER BY update_id
                    """, [id]) {
                    let updateID = row.int64("update_id") ?? 0
                    var expectations: [Expectation] = []
                    if tables.contains("pipeline_event_log") {
                        expectations = try db.query("""
                            SELECT table_name, expectation, action, sum(passed) AS passed, sum(failed) AS failed, sum(dropped) AS dropped
                            FROM pipeline_event_log WHERE update_id = ? GROUP BY table_name, expectation, action ORDER BY table_name, expectation
                            """, [updateID]).map { event in
                            Expectation(table: event.string("table_name") ?? "", name: event.string("expectation") ?? "",
                                        action: event.string("action") ?? "", passed: event.int("passed") ?? 0,
                                        failed: event.int("failed") ?? 0, dropped: event.int("dropped") ?? 0)
                        }
                    }
                    var quarantined: [String: Int] = [:]
                    if tables.contains("dns_log_analytics_quarantine") {
                        for q in try db.query("SELECT expectation, count(*) AS n FROM dns_log_analytics_quarantine WHERE update_id = ? GROUP BY expectation", [updateID]) {
                            quarantined[q.string("expectation") ?? ""] = q.int("n") ?? 0
                        }
                    }
                    updates.append(PipelineUpdate(updateID: updateID, pipeline: row.string("pipeline") ?? "", state: row.string("state") ?? "",
                                                  modelURI: row.string("model_uri"), files: row.int("files") ?? 0, rowsRead: row.int("rows_read") ?? 0,
                                                  rowsWritten: row.int("rows_written") ?? 0, message: row.string("message") ?? "",
                                                  expectations: expectations, quarantined: quarantined))
                }
            }
        } else {
            missing.append("lakehouse.db")
        }
        let alerts = try loadAlerts(store: store, jobRunID: id, missing: &missing)
        // Models: what tasks handed on, what they resolved, what the scoring pipeline used.
        var uses: [(String, String)] = []
        for value in values where value.name.hasSuffix("model_uri") {
            if let uri = try? JSONDecoder().decode(String.self, from: Data(value.valueJSON.utf8)) { uses.append((uri, "task value \(value.taskKey).\(value.name)")) }
        }
        for task in tasks {
            for (key, value) in task.run?.data.params ?? [:] where key.hasSuffix("model_uri") && value.hasPrefix("models:/") {
                uses.append((value, "param \(key) of \(task.record.taskKey)"))
            }
        }
        for update in updates { if let uri = update.modelURI { uses.append((uri, "pipeline update \(update.updateID)")) } }
        var seen = Set<String>()
        let models = uses.filter { seen.insert("\($0.0)|\($0.1)").inserted }.map { ModelUse(uri: $0.0, where_: $0.1, version: resolve($0.0, store: store)) }
        return JobRunReport(job: job, tasks: tasks, repairs: try store.repairs(jobRunID: id), values: values, loads: loads, updates: updates,
                            alerts: alerts, models: models, missingTables: missing, generatedAt: Date())
    }

    /// `models:/NAME/VERSION` or `models:/NAME@ALIAS` to the registry's version (the alias as it is now).
    static func resolve(_ uri: String, store: TrackingStore) -> ModelVersion? {
        guard uri.hasPrefix("models:/") else { return nil }
        let rest = uri.dropFirst("models:/".count)
        if let at = rest.lastIndex(of: "@") {
            return try? store.modelVersion(name: String(rest[..<at]), alias: String(rest[rest.index(after: at)...]))
        }
        guard let slash = rest.lastIndex(of: "/"), let version = Int64(rest[rest.index(after: slash)...]) else { return nil }
        return try? store.modelVersion(name: String(rest[..<slash]), version: version)
    }

    private static func loadAlerts(store: TrackingStore, jobRunID: Int64, missing: inout [String]) throws -> [AlertOutcome] {
        // The tracking API has no reader for alert_history yet; it is read here by its schema.
        let db = try Database(path: store.databaseURL.path, mode: .readOnly)
        guard try db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alert_history'")?.int64Value == 1 else {
            missing.append("alert_history")
            return []
        }
        return try db.query("""
            SELECT alert_name, evaluated_at, state, previous_state, value, threshold, reason, notified, deliveries_json
            FROM alert_history WHERE job_run_id = ? ORDER BY evaluated_at, evaluation_id
            """, [jobRunID]).map { row in
            AlertOutcome(name: row.string("alert_name") ?? "", evaluatedAt: row.double("evaluated_at") ?? 0, state: row.string("state") ?? "",
                         previousState: row.string("previous_state"), value: row.string("value"), threshold: row.string("threshold"),
                         reason: row.string("reason") ?? "", notified: (row.int("notified") ?? 0) != 0,
                         deliveriesJSON: row.string("deliveries_json") ?? "[]")
        }
    }
}
