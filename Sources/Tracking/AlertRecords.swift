import Foundation
import Lakehouse

/// The standing state of one alert (`alert_states`): what the last evaluation found and when
/// the alert was last notified for that state.
public struct AlertStateRecord: Sendable, Equatable {
    public var alertName: String
    /// `OK`, `TRIGGERED` or `UNKNOWN`.
    public var state: String
    /// The last evaluated value, as text (nil when the query gave no value).
    public var value: String?
    /// When the alert entered this state.
    public var since: Date
    public var lastEvaluated: Date
    /// The last notification sent for this state; nil when none was.
    public var lastNotified: Date?

    public init(alertName: String, state: String, value: String?, since: Date, lastEvaluated: Date, lastNotified: Date?) {
        self.alertName = alertName
        self.state = state
        self.value = value
        self.since = since
        self.lastEvaluated = lastEvaluated
        self.lastNotified = lastNotified
    }
}

/// One evaluation of an alert (`alert_history`), with the outcome of each delivery tried.
public struct AlertHistoryRecord: Sendable, Equatable {
    /// Assigned by the store; 0 before recording.
    public var evaluationID: Int64
    public var alertName: String
    /// The job run that evaluated it; nil for `runme alerts check`.
    public var jobRunID: Int64?
    public var evaluatedAt: Date
    public var state: String
    public var previousState: String?
    public var value: String?
    public var threshold: String?
    /// Why the alert is UNKNOWN, or the condition as evaluated.
    public var reason: String
    /// True when a notification was sent (at least attempted) for this evaluation.
    public var notified: Bool
    /// JSON array of `{"destination","kind","outcome","attempts","error"}`.
    public var deliveriesJSON: String

    public init(
        evaluationID: Int64 = 0, alertName: String, jobRunID: Int64?, evaluatedAt: Date, state: String,
        previousState: String?, value: String?, threshold: String?, reason: String, notified: Bool, deliveriesJSON: String
    ) {
        self.evaluationID = evaluationID
        self.alertName = alertName
        self.jobRunID = jobRunID
        self.evaluatedAt = evaluatedAt
        self.state = state
        self.previousState = previousState
        self.value = value
        self.threshold = threshold
        self.reason = reason
        self.notified = notified
        self.deliveriesJSON = deliveriesJSON
    }
}

extension TrackingStore {
    /// The standing state of an alert, or nil when it was never evaluated in this store.
    public func alertState(name: String) throws -> AlertStateRecord? {
        try requireAlertTables()
        return try read { db in
            try db.query("SELECT * FROM alert_states WHERE alert_name = ?", [name]).first.map(Self.stateRecord)
        }
    }

    /// Every alert's standing state, by name.
    public func alertStates() throws -> [AlertStateRecord] {
        try requireAlertTables()
        return try read { db in
            try db.query("SELECT * FROM alert_states ORDER BY alert_name").map(Self.stateRecord)
        }
    }

    /// Records one evaluation: appends the history row and replaces the standing state, in one
    /// transaction, so that the state never disagrees with the history. Returns the history row's id.
    @discardableResult
    public func recordAlertEvaluation(_ evaluation: AlertHistoryRecord, state: AlertStateRecord) throws -> Int64 {
        guard evaluation.alertName == state.alertName else {
            throw TrackingError.invalidArgument("alert evaluation of '\(evaluation.alertName)' recorded with the state of '\(state.alertName)'")
        }
        return try write { db in
            try db.execute("""
                INSERT INTO alert_history(alert_name, job_run_id, evaluated_at, state, previous_state, value, threshold, reason, notified, deliveries_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                evaluation.alertName, evaluation.jobRunID, evaluation.evaluatedAt.timeIntervalSince1970, evaluation.state,
                evaluation.previousState, evaluation.value, evaluation.threshold, evaluation.reason, evaluation.notified,
                evaluation.deliveriesJSON,
            ])
            let id = db.lastInsertRowID
            try db.execute("""
                INSERT INTO alert_states(alert_name, state, value, since, last_evaluated, last_notified) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(alert_name) DO UPDATE SET state = excluded.state, value = excluded.value, since = excluded.since,
                    last_evaluated = excluded.last_evaluated, last_notified = excluded.last_notified
                """, [
                state.alertName, state.state, state.value, state.since.timeIntervalSince1970,
                state.lastEvaluated.timeIntervalSince1970, state.lastNotified?.timeIntervalSince1970,
            ])
            return id
        }
    }

    /// Evaluations, newest first: of one alert, or of all when `name` is nil.
    public func alertHistory(name: String? = nil, limit: Int = 50) throws -> [AlertHistoryRecord] {
        try requireAlertTables()
        return try read { db in
            let rows = try name.map {
                try db.query("SELECT * FROM alert_history WHERE alert_name = ? ORDER BY evaluation_id DESC LIMIT ?", [$0, max(0, limit)])
            } ?? db.query("SELECT * FROM alert_history ORDER BY evaluation_id DESC LIMIT ?", [max(0, limit)])
            return rows.map(Self.historyRecord)
        }
    }

    /// A read-only store opened on a database older than the alert tables has none to read.
    private func requireAlertTables() throws {
        if schemaVersion < 3 {
            throw TrackingError.storeNeedsMigration(path: databaseURL.path, found: schemaVersion, needed: 3)
        }
    }

    private static func stateRecord(_ row: Row) -> AlertStateRecord {
        AlertStateRecord(
            alertName: row.string("alert_name") ?? "", state: row.string("state") ?? "UNKNOWN", value: row.string("value"),
            since: Date(timeIntervalSince1970: row.double("since") ?? 0),
            lastEvaluated: Date(timeIntervalSince1970: row.double("last_evaluated") ?? 0),
            lastNotified: row.double("last_notified").map { Date(timeIntervalSince1970: $0) })
    }

    private static func historyRecord(_ row: Row) -> AlertHistoryRecord {
        AlertHistoryRecord(
            evaluationID: row.int64("evaluation_id") ?? 0, alertName: row.string("alert_name") ?? "",
            jobRunID: row.int64("job_run_id"), evaluatedAt: Date(timeIntervalSince1970: row.double("evaluated_at") ?? 0),
            state: row.string("state") ?? "UNKNOWN", previousState: row.string("previous_state"), value: row.string("value"),
            threshold: row.string("threshold"), reason: row.string("reason") ?? "", notified: (row.int("notified") ?? 0) != 0,
            deliveriesJSON: row.string("deliveries_json") ?? "[]")
    }
}
