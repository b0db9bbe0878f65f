import Foundation
import Lakehouse

extension TrackingStore {
    /// Logs parameters, metric points and tags in one transaction: all of it is written, or
    /// (on any error, such as a parameter conflict) none of it.
    ///
    /// Everything is validated before the transaction starts, with the same rules as
    /// `logParam`, `logMetric` and `setTag`. There is no size limit: a batch of 100,000 points
    /// is one transaction.
    public func logBatch(runID: String, params: [String: String] = [:], metrics: [Metric] = [], tags: [String: String] = [:]) throws {
        for (key, value) in params { try Validate.param(key: key, value: value) }
        for (key, value) in tags { try Validate.tag(key: key, value: value) }
        var lastValidatedKey: String?
        for metric in metrics where metric.key != lastValidatedKey {
            try Validate.key(metric.key, kind: "metric")
            lastValidatedKey = metric.key
        }

        try write { db in
            let seq = try requireRun(db, runID)
            for (key, value) in params {
                try insertParam(db, seq: seq, runID: runID, key: key, value: value)
            }
            if !metrics.isEmpty {
                try insertMetricPoints(db, seq: seq, metrics: metrics)
            }
            for (key, value) in tags {
                try upsertTag(db, seq: seq, key: key, value: value)
            }
        }
    }

    private typealias Point = (step: Int64, timestamp: Double, stored: StoredMetricValue)

    /// Inserts the points, then upserts the latest value once per key rather than once per
    /// point (batches are usually long runs of one key).
    private func insertMetricPoints(_ db: Database, seq: Int64, metrics: [Metric]) throws {
        let insert = try db.cachedStatement("""
            INSERT INTO metrics(run_seq, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """ as StaticString)
        var latest: [String: Point] = [:]
        var currentKey: String?
        var currentBest: Point?
        for metric in metrics {
            let point: Point = (Int64(metric.step), metric.timestamp.timeIntervalSince1970, StoredMetricValue(metric.value))
            try insert.bind(int: seq, at: 1)
            try insert.bind(text: metric.key, at: 2)
            try insert.bind(int: point.step, at: 3)
            try insert.bind(double: point.timestamp, at: 4)
            try insert.bind(double: point.stored.value, at: 5)
            try insert.bind(int: point.stored.isNaN, at: 6)
            try insert.run()

            if metric.key != currentKey {
                if let key = currentKey, let best = currentBest { merge(best, into: &latest, key: key) }
                currentKey = metric.key
                currentBest = point
            } else if let best = currentBest, StoredMetricValue.precedes(best, point) {
                currentBest = point
            }
        }
        if let key = currentKey, let best = currentBest { merge(best, into: &latest, key: key) }
        for (key, point) in latest {
            try upsertLatestMetric(db, seq: seq, key: key, stored: point.stored, step: point.step, timestamp: point.timestamp)
        }
    }

    private func merge(_ point: Point, into latest: inout [String: Point], key: String) {
        if let existing = latest[key], !StoredMetricValue.precedes(existing, point) { return }
        latest[key] = point
    }
}
