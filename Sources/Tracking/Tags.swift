import Lakehouse

extension TrackingStore {
    /// Sets (or replaces) a run tag. Tags are mutable; system tags such as `mlflow.note.content`
    /// or `mlflow.source.name` are accepted like any other.
    ///
    /// Keys: non-empty, at most 250 characters, no control characters. Values: at most 8,000
    /// characters (MLflow's limit).
    public func setTag(runID: String, key: String, value: String) throws {
        try Validate.tag(key: key, value: value)
        try write { db in try upsertTag(db, seq: try requireRun(db, runID), key: key, value: value) }
    }

    /// Removes a run tag; returns false when the run had no such tag.
    @discardableResult
    public func deleteTag(runID: String, key: String) throws -> Bool {
        try write { db in
            let seq = try requireRun(db, runID)
            try db.execute("DELETE FROM run_tags WHERE run_seq = ? AND key = ?", [seq, key])
            return db.changes > 0
        }
    }

    /// A run's tags (`TrackingError.runNotFound`).
    public func tags(runID: String) throws -> [String: String] {
        try read { db in
            try loadTags(db, seq: try requireRun(db, runID))
        }
    }

    func upsertTag(_ db: Database, seq: Int64, key: String, value: String) throws {
        let upsert = try db.cachedStatement("""
            INSERT INTO run_tags(run_seq, key, value) VALUES (?, ?, ?)
            ON CONFLICT(run_seq, key) DO UPDATE SET value = excluded.value
            """ as StaticString)
        try upsert.bind(int: seq, at: 1)
        try upsert.bind(text: key, at: 2)
        try upsert.bind(text: value, at: 3)
        try upsert.run()
    }

    func loadTags(_ db: Database, seq: Int64) throws -> [String: String] {
        var tags: [String: String] = [:]
        for row in try db.query("SELECT key, value FROM run_tags WHERE run_seq = ?", [seq]) {
            if let key = row.string("key") { tags[key] = row.string("value") ?? "" }
        }
        return tags
    }
}
