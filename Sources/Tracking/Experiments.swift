import Foundation
import Lakehouse

/// A named group of runs, as in MLflow.
public struct Experiment: Sendable, Equatable, Identifiable {
    /// The experiment id (1, 2, 3… in creation order).
    public let id: Int64
    /// The unique name.
    public let name: String
    /// Where the experiment's runs keep their artifacts (`<store>/artifacts/<id>`).
    public let artifactLocation: URL
    /// When the experiment was created.
    public let creationTime: Date
    /// When the experiment or its tags last changed.
    public let lastUpdateTime: Date
    /// Experiment tags, key → value.
    public let tags: [String: String]
}

/// An experiment with what a listing shows about its runs.
public struct ExperimentSummary: Sendable, Equatable {
    /// The experiment itself.
    public let experiment: Experiment
    /// How many runs the experiment has (nested runs included).
    public let runCount: Int
    /// The start time of its most recent run, nil when it has none.
    public let lastRunTime: Date?
}

extension TrackingStore {
    /// Creates an experiment; its name must be new (`TrackingError.experimentAlreadyExists`).
    @discardableResult
    public func createExperiment(name: String, tags: [String: String] = [:]) throws -> Experiment {
        try Validate.name(name, of: "experiment")
        for (key, value) in tags { try Validate.tag(key: key, value: value) }
        let id = try write { db -> Int64 in
            if try db.scalar("SELECT experiment_id FROM experiments WHERE name = ?", [name]) != nil {
                throw TrackingError.experimentAlreadyExists(name: name)
            }
            return try insertExperiment(db, name: name, tags: tags)
        }
        return try requireExperiment(id: id)
    }

    /// Returns the experiment with this name, creating it when missing. Safe when several
    /// processes do it at once: the lookup and the insert are one immediate transaction.
    @discardableResult
    public func getOrCreateExperiment(named name: String) throws -> Experiment {
        try Validate.name(name, of: "experiment")
        if let existing = try experiment(named: name) { return existing }
        let id = try write { db -> Int64 in
            if let id = try db.scalar("SELECT experiment_id FROM experiments WHERE name = ?", [name])?.int64Value {
                return id
            }
            return try insertExperiment(db, name: name, tags: [:])
        }
        return try requireExperiment(id: id)
    }

    /// The experiment with this name, or nil.
    public func experiment(named name: String) throws -> Experiment? {
        try read { db in
            guard let id = try db.scalar("SELECT experiment_id FROM experiments WHERE name = ?", [name])?.int64Value else { return nil }
            return try loadExperiment(db, id: id)
        }
    }

    /// The experiment with this id, or nil.
    public func experiment(id: Int64) throws -> Experiment? {
        try read { db in try loadExperiment(db, id: id) }
    }

    /// Every experiment in id order, with its run count and last run time.
    public func experiments() throws -> [ExperimentSummary] {
        try read { db in
            let rows = try db.query("""
                SELECT e.experiment_id, e.name, e.artifact_location, e.creation_time, e.last_update_time,
                       (SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.experiment_id) AS run_count,
                       (SELECT MAX(r.start_time) FROM runs r WHERE r.experiment_id = e.experiment_id) AS last_run
                FROM experiments e ORDER BY e.experiment_id
                """)
            var tagsByExperiment: [Int64: [String: String]] = [:]
            for row in try db.query("SELECT experiment_id, key, value FROM experiment_tags") {
                guard let id = row.int64("experiment_id"), let key = row.string("key") else { continue }
                tagsByExperiment[id, default: [:]][key] = row.string("value") ?? ""
            }
            return rows.compactMap { row -> ExperimentSummary? in
                guard let experiment = makeExperiment(row, tags: tagsByExperiment[row.int64("experiment_id") ?? -1] ?? [:]) else { return nil }
                return ExperimentSummary(
                    experiment: experiment,
                    runCount: row.int("run_count") ?? 0,
                    lastRunTime: row.double("last_run").map(Date.init(unixSeconds:))
                )
            }
        }
    }

    /// Sets (or replaces) a tag on an experiment.
    public func setExperimentTag(experimentID: Int64, key: String, value: String) throws {
        try Validate.tag(key: key, value: value)
        try write { db in
            let now = unixNow()
            try db.execute("UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?", [now, experimentID])
            if db.changes == 0 { throw TrackingError.experimentNotFound(id: experimentID) }
            try db.execute("""
                INSERT INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)
                ON CONFLICT(experiment_id, key) DO UPDATE SET value = excluded.value
                """, [experimentID, key, value])
        }
    }

    // MARK: Helpers

    private func insertExperiment(_ db: Database, name: String, tags: [String: String]) throws -> Int64 {
        let now = unixNow()
        // The location needs the id, which SQLite assigns on insert.
        try db.execute("INSERT INTO experiments(name, artifact_location, creation_time, last_update_time) VALUES (?, '', ?, ?)", [name, now, now])
        let id = db.lastInsertRowID
        try db.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?", ["\(Self.artifactDirectoryName)/\(id)", id])
        for (key, value) in tags {
            try db.execute("INSERT INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)", [id, key, value])
        }
        return id
    }

    private func requireExperiment(id: Int64) throws -> Experiment {
        guard let experiment = try experiment(id: id) else { throw TrackingError.experimentNotFound(id: id) }
        return experiment
    }

    func loadExperiment(_ db: Database, id: Int64) throws -> Experiment? {
        guard let row = try db.query("SELECT experiment_id, name, artifact_location, creation_time, last_update_time FROM experiments WHERE experiment_id = ?", [id]).first else {
            return nil
        }
        var tags: [String: String] = [:]
        for tag in try db.query("SELECT key, value FROM experiment_tags WHERE experiment_id = ?", [id]) {
            if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" }
        }
        return makeExperiment(row, tags: tags)
    }

    private func makeExperiment(_ row: Row, tags: [String: String]) -> Experiment? {
        guard let id = row.int64("experiment_id"), let name = row.string("name") else { return nil }
        return Experiment(
            id: id,
            name: name,
            artifactLocation: resolveLocation(row.string("artifact_location") ?? ""),
            creationTime: Date(unixSeconds: row.double("creation_time") ?? 0),
            lastUpdateTime: Date(unixSeconds: row.double("last_update_time") ?? 0),
            tags: tags
        )
    }

    /// Locations are stored relative to the store so that the store can move; an absolute
    /// one (written by hand or by a future version) is taken as it is.
    func resolveLocation(_ location: String) -> URL {
        location.hasPrefix("/")
            ? URL(fileURLWithPath: location, isDirectory: true)
            : directory.appendingPathComponent(location, isDirectory: true)
    }
}
