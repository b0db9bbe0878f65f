import Lakehouse

extension TrackingStore {
    /// Logs a parameter. Parameters are immutable, as in MLflow: logging the same value
    /// again is accepted, a different value throws `TrackingError.paramConflict`.
    ///
    /// Keys: non-empty, at most 250 characters, no control characters. Values: at most 6,000
    /// characters.
    public func logParam(runID: String, key: String, value: String) throws {
        try Validate.param(key: key, value: value)
        try write { db in try insertParam(db, seq: try requireRun(db, runID), runID: runID, key: key, value: value) }
    }

    /// A run's parameters (`TrackingError.runNotFound`).
    public func params(runID: String) throws -> [String: String] {
        try read { db in
            try loadParams(db, seq: try requireRun(db, runID))
        }
    }

    func insertParam(_ db: Database, seq: Int64, runID: String, key: String, value: String) throws {
        let insert = try db.cachedStatement("INSERT INTO params(run_seq, key, value) VALUES (?, ?, ?) ON CONFLICT(run_seq, key) DO NOTHING" as StaticString)
        try insert.bind(int: seq, at: 1)
        try insert.bind(text: key, at: 2)
        try insert.bind(text: value, at: 3)
        try insert.run()
        // Nothing inserted: the key was already set. The common case (a new key) costs one
        // statement; only a repeat pays for the lookup.
        guard db.changes == 0 else { return }
        let existing = try db.cachedStatement("SELECT value FROM params WHERE run_seq = ? AND key = ?" as StaticString)
        try existing.bind(int: seq, at: 1)
        try existing.bind(text: key, at: 2)
        defer { existing.reset() }
        if try existing.step(), let old = existing.string(at: 0), old != value {
            throw TrackingError.paramConflict(runID: runID, key: key, oldValue: old, newValue: value)
        }
    }

    func loadParams(_ db: Database, seq: Int64) throws -> [String: String] {
        var params: [String: String] = [:]
        for row in try db.query("SELECT key, value FROM params WHERE run_seq = ?", [seq]) {
            if let key = row.string("key") { params[key] = row.string("value") ?? "" }
        }
        return params
    }
}
