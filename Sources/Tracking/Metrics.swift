import Foundation
import Lakehouse

/// One point of a metric's history.
///
/// NaN and ±infinity are valid values and round-trip (NaN is stored as MLflow does: value 0
/// with an `is_nan` flag, because SQLite turns a NaN into NULL). Two metrics compare equal
/// when both values are NaN, so that histories can be compared.
public struct Metric: Sendable, Equatable, CustomStringConvertible {
    /// The metric name.
    public let key: String
    /// The measured value; NaN and ±infinity are allowed.
    public let value: Double
    /// The training step (or any ordinal) the value belongs to; 0 when not given.
    public let step: Int
    /// When the value was measured.
    public let timestamp: Date

    /// A point to log, for example in `logBatch`; the timestamp defaults to now.
    public init(key: String, value: Double, step: Int = 0, timestamp: Date = Date()) {
        self.key = key
        self.value = value
        self.step = step
        self.timestamp = timestamp
    }

    /// Field-wise equality, except that two NaN values are equal.
    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.step == rhs.step && lhs.timestamp == rhs.timestamp
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }

    /// `key=value (step, timestamp)`, for logs and test failures.
    public var description: String { "\(key)=\(value) (step \(step), \(timestamp))" }
}

/// A metric value as stored: NaN becomes value 0 with the flag set.
struct StoredMetricValue {
    let value: Double
    let isNaN: Int64

    @inline(__always)
    init(_ value: Double) {
        if value.isNaN {
            self.value = 0
            self.isNaN = 1
        } else {
            self.value = value
            self.isNaN = 0
        }
    }

    var decoded: Double { isNaN != 0 ? .nan : value }
}

extension TrackingStore {
    /// Appends a point to a metric's history and updates its latest value.
    ///
    /// The latest value of a metric is the last point in history order: highest step, then
    /// latest timestamp (then largest value, for exact ties), as MLflow. Logging an identical
    /// point (same step, timestamp and value) twice keeps one, as MLflow.
    ///
    /// - Parameters:
    ///   - key: non-empty, at most 250 characters, no control characters.
    ///   - value: any double; NaN and ±infinity round-trip.
    ///   - step: defaults to 0.
    ///   - timestamp: defaults to now.
    public func logMetric(runID: String, key: String, value: Double, step: Int = 0, timestamp: Date? = nil) throws {
        try Validate.key(key, kind: "metric")
        let time = timestamp?.timeIntervalSince1970 ?? unixNow()
        let stored = StoredMetricValue(value)
        try write { db in
            let seq = try requireRun(db, runID)
            try insertMetricPoint(db, seq: seq, key: key, stored: stored, step: Int64(step), timestamp: time)
            try upsertLatestMetric(db, seq: seq, key: key, stored: stored, step: Int64(step), timestamp: time)
        }
    }

    /// A metric's history in order of step, then timestamp (`TrackingError.runNotFound`).
    /// An unknown key on an existing run gives an empty history.
    public func metricHistory(runID: String, key: String) throws -> [Metric] {
        try read { db in
            let seq = try requireRun(db, runID)
            let statement = try db.cachedStatement("""
                SELECT step, timestamp, value, is_nan FROM metrics
                WHERE run_seq = ? AND key = ? ORDER BY step, timestamp, value, is_nan
                """ as StaticString)
            try statement.bind(int: seq, at: 1)
            try statement.bind(text: key, at: 2)
            defer { statement.reset() }
            var history: [Metric] = []
            while try statement.step() {
                let stored = StoredMetricValue(storedValue: statement.double(at: 2), isNaN: statement.int64(at: 3))
                history.append(Metric(
                    key: key, value: stored.decoded, step: Int(statement.int64(at: 0)),
                    timestamp: Date(unixSeconds: statement.double(at: 1))
                ))
            }
            return history
        }
    }

    /// The latest point of each of a run's metrics, by key (`TrackingError.runNotFound`).
    public func latestMetrics(runID: String) throws -> [String: Metric] {
        try read { db in
            try loadLatestMetrics(db, seq: try requireRun(db, runID))
        }
    }

    // MARK: Helpers

    func insertMetricPoint(_ db: Database, seq: Int64, key: String, stored: StoredMetricValue, step: Int64, timestamp: Double) throws {
        // DO NOTHING rather than OR IGNORE: OR IGNORE would also skip rows that break a NOT
        // NULL constraint, silently dropping them.
        let insert = try db.cachedStatement("""
            INSERT INTO metrics(run_seq, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """ as StaticString)
        try insert.bind(int: seq, at: 1)
        try insert.bind(text: key, at: 2)
        try insert.bind(int: step, at: 3)
        try insert.bind(double: timestamp, at: 4)
        try insert.bind(double: stored.value, at: 5)
        try insert.bind(int: stored.isNaN, at: 6)
        try insert.run()
    }

    func upsertLatestMetric(_ db: Database, seq: Int64, key: String, stored: StoredMetricValue, step: Int64, timestamp: Double) throws {
        // The row-value comparison is the history order, so the latest value is by definition
        // the last point metricHistory returns.
        let upsert = try db.cachedStatement("""
            INSERT INTO latest_metrics(run_seq, key, step, timestamp, value, is_nan) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT(run_seq, key) DO UPDATE SET
                step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
            WHERE (excluded.step, excluded.timestamp, excluded.value, excluded.is_nan)
                > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value, latest_metrics.is_nan)
            """ as StaticString)
        try upsert.bind(int: seq, at: 1)
        try upsert.bind(text: key, at: 2)
        try upsert.bind(int: step, at: 3)
        try upsert.bind(double: timestamp, at: 4)
        try upsert.bind(double: stored.value, at: 5)
        try upsert.bind(int: stored.isNaN, at: 6)
        try upsert.run()
    }

    func loadLatestMetrics(_ db: Database, seq: Int64) throws -> [String: Metric] {
        let statement = try db.cachedStatement("SELECT key, step, timestamp, value, is_nan FROM latest_metrics WHERE run_seq = ?" as StaticString)
        try statement.bind(int: seq, at: 1)
        defer { statement.reset() }
        var metrics: [String: Metric] = [:]
        while try statement.step() {
            guard let key = statement.string(at: 0) else { continue }
            let stored = StoredMetricValue(storedValue: statement.double(at: 3), isNaN: statement.int64(at: 4))
            metrics[key] = Metric(
                key: key, value: stored.decoded, step: Int(statement.int64(at: 1)),
                timestamp: Date(unixSeconds: statement.double(at: 2))
            )
        }
        return metrics
    }
}

extension StoredMetricValue {
    init(storedValue: Double, isNaN: Int64) {
        self.value = storedValue
        self.isNaN = isNaN
    }

    /// The history order of two points of one metric (step, timestamp, value, NaN flag).
    static func precedes(_ a: (step: Int64, timestamp: Double, stored: StoredMetricValue), _ b: (step: Int64, timestamp: Double, stored: StoredMetricValue)) -> Bool {
        if a.step != b.step { return a.step < b.step }
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
        if a.stored.value != b.stored.value { return a.stored.value < b.stored.value }
        return a.stored.isNaN < b.stored.isNaN
    }
}
